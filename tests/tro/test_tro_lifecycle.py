"""The state machine: every illegal transition refused with a clear message; random walks
never reach a state by a transition the lifecycle does not allow."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.errors import ConfigError, IllegalTransition
from cellwatch.tro.lifecycle import default_lifecycle, parse_lifecycle

LIFE = default_lifecycle()
STATES = sorted(LIFE.states)
ILLEGAL = [(a, b) for a in STATES for b in STATES if b not in LIFE.allowed(a)]


def test_the_issue_path_is_allowed() -> None:
    path = ["DRAFT", "APPROVED", "FILED", "GRANTED", "SERVED", "ACKNOWLEDGED", "DISCONNECTED",
            "VERIFIED"]
    for a, b in itertools.pairwise(path):
        assert LIFE.check(a, b).name == b
    assert LIFE.check("FILED", "REFUSED").terminal
    for ending in ("EXPIRED", "VARIED", "REVOKED"):
        assert ending in LIFE.allowed("SERVED")


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_transition_names_both_states_and_the_allowed_ones(
    current: str, target: str
) -> None:
    with pytest.raises(IllegalTransition) as info:
        LIFE.check(current, target)
    message = info.value.message
    assert current in message
    assert target in message
    for allowed in LIFE.allowed(current):
        assert allowed in message
    if not LIFE.allowed(current):
        assert "terminal" in message


def test_unknown_state_is_illegal() -> None:
    with pytest.raises(IllegalTransition, match="unknown state"):
        LIFE.check("DRAFT", "SHREDDED")


@given(st.lists(st.sampled_from(STATES), max_size=40))
def test_random_walks_only_take_allowed_steps(targets: list[str]) -> None:
    state = LIFE.initial
    for target in targets:
        try:
            LIFE.check(state, target)
        except IllegalTransition:
            assert target not in LIFE.allowed(state)
            continue
        assert target in LIFE.allowed(state)
        state = target
        assert state in LIFE.states
    if LIFE.states[state].terminal:
        assert LIFE.allowed(state) == ()


def test_a_broken_lifecycle_reports_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        parse_lifecycle({
            "initial": "DRAFT",
            "states": {"DRAFT": {}, "DONE": {"terminal": True}, "LIMBO": {}, "X": {"bad": 1}},
            "transitions": {"DRAFT": ["DONE", "NOWHERE"], "DONE": ["DRAFT"]},
        })
    message = info.value.message
    for part in ("NOWHERE", "terminal state DONE", "LIMBO is unreachable", "unknown keys",
                 "dead end"):
        assert part in message
