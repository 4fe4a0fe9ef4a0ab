"""The new-account rule raises one shared alert per prisoner and new account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from cellwatch.alerts import Alert
from cellwatch.store import Store
from cellwatch.takedown.requests import draft_request, transition_request
from cellwatch.takedown.rules import RULE, scan_new_accounts


def _sent(store: Store) -> int:
    req = draft_request(store, "analyst", "x:bigman", "A1234BC", "threats",
                        at=datetime(2026, 10, 3, tzinfo=UTC))
    transition_request(store, "analyst", req.id, "SENT", "portal",
                       at=datetime(2026, 10, 4, tzinfo=UTC))
    return req.id


def test_new_account_after_takedown_raises_one_alert(estate: Store,
                                                     observer: Callable[..., None]) -> None:
    observe = observer
    request_id = _sent(estate)
    assert scan_new_accounts(estate) == []
    observe(estate, "SO-3", "https://www.instagram.com/bigman_returns", "instagram",
            "A1234BC", 10)
    observe(estate, "SO-4", "bigman_returns", "instagram", "A1234BC", 11)
    raised = scan_new_accounts(estate)
    assert [(a.prison_number, a.account, a.after_request) for a in raised] == [
        ("A1234BC", "instagram:bigman_returns", request_id)]
    assert scan_new_accounts(estate) == []  # de-duplicated on a second scan
    with estate.session() as s:
        alerts = s.scalars(select(Alert).where(Alert.rule == RULE)).all()
    assert len(alerts) == 1
    assert alerts[0].establishment == "HEI"


def test_drafts_alone_and_older_accounts_raise_nothing(estate: Store,
                                                       observer: Callable[..., None]) -> None:
    observe = observer
    observe(estate, "SO-5", "tiktok:bigman_tt", "tiktok", "A1234BC", 2)
    draft_request(estate, "analyst", "x:bigman", "A1234BC", "threats")
    observe(estate, "SO-6", "snapchat:bigman_sc", "snapchat", "A1234BC", 20)
    assert scan_new_accounts(estate) == []  # nothing sent yet


def test_account_known_before_the_takedown_is_not_new(estate: Store,
                                                      observer: Callable[..., None]) -> None:
    observe = observer
    observe(estate, "SO-8", "tiktok:bigman_tt", "tiktok", "A1234BC", 2)
    _sent(estate)
    assert scan_new_accounts(estate) == []
