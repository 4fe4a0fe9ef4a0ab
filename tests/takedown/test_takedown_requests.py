"""Takedown requests: drafting, the lifecycle, one request per account, the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution.judgements import judge
from cellwatch.errors import Conflict, IllegalTransition, InvalidData, NotFound
from cellwatch.store import Store
from cellwatch.takedown.accounts import account_links
from cellwatch.takedown.lifecycle import takedown_lifecycle
from cellwatch.takedown.requests import (
    draft_request,
    get_request,
    list_requests,
    transition_request,
)


def test_observations_link_one_canonical_account(estate: Store) -> None:
    links = account_links(estate)
    assert [(x.account, x.prison_number, x.sources) for x in links] == [
        ("x:bigman", "A1234BC", ("OBSERVATION",))
    ]
    assert links[0].first_linked == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_full_life_of_a_request(estate: Store) -> None:
    req = draft_request(estate, "analyst", "https://twitter.com/bigman", "A1234BC", "threats")
    assert (req.state, req.request.account, req.request.establishment) == (
        "DRAFTED", "x:bigman", "HEI")
    transition_request(estate, "analyst", req.id, "sent", "sent via LE portal")
    transition_request(estate, "analyst", req.id, "ACKNOWLEDGED", "auto-reply",
                       platform_ref="X-123")
    done = transition_request(estate, "lead", req.id, "REMOVED", "account suspended")
    assert done.state == "REMOVED"
    assert done.request.platform_ref == "X-123"
    history = [(t.from_state, t.to_state, t.actor) for t in get_request(estate, req.id).transitions]
    assert history == [(None, "DRAFTED", "analyst"), ("DRAFTED", "SENT", "analyst"),
                       ("SENT", "ACKNOWLEDGED", "analyst"), ("ACKNOWLEDGED", "REMOVED", "lead")]
    with pytest.raises(IllegalTransition):
        transition_request(estate, "lead", req.id, "REFUSED", "too late: removed is final")


def test_one_request_per_account_and_platform(estate: Store) -> None:
    draft_request(estate, "analyst", "x:bigman", "A1234BC", "threats")
    with pytest.raises(Conflict):
        draft_request(estate, "analyst", "@BigMan", "A1234BC", "again", platform="x")


def test_unlinked_account_needs_explicit_override(estate: Store) -> None:
    with pytest.raises(Conflict):
        draft_request(estate, "analyst", "x:someoneelse", "B2345CD", "hunch")
    req = draft_request(estate, "analyst", "x:someoneelse", "B2345CD", "hunch",
                        require_link=False)
    assert req.state == "DRAFTED"


def test_rejected_judgement_removes_the_link(estate: Store) -> None:
    judge(estate, "ATTRIBUTION", "ACCOUNT", "x:bigman", "PRISONER", "A1234BC", "REJECTED",
          "brother's account", "analyst")
    assert account_links(estate) == []
    with pytest.raises(Conflict):
        draft_request(estate, "analyst", "x:bigman", "A1234BC", "threats")


def test_confirmed_judgement_links_an_account(estate: Store) -> None:
    judge(estate, "ATTRIBUTION", "ACCOUNT", "instagram:bigman_ig", "PRISONER", "B2345CD",
          "CONFIRMED", "selfie in cell", "analyst")
    found = {x.account: x for x in account_links(estate, "B2345CD")}
    assert found["instagram:bigman_ig"].probability == 1.0
    assert found["instagram:bigman_ig"].sources == ("JUDGEMENT",)


def test_refusals_and_missing_things(estate: Store) -> None:
    with pytest.raises(NotFound):
        transition_request(estate, "analyst", 999, "SENT", "x")
    with pytest.raises(NotFound):
        draft_request(estate, "analyst", "x:bigman", "Z9999ZZ", "x", require_link=False)
    with pytest.raises(InvalidData):
        draft_request(estate, "analyst", "x:bigman", "A1234BC", "  ")
    req = draft_request(estate, "analyst", "x:bigman", "A1234BC", "threats")
    with pytest.raises(IllegalTransition):
        transition_request(estate, "analyst", req.id, "REMOVED", "skipping steps")
    with pytest.raises(InvalidData):
        transition_request(estate, "analyst", req.id, "SENT", "")
    assert [r.state for r in list_requests(estate, state="drafted")] == ["DRAFTED"]
    assert list_requests(estate, prison_number="B2345CD") == []


STATES = list(takedown_lifecycle().states)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STATES), max_size=6))
def test_lifecycle_accepts_exactly_the_declared_paths(path: list[str]) -> None:
    life = takedown_lifecycle()
    current = life.initial
    for target in path:
        allowed = target in life.allowed(current)
        if allowed:
            assert life.check(current, target).name == target
            current = target
        else:
            with pytest.raises(IllegalTransition):
                life.check(current, target)
    assert current in {"DRAFTED", "SENT", "ACKNOWLEDGED", "REMOVED", "REFUSED"}
