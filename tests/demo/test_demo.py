"""``make demo`` end to end on a tiny estate: simulate, ingest every file, attribute, users."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cellwatch.access.models import Organisation, User
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.demo import main
from cellwatch.protect.service import liaison
from cellwatch.protect.service.persons import list_protected_persons
from cellwatch.settings import load_settings
from cellwatch.store import QuarantinedRow, open_store

TINY = Path(__file__).resolve().parents[1] / "web" / "tiny-scenario.toml"


@pytest.mark.slow
def test_demo_builds_the_whole_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path / "home"))
    code = main(["--sources", str(tmp_path / "sources"), "--scenario", str(TINY), "--no-serve"])
    assert code == 0
    credentials = tmp_path / "home" / "demo-credentials.txt"
    assert credentials.stat().st_mode & 0o077 == 0
    assert "hei.analyst" in credentials.read_text()
    store = open_store(load_settings())
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(QuarantinedRow)) == 0
        assert s.scalar(select(func.count()).select_from(User)) >= 8
        # The demo operator answers for the network most demo candidates are on.
        assert s.get(Organisation, "OPERATOR").network == "EE"  # type: ignore[union-attr]
        liaison_user = principal_for(s, "victim.liaison")
    # The police force's victim liaison has persons to work (the simulated file's, handed
    # over), and the search reads them under the same rule.
    persons = liaison.list_persons(Access(store, liaison_user))
    assert persons
    assert {p.owner_org for p in persons} == {"POLICE"}
    assert list_protected_persons(Access(store, liaison_user), persons[0].prison_number)
    # A second run over the same sources changes nothing and still succeeds.
    again = main(["--sources", str(tmp_path / "sources"), "--scenario", str(TINY), "--no-serve"])
    assert again == 0
