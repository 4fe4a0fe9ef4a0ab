"""MISP export: one event with MISP's own phone, person, user-account and report objects,
TLP and 3x5x2 tags, read back by PyMISP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymisp import MISPEvent

from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.write import export_misp
from cellwatch.store import Store

NOW = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)


def _load(path: Path) -> MISPEvent:
    event = MISPEvent()
    event.load_file(str(path))
    return event


def _values(obj: Any, relation: str) -> list[str]:
    return [str(a.value) for a in obj.attributes if a.object_relation == relation]


def test_event_uses_misp_templates_and_references(exchange_estate: Store,
                                                  tmp_path: Path) -> None:
    summary = export_misp(Access(exchange_estate, SYSTEM), tmp_path / "e.json", now=NOW)
    event = _load(tmp_path / "e.json")
    assert len(event.objects) == summary.objects
    by_name: dict[str, list[Any]] = {}
    for obj in event.objects:
        by_name.setdefault(obj.name, []).append(obj)
    # Each object names the MISP template it follows, so MISP shows it natively.
    assert {o.template_uuid for o in event.objects} >= {by_name["phone"][0].template_uuid}
    people = {_values(o, "identity-card-number")[0]: o for o in by_name["person"]}
    assert set(people) == {"A1111AA", "A2222BB", "A3333CC", "A4444DD"}
    assert _values(people["A1111AA"], "last-name") == ["Smith"]
    phones = {(a.object_relation, str(a.value)): o for o in by_name["phone"]
              for a in o.attributes if a.object_relation in ("imei", "imsi", "msisdn")}
    assert set(phones) == {("imei", "356938035643809"), ("msisdn", "+447911123456"),
                           ("imsi", "234150123456789"), ("imei", "490154203237518")}
    handset = phones[("imei", "356938035643809")]
    [reference] = handset.references
    assert reference.relationship_type == "used-by"
    assert reference.referenced_uuid == people["A1111AA"].uuid
    assert "probability 0.970" in reference.comment
    imei = next(a for a in handset.attributes if a.object_relation == "imei")
    assert 'estimative-language:likelihood-probability="almost-certain"' in {
        t.name for t in imei.tags}
    assert _values(by_name["user-account"][0], "username") == ["jd_hewell"]


def test_handling_codes_become_tlp_and_grade_tags(exchange_estate: Store,
                                                  tmp_path: Path) -> None:
    export_misp(Access(exchange_estate, SYSTEM), tmp_path / "e.json", now=NOW)
    event = _load(tmp_path / "e.json")
    assert "tlp:red" in {t.name for t in event.tags}  # it holds a C item
    reports = {_values(o, "title")[0]: o for o in event.objects if o.name == "report"}
    assert set(reports) == {"IR-P-HEI", "IR-P-LEI", "IR-C-WMP", "IR-C-NIU"}

    def tags(ref: str) -> set[str]:
        summary = next(a for a in reports[ref].attributes if a.object_relation == "summary")
        return {t.name for t in summary.tags}

    assert "tlp:amber" in tags("IR-P-HEI")
    assert {"tlp:red", 'cellwatch:3x5x2-handling-code="C"',
            'cellwatch:3x5x2-source-evaluation="2"',
            'cellwatch:3x5x2-intelligence-assessment="B"'} <= tags("IR-C-WMP")


def test_ids_are_stable_and_scope_is_kept(exchange_estate: Store, tmp_path: Path) -> None:
    access = Access(exchange_estate, SYSTEM)
    export_misp(access, tmp_path / "a.json", ExportScope(prison_number="A2222BB"), now=NOW)
    export_misp(access, tmp_path / "b.json", ExportScope(prison_number="A2222BB"), now=NOW)
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    event = _load(tmp_path / "a.json")
    names = {str(a.value) for o in event.objects if o.name == "person"
             for a in o.attributes if a.object_relation == "identity-card-number"}
    assert names == {"A2222BB"}
