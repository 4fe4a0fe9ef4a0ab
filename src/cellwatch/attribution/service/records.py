"""What the prisoner and identifier pages show, gathered under the principal's
:class:`Access`: the one entry point the web's profile pages call.

The prisoner record itself is opened by :func:`~cellwatch.estate.service.get_prisoner`
(policy, reason, audit), an identifier by :func:`.attributions.open_identifier`. What
hangs off it (cells, seizures, attributions, referrals, alerts, reports of contact,
orders) is read in the same kind of guarded transaction and kept to what the principal
may see. Until the owning packages publish these reads themselves, they are made here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, inspect, or_, select
from sqlalchemy.orm import Session

from cellwatch.access.models import Referral
from cellwatch.access.scopes import in_scope, visible_prisoners, visible_referrals
from cellwatch.access.service import Access
from cellwatch.alerts import Alert
from cellwatch.alerts.export import visible_alerts
from cellwatch.attribution.models import Attribution, EvidenceItem, IdentityLink, Judgement
from cellwatch.attribution.service.attributions import (
    SEIZURE_FIELDS,
    judgeable_prisoners,
    judging_rights,
    open_identifier,
    visible_judgements,
)
from cellwatch.attribution.views import sim_history
from cellwatch.errors import InvalidIdentifier, NotFound
from cellwatch.estate.service import get_prisoner
from cellwatch.identifiers import IdentifierInfo, classify
from cellwatch.protect.models import ContactReport, ContactResolution
from cellwatch.store import Occupancy, Prisoner, SeizureItem
from cellwatch.tro.models import TroApplication, TroLine


@dataclass(frozen=True)
class Judging:
    """Analysts' judgements of an identifier's attributions and links (or of a prisoner's
    attributions), and which of them the user may judge and undo (the page shows the forms
    only there; the service layer decides again when one is posted)."""

    judgements: list[Judgement] = field(default_factory=list)
    prisoners: frozenset[str] = frozenset()  # the attributions to these may be judged
    links: bool = False  # the identifier's links may be judged
    shown: frozenset[str] = frozenset()  # prisoners and link ends the page has rows for

    def about(self, other: str) -> list[Judgement]:
        """The judgements of the attribution to ``other`` (a prisoner; on a prisoner's page,
        of ``other``, an identifier) or of the link to it."""
        return [j for j in self.judgements if other in (j.subject, j.object)]

    def others(self) -> list[Judgement]:
        """Judgements of pairs the page has no row for (e.g. a confirmation no run has
        proposed yet): listed on their own."""
        return [j for j in self.judgements if not {j.subject, j.object} & self.shown]

    def undoable(self, rows: list[Judgement]) -> set[int]:
        """The ids of ``rows`` the user may undo: standing, on a pair they may judge."""
        return {j.id for j in rows if j.undone_at is None and (
            self.links if j.target == "LINK" else j.object in self.prisoners)}


@dataclass
class PrisonerProfile:
    prisoner: Prisoner
    cells: list[Occupancy]
    seizures: list[SeizureItem]
    attributions: list[tuple[Attribution, list[EvidenceItem]]]
    referrals: list[Referral]
    alerts: list[Alert]
    # (report, resolution): reports of contact whose sender resolves to this prisoner.
    contacts: list[tuple[ContactReport, ContactResolution]] = field(default_factory=list)
    # Judgements of the attributions to this prisoner, by identifier (Judging.about).
    judging: Judging = field(default_factory=Judging)


@dataclass
class IdentifierProfile:
    info: IdentifierInfo
    establishments: list[str]
    seizures: list[SeizureItem]
    attributions: list[tuple[Attribution, list[EvidenceItem]]]
    links: list[IdentityLink]
    orders: list[tuple[TroLine, TroApplication]]
    alerts: list[Alert]
    sims: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    judging: Judging = field(default_factory=Judging)


# Tables found in each store's database: migrations add tables and never drop one, so a
# table seen once is not looked for again (each look was a query per table per page).
_TABLES: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()


def _ready(session: Session, *models: Any) -> bool:
    """Whether the packages owning ``models`` have migrated their tables into this store.

    Features land one package at a time; a page shows an empty section for a package
    whose tables are not there yet rather than failing as a whole.
    """
    names = {m.__tablename__ for m in models}
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    known = _TABLES.setdefault(engine, set())
    missing = names - known
    if missing:
        inspector = inspect(session.connection())
        known |= {name for name in missing if inspector.has_table(name)}
    return names <= known


def _evidence(session: Session, rows: list[Attribution],
              ) -> list[tuple[Attribution, list[EvidenceItem]]]:
    # One query for every row's evidence (one per row cost 14% of the prisoner page).
    items: dict[int, list[EvidenceItem]] = {row.id: [] for row in rows}
    ids = list(items)
    for start in range(0, len(ids), 500):  # bound the IN list (SQLite's variable limit)
        for item in session.scalars(select(EvidenceItem)
                                    .where(EvidenceItem.attribution_id.in_(ids[start:start + 500]))
                                    .order_by(EvidenceItem.weight_log2.desc(), EvidenceItem.id)):
            items[item.attribution_id].append(item)
    return [(row, items[row.id]) for row in rows]


def prisoner_profile(access: Access, prison_number: str, reason: str | None) -> PrisonerProfile:
    """Everything the prisoner page shows; the service layer decides and audits the opening."""
    prisoner = get_prisoner(access, prison_number, reason=reason)
    p = access.principal
    with access.transaction() as s:
        pn = prisoner.prison_number
        cells = list(s.scalars(select(Occupancy).where(Occupancy.prison_number == pn)
                               .order_by(Occupancy.start_ts.desc())))
        seizures = list(s.scalars(select(SeizureItem).where(SeizureItem.prison_number == pn)
                                  .order_by(SeizureItem.ts.desc())))
        attributions = list(s.scalars(select(Attribution).where(Attribution.prison_number == pn)
                                      .order_by(Attribution.probability.desc()))) \
            if _ready(s, Attribution) else []
        referrals = list(s.scalars(select(Referral).where(
            Referral.prison_number == pn, visible_referrals(p))))
        alerts = list(s.scalars(select(Alert).where(Alert.prison_number == pn, visible_alerts(p))
                                .order_by(Alert.created_ts.desc()))) \
            if _ready(s, Alert) else []
        # No read of reports of contact is published by the protect package yet (a last
        # resort here). Only the report's reference, date and channel and the resolution
        # are shown: never the protected person's details or the message.
        contacts = [(report, res) for report, res in s.execute(
            select(ContactReport, ContactResolution)
            .join(ContactResolution, ContactResolution.report_id == ContactReport.id)
            .where(ContactResolution.prison_number == pn)
            .order_by(ContactReport.received_ts.desc()))] \
            if _ready(s, ContactReport, ContactResolution) else []
        profile = PrisonerProfile(prisoner, cells, seizures, _evidence(s, attributions),
                                  referrals, alerts, contacts)
        judged = _ready(s, Judgement)
    if judged:
        # Only attributions are judged here: a link names no prisoner, so it has no card.
        profile.judging = Judging(visible_judgements(access, pn),
                                  judgeable_prisoners(access, {pn}),
                                  shown=frozenset(a.identifier for a in attributions))
    return profile


def parse_identifier(kind: str, value: str) -> IdentifierInfo:
    """The identifier in a URL, validated; a bad one is simply not found."""
    try:
        return classify(value, kind)
    except InvalidIdentifier as exc:
        raise NotFound(f"{value} is not a valid {kind}: {exc.message}") from exc


def identifier_profile(access: Access, info: IdentifierInfo, reason: str | None,
                       ) -> IdentifierProfile:
    """The device, SIM, number or account page: only what lies in the principal's scope.

    Opening it is decided and audited by
    :func:`~cellwatch.attribution.service.attributions.open_identifier`, as ``cellwatch device`` is.
    """
    p = access.principal
    seen = open_identifier(access, info.value, info.type.name, reason, label=info.display)
    value, kind = info.value, info.type.name
    with access.transaction() as s:
        column = SEIZURE_FIELDS.get(kind)
        seizures = [] if column is None else list(s.scalars(
            select(SeizureItem).where(column == value, in_scope(p, SeizureItem.establishment))
            .order_by(SeizureItem.ts.desc())))
        attributions: list[Attribution] = []
        links: list[IdentityLink] = []
        judged = _ready(s, Attribution, IdentityLink, Judgement)
        if judged:
            attributions = list(s.scalars(
                select(Attribution)
                .join(Prisoner, Prisoner.prison_number == Attribution.prison_number)
                .where(Attribution.identifier == value, visible_prisoners(p))
                .order_by(Attribution.probability.desc())))
            links = list(s.scalars(select(IdentityLink).where(
                or_(IdentityLink.a == value, IdentityLink.b == value)).order_by(
                IdentityLink.last_seen.desc()).limit(200)))
        orders: list[tuple[TroLine, TroApplication]] = []
        alerts: list[Alert] = []
        if _ready(s, TroLine, Alert):
            orders = [(line, app) for line, app in s.execute(
                select(TroLine, TroApplication).join(
                    TroApplication, TroApplication.id == TroLine.application_id)
                .where(TroLine.identifier == value, in_scope(p, TroApplication.establishment)))]
            alerts = list(s.scalars(select(Alert).where(
                Alert.identifier == value, visible_alerts(p))))
        placed = [e for e in seen if e is not None]
        profile = IdentifierProfile(info, placed, seizures, _evidence(s, attributions), links,
                                    orders, alerts)
    if kind == "IMEI" and links:
        profile.sims = sim_history(access.store, value)
    if judged:
        profile.judging = _judging(access, info, attributions, links, seen)
    return profile


def _judging(access: Access, info: IdentifierInfo, attributions: list[Attribution],
             links: list[IdentityLink], seen: list[str | None]) -> Judging:
    prisoners = {a.prison_number for a in attributions}
    # ``seen``: where open_identifier found it in scope, not looked up a second time.
    may_judge, may_link = judging_rights(access, info.value, info.type.name, prisoners,
                                         seen=seen)
    ends = {end for link in links for end in (link.a, link.b)} - {info.value}
    return Judging(visible_judgements(access, info.value), may_judge, may_link,
                   frozenset(prisoners | ends))
