"""``cellwatch export attributions|alerts|tro-candidates`` act as ``CELLWATCH_PRINCIPAL``:
each writes only what the principal may see, and each export is audited (``export``:
what, how many rows, the file name) through one helper, a refusal too."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from attribution_seed import LEEDS_ONLY, SHARED, seed_attributions
from audit_support import audited, two_alerts
from cellwatch.access.audit import verify_chain
from cellwatch.access.models import AuditEntry
from cellwatch.attribution.export import export_attributions
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest
REASON = "Operation Kestrel, report IR-2026-118"


@pytest.fixture
def run_id(run: Run, store: Store) -> int:
    """One attribution run over the fixture estate (the ``run`` fixture builds it first)."""
    return seed_attributions(store)


def _export(store: Store, user: str) -> tuple[str | None, dict[str, Any]]:
    """The reason and detail of ``user``'s one allowed export."""
    with store.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(
            AuditEntry.principal == user, AuditEntry.action == "export",
            AuditEntry.outcome == "allowed")).all()
        return entry.reason, dict(entry.detail or {})


def _pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["identifier"], r["prison_number"]) for r in csv.DictReader(fh)]


def test_system_writes_the_interchange_csv_byte_for_byte_and_is_audited(
        run: Run, store: Store, run_id: int, tmp_path: Path) -> None:
    code, out, err = run("system", "export", "attributions", "--out", str(tmp_path / "a.csv"))
    assert code == 0, err
    assert "3 rows written" in out
    export_attributions(store, tmp_path / "library.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "library.csv").read_bytes()
    assert audited(store, "system", "attribution") == [("export", None, "allowed")]
    assert _export(store, "system") == (None, {
        "what": "attributions", "rows": 3, "file": "a.csv", "run": run_id})


def test_a_user_exports_the_attributions_of_the_prisoners_it_may_see(
        run: Run, store: Store, run_id: int, tmp_path: Path) -> None:
    seen = {}
    for user in ("hei_analyst", "lei_analyst", "nat_analyst", "parole_cm"):
        out = tmp_path / f"{user}.csv"
        code, _, err = run(user, "export", "attributions", "--out", str(out), "--reason", REASON)
        assert code == 0, err
        seen[user] = sorted(_pairs(out))
    # A user's export states what the statements module does: SHARED to A3333CC at 0.2
    # is below the floor (0.5) and is not stated (docs/statements.md).
    assert seen == {
        "hei_analyst": [(SHARED, "A1111AA")],
        "lei_analyst": [(LEEDS_ONLY, "A3333CC")],
        "nat_analyst": [(SHARED, "A1111AA"), (LEEDS_ONLY, "A3333CC")],
        "parole_cm": []}  # the Parole Board sees no prisoner by geography
    assert _export(store, "hei_analyst") == (REASON, {
        "what": "attributions", "rows": 1, "file": "hei_analyst.csv", "run": run_id})
    assert verify_chain(store).ok


def test_an_attribution_export_is_refused_without_a_reason_or_prisoner_read(
        run: Run, store: Store, run_id: int, tmp_path: Path) -> None:
    out = tmp_path / "out" / "a.csv"
    code, _, err = run("hei_analyst", "export", "attributions", "--out", str(out))
    assert code == 1
    assert "a reason is required to export" in err
    # An operator's liaison reads no prisoner: refused, audited, nothing written.
    code, _, err = run("voda_liaison", "export", "attributions", "--out", str(out),
                       "--reason", REASON)
    assert code == 2
    assert "voda_liaison may not read prisoner" in err
    assert audited(store, "voda_liaison", "prisoner") == [("read", None, "denied")]
    assert not out.parent.exists() or list(out.parent.iterdir()) == []  # no partial either


def test_the_alerts_export_is_audited_and_so_is_its_refusal(
        run: Run, store: Store, tmp_path: Path) -> None:
    two_alerts(store)
    folder = tmp_path / "out"
    code, _, err = run("hei_analyst", "export", "alerts", "--out", str(folder / "x.csv"),
                       "--reason", "weekly review")
    assert code == 2
    assert "needs a principal who sees every alert" in err
    assert audited(store, "hei_analyst", "alert") == [("export", None, "denied")]
    assert list(folder.iterdir()) == []
    assert run("nat_analyst", "export", "alerts", "--out", str(folder / "a.csv"),
               "--reason", "op TANGO")[0] == 0
    assert _export(store, "nat_analyst") == ("op TANGO", {"what": "alerts", "rows": 2,
                                                          "file": "a.csv"})


def test_the_tro_candidates_export_is_audited(run: Run, store: Store, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    code, _, err = run("hei_analyst", "export", "tro-candidates", "--out", str(out),
                       "--reason", "TRO application")
    assert code == 0, err
    assert out.read_text().startswith("identifier_type,identifier,establishment,")
    assert _export(store, "hei_analyst") == ("TRO application", {
        "what": "tro_candidates", "rows": 0, "file": "t.csv", "establishment": None})


@pytest.mark.parametrize("what", ["alerts", "tro-candidates"])
def test_a_user_says_why_before_exporting(run: Run, store: Store, tmp_path: Path,
                                         what: str) -> None:
    out = tmp_path / "x.csv"
    code, _, err = run("nat_analyst", "export", what, "--out", str(out))
    assert code == 1
    assert "a reason is required to export" in err
    assert not out.exists()
    assert run("system", "export", what, "--out", str(out))[0] == 0  # system need not

