"""TRO candidates: identifiers with enough evidence of use inside an establishment.

The evidence is computed by DuckDB over the lake (:mod:`cellwatch.tro.candidates_sql`);
Python only resolves each candidate's home operator from its IMSI (never from the
number, which may have been ported) and adds attributions when the store has them.

>>> # candidates = find_candidates(settings, store, establishment="HEI")
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from cellwatch.csvsafe import SafeDictWriter
from cellwatch.errors import InvalidIdentifier
from cellwatch.guard.detect import EXCLUDING, held_keys
from cellwatch.identifiers.imsi import home_operator
from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.candidates_sql import candidates_sql
from cellwatch.tro.policy import EvidencePolicy, default_policy
from cellwatch.tro.reference import open_lake, register_reference, run_named

EXPORT_COLUMNS = (
    "identifier_type", "identifier", "establishment", "operator",
    "evidence_days", "first_seen", "last_seen", "score",
)
ATTRIBUTION_SLICE = 500


@dataclass(frozen=True)
class Candidate:
    """An identifier with enough evidence of use inside ``establishment``."""

    identifier_type: str
    identifier: str
    establishment: str
    operator: str | None
    evidence_days: int
    first_seen: datetime
    last_seen: datetime
    score: float
    detection_days: int = 0
    detections: int = 0
    call_days: int = 0
    seizures: int = 0
    home_imsi: str | None = None
    linked_imsis: tuple[str, ...] = ()
    linked_imeis: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    seizure_refs: tuple[str, ...] = ()
    prison_numbers: tuple[str, ...] = field(default=())
    # The guard's flag (NIGHT_USE: a staff-like or allow-listed phone seen at night in the
    # cells), read with the set like the attributions.
    guard_flag: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """(identifier_type, identifier, establishment)."""
        return (self.identifier_type, self.identifier, self.establishment)

    @property
    def linked(self) -> tuple[str, ...]:
        """Identifiers seen on the same events: its SIMs, handsets and home IMSI."""
        home = (self.home_imsi,) if self.home_imsi else ()
        return tuple(sorted({*self.linked_imsis, *self.linked_imeis, *home}))

    @property
    def action(self) -> str:
        """What the order asks of the operator: block a handset, or disconnect a SIM."""
        return "BLOCK_HANDSET" if self.identifier_type == "IMEI" else "DISCONNECT_SIM"

    def export_row(self) -> dict[str, str]:
        """The row of the ``tro_candidates`` interchange export."""
        return {
            "identifier_type": self.identifier_type,
            "identifier": self.identifier,
            "establishment": self.establishment,
            "operator": self.operator or "",
            "evidence_days": str(self.evidence_days),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "score": f"{self.score:.3f}",
        }

    def evidence(self) -> dict[str, Any]:
        """The evidence summary, JSON-ready (kept on the order line and shown in the pack)."""
        body = asdict(self)
        body["first_seen"] = _iso(self.first_seen)
        body["last_seen"] = _iso(self.last_seen)
        for key, value in body.items():
            if isinstance(value, tuple):
                body[key] = list(value)
        return body


# Column types for the Table Schema beside the export; identifiers stay strings.
EXPORT_TYPES = {"evidence_days": "integer", "first_seen": "datetime", "last_seen": "datetime",
                "score": "number"}


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _operator(imsi: str | None) -> str | None:
    if not imsi:
        return None
    try:
        return home_operator(imsi)
    except InvalidIdentifier:
        return None


def policy_params(policy: EvidencePolicy, establishment: str | None) -> dict[str, Any]:
    """The named parameters :func:`candidates_sql` takes, from the policy."""
    return {
        "kinds": list(policy.detections.sensor_kinds),
        "excluded": list(policy.detections.exclude_location_types),
        "radius": policy.calls.radius_m,
        "lookback": policy.lookback_days,
        "min_det": policy.detections.min_days,
        "min_calls": policy.calls.min_days,
        "seizure_qualifies": policy.seizures.qualifies,
        "w_det": policy.score.detection_day,
        "w_call": policy.score.call_day,
        "w_seiz": policy.score.seizure,
        "scale": policy.score.scale,
        "establishment": establishment,
    }


def evidence_candidates(
    engine: AnalyticEngine,
    store: Store,
    policy: EvidencePolicy | None = None,
    establishment: str | None = None,
) -> list[Candidate]:
    """Candidates as the candidate SQL computes them, without attributions."""
    policy = policy or default_policy()
    register_reference(engine, store, policy)
    table = run_named(engine, candidates_sql(engine.dialect), policy_params(policy, establishment))
    return [Candidate(
        identifier_type=row["identifier_type"],
        identifier=row["identifier"],
        establishment=row["establishment"],
        operator=_operator(row["home_imsi"]),
        evidence_days=row["evidence_days"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        score=float(row["score"]),
        detection_days=row["detection_days"],
        detections=row["detections"],
        call_days=row["call_days"],
        seizures=row["seizures"],
        home_imsi=row["home_imsi"],
        linked_imsis=tuple(sorted(row["linked_imsis"] or ())),
        linked_imeis=tuple(sorted(row["linked_imeis"] or ())),
        locations=tuple(sorted(row["locations"] or ())),
        seizure_refs=tuple(sorted(row["seizure_refs"] or ())),
    ) for row in table.to_pylist()]


def compute_candidates(
    engine: AnalyticEngine,
    store: Store,
    policy: EvidencePolicy | None = None,
    establishment: str | None = None,
) -> list[Candidate]:
    """Candidates from an engine that already has the lake's views."""
    found = evidence_candidates(engine, store, policy, establishment)
    return with_attributions(store, with_guard(store, found, drop_held=True))


def lake_candidates(
    settings: Settings,
    store: Store,
    policy: EvidencePolicy | None = None,
    establishment: str | None = None,
) -> list[Candidate]:
    """Candidates computed now over the lake that ``settings`` point at, without attributions."""
    engine = open_lake(settings)
    try:
        return evidence_candidates(engine, store, policy, establishment)
    finally:
        engine.close()


def find_candidates(
    settings: Settings,
    store: Store,
    policy: EvidencePolicy | None = None,
    establishment: str | None = None,
) -> list[Candidate]:
    """Candidates computed now over the lake that ``settings`` point at.

    Pages, the API and the export read the materialised set instead
    (:func:`cellwatch.tro.materialise.candidate_set`).
    """
    found = lake_candidates(settings, store, policy, establishment)
    return with_attributions(store, with_guard(store, found, drop_held=True))


def with_attributions(store: Store, candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` naming the prisoners each identifier is attributed to.

    Read from the store when asked, never kept with a candidate: an attribution run or
    a judgement shows at once.
    """
    attributed = _attributions(store, sorted({c.identifier for c in candidates}))
    return [replace(c, prison_numbers=attributed.get(c.identifier, ())) for c in candidates]


def with_guard(store: Store, candidates: list[Candidate],
               drop_held: bool = False) -> list[Candidate]:
    """``candidates`` with the guard's flag; ``drop_held`` also leaves out those the guard
    holds (the materialised set leaves them out in SQL already)."""
    rows = held_keys(store, [c.key for c in candidates])
    out = []
    for c in candidates:
        row = rows.get(c.key)
        if row is not None and drop_held and row.status in EXCLUDING:
            continue
        flag = row.flag if row is not None and row.flag == "NIGHT_USE" else None
        out.append(replace(c, guard_flag=flag) if flag else c)
    return out


def _attributions(store: Store, identifiers: list[str]) -> dict[str, tuple[str, ...]]:
    """Prisoners each of ``identifiers`` is attributed to (not rejected), best first."""
    try:
        from cellwatch.attribution.models import Attribution
    except ImportError:
        return {}
    if not identifiers or not inspect(store.engine).has_table(Attribution.__tablename__):
        return {}
    found: dict[str, list[str]] = {}
    with store.session() as s:
        # In slices: every engine has a bound-parameter limit.
        for start in range(0, len(identifiers), ATTRIBUTION_SLICE):
            rows = s.execute(
                select(Attribution.identifier, Attribution.prison_number)
                .where(Attribution.status != "REJECTED",
                       Attribution.identifier.in_(identifiers[start:start + ATTRIBUTION_SLICE]))
                .order_by(Attribution.identifier, Attribution.probability.desc())
            )
            for identifier, prison_number in rows:
                names = found.setdefault(identifier, [])
                if prison_number not in names:
                    names.append(prison_number)
    return {k: tuple(v) for k, v in found.items()}


def write_candidates_csv(candidates: list[Candidate], path: Path) -> int:
    """Write the ``tro_candidates`` export exactly as interchange.md defines it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeDictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for candidate in candidates:
            writer.writerow(candidate.export_row())
    return len(candidates)
