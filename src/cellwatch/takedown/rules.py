"""The new-account rule: a prisoner whose account was taken down (or whose takedown is
under way) appears behind another account.

One alert per prisoner and new account, through the shared, de-duplicated alerts
(:func:`cellwatch.alerts.raise_alert`): scanning again raises nothing new. An account is
"new" when it has no takedown request of its own and was first linked to the prisoner
after the first request of theirs was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select

from cellwatch.alerts import raise_alert
from cellwatch.store import Store
from cellwatch.takedown.accounts import account_links
from cellwatch.takedown.lifecycle import ACTED_ON
from cellwatch.takedown.models import TakedownRequest, TakedownTransition

RULE: Final = "TAKEDOWN_NEW_ACCOUNT"


@dataclass(frozen=True)
class NewAccount:
    """An alert the rule raised."""

    alert_id: int
    prison_number: str
    account: str
    after_request: int
    establishment: str | None  # the request's, so a principal sees the alerts it may


def scan_new_accounts(store: Store) -> list[NewAccount]:
    """Raise the rule's alerts for every new account found; return those raised now."""
    with store.session() as s:
        sent = s.execute(
            select(TakedownRequest.prison_number, TakedownRequest.id,
                   TakedownRequest.establishment, TakedownTransition.at)
            .join(TakedownTransition, TakedownTransition.request_id == TakedownRequest.id)
            .where(TakedownRequest.state.in_(ACTED_ON), TakedownTransition.to_state == "SENT")
            .order_by(TakedownTransition.at)).all()
        requested = set(s.scalars(select(TakedownRequest.account)))
    first_sent: dict[str, tuple[int, str | None, datetime]] = {}
    for prisoner, request_id, establishment, at in sent:
        first_sent.setdefault(prisoner, (request_id, establishment, at))
    if not first_sent:
        return []
    raised: list[NewAccount] = []
    with store.session() as s:
        for link in account_links(store):
            hit = first_sent.get(link.prison_number)
            if hit is None or link.account in requested or link.first_linked <= hit[2]:
                continue
            request_id, establishment, at = hit
            alert = raise_alert(
                s, RULE, f"{link.prison_number}|{link.account}",
                prison_number=link.prison_number, identifier=link.account,
                establishment=establishment,
                summary=(f"{link.prison_number} is linked to a new {link.platform} account "
                         f"after takedown request {request_id} was sent"),
                details={"request_id": request_id, "sent_at": at.isoformat(),
                         "first_linked": link.first_linked.isoformat(),
                         "sources": list(link.sources)})
            if alert is not None:
                raised.append(NewAccount(alert.id, link.prison_number, link.account,
                                         request_id, establishment))
    return raised
