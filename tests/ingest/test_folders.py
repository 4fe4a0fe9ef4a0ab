"""A file's kind by its name (or its folder's), then by its header; a folder in dependency
order; a file of no kind or of two refused with its reason, never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.ingest.registry import kind_names
from cellwatch.ingest.service.folders import (
    ORDER,
    Refused,
    kind_by_name,
    kinds_by_header,
    plan_folder,
    recognise,
    required_columns,
)


@pytest.mark.parametrize(("name", "kind"), [
    ("prisoners.csv", "prisoners"), ("Prisoners.CSV", "prisoners"),
    ("call-records_2026-09.csv", "call_records"), ("pin_contacts.jsonl", "pin_contacts"),
    ("detections/HEI-00001.csv", "detections"), ("ufdr/report.xml", "extractions"),
    ("protected_identifiers.csv", "protected_identifiers"),
    ("prisonersextra.csv", None), ("export.csv", None), ("truth/devices.csv", None),
])
def test_kind_by_name(name: str, kind: str | None) -> None:
    assert kind_by_name(name) == kind


def test_every_kind_is_placed_in_the_order_and_known_by_its_own_header() -> None:
    assert set(ORDER) == set(kind_names())
    for kind, columns in required_columns().items():
        assert kinds_by_header(set(columns) | {"extra_column"}) == [kind], kind


def test_order_puts_reference_data_before_what_refers_to_it() -> None:
    for before, after in [("establishments", "detections"), ("prisoners", "pin_contacts"),
                          ("prisoners", "call_records"), ("seizures", "extractions"),
                          ("protected_persons", "contact_reports")]:
        assert ORDER.index(before) < ORDER.index(after)


def test_a_folder_is_planned_in_order_and_strangers_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_text("ts,sensor_id\n2026-01-01,S1\n")
    (tmp_path / "b.csv").write_text("code,name,region\nHEI,Hewell,WM\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / ".hidden.csv").write_text("code,name\n")
    plan = plan_folder(tmp_path)
    assert [(p.name, p.kind, p.by) for p in plan.files] == [
        ("b.csv", "establishments", "header"), ("sub/a.csv", "detections", "header")]
    assert sorted(r.name for r in plan.refused) == ["empty.csv", "photo.jpg"]
    assert all(r.reason for r in plan.refused)


def test_a_header_of_two_kinds_is_refused_naming_both(tmp_path: Path) -> None:
    both = tmp_path / "both.csv"
    # Every column of prisoners and of pin contacts: which one is not for us to guess.
    both.write_text("prison_number,surname,forenames,contact_number\nA1,B,C,D\n")
    got = recognise(both, "both.csv")
    assert isinstance(got, Refused)
    assert "pin_contacts" in got.reason
    assert "prisoners" in got.reason
