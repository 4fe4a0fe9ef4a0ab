"""Person matching on the simulator's prisoners with synthetic typos, top-1 precision/recall."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData
from cellwatch.matching import MATCH_COLUMNS, match_people
from cellwatch.matching.prepare import clean_name, soundex
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store


@pytest.fixture(scope="module")
def prisoners(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """The prisoners of a tiny simulated estate (two establishments)."""
    scenario = scenario_from_mapping({
        "run": {"days": 10, "chunk_days": 4, "rows_per_part": 1000},
        "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15}})
    result = simulate(scenario, 5, tmp_path_factory.mktemp("sim"), progress=False)
    path = next(Path(result.out_dir).rglob("prisoners.csv"))
    with path.open(encoding="utf-8") as fh:
        return [{k: r[k] for k in ("prison_number", "surname", "forenames", "date_of_birth")}
                for r in csv.DictReader(fh)]


def _typo(p: dict[str, str], kind: str, rng: random.Random) -> dict[str, str]:
    s, f, d = p["surname"], p["forenames"], p["date_of_birth"]
    if kind == "swap letters" and len(s) > 3:
        i = rng.randrange(1, len(s) - 2)
        s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    elif kind == "drop forename":
        f = f.split()[0]
    elif kind == "day-month swap" and int(d[8:]) <= 12:
        d = f"{d[:4]}-{d[8:]}-{d[5:7]}"
    elif kind == "all three":
        return _typo(_typo(_typo(p, "swap letters", rng), "drop forename", rng),
                     "day-month swap", rng)
    ident = p.get("prison_number") or p["id"]
    return {"id": ident, "surname": s, "forenames": f, "date_of_birth": d}


KINDS = ("swap letters", "drop forename", "day-month swap", "all three")


def _precision_recall(records: list[dict[str, str]], result: Any,
                      threshold: float) -> tuple[float, float]:
    top = [r for r in result.to_pylist() if r["rank"] == 1
           and r["match_probability"] >= threshold]
    right = sum(r["record_id"] == r["prison_number"] for r in top)
    return right / max(1, len(top)), right / len(records)


def test_top1_precision_and_recall_with_typos(prisoners: list[dict[str, str]]) -> None:
    rng = random.Random(20260503)
    sample = rng.sample(prisoners, min(120, len(prisoners)))
    records = [_typo(p, KINDS[i % len(KINDS)], rng) for i, p in enumerate(sample)]
    result = match_people(records, prisoners)
    assert tuple(result.column_names) == MATCH_COLUMNS
    precision, recall = _precision_recall(records, result, 0.9)
    print(f"\n{len(records)} records vs {len(prisoners)} prisoners: top-1 at p>=0.9 "
          f"precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.97
    assert recall >= 0.9
    for kind in KINDS:
        subset = [r for i, r in enumerate(records) if KINDS[i % len(KINDS)] == kind]
        ids = {r["id"] for r in subset}
        top = [r for r in result.to_pylist() if r["rank"] == 1 and r["record_id"] in ids]
        hit = sum(r["record_id"] == r["prison_number"] for r in top) / len(subset)
        print(f"  {kind:<15} top-1 recall {hit:.3f}")
        assert hit >= 0.85, kind


def test_deterministic_and_explained(prisoners: list[dict[str, str]]) -> None:
    rng = random.Random(7)
    records = [_typo(p, KINDS[i % 4], rng) for i, p in enumerate(prisoners[:40])]
    first = match_people(records, prisoners)
    assert first.to_pylist() == match_people(records, prisoners).to_pylist()
    swapped = next(r for r in first.to_pylist() if r["rank"] == 1
                   and "day and month swapped" in r["explanation"])
    assert swapped["record_id"] == swapped["prison_number"]


def test_few_records_score_on_priors(prisoners: list[dict[str, str]]) -> None:
    # A police referral naming one person: too few for EM, the priors carry it.
    p = prisoners[3]
    record = {"surname": p["surname"].lower(), "forenames": p["forenames"].split()[0],
              "date_of_birth": p["date_of_birth"]}
    result = match_people([record], prisoners).to_pylist()
    assert result[0]["prison_number"] == p["prison_number"]
    assert result[0]["record_id"] == "0"


def test_bad_rows_are_reported_together(prisoners: list[dict[str, str]]) -> None:
    with pytest.raises(InvalidData) as info:
        match_people([{"surname": "X", "date_of_birth": "31/02/1990"}, {"forenames": "Y"}],
                     prisoners)
    assert set(info.value.errors) == {"row 0", "row 1"}


def test_against_the_store_respects_scope(store: Store) -> None:
    build_estate(store)
    result = match_people([{"surname": "Smyth", "forenames": "Test"}], "prisoners",
                          access=Access(store, SYSTEM)).to_pylist()
    assert result[0]["prison_number"] == "A1111AA"


def test_cleaning_helpers() -> None:
    assert clean_name("O'Brien") == "OBRIEN"
    assert soundex("TYMCZAK") == "T522"
    assert soundex("PFISTER") == "P236"


def test_names_written_the_wrong_way_round_are_matched(
        prisoners: list[dict[str, str]]) -> None:
    rng = random.Random(11)
    chosen = rng.sample(prisoners, 40)
    records = [{"id": p["prison_number"], "surname": p["forenames"].split()[0],
                "forenames": p["surname"], "date_of_birth": p["date_of_birth"]}
               for p in chosen]
    precision, recall = _precision_recall(records, match_people(records, prisoners), 0.9)
    assert precision == 1.0
    assert recall >= 0.95


def test_unusable_rows_are_returned_with_reasons_and_the_rest_matched(
        prisoners: list[dict[str, str]]) -> None:
    from cellwatch.matching import match_records

    p = prisoners[3]
    good = {"id": "ok", "surname": p["surname"], "forenames": p["forenames"],
            "date_of_birth": p["date_of_birth"]}
    run = match_records([good, {"id": "bad", "surname": "X", "date_of_birth": "1990-34-07"},
                         {"id": "empty", "forenames": "Y"}], prisoners)
    assert [(r.record_id, r.field) for r in run.rejected] == [
        ("bad", "date_of_birth"), ("empty", "surname")]
    assert "not an ISO date" in run.rejected[0].reason
    top = [r for r in run.table.to_pylist() if r["rank"] == 1]
    assert [(r["record_id"], r["prison_number"]) for r in top] == [("ok", p["prison_number"])]
    assert run.training.startswith("training:")
    assert "\n" not in run.training
