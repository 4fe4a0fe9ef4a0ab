"""Resolving a sender (number or account) to the devices and prisoners behind it.

A sender is followed through the identity graph (number -> SIM -> handset, over links
that are ACTIVE or confirmed; suppressed and rejected ones are not walked) to every
identifier the latest attribution run attributes, and each prisoner's probability is
the attribution's, discounted per hop. An account is also weighed by the social-media
observations that name a prisoner (each an observer's belief, not a fact). Evidence for
the same prisoner from several paths is combined as independent (noisy-OR).

Reports whose sender resolves to nobody stay OPEN; :func:`resolve_open_reports` tries
them again (and refreshes resolved ones) after every ingest, attribution run and
``cellwatch alerts run``, so a sender unknown today is resolved when new links arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink
from cellwatch.protect.models import ContactReport, ContactResolution, SocialObservation
from cellwatch.store import Store, utcnow

# Each hop through the graph costs some certainty: a SIM seen in a handset is not proof
# that the handset's user sent a given message from that SIM's number.
HOP_FACTOR = 0.95
MAX_HOPS = 2
USABLE_LINKS = ("ACTIVE", "CONFIRMED", "UNSURE")
# An attribution interval not covering the contact is weaker evidence for it.
OUT_OF_INTERVAL_FACTOR = 0.8
INTERVAL_SLACK = timedelta(days=7)
# The weight of one observer naming a prisoner behind an account.
OBSERVATION_WEIGHT = 0.6
MIN_PROBABILITY = 0.05


@dataclass(frozen=True)
class Candidate:
    """A prisoner a sender resolves to, how likely, and how (readable path)."""

    prison_number: str
    probability: float
    path: str
    device: str | None = None


def latest_run(session: Session) -> int | None:
    """The id of the newest finished attribution run, if any."""
    return session.scalars(select(AttributionRun.id).where(AttributionRun.status == "DONE")
                           .order_by(AttributionRun.id.desc()).limit(1)).first()


def _neighbours(session: Session, id_type: str, value: str) -> list[tuple[str, str]]:
    links = session.scalars(select(IdentityLink).where(
        IdentityLink.status.in_(USABLE_LINKS),
        or_((IdentityLink.a_type == id_type) & (IdentityLink.a == value),
            (IdentityLink.b_type == id_type) & (IdentityLink.b == value))))
    out = []
    for link in links:
        if (link.a_type, link.a) == (id_type, value):
            out.append((link.b_type, link.b))
        else:
            out.append((link.a_type, link.a))
    return out


def reachable(session: Session, id_type: str, value: str) -> dict[tuple[str, str], list[str]]:
    """Every identifier within :data:`MAX_HOPS` of the sender, with the path to it."""
    paths: dict[tuple[str, str], list[str]] = {(id_type, value): [f"{id_type} {value}"]}
    frontier = [(id_type, value)]
    for _hop in range(MAX_HOPS):
        nxt = []
        for node in frontier:
            for other in _neighbours(session, *node):
                if other not in paths:
                    paths[other] = [*paths[node], f"{other[0]} {other[1]}"]
                    nxt.append(other)
        frontier = nxt
    return paths


def _attribution_probability(rows: list[Attribution], on: date | None) -> float:
    covering = [a.probability for a in rows if on is not None
                and a.valid_from - INTERVAL_SLACK <= on <= a.valid_to + INTERVAL_SLACK]
    if covering:
        return max(covering)
    return max(a.probability for a in rows) * OUT_OF_INTERVAL_FACTOR


def _combine(cands: list[Candidate]) -> list[Candidate]:
    best: dict[str, Candidate] = {}
    miss: dict[str, float] = {}
    for c in cands:
        miss[c.prison_number] = miss.get(c.prison_number, 1.0) * (1.0 - c.probability)
        if c.prison_number not in best or c.probability > best[c.prison_number].probability:
            best[c.prison_number] = c
    out = [Candidate(p, round(1.0 - miss[p], 4), best[p].path, best[p].device) for p in best]
    return sorted([c for c in out if c.probability >= MIN_PROBABILITY],
                  key=lambda c: (-c.probability, c.prison_number))


def resolve_identifier(session: Session, id_type: str, value: str,
                       on: date | None = None) -> list[Candidate]:
    """The prisoners behind ``value``, most likely first (empty: unresolved).

    >>> # resolve_identifier(s, "MSISDN", "+447700900123", date(2026, 10, 1))
    """
    paths = reachable(session, id_type, value)
    cands: list[Candidate] = []
    run_id = latest_run(session)
    if run_id is not None:
        idents = sorted({v for _t, v in paths})
        rows = list(session.scalars(select(Attribution).where(
            Attribution.run_id == run_id, Attribution.identifier.in_(idents),
            Attribution.status != "REJECTED")))
        grouped: dict[tuple[str, str, str], list[Attribution]] = {}
        for a in rows:
            if (a.identifier_type, a.identifier) in paths:
                grouped.setdefault((a.identifier_type, a.identifier, a.prison_number),
                                   []).append(a)
        for (t, v, pn), attrs in grouped.items():
            path = paths[(t, v)]
            p = _attribution_probability(attrs, on) * HOP_FACTOR ** (len(path) - 1)
            cands.append(Candidate(pn, p, " -> ".join([*path, f"attributed to {pn}"]),
                                   f"{t} {v}"))
    if id_type == "ACCOUNT":
        named: dict[str, int] = {}
        for observed in session.scalars(select(SocialObservation.prison_number).where(
                SocialObservation.account == value,
                SocialObservation.prison_number.is_not(None))):
            if observed is not None:
                named[observed] = named.get(observed, 0) + 1
        for who, n in named.items():
            p = 1.0 - (1.0 - OBSERVATION_WEIGHT) ** n
            cands.append(Candidate(who, p, f"ACCOUNT {value} -> named as {who} in {n} social "
                                           "media observation(s)", f"ACCOUNT {value}"))
    return _combine(cands)


def resolve_report(session: Session, report: ContactReport) -> list[Candidate]:
    """Resolve one report's sender and store (or refresh) its resolutions."""
    on = (report.occurred_ts or report.received_ts).date()
    cands = resolve_identifier(session, report.sender_type, report.sender, on)
    stored = {r.prison_number: r for r in session.scalars(
        select(ContactResolution).where(ContactResolution.report_id == report.id))}
    for c in cands:
        row = stored.get(c.prison_number)
        if row is None:
            session.add(ContactResolution(report_id=report.id, prison_number=c.prison_number,
                                          probability=c.probability, path=c.path,
                                          device=c.device))
        else:
            row.probability, row.path, row.device = c.probability, c.path, c.device
    if cands and report.resolution == "OPEN":
        report.resolution, report.resolved_at = "RESOLVED", utcnow()
    return cands


def resolve_open_reports(store: Store) -> dict[str, int]:
    """Resolve every report again (open ones may resolve now); counts open and resolved."""
    with store.session() as s:
        for report in s.scalars(select(ContactReport).order_by(ContactReport.id)):
            resolve_report(s, report)
        s.flush()
        statuses = list(s.scalars(select(ContactReport.resolution)))
    return {"open": statuses.count("OPEN"), "resolved": statuses.count("RESOLVED")}


# A no-contact condition names the prisoner the person fears: among the prisoners a
# sender could be, that one is taken to be this many times likelier than the rest.
CONDITION_LIKELIHOOD_RATIO = 10.0


def given_condition(probability: float) -> float:
    """The probability for the prisoner a condition names, once the condition is weighed.

    >>> round(given_condition(0.5), 3)
    0.909
    """
    odds = probability / max(1e-9, 1.0 - probability) * CONDITION_LIKELIHOOD_RATIO
    return round(odds / (1.0 + odds), 4)


def attribute_contact(named: str | None, cands: list[Candidate],
                      threshold: float) -> tuple[str | None, float | None, str]:
    """Who a contact with a protected person is put down to, how likely, and why.

    The prisoner the condition names, when the graph reaches him (probability weighed by
    the condition); else another prisoner only if the graph confirms him (at or above
    ``threshold``); else the named prisoner, unconfirmed (weak graph evidence does not
    override the condition; the other candidates are kept as alternatives).
    """
    for c in cands:
        if c.prison_number == named:
            return named, given_condition(c.probability), (
                f"{c.path} (p={c.probability:.2f} from the identity graph, "
                f"{given_condition(c.probability):.2f} given the condition)")
    if cands and (named is None or cands[0].probability >= threshold):
        return cands[0].prison_number, cands[0].probability, cands[0].path
    return named, None, "sender not yet linked to the prisoner; named in the condition"
