"""Establishment codes are HMPPS agency codes, three letters: anything else is a row error.

Every kind with an establishment column quarantines a row whose code is not three letters
A-Z with its file, line, field and reason; the register, the simulator and the examples
stay within the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_support import estate, load, write_csv
from sqlalchemy import select

from cellwatch.errors import InvalidData
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import PRISONS_CSV, load_prisons
from cellwatch.ingest.specs import FieldSpec
from cellwatch.ingest.values import read_value
from cellwatch.settings import Settings
from cellwatch.simulate.estate import active_prisons
from cellwatch.store import Establishment, QuarantinedRow, Store

REASON = "not an establishment code (three letters A-Z, e.g. HEI)"
BAD = ("HE1", "HEIX", "H", "HÉI", "H-I", "ßEI")
EXAMPLES = Path(__file__).parents[2] / "examples"
TS = "2026-05-02T10:00:00Z"
Row = Callable[[int, str], dict[str, Any]]

# kind -> (the establishment field, a valid row of the kind with that field set to ``code``)
KINDS: dict[str, tuple[str, Row]] = {
    "establishments": ("code", lambda i, code: {"code": code, "name": f"Prison {i}"}),
    "locations": ("establishment", lambda i, code: {
        "location_code": f"NEW-{i}", "establishment": code, "type": "WING"}),
    "prisoners": ("establishment", lambda i, code: {
        "prison_number": f"Z{1000 + i}ZZ", "surname": "Case", "forenames": "Test",
        "establishment": code}),
    "sensors": ("establishment", lambda i, code: {
        "sensor_id": f"S-{i}", "establishment": code, "kind": "RF_DETECTOR"}),
    "seizures": ("establishment", lambda i, code: {
        "seizure_ref": f"SZ-{i}", "item_no": "1", "ts": TS, "establishment": code,
        "item_type": "HANDSET"}),
    "social_observations": ("establishment", lambda i, code: {
        "observation_ref": f"SO-{i}", "observed_ts": TS, "platform": "instagram",
        "account": f"someone.{i}", "establishment": code}),
    "intelligence_reports": ("establishment", lambda i, code: {
        "report_ref": f"IR-{i}", "ts": TS, "establishment": code, "source_evaluation": "2",
        "intelligence_assessment": "B", "handling_code": "P"}),
}


@pytest.fixture
def ctx(store: Store, settings: Settings, tmp_path: Path) -> IngestContext:
    """Hewell and Leeds with a wing each, loaded by the local administrator."""
    context = IngestContext(store, settings, "system")
    estate(context, tmp_path)
    return context


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_code_that_is_not_three_letters_is_a_row_error(
        kind: str, ctx: IngestContext, tmp_path: Path) -> None:
    field, make = KINDS[kind]
    rows = [make(0, "lei")] + [make(i + 1, code) for i, code in enumerate(BAD)]
    path = write_csv(tmp_path / f"{kind}.csv", rows, list(rows[0]))
    summary = load(ctx, kind, path)
    assert (summary.accepted + summary.updated, summary.quarantined) == (1, len(BAD))
    assert summary.reasons == {f"{field}: {REASON}": len(BAD)}
    with ctx.store.session() as s:
        found = s.scalars(select(QuarantinedRow).where(QuarantinedRow.kind == kind))
        quarantined = {(q.file_name, q.line, q.field, q.reason, q.raw[field]) for q in found}
    # Lines count the header as line 1; the raw value is kept as it was written.
    assert quarantined == {(str(path), i + 3, field, REASON, code) for i, code in enumerate(BAD)}


@given(st.one_of(st.text(max_size=5), st.from_regex(r"[A-Za-z]{3}", fullmatch=True)))
def test_the_reader_takes_exactly_three_ascii_letters_and_upper_cases_them(text: str) -> None:
    spec = FieldSpec(name="establishment", type="establishment")
    if re.fullmatch(r"[A-Za-z]{3}", text) is None:
        with pytest.raises(InvalidData, match=re.escape(REASON)):
            read_value(spec, text)
        return
    value, _ = read_value(spec, text)
    assert value == text.upper()
    assert re.fullmatch(r"[A-Z]{3}", value)


def test_the_register_leaves_out_codes_outside_the_contract(ctx: IngestContext) -> None:
    summary = load_prisons(ctx)
    assert summary.flagged == {"not_an_establishment_code": 3}
    with ctx.store.session() as s:
        codes = set(s.scalars(select(Establishment.code)))
    register = {line.split(",", 1)[0] for line in
                PRISONS_CSV.read_text(encoding="utf-8").splitlines()[1:]}
    assert register - codes == {"STC2", "STC3", "ZZGHI"}
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert summary.quarantined == 0


def test_the_simulator_draws_only_hmpps_codes() -> None:
    codes = [row["code"] for row in active_prisons()]
    assert codes
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)


def test_the_examples_go_in_without_a_quarantined_row(ctx: IngestContext) -> None:
    load_prisons(ctx)
    for kind in ("establishments", "locations", "prisoners", "occupancy", "sensors",
                 "seizures", "allow_list", "pin_contacts"):
        [path] = [p for p in EXAMPLES.iterdir() if p.stem == kind]
        summary = load(ctx, kind, path)
        assert summary.quarantined == 0, (kind, summary.reasons)
