"""``cellwatch export alerts`` is redacted for its reader as the alert pages are (issue 17)."""

from __future__ import annotations

import csv
from pathlib import Path

from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.alerts.export import export_alerts
from cellwatch.alerts.models import Alert
from cellwatch.alerts.redact import PROTECTED, RESTRICTED
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.store import Store

VICTIM = "+447700900999"


def _alerts(store: Store, extra: int = 0) -> None:
    """One alert naming a victim's number, a C-coded item (WMP's) and a P-coded one
    (Hewell's), then ``extra`` plain ones."""
    with store.session() as s:
        s.add(ProtectedPerson(person_ref="PP-1", prison_number="A1111AA", condition="NO_CONTACT"))
        s.flush()
        s.add(ProtectedIdentifier(person_ref="PP-1", identifier_type="MSISDN",
                                  identifier=VICTIM))
        s.add(Alert(rule="PROTECTED_PERSON_CONTACTED", dedupe_key="PP-1|A1111AA",
                    prison_number="A1111AA", person_ref="PP-1", identifier=VICTIM,
                    establishment="HEI", status="OPEN",
                    summary=f"3 call(s) to {VICTIM}; see IR-C-WMP and IR-P-HEI."))
        for n in range(extra):
            s.add(Alert(rule="NEW_DEVICE", dedupe_key=f"plain-{n}", prison_number="A1111AA",
                        establishment="HEI", status="OPEN", summary=f"device {n}"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_national_analysts_export_leaves_out_victims_numbers_and_c_coded_items(
        store: Store, tmp_path: Path) -> None:
    build_estate(store)
    _alerts(store)
    with store.session() as s:
        analyst = principal_for(s, "nat_analyst")
    out = tmp_path / "alerts.csv"
    assert export_alerts(store, analyst, out) == 1
    text = out.read_text(encoding="utf-8")
    assert VICTIM not in text
    assert "IR-C-WMP" not in text
    [row] = _rows(out)
    assert row["identifier"] == PROTECTED
    assert row["summary"] == f"3 call(s) to {PROTECTED}; see {RESTRICTED} and IR-P-HEI."
    assert row["prison_number"] == "A1111AA"
    # The local administrator (system) exports the alerts as stored.
    assert export_alerts(store, SYSTEM, out) == 1
    assert _rows(out)[0]["identifier"] == VICTIM


def test_the_export_is_written_whole_across_chunks(store: Store, tmp_path: Path) -> None:
    build_estate(store)
    _alerts(store, extra=4)
    with store.session() as s:
        analyst = principal_for(s, "nat_analyst")
    out = tmp_path / "alerts.csv"
    assert export_alerts(store, analyst, out, chunk_size=2) == 5  # three chunks
    rows = _rows(out)
    assert [int(r["alert_id"]) for r in rows] == sorted(int(r["alert_id"]) for r in rows)
    assert len({r["alert_id"] for r in rows}) == 5
    assert VICTIM not in out.read_text(encoding="utf-8")
