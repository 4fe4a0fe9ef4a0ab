"""What ``cellwatch device`` and ``cellwatch prisoner`` show: attributions with their
evidence, the identifier's links and SIM history, judgements, and a timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from cellwatch.attribution.export import attribution_rows, latest_run
from cellwatch.attribution.judgements import judgements
from cellwatch.attribution.models import Attribution, EvidenceItem, IdentityLink
from cellwatch.errors import NotFound
from cellwatch.store import Store


def _evidence(store: Store, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    with store.session() as s:
        for e in s.scalars(select(EvidenceItem).where(EvidenceItem.attribution_id.in_(ids))):
            out.setdefault(e.attribution_id, []).append({
                "kind": e.kind, "description": e.description,
                "weight_log2": e.weight_log2, "count": e.count})
    return out


def links_of(store: Store, identifier: str) -> list[dict[str, Any]]:
    """Every link touching ``identifier``, oldest first."""
    with store.session() as s:
        rows = s.scalars(select(IdentityLink).where(
            or_(IdentityLink.a == identifier, IdentityLink.b == identifier)).order_by(
            IdentityLink.first_seen))
        return [{"a_type": k.a_type, "a": k.a, "b_type": k.b_type, "b": k.b,
                 "source": k.source, "first_seen": k.first_seen.isoformat(),
                 "last_seen": k.last_seen.isoformat(), "count": k.count,
                 "status": k.status} for k in rows]


def sim_history(store: Store, imei: str) -> list[dict[str, Any]]:
    """The SIMs (IMSIs) a handset carried, in order of first sighting: its SIM swaps."""
    merged: dict[str, dict[str, Any]] = {}
    for link in links_of(store, imei):
        if link["a_type"] != "IMEI" or link["b_type"] != "IMSI" or link["status"] in (
                "REJECTED", "SUPPRESSED"):
            continue
        m = merged.setdefault(link["b"], {"imsi": link["b"], "first_seen": link["first_seen"],
                                          "last_seen": link["last_seen"], "sources": []})
        m["first_seen"] = min(m["first_seen"], link["first_seen"])
        m["last_seen"] = max(m["last_seen"], link["last_seen"])
        m["sources"].append(link["source"])
    return sorted(merged.values(), key=lambda r: r["first_seen"])


def device_view(store: Store, identifier: str) -> dict[str, Any]:
    """Everything known about one identifier (IMEI, IMSI or number)."""
    rows = [r for r in attribution_rows(store) if r["identifier"] == identifier]
    links = links_of(store, identifier)
    if not rows and not links:
        raise NotFound(f"nothing known about {identifier}")
    evidence = _evidence(store, [r["id"] for r in rows])
    for r in rows:
        r["evidence"] = evidence.get(r["id"], [])
    return {"identifier": identifier, "run_id": latest_run(store),
            "attributions": sorted(rows, key=lambda r: (r["valid_from"], r["rank"])),
            "links": links, "sim_history": sim_history(store, identifier),
            "judgements": [_judgement(j) for j in judgements(store, identifier)]}


def prisoner_view(store: Store, prison_number: str) -> dict[str, Any]:
    """Identifiers attributed to a prisoner, strongest first, with evidence and timeline."""
    run_id = latest_run(store)
    with store.session() as s:
        ids = list(s.scalars(select(Attribution.id).where(
            Attribution.run_id == run_id, Attribution.prison_number == prison_number)))
    rows = [r for r in attribution_rows(store, run_id) if r["id"] in set(ids)]
    evidence = _evidence(store, ids)
    by_id: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        r["evidence"] = evidence.get(r["id"], [])
        entry = by_id.setdefault((r["identifier_type"], r["identifier"]), {
            "identifier_type": r["identifier_type"], "identifier": r["identifier"],
            "max_probability": 0.0, "timeline": []})
        entry["max_probability"] = max(entry["max_probability"], r["probability"])
        entry["timeline"].append(r)
    identifiers = sorted(by_id.values(), key=lambda e: -e["max_probability"])
    return {"prison_number": prison_number, "run_id": run_id, "identifiers": identifiers,
            "judgements": [_judgement(j) for j in judgements(store, prison_number)]}


def _judgement(j: Any) -> dict[str, Any]:
    return {"id": j.id, "target": j.target, "subject": j.subject, "object": j.object,
            "verdict": j.verdict, "reason": j.reason, "by": j.by, "at": j.at.isoformat(),
            "undone_at": j.undone_at.isoformat() if j.undone_at else None}
