"""The digest statistics: counted as the digest counts them, zero-filled, adding up."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellwatch.reports import monthly_statistics, write_statistics
from cellwatch.reports.charts import CHARTS, chart_png
from cellwatch.settings import Settings
from cellwatch.store import Establishment, SeizureItem, Store
from cellwatch.store import open_store as _open


def _estate(store: Store) -> None:
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", region="West Midlands"))
        s.add(Establishment(code="LEI", name="Leeds (HMP)", region="Yorkshire"))
        s.add(Establishment(code="OLD", name="Closed (HMP)", region="Yorkshire", active=False))


def _find(store: Store, ref: str, est: str, ts: datetime, *types: str) -> None:
    with store.session() as s:
        for n, item in enumerate(types, 1):
            s.add(SeizureItem(seizure_ref=ref, item_no=n, ts=ts, establishment=est,
                              item_type=item))


def test_finds_counted_as_the_digest_counts_them(settings: Settings, store: Store) -> None:
    _estate(store)
    _find(store, "S1", "HEI", datetime(2026, 9, 3, 10, tzinfo=UTC),
          "HANDSET_WITH_SIM", "SIM", "CHARGER")
    _find(store, "S2", "LEI", datetime(2026, 10, 5, 10, tzinfo=UTC), "HANDSET")
    # 23:30 UTC on 30 September is 00:30 BST on 1 October: an October find.
    _find(store, "S3", "HEI", datetime(2026, 9, 30, 23, 30, tzinfo=UTC), "SIM")
    table = monthly_statistics(settings, store, start=date(2026, 9, 1), end=date(2026, 10, 31))
    got = {(r["establishment"], r["month"].month): (r["handsets"], r["sim_cards"])
           for r in table.rows}
    assert got == {("HEI", 9): (1, 2), ("HEI", 10): (0, 1), ("LEI", 9): (0, 0),
                   ("LEI", 10): (1, 0)}  # OLD is closed and has no data: left out
    assert table.totals()["handsets"] == 2
    assert table.totals()["applications"] == 0  # no TRO activity: a column of zeros
    regions = monthly_statistics(settings, store, by="region", start=date(2026, 9, 1),
                                 end=date(2026, 10, 31))
    assert {(r["region"], r["month"].month): r["sim_cards"] for r in regions.rows} == {
        ("West Midlands", 9): 2, ("West Midlands", 10): 1, ("Yorkshire", 9): 0,
        ("Yorkshire", 10): 0}


def test_written_tables_and_charts(settings: Settings, store: Store, tmp_path: Path) -> None:
    _estate(store)
    _find(store, "S1", "HEI", datetime(2026, 9, 3, 10, tzinfo=UTC), "HANDSET_WITH_SIM")
    table = monthly_statistics(settings, store)  # window defaults to the months with data
    assert (table.start, table.end) == (date(2026, 9, 1), date(2026, 9, 30))
    names = {p.name for p in write_statistics(table, tmp_path / "out")}
    assert {"statistics_by_establishment_month.csv", "digest_handsets.csv",
            "totals_by_establishment.csv", *(f"{c}.png" for c in CHARTS)} <= names
    digest = (tmp_path / "out" / "digest_handsets.csv").read_text().splitlines()
    assert digest[0] == "establishment,establishment_name,region,2026-09,Total"
    assert digest[-1] == "Total,,,1,1"
    assert chart_png(table, "finds_by_month").startswith(b"\x89PNG")


MONTHS = st.integers(min_value=0, max_value=11)
ITEMS = st.sampled_from(["HANDSET", "SIM", "HANDSET_WITH_SIM", "CHARGER", "MEMORY_CARD"])


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["HEI", "LEI"]), MONTHS, ITEMS), max_size=25))
def test_monthly_totals_add_up_to_the_grand_total(
    sqlite_settings: Settings, finds: list[tuple[str, int, str]]
) -> None:
    store = _open(sqlite_settings)
    try:
        with store.session() as s:
            s.query(SeizureItem).delete()
            s.query(Establishment).delete()
        _estate(store)
        for k, (est, month, item) in enumerate(finds):
            _find(store, f"S{k}", est, datetime(2026, month + 1, 15, 12, tzinfo=UTC), item)
        table = monthly_statistics(sqlite_settings, store, start=date(2026, 1, 1),
                                   end=date(2026, 12, 31))
        monthly = table.monthly_totals()
        assert len(monthly) == 12
        for name in table.statistics:
            assert sum(m[name] for m in monthly) == table.totals()[name]
        assert table.totals()["handsets"] == sum(
            i in ("HANDSET", "HANDSET_WITH_SIM") for _, _, i in finds)
        assert table.totals()["sim_cards"] == sum(
            i in ("SIM", "HANDSET_WITH_SIM") for _, _, i in finds)
    finally:
        store.dispose()


def test_bad_grouping_and_window_are_refused(settings: Settings, store: Store) -> None:
    from cellwatch.errors import InvalidData

    with pytest.raises(InvalidData):
        monthly_statistics(settings, store, by="wing")  # type: ignore[arg-type]
    with pytest.raises(InvalidData):
        monthly_statistics(settings, store, start=date(2026, 2, 1), end=date(2026, 1, 1))
