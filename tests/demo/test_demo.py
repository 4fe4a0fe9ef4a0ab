"""``make demo`` end to end on a tiny estate: simulate, ingest every file, attribute, users."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cellwatch.access.models import Organisation, User
from cellwatch.demo import main
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
    # A second run over the same sources changes nothing and still succeeds.
    again = main(["--sources", str(tmp_path / "sources"), "--scenario", str(TINY), "--no-serve"])
    assert again == 0
