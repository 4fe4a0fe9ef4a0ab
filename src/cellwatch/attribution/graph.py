"""Building and updating the identity graph in the store, batch by batch.

Each update reads only lake batches and seizure items newer than the last build's
watermarks, merges the new co-occurrences into the stored links (first and last seen
widen, counts add up) and re-checks hubs. Nothing is rebuilt from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update

from cellwatch.attribution.graph_sql import degree_sql, link_delta_sql
from cellwatch.attribution.models import IdentityHub, IdentityLink, LinkBuild
from cellwatch.attribution.sources import refresh_links
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.layout import CALL_RECORDS, DETECTIONS, files_after
from cellwatch.store import Store

# Statuses an analyst set: a build never overrides them.
JUDGED = ("CONFIRMED", "REJECTED", "UNSURE")


@dataclass(frozen=True)
class LinkLimits:
    """How many partners of a type one value may have before it is a hub.

    A handset with more than ``imei_imsis`` SIMs is a default or cloned IMEI; a SIM in
    more than ``imsi_imeis`` handsets is a test or shared SIM; a number on more than
    ``msisdn_imsis`` SIMs is recycled or a switchboard. Hubs create no links (theirs
    are SUPPRESSED) and are reported in ``identity_hubs`` instead.
    """

    imei_imsis: int = 20
    imsi_imeis: int = 10
    imsi_msisdns: int = 3
    msisdn_imsis: int = 5
    other: int = 10

    def limit(self, identifier_type: str, other_type: str) -> int:
        """The limit for ``identifier_type`` values' partners of ``other_type``."""
        table = {
            ("IMEI", "IMSI"): self.imei_imsis,
            ("IMSI", "IMEI"): self.imsi_imeis,
            ("IMSI", "MSISDN"): self.imsi_msisdns,
            ("MSISDN", "IMSI"): self.msisdn_imsis,
        }
        return table.get((identifier_type, other_type), self.other)

    def as_dict(self) -> dict[str, int]:
        """The limits, for saving with a run."""
        return {k: int(v) for k, v in self.__dict__.items()}


@dataclass
class BuildReport:
    """What one update did."""

    added: int = 0
    updated: int = 0
    hubs: list[dict[str, Any]] = field(default_factory=list)
    watermarks: dict[str, int] = field(default_factory=dict)


def _max(engine: AnalyticEngine, sql: str) -> int:
    value = engine.run(sql).column(0)[0].as_py()
    return int(value) if value is not None else 0


def _watermarks(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        last = s.scalars(select(LinkBuild).order_by(LinkBuild.id.desc()).limit(1)).first()
    if last is None:
        return 0, 0, 0
    return last.detection_batch, last.call_batch, last.seizure_id


def _merge(store: Store, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Add new links, widen and count up existing ones; returns (added, updated)."""
    added = updated = 0
    with store.session() as s:
        existing = {(k.a_type, k.a, k.b_type, k.b, k.source): k
                    for k in s.scalars(select(IdentityLink))}
        for r in rows:
            key = (r["a_type"], r["a"], r["b_type"], r["b"], r["source"])
            first, last = _utc(r["first_seen"]), _utc(r["last_seen"])
            link = existing.get(key)
            if link is None:
                s.add(IdentityLink(a_type=key[0], a=key[1], b_type=key[2], b=key[3],
                                   source=key[4], first_seen=first, last_seen=last,
                                   count=int(r["n"]), status="ACTIVE"))
                added += 1
                continue
            link.first_seen = min(link.first_seen, first)
            link.last_seen = max(link.last_seen, last)
            link.count += int(r["n"])
            updated += 1
    return added, updated


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _guard_hubs(store: Store, engine: AnalyticEngine, limits: LinkLimits) -> list[dict[str, Any]]:
    """Suppress the links of every value above its limit and report it."""
    refresh_links(engine, store)
    degrees = engine.run(degree_sql(engine.dialect)).to_pylist()
    hubs = [d for d in degrees
            if d["degree"] > limits.limit(d["identifier_type"], d["other_type"])]
    with store.session() as s:
        known = {(h.identifier_type, h.identifier, h.source): h for h in s.scalars(
            select(IdentityHub))}
        for h in hubs:
            key = (h["identifier_type"], h["identifier"], h["other_type"])
            limit = limits.limit(h["identifier_type"], h["other_type"])
            if key in known:
                known[key].degree = int(h["degree"])
            else:
                s.add(IdentityHub(identifier_type=key[0], identifier=key[1], source=key[2],
                                  degree=int(h["degree"]), limit=limit))
            for end, other in (("a", "b_type"), ("b", "a_type")):
                s.execute(update(IdentityLink).where(
                    getattr(IdentityLink, f"{end}_type") == key[0],
                    getattr(IdentityLink, end) == key[1],
                    getattr(IdentityLink, other) == key[2],
                    IdentityLink.status.not_in(JUDGED),
                ).values(status="SUPPRESSED"))
    return hubs


# Newer files than this are read through the kind's view (filtered by batch) rather than
# listed in the SQL: a first run over a national lake would list tens of thousands.
FILES_LISTED_MAX = 2000


def update_links(store: Store, engine: AnalyticEngine,
                 limits: LinkLimits | None = None, lake_dir: Path | None = None) -> BuildReport:
    """Bring the identity graph up to date with the lake, the store's seizures and
    phone extractions.

    ``engine`` must have the store tables loaded (:func:`open_engine`); the graph's
    own tables are registered on it again here, after the merge and after hubs are
    suppressed, so the engine's copy is the graph as stored. With ``lake_dir`` only the
    files of newer batches are read (by their names), not the whole lake.
    """
    limits = limits or LinkLimits()
    det0, call0, seiz0 = _watermarks(store)
    tops: dict[str, int] = {}
    sources: dict[str, str | None] = {}
    for kind, since in ((DETECTIONS, det0), (CALL_RECORDS, call0)):
        listed = files_after(lake_dir, kind, since) if lake_dir is not None else None
        if lake_dir is None or listed is None:
            tops[kind] = _max(engine, f"SELECT max(batch_id) FROM {kind}")  # noqa: S608
        else:
            tops[kind], newer = listed
            sources[kind] = (None if not newer else kind if len(newer) > FILES_LISTED_MAX
                             else engine.files_source(lake_dir, kind, newer))
    det1, call1 = max(det0, tops[DETECTIONS]), max(call0, tops[CALL_RECORDS])
    seiz1 = max(seiz0, _max(engine, "SELECT max(id) FROM cw_seizures"))
    extracted = _max(engine, "SELECT max(id) FROM cw_extraction_links WHERE build_id IS NULL")
    rows = engine.run(link_delta_sql(engine.dialect, det0, call0, seiz0, sources)).to_pylist()
    added, updated = _merge(store, rows)
    hubs = _guard_hubs(store, engine, limits)
    with store.session() as s:
        build = LinkBuild(detection_batch=det1, call_batch=call1, seizure_id=seiz1,
                          links_added=added, links_updated=updated, hubs=len(hubs))
        s.add(build)
        s.flush()
        # Extraction links carry their own mark: each is merged once. (By name: the
        # table is ingest's, and ingest sits beside attribution, not below it.)
        s.execute(text("UPDATE extraction_links SET build_id = :build "
                       "WHERE build_id IS NULL AND id <= :last"),
                  {"build": build.id, "last": extracted})
    refresh_links(engine, store)
    return BuildReport(added=added, updated=updated, hubs=hubs,
                       watermarks={"detections": det1, "call_records": call1,
                                   "seizures": seiz1})


def link_count(store: Store) -> int:
    """How many links the graph holds."""
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(IdentityLink)) or 0)
