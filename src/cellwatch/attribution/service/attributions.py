"""Attributions through the policy: a prisoner's identifiers, a device's prisoners, and
analysts' judgements, for every shell.

:mod:`cellwatch.attribution` trusts its caller; ``cellwatch prisoner``, ``device`` and
``judge`` (and the web's identifier page) come through here instead. The rules:

* A prisoner's identifiers: the record is opened by
  :func:`~cellwatch.estate.service.get_prisoner`, exactly as
  ``GET /api/v1/prisoners/{number}`` and the web's prisoner page open it (the policy, a
  reason outside one's own organisation, ``read`` audited).
* A device (IMEI, IMSI, number): :func:`open_identifier`, the rule of the web's
  identifier page. It must be known in an establishment the principal covers; known only
  elsewhere answers as unknown does (the denial is audited), so probing tells nothing. A
  reason is needed outside one's own organisation, and ``read`` is audited. Its
  attributions and judgements are then kept to prisoners the principal may see.
* A judgement changes what every later run proposes, so it needs the attribution update
  permission (analysts and supervisors) in the geography of the prisoner (a link: of
  either end). It is recorded under the acting user and audited (``judge``, ``undo``).
  A prisoner the principal may not see (a link: both ends seen only elsewhere), or a
  judgement about one, answers as an unknown one does, its denial audited.
* Judgements are listed with the record they are about (:func:`list_judgements`, for
  ``/api/v1/judgements``): the identifier or prisoner is opened as above, and an
  attribution's judgements are shown only when its prisoner may be seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from sqlalchemy import or_, select

from cellwatch.access.policy import Target, can
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access, Page, not_found
from cellwatch.attribution.judgements import judge, no_link, undo
from cellwatch.attribution.models import Attribution, IdentityLink, Judgement
from cellwatch.attribution.views import device_view, prisoner_view
from cellwatch.errors import Concealed, InvalidData, InvalidIdentifier, NotFound
from cellwatch.estate.service import get_prisoner
from cellwatch.identifiers import classify
from cellwatch.store import Prisoner, SeizureItem
from cellwatch.tro.models import TroApplication, TroLine

SEIZURE_FIELDS = {"IMEI": SeizureItem.imei, "IMSI": SeizureItem.imsi,
                  "ICCID": SeizureItem.iccid, "MSISDN": SeizureItem.msisdn}
# The audit log's reason column (judgement reasons are free text, longer is kept in full
# on the judgement itself).
_REASON_MAX = 1000


def identifier_places(access: Access, value: str, kind: str | None = None
                      ) -> list[str | None]:
    """Where an identifier is known: the establishments of its seizures, of the prisoners
    it is attributed to and of its TRO orders, ``None`` standing for known but unplaced
    (attributed to a released prisoner, or only linked). Empty: unknown.

    ``kind`` (``IMEI``, ``MSISDN``...) picks the seizure column; ``None`` tries them all.
    Read outside row-level security on purpose: the facts decide, they are not shown.
    """
    if kind is None:
        columns = list(SEIZURE_FIELDS.values())
    else:
        columns = [SEIZURE_FIELDS[kind]] if kind in SEIZURE_FIELDS else []
    with access.facts() as s:
        places: set[str | None] = set()
        for column in columns:
            places |= set(s.scalars(select(SeizureItem.establishment).where(column == value)))
        places |= set(s.scalars(select(Prisoner.establishment).join(
            Attribution, Attribution.prison_number == Prisoner.prison_number)
            .where(Attribution.identifier == value)))
        places |= set(s.scalars(select(TroApplication.establishment).join(
            TroLine, TroLine.application_id == TroApplication.id)
            .where(TroLine.identifier == value)))
        if not places and s.scalars(select(IdentityLink.id).where(
                or_(IdentityLink.a == value, IdentityLink.b == value)).limit(1)).first():
            places.add(None)
    return sorted(places, key=lambda e: (e is None, e or ""))


def may_open_identifier(access: Access, value: str, kind: str | None = None) -> bool:
    """Whether :func:`open_identifier` would open it for the principal (known in one of
    its establishments): a page offers a link only where it leads somewhere. Nothing is
    read or audited; opening it is decided and audited again."""
    p = access.principal
    return any(p.covers(e) for e in identifier_places(access, value, kind))


def open_identifier(access: Access, value: str, kind: str | None = None,
                    reason: str | None = None, label: str | None = None
                    ) -> list[str | None]:
    """Decide and audit opening an identifier's record; return the places it is seen in
    the principal's scope (see :func:`identifier_places`).

    Raises :class:`NotFound` when it is unknown or known only outside the principal's
    establishments (the same answer either way; the second is audited as a denial), and
    :class:`Denied` when a needed reason is missing.
    """
    p = access.principal
    places = identifier_places(access, value, kind)
    seen = [e for e in places if p.covers(e)]
    where = next((e for e in seen if e is not None), None) if seen else \
        next(iter(places), None)
    target = Target(Resource.IDENTIFIER, value, establishment=where)
    unknown = f"nothing is known about {label or value}" + (
        "" if p.establishments is None else " in your establishments")
    with access.transaction() as s:
        access.check(Action.READ, target, reason=reason, opening=bool(seen))
        if places and not seen:
            # Audited as denied by Access.transaction; answered as an unknown identifier.
            raise Concealed(f"{p.username} may not read identifier {value}: known only "
                            "outside the principal's establishments", Action.READ, target,
                            reason, unknown)
        if not seen:
            raise NotFound(unknown)
        access.audit(s, "read", target, reason=reason)
    return seen


def prisoner_attributions(access: Access, prison_number: str,
                          reason: str | None = None) -> dict[str, Any]:
    """The identifiers attributed to a prisoner (``cellwatch prisoner``), once the record
    is opened as the API opens it."""
    prisoner = get_prisoner(access, prison_number, reason=reason)
    return prisoner_view(access.store, prisoner.prison_number)


def read_identifier(text: str) -> tuple[str, str | None]:
    """An identifier as a person typed it: its normal form and type when it parses, else
    the text as given and no type (it may still be known, as a link's end)."""
    try:
        info = classify(text)
    except InvalidIdentifier:
        return text.strip(), None
    return str(info.value), info.type.name


def device_attributions(access: Access, text: str, reason: str | None = None
                        ) -> dict[str, Any]:
    """An identifier's attributions, links, SIM history and judgements (``cellwatch
    device``), opened by :func:`open_identifier`; prisoners the principal may not see
    are left out of the attributions and judgements."""
    value, kind = read_identifier(text)
    open_identifier(access, value, kind, reason)
    view = device_view(access.store, value)
    named = {r["prison_number"] for r in view["attributions"]} | {
        j["object"] for j in view["judgements"] if j["target"] == "ATTRIBUTION"}
    shown = _visible(access, named)
    view["attributions"] = [r for r in view["attributions"] if r["prison_number"] in shown]
    view["judgements"] = [j for j in view["judgements"]
                          if j["target"] != "ATTRIBUTION" or j["object"] in shown]
    return view


def _visible(access: Access, numbers: set[str]) -> set[str]:
    if not numbers:
        return set()
    with access.transaction() as s:
        return set(s.scalars(select(Prisoner.prison_number).where(
            Prisoner.prison_number.in_(sorted(numbers)), visible_prisoners(access.principal))))


def _attribution_target(access: Access, identifier_type: str, identifier: str,
                        prison_number: str) -> tuple[Target, bool]:
    """The policy's target for judging an attribution, and whether the prisoner exists."""
    with access.facts() as s:
        prisoner = s.get(Prisoner, prison_number)
        # An unknown prisoner is placed nowhere: only a whole-estate principal reaches it.
        where = prisoner.establishment if prisoner is not None else None
    return Target(Resource.ATTRIBUTION, f"{identifier_type} {identifier} PRISONER "
                  f"{prison_number}", establishment=where), prisoner is not None


def _link_places(access: Access, a_type: str, a: str, b_type: str, b: str
                 ) -> list[str | None]:
    return identifier_places(access, a, a_type) + identifier_places(access, b, b_type)


def _link_target(places: list[str | None], access: Access, a_type: str, a: str, b_type: str,
                 b: str) -> Target:
    seen = [e for e in places if access.principal.covers(e)]
    return Target(Resource.ATTRIBUTION, f"{a_type} {a} {b_type} {b}",
                  establishment=next(iter(seen or places), None))


def _sees(access: Access, ends: tuple[str, str, str, str], on_link: bool,
          places: list[str | None]) -> bool:
    """Whether the principal sees a judgement on ``ends`` (subject type and value, object
    type and value): as :func:`visible_judgements` shows them, a link's with either
    identifier's record (``places``: both ends'), an attribution's with its prisoner."""
    if on_link:
        return any(access.principal.covers(e) for e in places)
    return ends[3] in _visible(access, {ends[3]})


def _conceal(access: Access, target: Target, why: str, unknown: str) -> NoReturn:
    """Refuse a record the principal may not see as an unknown one is refused (``unknown``,
    the message it gets), the denial audited (``Access.transaction``): a 403 would say that
    it exists and, in the policy's reason, where its prisoner is held."""
    with access.transaction():
        raise Concealed(f"{access.principal.username} may not update {target.type} "
                        f"{target.id}: {why}", Action.UPDATE, target, None, unknown)


def _judged(access: Access, action: str, target: Target, judgement: Judgement) -> None:
    with access.transaction() as s:
        access.audit(s, action, target, reason=judgement.reason[:_REASON_MAX], detail={
            "judgement": judgement.id, "target": judgement.target,
            "verdict": judgement.verdict})


def require_judging(access: Access, ident: str | None = None) -> None:
    """Refuse (403, audited) a principal whose roles hold no attribution update right,
    before anything is looked up or asked for: the same answer whatever exists."""
    access.require_role(Action.UPDATE, Resource.ATTRIBUTION, ident)


def _decide(access: Access, target: Target) -> None:
    with access.transaction():
        access.check(Action.UPDATE, target)


def judge_attribution(access: Access, identifier_type: str, identifier: str,
                      prison_number: str, verdict: str, reason: str) -> Judgement:
    """Confirm, reject or mark unsure the attribution of an identifier to a prisoner.

    A prisoner the principal may not read answers as an unknown one (``prisoner N not
    found``), the denial audited; one it reads but may not judge (shared through a case)
    is refused (403).
    """
    identifier_type, prison_number = identifier_type.upper(), prison_number.upper()
    require_judging(access, f"{identifier_type} {identifier} PRISONER {prison_number}")
    target, known = _attribution_target(access, identifier_type, identifier, prison_number)
    unknown = not_found(Resource.PRISONER, prison_number)
    if not known:
        raise unknown
    if not _sees(access, (identifier_type, identifier, "PRISONER", prison_number), False, []):
        _conceal(access, target, "the prisoner is out of scope", unknown.message)
    _decide(access, target)
    j = judge(access.store, "ATTRIBUTION", identifier_type, identifier, "PRISONER",
              prison_number, verdict.upper(), reason, access.principal.username)
    _judged(access, "judge", target, j)
    return j


def judge_link(access: Access, a_type: str, a: str, b_type: str, b: str, verdict: str,
               reason: str) -> Judgement:
    """Confirm, reject or mark unsure a link between two identifiers.

    Neither end seen in the principal's establishments answers as a link the graph does
    not hold (``no link ...``), the denial of ends known elsewhere audited.
    """
    a_type, b_type = a_type.upper(), b_type.upper()
    require_judging(access, f"{a_type} {a} {b_type} {b}")
    places = _link_places(access, a_type, a, b_type, b)
    target = _link_target(places, access, a_type, a, b_type, b)
    if not _sees(access, (a_type, a, b_type, b), True, places):
        unknown = no_link(a_type, a, b_type, b)
        if not places:
            raise unknown
        _conceal(access, target, "both ends are out of scope", unknown.message)
    _decide(access, target)
    j = judge(access.store, "LINK", a_type, a, b_type, b, verdict.upper(), reason,
              access.principal.username)
    _judged(access, "judge", target, j)
    return j


def undo_judgement(access: Access, judgement_id: int) -> Judgement:
    """Undo a judgement (kept, marked undone by the principal): decided as judging it was.

    One the principal may not see (an attribution's prisoner, or both of a link's
    identifiers, out of scope) answers as an unknown one does, its denial audited: a 403
    would say that it exists and, in the policy's reason, where its prisoner is held.
    """
    require_judging(access, str(judgement_id))
    unknown = f"no judgement {judgement_id}"
    with access.facts() as s:
        found = s.get(Judgement, judgement_id)
        if found is None:
            raise NotFound(unknown)
        ends = (found.subject_type, found.subject, found.object_type, found.object)
        on_link = found.target == "LINK"
    places = _link_places(access, *ends) if on_link else []
    target = _link_target(places, access, *ends) if on_link else \
        _attribution_target(access, ends[0], ends[1], ends[3])[0]
    if not _sees(access, ends, on_link, places):
        _conceal(access, target, f"judgement {judgement_id} is about a record out of scope",
                 unknown)
    _decide(access, target)
    j = undo(access.store, judgement_id, access.principal.username)
    _judged(access, "undo", target, j)
    return j


def visible_judgements(access: Access, value: str, page: Page = Page(limit=500)
                       ) -> list[Judgement]:
    """Judgements naming ``value`` (an identifier or a prison number), newest first, undone
    ones included, kept to what the principal may see: a link's with the identifier's
    record, an attribution's only when its prisoner is visible. The caller has opened the
    record (:func:`open_identifier` or :func:`~cellwatch.estate.service.get_prisoner`)."""
    visible = select(Prisoner.prison_number).where(visible_prisoners(access.principal))
    with access.transaction() as s:
        return list(s.scalars(select(Judgement).where(
            or_(Judgement.subject == value, Judgement.object == value),
            or_(Judgement.target == "LINK", Judgement.object.in_(visible)))
            .order_by(Judgement.id.desc()).limit(page.limit).offset(page.offset)))


def list_judgements(access: Access, page: Page, identifier: str | None = None,
                    prison_number: str | None = None, reason: str | None = None
                    ) -> list[Judgement]:
    """The judgements about one identifier or one prisoner (exactly one is named): the
    record is opened as ``cellwatch device`` or ``prisoner`` opens it (scope, a reason
    outside one's organisation, ``read`` audited), then the list is audited with the ids
    it returned."""
    if (identifier is None) == (prison_number is None):
        raise InvalidData("name an identifier or a prisoner", {"request": [
            "give exactly one of identifier and prison_number"]})
    if prison_number is not None:
        value = get_prisoner(access, prison_number, reason).prison_number
    else:
        value, kind = read_identifier(identifier or "")
        open_identifier(access, value, kind, reason)
    rows = visible_judgements(access, value, page)
    with access.transaction() as s:
        access.audit(s, "list", Target(Resource.ATTRIBUTION, value), reason=reason, detail={
            "returned": [j.id for j in rows]})
    return rows


def judging_rights(access: Access, value: str, kind: str | None, prison_numbers: set[str],
                   seen: Sequence[str | None] | None = None) -> tuple[frozenset[str], bool]:
    """Which of ``prison_numbers`` the principal may judge ``value``'s attribution to, and
    whether it may judge ``value``'s links: the policy asked as :func:`judge_attribution`
    and :func:`judge_link` ask it, but without raising or auditing, so that a page offers
    only what would be allowed (the judging itself is decided again).

    ``seen``: the places in the principal's scope :func:`open_identifier` just returned
    for ``value`` (looked up again when not given)."""
    p = access.principal
    prisoners = judgeable_prisoners(access, prison_numbers)
    # A link is placed where either end is seen in scope (_link_target): where this end
    # is seen decides for every link touching it.
    if seen is None:
        seen = [e for e in identifier_places(access, value, kind) if p.covers(e)]
    links = bool(seen) and bool(can(p, Action.UPDATE, Target(Resource.ATTRIBUTION,
                                                             establishment=seen[0])))
    return prisoners, links


def judgeable_prisoners(access: Access, prison_numbers: set[str]) -> frozenset[str]:
    """Which of ``prison_numbers`` the principal may judge attributions to: the policy asked
    as :func:`judge_attribution` asks it, without raising or auditing."""
    p = access.principal
    with access.facts() as s:
        places = dict(s.execute(select(Prisoner.prison_number, Prisoner.establishment).where(
            Prisoner.prison_number.in_(sorted(prison_numbers)))).all())
    return frozenset(n for n in prison_numbers if can(p, Action.UPDATE, Target(
        Resource.ATTRIBUTION, establishment=places.get(n))))
