"""The pages' lake analytics: one definition, DuckDB and Spark, the same rows.

Each runner of :mod:`cellwatch.lake.analytics` (what the overview, the heat map, the
device page and the identifier look-up read) runs on both engines over the tiny simulated
estate of :mod:`spark_support`; the results must be identical, order included where the
analytic orders them. One engine pair serves the module (Spark starts once per worker).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.lake.analytics import (
    call_summary,
    call_timeline,
    detection_heat,
    detections_per_day,
    identifier_calls,
    identifier_detections,
)
from cellwatch.settings import Settings
from cellwatch.store import open_store

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark')")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on PATH", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from spark_support import assert_same_rows, both_engines  # noqa: E402

pytestmark = pytest.mark.spark
KINDS = ("IMEI", "IMSI", "MSISDN", None)


@pytest.fixture(scope="module")
def engines(estate: Settings, spark: SparkSession) -> Iterator[dict[str, AnalyticEngine]]:
    """Both engines over the estate's lake, for the whole module."""
    yield from both_engines(estate, spark)


@pytest.fixture(scope="module")
def wanted(engines: dict[str, AnalyticEngine]) -> dict[str, Any]:
    """Identifiers the estate has most records of, and a number their calls go to."""
    duck = engines["duckdb"]

    def top(sql: str) -> Any:
        return duck.run(sql).column(0)[0].as_py()

    subject = top("SELECT subject_msisdn FROM call_records WHERE subject_msisdn IS NOT NULL "
                  "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    return {
        "IMEI": top("SELECT imei FROM detections WHERE imei IS NOT NULL "
                    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "IMSI": top("SELECT imsi FROM detections WHERE imsi IS NOT NULL "
                    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "MSISDN": subject,
        "call IMEI": top("SELECT subject_imei FROM call_records WHERE subject_imei IS NOT NULL "
                         "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "call IMSI": top("SELECT subject_imsi FROM call_records WHERE subject_imsi IS NOT NULL "
                         "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        # The subject's most frequent other party, to be hidden as a privileged number.
        "hidden": top("SELECT other_party FROM call_records WHERE other_party IS NOT NULL "
                      f"AND subject_msisdn = '{subject}' GROUP BY 1 "
                      "ORDER BY count(*) DESC, 1 LIMIT 1"),
    }


def _both(engines: dict[str, AnalyticEngine], read: Any) -> tuple[Any, Any]:
    return read(engines["duckdb"]), read(engines["spark"])


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(map(repr, r.values())))


@pytest.mark.parametrize("since", [date(2000, 1, 1), None])
def test_overview_aggregates_agree(engines: dict[str, AnalyticEngine],
                                   since: date | None) -> None:
    # None: from the estate's fourth day, so the window's edge is inside the data.
    if since is None:
        first = engines["duckdb"].run("SELECT min(day) FROM detections").column(0)[0].as_py()
        since = date.fromordinal(first.toordinal() + 3)
    for read in (detections_per_day, detection_heat):
        duck, spark = _both(engines, lambda e, read=read: read(e, since))
        assert len(duck) >= 10
        assert_same_rows(_sorted(duck), _sorted(spark))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("limit", [3, 200])
def test_call_timeline_and_its_count_agree(engines: dict[str, AnalyticEngine],
                                           wanted: dict[str, Any], kind: str | None,
                                           limit: int) -> None:
    value = wanted[{"IMEI": "call IMEI", "IMSI": "call IMSI"}.get(kind or "", "MSISDN")]
    for hidden in ([], [wanted["hidden"]]):
        duck, spark = _both(engines, lambda e, hidden=hidden: identifier_calls(
            e, value, limit=limit, hidden=hidden, kind=kind))
        assert duck[0] == spark[0]
        assert_same_rows(duck[1], spark[1])
        timelines = _both(engines, lambda e, hidden=hidden: call_timeline(
            e, value, limit=limit, hidden=hidden, kind=kind))
        assert_same_rows(*timelines)
        assert_same_rows(duck[1], timelines[0])  # one read, as the two reads gave
        summaries = _both(engines, lambda e: call_summary(e, value, kind))
        assert summaries[0] == summaries[1] == duck[0]
    assert duck[0].count > 0


def test_a_hidden_identifier_and_an_unknown_one_agree(engines: dict[str, AnalyticEngine],
                                                      wanted: dict[str, Any]) -> None:
    hidden = wanted["hidden"]
    for value in (hidden, "+447700900999"):
        duck, spark = _both(engines, lambda e, value=value: identifier_calls(
            e, value, hidden=[hidden], kind="MSISDN"))
        assert duck == spark
        assert duck[1] == []


@pytest.mark.parametrize("scope", [None, [], ["HEI"], ["MDI", "HEI"], ["LEI"],
                                   ["HEI", "../x"]])
@pytest.mark.parametrize("column", ["imei", "imsi"])
def test_identifier_detections_agree_from_the_view_and_from_files(
        engines: dict[str, AnalyticEngine], wanted: dict[str, Any], estate: Settings,
        scope: list[str] | None, column: str) -> None:
    value = wanted[column.upper()]
    for root in (None, estate.lake_dir):
        duck, spark = _both(engines, lambda e, root=root: identifier_detections(
            e, column, value, scope, root=root))
        assert duck == spark
        if scope is None:
            assert duck  # the busiest identifier is seen somewhere


def test_prisoner_page_day_counts_agree(engines: dict[str, AnalyticEngine],
                                        wanted: dict[str, Any], estate: Settings) -> None:
    # The prisoner page's counts (statements.counts through a RuleContext over each
    # engine): two periods per identifier, the second's edge inside the data.
    from cellwatch.lake.rule_context import RuleContext
    from cellwatch.statements.counts import call_day_counts, day_counts
    from cellwatch.statements.periods import Holding, Period

    first = engines["duckdb"].run("SELECT min(day) FROM detections").column(0)[0].as_py()
    day = first.toordinal()
    periods = (Period(date.fromordinal(day - 1), date.fromordinal(day + 2), 0.9),
               Period(date.fromordinal(day + 4), date.fromordinal(day + 6), 0.8))
    held = [Holding("A0001AA", kind, wanted[key], periods, 0.9, "PROBABLE", 1)
            for kind, key in (("IMEI", "IMEI"), ("IMSI", "IMSI"), ("MSISDN", "MSISDN"),
                              ("IMEI", "call IMEI"), ("IMSI", "call IMSI"))]
    out = {}
    store = open_store(estate, migrate=False)
    try:
        for name, engine in engines.items():
            # Not closed: the engine is the module's (closing the context would close it).
            ctx = RuleContext.over(estate, store, date.today(), engine)
            out[name] = (day_counts(ctx, held), call_day_counts(ctx, held))
    finally:
        store.dispose()
    assert out["duckdb"] == out["spark"]
    detections, calls = out["duckdb"]
    assert sum(len(v) for v in detections.values()) >= 2
    assert calls


def test_a_rule_context_query_with_tables_agrees(engines: dict[str, AnalyticEngine],
                                                 wanted: dict[str, Any],
                                                 estate: Settings) -> None:
    # A detector's read through the context (contact with a protected number), the
    # table registered for the query and dropped after it, on either engine.
    import pyarrow as pa

    from cellwatch.alerts.detect.contact import CDR_SQL
    from cellwatch.errors import LakeError
    from cellwatch.lake.rule_context import RuleContext

    numbers = pa.table({"person_ref": ["PP-1", "PP-2"],
                        "number": [wanted["hidden"], "+447700900999"]})
    store = open_store(estate, migrate=False)
    try:
        out = {}
        for name, engine in engines.items():
            ctx = RuleContext.over(estate, store, date.today(), engine)
            out[name] = ctx.query(CDR_SQL, tables={"cw_protected_numbers": numbers})
            with pytest.raises(LakeError):
                engine.run("SELECT * FROM cw_protected_numbers")
    finally:
        store.dispose()
    assert out["duckdb"]
    assert_same_rows(out["duckdb"], out["spark"])
