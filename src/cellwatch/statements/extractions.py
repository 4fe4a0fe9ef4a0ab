"""Statements from seized phones' extractions: the phone's contacts and call log hold
numbers on the prisoner's PIN list (``ingest.extraction_evidence`` decides what counts).

Only evidence that points at him is stated: numbers on his PIN list and on no other
prisoner's, on a phone seized where he was in custody. It is a record of what the
extraction and the PIN list say, dated by the seizure, not an attribution: no probability,
and nothing about who else's list a shared number is on (never another man's name).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from cellwatch.ingest.extraction_evidence import ExtractionEvidence, extraction_evidence
from cellwatch.statements.model import Basis, Statement
from cellwatch.statements.wording import describe

KIND = "EXTRACTION"
STRENGTH = "phone extraction and PIN list records; not an attribution"


def taken(e: ExtractionEvidence) -> str:
    """From whom the seizure record says the phone was taken, never naming another man."""
    who = e.seized.taken_from if e.seized else None
    if who is None:
        return "recorded as taken from no named prisoner"
    return ("recorded as taken from the prisoner" if who == e.prison_number
            else "recorded as taken from another prisoner")


def sentence(e: ExtractionEvidence) -> str:
    """``Extraction 3 of handset (IMEI ...) (seized ... at ..., recorded as taken from ...)
    lists 2 numbers ... on A1234BC's PIN list and on no other prisoner's ...``."""
    phone = describe(*e.device[0]) if e.device else "a phone"
    seized = e.seized
    where = (f"seized {seized.ts.date().isoformat()} at {seized.place} "
             f"({seized.seizure_ref} item {seized.item_no}), {taken(e)}"
             if seized else "no seizure record")
    n = len(e.specific)
    text = (f"Extraction {e.extraction_id} of {phone} ({where}) lists {n} "
            f"{'number' if n == 1 else 'numbers'} among its contacts and call log that "
            f"{'is' if n == 1 else 'are'} on {e.prison_number}'s PIN list and on no other "
            f"prisoner's ({n} of the {e.pin_numbers} on his list)")
    if e.shared:
        m = len(e.shared)
        text += (f"; {m} more {'number' if m == 1 else 'numbers'} on his list "
                 f"{'is' if m == 1 else 'are'} on other prisoners' lists too and not counted")
    return text


def contacts(session: Session, prison_number: str,
             visible: ColumnElement[bool] | None = None) -> list[Statement]:
    """What extractions of seized phones say of ``prison_number`` (none when ``visible``,
    a filter on prisoners, hides him): one statement per extraction that points at him,
    dated by its seizure, oldest first."""
    found = [e for e in extraction_evidence(session, prison_numbers=[prison_number],
                                            visible=visible)
             if e.prison_number == prison_number and e.points]
    return [Statement(
        e.when, KIND, f"extraction:{e.extraction_id}", prison_number, sentence(e), STRENGTH,
        Basis(recorded=True), count=len(e.specific), first=e.seized.ts if e.seized else None,
        last=e.seized.ts if e.seized else None,
        extra={"source": "EXTRACTION", "extraction_id": e.extraction_id,
               "specific": list(e.specific), "shared": len(e.shared), "level": e.level,
               "seizure": e.seized.seizure_ref if e.seized else None})
        for e in sorted(found, key=lambda e: (e.when, e.extraction_id))]
