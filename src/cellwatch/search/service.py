"""The search box's use cases, taking the principal: prisoners by name, an IMEI's check
digit, cases and orders by reference. Every read goes through the policy (scope, role,
audit) as the lists and pages it leads to do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from stdnum import imei as stdnum_imei
from stdnum import luhn

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.cases import service as cases
from cellwatch.errors import Denied, NotFound
from cellwatch.intelligence import service as intelligence
from cellwatch.search.text import MAX_QUERY as MAX_QUERY  # the shells read it here
from cellwatch.search.text import name_matches, words
from cellwatch.search.text import terms as terms
from cellwatch.store.reference import Prisoner
from cellwatch.tro.service import orders

MAX_HITS = 50
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]{2,60}")


@dataclass(frozen=True)
class PrisonerHit:
    """A prisoner whose name matched: what the results table shows."""

    prison_number: str
    surname: str
    forenames: str
    establishment: str | None


@dataclass(frozen=True)
class RecordHit:
    """A case, order or intelligence report whose reference matched, with the page it
    opens (a report's page asks for a reason where its own rules need one)."""

    kind: str
    ref: str
    label: str
    href: str = ""


@dataclass(frozen=True)
class ImeiReading:
    """An IMEI typed with a wrong check digit: what is wrong and the nearest valid one."""

    typed: str
    message: str
    nearest: str


def find_prisoners(access: Access, query: str) -> list[PrisonerHit]:
    """Prisoners the principal may see whose name has every term of ``query``
    (accents, case and script folded; a quoted phrase as consecutive words); audited as a
    list of prisoners is, with what it returned. At most :data:`MAX_HITS`, by name."""
    wanted = terms(query)
    if not wanted:
        return []
    target = Target(Resource.PRISONER)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        # Names are folded here, not in SQL: SQLite and PostgreSQL fold differently. A
        # national unit's scan of 80,000 names takes 0.25-0.35 s (names memoised).
        rows = s.execute(select(Prisoner.prison_number, Prisoner.surname, Prisoner.forenames,
                                Prisoner.establishment)
                         .where(visible_prisoners(access.principal)))
        hits = [PrisonerHit(*row) for row in rows
                if name_matches(words(row[1]) + words(row[2] or ""), wanted)]
        hits.sort(key=lambda h: (words(h.surname), words(h.forenames or ""), h.prison_number))
        hits = hits[:MAX_HITS]
        access.audit(s, "list", target, detail={"filters": {"name": query[:200]},
                                                "returned": [h.prison_number for h in hits]})
    return hits


def imei_reading(text: str) -> ImeiReading | None:
    """For 15 digits (separators aside) whose check digit is wrong: the message and the
    reading with the right check digit (the likeliest slip is the last digit); else None.

    >>> imei_reading("35-209900-176148-2").nearest
    '352099001761481'
    """
    digits = re.sub(r"[\s./-]", "", text)
    if not re.fullmatch(r"\d{15}", digits) or stdnum_imei.is_valid(digits):
        return None
    right = luhn.calc_check_digit(digits[:14])
    return ImeiReading(digits, f"{digits} is not a valid IMEI: its check digit (the 15th "
                       f"digit) should be {right}, not {digits[14]}", digits[:14] + right)


def find_records(access: Access, text: str) -> list[RecordHit]:
    """The case, the order and the intelligence report whose reference is ``text``, if
    the principal may open them (asked only of roles that read them, so nobody is audited
    as refused for a search). A report outside the organisation that needs a reason to
    open is not offered: a search is no reason."""
    ref = text.strip()
    # A reference has a digit, or is capitals joined by hyphens (IR-P-HEI); a name typed
    # (Smith-Jones) is not looked up as one, so its search reads no case nor order.
    if not _REF.fullmatch(ref) or not (any(c.isdigit() for c in ref)
                                       or ("-" in ref and ref == ref.upper())):
        return []
    roles = access.principal.roles
    found: list[RecordHit] = []
    if permitted(roles, Resource.CASE, Action.READ):
        try:
            case = cases.get_case(access, ref)
        except (NotFound, Denied):
            pass
        else:
            found.append(RecordHit("case", case.ref, case.title, f"/cases/{case.ref}"))
    if permitted(roles, Resource.TRO_ORDER, Action.READ):
        try:
            order = orders.get_order(access, ref)
        except (NotFound, Denied):
            pass
        else:
            found.append(RecordHit("order", order.ref,
                                   f"{order.application.establishment} · {order.state}",
                                   f"/orders/{order.ref}"))
    if permitted(roles, Resource.INTELLIGENCE, Action.READ):
        try:
            report = intelligence.get_intelligence(access, ref, channel="WEB")
        except (NotFound, Denied):
            pass
        else:
            # The facts of the report, never its text (the profile pages carry what applies).
            found.append(RecordHit("intelligence report", report.report_ref,
                                   f"{report.establishment} · {report.ts:%d %b %Y} · "
                                   f"handling code {report.handling_code}",
                                   f"/intelligence/{quote(report.report_ref, safe='')}"))
    return found
