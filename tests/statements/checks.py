"""Checks every statement against the store and the lake, computed independently of
:mod:`cellwatch.statements`: attributions read row by row, detections read from the
lake's Parquet files with PyArrow and dated in Python."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow.dataset as ds
from sqlalchemy import func, select

from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Attribution, AttributionRun, Judgement
from cellwatch.settings import Settings
from cellwatch.statements import Statement
from cellwatch.store import SeizureItem, Store

LONDON = ZoneInfo("Europe/London")


def as_of(store: Store) -> date:
    """The estate's last evidence day: protected persons' conditions are in force then."""
    with store.session() as s:
        last = s.scalar(select(func.max(Attribution.valid_to)))
    assert last is not None
    return date.fromisoformat(str(last))


def eday(ts: datetime) -> date:
    """Evidence day: UK local time less eight hours."""
    aware = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    return (aware.astimezone(LONDON) - timedelta(hours=8)).date()


class Truth:
    """The latest run's attributions and the lake's detections, per identifier and day."""

    def __init__(self, settings: Settings, store: Store) -> None:
        with store.session() as s:
            run = s.scalars(select(AttributionRun.id).where(AttributionRun.status == "DONE")
                            .order_by(AttributionRun.id.desc())).first()
            self.rows = list(s.scalars(select(Attribution).where(Attribution.run_id == run)))
            verdicts = {(j.subject, j.object): j.verdict for j in s.scalars(
                select(Judgement).where(Judgement.undone_at.is_(None))
                .order_by(Judgement.at, Judgement.id))}
            self.seizures = {f"seizure:{i.seizure_ref}/{i.item_no}": i
                             for i in s.scalars(select(SeizureItem))}
            self.alerts = list(s.scalars(select(Alert)))
        self.verdicts = verdicts
        self.days: Counter[tuple[str, date]] = Counter()
        folder = settings.lake_dir / "detections"
        if folder.exists():
            table = ds.dataset(folder, format="parquet", partitioning="hive").to_table(
                columns=["ts", "imei", "imsi"])
            for ts, imei, imsi in zip(*(table.column(c).to_pylist()
                                        for c in ("ts", "imei", "imsi")), strict=True):
                d = eday(ts)
                for ident in {imei, imsi} - {None}:
                    self.days[(ident, d)] += 1
        # Call records per subject identifier and evidence day.
        self.call_days: Counter[tuple[str, date]] = Counter()
        folder = settings.lake_dir / "call_records"
        if folder.exists():
            columns = ["start_ts", "subject_msisdn", "subject_imsi", "subject_imei"]
            table = ds.dataset(folder, format="parquet", partitioning="hive").to_table(
                columns=columns)
            for ts, *subjects in zip(*(table.column(c).to_pylist() for c in columns),
                                     strict=True):
                d = eday(ts)
                for ident in set(subjects) - {None, ""}:
                    self.call_days[(ident, d)] += 1

    def periods(self, pn: str, ident: str, floor: float) -> list[tuple[date, date]]:
        """The run's intervals of ``ident`` to ``pn`` a statement may rest on."""
        verdict = self.verdicts.get((ident, pn))
        if verdict == "REJECTED":
            return []
        ok = [a for a in self.rows if a.prison_number == pn and a.identifier == ident
              and a.status != "REJECTED"]
        confirmed = verdict == "CONFIRMED" or any(a.status == "CONFIRMED" for a in ok)
        return [(a.valid_from, a.valid_to) for a in ok if confirmed or a.probability >= floor]

    def count(self, ident: str, spans: list[tuple[date, date]],
              calls: bool = False) -> int:
        """Detections (or call records naming it) of ``ident`` on any day inside
        ``spans`` (each day once)."""
        days = {start + timedelta(days=k) for start, end in spans
                for k in range((end - start).days + 1)}
        counted = self.call_days if calls else self.days
        return sum(n for (i, d), n in counted.items() if i == ident and d in days)


def check(truth: Truth, st: Statement, floor: float) -> None:
    """Every rule of docs/statements.md that one statement must keep."""
    h = st.basis.holding
    assert st.prison_number, st
    if h is None:
        return
    assert h.prison_number == st.prison_number, st
    spans = truth.periods(h.prison_number, h.identifier, floor)
    assert spans, f"{st.ref} rests on no attribution of {h.identifier} to {h.prison_number}"
    # Every night a statement says he held it is a night the run attributes it to him.
    nights = {p.valid_from + timedelta(days=k) for p in h.periods for k in range(p.nights)}
    assert all(any(a <= n <= b for a, b in spans) for n in nights), st
    assert h.confirmed or h.probability >= floor, st
    inside = [(p.valid_from, p.valid_to) for p in h.periods]
    if st.kind == "DETECTIONS":
        assert st.count == truth.count(h.identifier, spans), (st.ref, st.count)
        assert st.first is not None
        assert st.last is not None
        assert h.covers(eday(st.first))
        assert h.covers(eday(st.last))
        assert f"detected {st.count} time(s)" in st.text
    if st.kind == "SEIZURE":
        item = truth.seizures[st.ref]
        assert any(a <= eday(item.ts) <= b for a, b in inside), st.ref
        assert item.prison_number != st.prison_number
        assert "taken from the prisoner" not in st.text
        assert "recorded as taken from" in st.text
    if h.borrowed:
        assert "borrowed or shared" in st.text, st.text
    assert "sIM" not in st.text


def check_flagged(truth: Truth, alert: Alert, threshold: float) -> int:
    """A FLAGGED_DEVICE_DETECTED alert: each identifier's count is the lake's count inside
    the episode and the prisoner's periods; returns how many counts were checked."""
    d = alert.details or {}
    start, end = (date.fromisoformat(x) for x in d["episode"])
    pn = str(alert.prison_number)
    for ident, n in d["detections"].items():
        spans = [(max(a, start), min(b, end))
                 for a, b in truth.periods(pn, ident, threshold) if a <= end and start <= b]
        assert spans, (alert.id, ident)
        assert n == truth.count(ident, spans), (alert.id, ident, n)
    assert alert.evidence_count == sum(d["detections"].values())
    return len(d["detections"])
