"""One verdict per identifier everywhere: the same value gets the same parse and verdict
in every kind that carries it (pin_contacts, call_records, allow_list,
protected_identifiers, seizures, intelligence_reports, contact_reports).

Each value goes in through the real ingest of every kind; the verdict read back is
(normal form or quarantined, flagged or not)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cellwatch.access.models import IntelligenceReport
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake import Lake
from cellwatch.protect.models import ContactReport, ProtectedIdentifier, ProtectedPerson
from cellwatch.settings import Settings
from cellwatch.store import (
    AllowListEntry,
    Establishment,
    PinContact,
    Prisoner,
    QuarantinedRow,
    SeizureItem,
    Store,
)

Verdict = tuple[str | None, bool]  # (normal form, or None when quarantined; flagged)

# Numbers as people write them, and values that must be refused.
NUMBERS = {
    "07700 900123": ("+447700900123", False),
    "+44 7700 900123": ("+447700900123", False),
    "447700900123": ("+447700900123", False),
    "00447700900123": ("+447700900123", False),
    "07700.900.123": ("+447700900123", False),
    "07700-900-123": ("+447700900123", False),
    "+44 (0)7700 900123": ("+447700900123", False),
    "+44 7911 559273": ("+447911559273", True),
    "07911 559273": ("+447911559273", True),
    "447911559273": ("+447911559273", True),
    "0044 7911 559 273": ("+447911559273", True),
    "+33 6 12 34 56 78": ("+33612345678", False),
    "0770 090": (None, False),
    "+44 79115": (None, False),
    "0800 FLOWERS": (None, False),
    "+999 1234 5678": (None, False),
    "+33 6 12 34 56 7": (None, False),
}
FLAG = "unallocated_number"


def _csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _reference(store: Store) -> None:
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)"))
        s.flush()
        s.add(Prisoner(prison_number="A1234BC", surname="Smith", forenames="John",
                       establishment="HEI"))
        s.flush()
        for i in range(len(NUMBERS) + 10):
            s.add(ProtectedPerson(person_ref=f"P{i}", prison_number="A1234BC",
                                  condition="RESTRAINING_ORDER"))


def _quarantined(store: Store, batch_id: int | None) -> set[int]:
    with store.session() as s:
        return set(s.scalars(select(QuarantinedRow.line).where(
            QuarantinedRow.batch_id == batch_id)))


def _flagged(store: Store, model: Any, line: int, batch_id: int | None) -> bool:
    with store.session() as s:
        extra = s.scalars(select(model.extra).where(model.batch_id == batch_id,
                                                    model.source_line == line)).first()
    return any(FLAG in f for f in (extra or {}).get("_flags", []))


def _stored(store: Store, column: Any, model: Any, line: int, batch_id: int | None) -> Any:
    with store.session() as s:
        return s.scalars(select(column).where(model.batch_id == batch_id,
                                              model.source_line == line)).first()


Kind = Callable[[IngestContext, Path, list[str]], list[Verdict]]


def _rowwise(kind: str, header: list[str], row: Callable[[int, str], dict[str, Any]],
             model: Any, column: Any, listed: bool = False) -> Kind:
    def run(ctx: IngestContext, folder: Path, values: list[str]) -> list[Verdict]:
        path = _csv(folder / f"{kind}.csv", header, [row(i, v) for i, v in enumerate(values)])
        summary = ingest_file(ctx, kind, path)
        bad = _quarantined(ctx.store, summary.batch_id)
        out: list[Verdict] = []
        for i in range(len(values)):
            line = i + 2
            if line in bad:
                out.append((None, False))
                continue
            value = _stored(ctx.store, column, model, line, summary.batch_id)
            if listed:
                value = value[0] if value else None
            out.append((value, _flagged(ctx.store, model, line, summary.batch_id)))
        return out
    return run


def _call_records(ctx: IngestContext, folder: Path, values: list[str]) -> list[Verdict]:
    header = ["operator", "record_type", "start_ts", "direction", "subject_msisdn"]
    path = _csv(folder / "call_records.csv", header, [
        {"operator": "EE", "record_type": "SMS", "start_ts": f"2025-06-01T10:{i % 60:02d}:00Z",
         "direction": "MO", "subject_msisdn": v} for i, v in enumerate(values)])
    summary = ingest_file(ctx, "call_records", path)
    bad = _quarantined(ctx.store, summary.batch_id)
    stored = {r["source_line"]: r["subject_msisdn"] for r in Lake(ctx.settings).query(
        "SELECT source_line, subject_msisdn FROM call_records WHERE batch_id = ?",
        [summary.batch_id]).to_pylist()}
    out: list[Verdict] = []
    for i in range(len(values)):
        line = i + 2
        out.append((None, False) if line in bad else (stored[line], False))
    # The lake keeps no per-row flags: the summary counts them, one per flagged row.
    flagged = summary.flagged.get(FLAG, 0)
    assert flagged == sum(1 for v, _ in out if v is not None and _would_flag(v))
    return [(v, v is not None and _would_flag(v)) for v, _ in out]


def _would_flag(value: str) -> bool:
    from cellwatch.identifiers import normalise_flagged

    return FLAG in normalise_flagged("MSISDN", value)[1]


def _day(i: int) -> str:
    return date.fromordinal(date(2020, 1, 1).toordinal() + i).isoformat()


def _ts(i: int) -> str:
    return f"2025-06-01T10:{i % 60:02d}:{i // 60:02d}Z"


KINDS: dict[str, Kind] = {
    "pin_contacts": _rowwise(
        "pin_contacts", ["prison_number", "contact_number", "approved_from"],
        lambda i, v: {"prison_number": "A1234BC", "contact_number": v,
                      "approved_from": _day(i)},
        PinContact, PinContact.contact_number),
    "allow_list": _rowwise(
        "allow_list", ["identifier", "reason", "valid_from"],
        lambda i, v: {"identifier": v, "reason": "STAFF",
                      "valid_from": _day(i)},
        AllowListEntry, AllowListEntry.identifier),
    "seizures": _rowwise(
        "seizures", ["seizure_ref", "item_no", "ts", "establishment", "item_type", "msisdn"],
        lambda i, v: {"seizure_ref": "S1", "item_no": i + 1, "ts": _ts(i),
                      "establishment": "HEI", "item_type": "SIM", "msisdn": v},
        SeizureItem, SeizureItem.msisdn),
    "protected_identifiers": _rowwise(
        "protected_identifiers", ["person_ref", "identifier"],
        lambda i, v: {"person_ref": f"P{i}", "identifier": v},
        ProtectedIdentifier, ProtectedIdentifier.identifier),
    "intelligence_reports": _rowwise(
        "intelligence_reports", ["report_ref", "ts", "source_evaluation",
                                 "intelligence_assessment", "handling_code", "identifiers"],
        lambda i, v: {"report_ref": f"IR-{i}", "ts": _ts(i), "source_evaluation": "2",
                      "intelligence_assessment": "B", "handling_code": "P", "identifiers": v},
        IntelligenceReport, IntelligenceReport.identifiers, listed=True),
    "contact_reports": _rowwise(
        "contact_reports", ["report_ref", "received_ts", "channel", "sender"],
        lambda i, v: {"report_ref": f"CR-{i}", "received_ts": _ts(i), "channel": "SMS",
                      "sender": v},
        ContactReport, ContactReport.sender),
    "call_records": _call_records,
}


def _verdicts(settings_: Settings, store: Store, folder: Path,
              values: list[str]) -> dict[str, list[Verdict]]:
    ctx = IngestContext(store, settings_, "system")
    folder.mkdir(parents=True, exist_ok=True)
    return {name: run(ctx, folder, values) for name, run in KINDS.items()}


def test_tricky_numbers_get_one_verdict_in_every_kind(
        settings: Settings, store: Store, tmp_path: Path) -> None:
    _reference(store)
    values = list(NUMBERS)
    found = _verdicts(settings, store, tmp_path / "files", values)
    expected = [NUMBERS[v] for v in values]
    for kind, verdicts in found.items():
        assert verdicts == expected, kind


def test_status_counts_the_flagged_values(settings: Settings, store: Store,
                                          tmp_path: Path) -> None:
    from cellwatch.ingest.status import status

    _reference(store)
    _verdicts(settings, store, tmp_path / "files", list(NUMBERS))
    kinds = status(store, settings)["kinds"]
    unallocated = sum(1 for _, flagged in NUMBERS.values() if flagged)
    for kind in KINDS:
        assert kinds[kind]["flagged"].get(FLAG) == unallocated, kind


_SEPARATOR = st.sampled_from(["", " ", "-", ".", "  "])
_PREFIX = st.sampled_from(["0", "+44", "44", "0044", "+", "00", "+33", ""])


@st.composite
def number_strings(draw: st.DrawFn) -> str:
    """Strings people write as numbers: a prefix, digit groups, separators; never 14-16
    digits in all (those are handsets and SIMs) nor an ICCID's 19-20 from 89."""
    groups = draw(st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1,
                           max_size=4))
    prefix = draw(_PREFIX)
    sep = draw(_SEPARATOR)
    text = prefix + sep.join(groups)
    digits = sum(ch.isdigit() for ch in text)
    if not 5 <= digits <= 13:
        text = prefix + "7911559273"
    return text


@given(values=st.lists(number_strings(), min_size=1, max_size=8, unique=True))
@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_number_string_gets_the_same_verdict_in_every_kind(
        settings: Settings, tmp_path_factory: pytest.TempPathFactory,
        values: list[str]) -> None:
    from cellwatch.store import open_store

    home = tmp_path_factory.mktemp("verdict")
    own = Settings(home=home, environment="test")
    store = open_store(own)
    try:
        _reference(store)
        found = _verdicts(own, store, home / "files", values)
    finally:
        store.dispose()
    first = found["pin_contacts"]
    for kind, verdicts in found.items():
        assert verdicts == first, (kind, values)


HANDSETS = {
    "35-209900-176148-1": "352099001761481",
    "35 209900 176148 1": "352099001761481",
    "35.209900.176148.1": "352099001761481",
    "35209900176148": "352099001761481",  # 14 digits: the check digit is added
    "352099001761482": None,  # bad Luhn
    "3520990017614": None,  # too short
    "35209900176148A": None,  # a letter
}
SIMS = {
    "234150123456789": "234150123456789",
    "234 15 0123456789": "234150123456789",
    "23415012345678": "23415012345678",  # 14 digits: an IMSI may be
    "2341501234567": None,  # 13: too short
    "111150123456789": None,  # no country has MCC 111
    "999150123456789": "999150123456789",  # MCC 999: test networks
}


def _typed(ctx: IngestContext, folder: Path, field: str, values: list[str]) -> dict[str, list[Any]]:
    """The verdicts of the seizures and call_records kinds for an IMEI or IMSI field."""
    column = {"imei": "subject_imei", "imsi": "subject_imsi"}[field]
    seizures = _csv(folder / f"seizures-{field}.csv",
                    ["seizure_ref", "item_no", "ts", "establishment", "item_type", field],
                    [{"seizure_ref": f"S-{field}", "item_no": i + 1, "ts": _ts(i),
                      "establishment": "HEI", "item_type": "HANDSET_WITH_SIM", field: v}
                     for i, v in enumerate(values)])
    calls = _csv(folder / f"calls-{field}.csv",
                 ["operator", "record_type", "start_ts", "direction", column],
                 [{"operator": "EE", "record_type": "SMS", "start_ts": _ts(i),
                   "direction": "MO", column: v} for i, v in enumerate(values)])
    s_sum = ingest_file(ctx, "seizures", seizures)
    c_sum = ingest_file(ctx, "call_records", calls)
    s_bad, c_bad = _quarantined(ctx.store, s_sum.batch_id), _quarantined(ctx.store, c_sum.batch_id)
    stored = {r["source_line"]: r[column] for r in Lake(ctx.settings).query(
        f"SELECT source_line, {column} FROM call_records WHERE batch_id = ?",
        [c_sum.batch_id]).to_pylist()}
    model_column = getattr(SeizureItem, field)
    return {
        "seizures": [None if i + 2 in s_bad else
                     _stored(ctx.store, model_column, SeizureItem, i + 2, s_sum.batch_id)
                     for i in range(len(values))],
        "call_records": [None if i + 2 in c_bad else stored[i + 2] for i in range(len(values))],
    }


@pytest.mark.parametrize(("field", "table"), [("imei", HANDSETS), ("imsi", SIMS)])
def test_handsets_and_sims_get_one_verdict_in_every_kind(
        settings: Settings, store: Store, tmp_path: Path, field: str,
        table: dict[str, str | None]) -> None:
    _reference(store)
    ctx = IngestContext(store, settings, "system")
    found = _typed(ctx, tmp_path, field, list(table))
    for kind, verdicts in found.items():
        assert verdicts == list(table.values()), kind
