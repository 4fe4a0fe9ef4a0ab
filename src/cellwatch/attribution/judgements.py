"""Analysts' verdicts on links and attributions: recorded, undoable, fed to the next run.

- A REJECTED attribution is never proposed again on the same evidence: the next run
  drops that pair's evidence up to the day of the verdict (new evidence may revive it).
- CONFIRMED and REJECTED attributions are labels for EM; a confirmed pair takes the
  whole probability of its identifier's day.
- A verdict on a link sets the link's status: a rejected link no longer carries evidence
  (a number's calls to its SIM, a seized handset's SIMs), so what followed from it
  changes at the next run. Undoing restores the status the evidence gives.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from cellwatch.attribution.models import IdentityHub, IdentityLink, Judgement
from cellwatch.errors import Conflict, InvalidData, NotFound
from cellwatch.store import Store

VERDICTS = ("CONFIRMED", "REJECTED", "UNSURE")
TARGETS = ("LINK", "ATTRIBUTION")
# The type order links are stored in (see cellwatch.attribution.graph_sql).
TYPE_ORDER = {"IMEI": 0, "ICCID": 1, "IMSI": 2, "MSISDN": 3, "ACCOUNT": 4}


def _link_key(a_type: str, a: str, b_type: str, b: str) -> tuple[str, str, str, str]:
    if TYPE_ORDER.get(a_type, 9) > TYPE_ORDER.get(b_type, 9):
        return b_type, b, a_type, a
    return a_type, a, b_type, b


def no_link(a_type: str, a: str, b_type: str, b: str) -> NotFound:
    """The answer for a link the graph does not hold (its ends named in either order)."""
    a_type, a, b_type, b = _link_key(a_type, a, b_type, b)
    return NotFound(f"no link {a_type} {a} - {b_type} {b}")


def judge(store: Store, target: str, subject_type: str, subject: str, object_type: str,
          obj: str, verdict: str, reason: str, by: str) -> Judgement:
    """Record a verdict; a link verdict applies to the link at once.

    >>> judge(store, "ATTRIBUTION", "IMEI", "356938035643809", "PRISONER", "A1234BC",
    ...       "REJECTED", "cellmate's phone, per search record", "analyst1")  # doctest: +SKIP
    """
    problems: dict[str, list[str]] = {}
    if target not in TARGETS:
        problems["target"] = [f"must be one of {', '.join(TARGETS)}"]
    if verdict not in VERDICTS:
        problems["verdict"] = [f"must be one of {', '.join(VERDICTS)}"]
    if not reason.strip():
        problems["reason"] = ["a reason is required"]
    if problems:
        raise InvalidData("judgement not recorded", problems)
    if target == "LINK":
        subject_type, subject, object_type, obj = _link_key(subject_type, subject,
                                                            object_type, obj)
    with store.session() as s:
        if target == "LINK":
            found = s.execute(update(IdentityLink).where(
                IdentityLink.a_type == subject_type, IdentityLink.a == subject,
                IdentityLink.b_type == object_type, IdentityLink.b == obj,
            ).values(status=verdict))
            if not found.rowcount:  # type: ignore[attr-defined]
                raise no_link(subject_type, subject, object_type, obj)
        j = Judgement(target=target, subject_type=subject_type, subject=subject,
                      object_type=object_type, object=obj, verdict=verdict,
                      reason=reason.strip(), by=by)
        s.add(j)
        s.flush()
        return j


def undo(store: Store, judgement_id: int, by: str) -> Judgement:
    """Undo a judgement (kept, marked undone); a link falls back to its previous verdict."""
    with store.session() as s:
        j = s.get(Judgement, judgement_id)
        if j is None:
            raise NotFound(f"no judgement {judgement_id}")
        if j.undone_at is not None:
            raise Conflict(f"judgement {judgement_id} was already undone")
        j.undone_at, j.undone_by = datetime.now(UTC), by
        if j.target == "LINK":
            s.flush()
            previous = s.scalars(select(Judgement).where(
                Judgement.target == "LINK", Judgement.subject == j.subject,
                Judgement.object == j.object, Judgement.undone_at.is_(None),
            ).order_by(Judgement.id.desc()).limit(1)).first()
            hub = s.scalars(select(IdentityHub).where(
                IdentityHub.identifier.in_([j.subject, j.object]))).first()
            status = previous.verdict if previous else ("SUPPRESSED" if hub else "ACTIVE")
            s.execute(update(IdentityLink).where(
                IdentityLink.a == j.subject, IdentityLink.b == j.object).values(status=status))
        return j


def judgements(store: Store, subject: str | None = None,
               include_undone: bool = True) -> list[Judgement]:
    """Judgements, newest first, optionally about one identifier or prisoner."""
    q = select(Judgement).order_by(Judgement.id.desc())
    if subject is not None:
        q = q.where((Judgement.subject == subject) | (Judgement.object == subject))
    if not include_undone:
        q = q.where(Judgement.undone_at.is_(None))
    with store.session() as s:
        return list(s.scalars(q))
