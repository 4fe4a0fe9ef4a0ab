"""What seized phones' extractions say of an identifier, as the principal may see it:
the PIN-number matches ``cellwatch identify`` prints, and the device page's extractions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.identifiers import classify
from cellwatch.ingest.extraction_evidence import (
    ExtractionEvidence,
    Seized,
    extraction_evidence,
    pin_matches,
    seizures_of,
)
from cellwatch.ingest.extraction_tables import Extraction, ExtractionIdentifier
from cellwatch.store import Prisoner


def extraction_contacts(access: Access, text: str, hint: str | None = None
                        ) -> list[dict[str, Any]]:
    """Prisoners the principal may see whose PIN numbers the extracted contacts of the
    phone ``text`` hold, each with the exact count (:class:`PinMatch`); audited."""
    info = classify(text, hint=hint)
    target = Target(Resource.IDENTIFIER, info.value)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        found = pin_matches(s, info.value, visible_prisoners(access.principal))
        access.audit(s, "lookup", target, detail={"extraction_pin_matches": len(found)})
        return [m.to_dict() for m in found]


def device_extractions(access: Access, text: str, hint: str | None = None
                       ) -> list[dict[str, Any]]:
    """The extractions of the phone ``text`` (any naming it as the device's own), each with
    its seizure as recorded and, per prisoner the principal may see, the numbers of its
    contacts and call log on his PIN list: specific ones, shared ones, and whether they
    point at him (:func:`extraction_evidence`); times as UTC datetimes; audited as a
    look-up when there are any."""
    info = classify(text, hint=hint)
    target = Target(Resource.IDENTIFIER, info.value)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        visible = visible_prisoners(access.principal)
        contact = aliased(ExtractionIdentifier)
        found = s.execute(
            select(Extraction, func.count(contact.id))
            .outerjoin(contact, and_(contact.extraction_id == Extraction.id,
                                     contact.role == "CONTACT"))
            .where(Extraction.id.in_(select(ExtractionIdentifier.extraction_id).where(
                ExtractionIdentifier.role == "DEVICE",
                ExtractionIdentifier.identifier == info.value)))
            .group_by(Extraction.id).order_by(Extraction.id)).all()
        if not found:  # no phone of this identity was extracted (most): nothing more to read
            return []
        evidence = extraction_evidence(s, [info.value], visible=visible)
        seized = seizures_of(s, [x for x, _ in found])
        named = {z.taken_from for z in seized.values() if z and z.taken_from}
        seen = set(s.scalars(select(Prisoner.prison_number).where(
            Prisoner.prison_number.in_(sorted(named)), visible))) if named else set()
        out = [{"id": x.id, "file": x.file_name, "tool": x.tool,
                "extracted_at": x.extracted_at, "contacts": n_contacts,
                "seizure": _seizure(seized[x.id], seen),
                "prisoners": [_match(e) for e in evidence if e.extraction_id == x.id]}
               for x, n_contacts in found]
        if out:  # the page's own read is audited; this adds what the extractions showed
            access.audit(s, "lookup", target, detail={"extractions": len(out)})
        return out


def _seizure(seized: Seized | None, seen: set[str]) -> dict[str, Any] | None:
    if seized is None:
        return None
    who = seized.taken_from
    return {"seizure_ref": seized.seizure_ref, "item_no": seized.item_no,
            "ts": seized.ts, "place": seized.place,
            # A prisoner the reader may not see is not named.
            "taken_from": who if who is None or who in seen else "another prisoner"}


def _match(e: ExtractionEvidence) -> dict[str, Any]:
    return {"prison_number": e.prison_number, "specific": list(e.specific),
            "shared": list(e.shared), "pin_numbers": e.pin_numbers,
            "in_custody": e.in_custody, "points": e.points, "level": e.level,
            "day": e.when.isoformat(), "why_not": e.why_not}
