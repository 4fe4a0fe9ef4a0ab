"""A referral's receiver records its outcome (after acknowledging it); the Parole Board
asks the prison team that referred a prisoner for an update, which that team marks done.
Who may do each, what the other party sees, and the audit trail.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.cases.service import acknowledge_referral, create_referrals
from cellwatch.errors import AccessDenied, IllegalTransition, InvalidData, NotFound
from cellwatch.protect.service import outcomes, updates
from cellwatch.store import Store


@pytest.fixture
def world(store: Store) -> Store:
    build_estate(store)
    return store


def _as(store: Store, user: str) -> Access:
    with store.session() as s:
        return Access(store, principal_for(s, user))


def _refer(store: Store, to: str, number: str = "A1111AA") -> int:
    (made,) = create_referrals(_as(store, "hei_analyst"), [to], "phone used to threaten",
                               prison_number=number)
    return made.id


def test_the_force_acknowledges_and_records_outcomes_the_prison_reads_them(
        world: Store) -> None:
    referral = _refer(world, "WMP")
    police = _as(world, "wmp_investigator")
    with pytest.raises(IllegalTransition):  # acknowledge first
        outcomes.record_outcome(police, referral, "UNDER_INVESTIGATION")
    acknowledge_referral(police, referral)
    today = outcomes.uk_today()
    first = outcomes.record_outcome(police, referral, "under investigation")
    second = outcomes.record_outcome(police, referral, "CHARGED", today,
                                     note="charged with harassment")
    assert (first.outcome, second.outcome) == ("UNDER_INVESTIGATION", "CHARGED")
    mine = outcomes.list_outcomes(police, referral)
    assert [o.outcome for o in mine] == ["CHARGED", "UNDER_INVESTIGATION"]
    assert mine[0].recorded_by == "wmp_investigator"
    sender = outcomes.list_outcomes(_as(world, "hei_analyst"), referral)
    assert [o.outcome for o in sender] == ["CHARGED", "UNDER_INVESTIGATION"]
    assert all(o.recorded_by is None for o in sender)  # who, inside the force: not told
    with world.session() as s:
        assert s.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "outcome")).all()[-1]["outcome"] == "CHARGED"


def test_outcomes_are_refused_by_field(world: Store) -> None:
    referral = _refer(world, "WMP")
    police = _as(world, "wmp_investigator")
    acknowledge_referral(police, referral)
    today = outcomes.uk_today()
    for outcome, on, note, field in (("SENTENCED", None, None, "outcome"),
                                     ("CHARGED", today + timedelta(days=1), None,
                                      "outcome_date"),
                                     ("CHARGED", date(2020, 1, 1), None, "outcome_date"),
                                     ("OTHER", None, " ", "note")):
        with pytest.raises(InvalidData) as bad:
            outcomes.record_outcome(police, referral, outcome, on, note)
        assert field in bad.value.errors
    assert outcomes.list_outcomes(police, referral) == []


def test_only_the_receiver_records_others_get_the_unknown_answer(world: Store) -> None:
    referral = _refer(world, "WMP")
    acknowledge_referral(_as(world, "wmp_investigator"), referral)
    with pytest.raises(AccessDenied) as sender:  # may read it, may not record
        outcomes.record_outcome(_as(world, "hei_analyst"), referral, "CHARGED")
    assert not isinstance(sender.value, NotFound)
    with pytest.raises(NotFound) as other:
        outcomes.record_outcome(_as(world, "lei_analyst"), referral, "CHARGED")
    with pytest.raises(NotFound) as unknown:
        outcomes.record_outcome(_as(world, "lei_analyst"), 987654, "CHARGED")
    assert str(other.value).replace(str(referral), "N") == \
        str(unknown.value).replace("987654", "N")
    with pytest.raises(AccessDenied):  # no role acknowledges: refused before a look-up
        outcomes.record_outcome(_as(world, "voda_liaison"), referral, "CHARGED")


def test_the_parole_board_asks_the_referring_team_which_marks_it_done(world: Store) -> None:
    _refer(world, "PAROLE")
    board = _as(world, "parole_cm")
    asked = updates.request_update(board, "a1111aa", "Any finds since March?")
    assert (asked.to_org, asked.from_org, asked.status) == ("HEI-SIT", "PAROLE", "OPEN")
    team = _as(world, "hei_analyst")
    waiting = updates.list_update_requests(team, direction="in", status="OPEN")
    assert [r.id for r in waiting] == [asked.id]
    assert updates.list_update_requests(_as(world, "lei_analyst")) == []
    with pytest.raises(AccessDenied):  # the asker does not answer its own request
        updates.complete_update_request(board, asked.id, "done")
    with pytest.raises(NotFound):  # another prison: as an unknown request
        updates.complete_update_request(_as(world, "lei_analyst"), asked.id, "done")
    done = updates.complete_update_request(team, asked.id, "two seizures since, see IR")
    assert (done.status, done.done_by) == ("DONE", "hei_analyst")
    with pytest.raises(IllegalTransition):
        updates.complete_update_request(team, asked.id)
    assert [r.status for r in updates.list_update_requests(board, direction="out")] == ["DONE"]


def test_a_prisoner_never_referred_to_the_board_answers_as_unknown(world: Store) -> None:
    board = _as(world, "parole_cm")
    with pytest.raises(NotFound) as never:
        updates.request_update(board, "A3333CC", "news?")
    with pytest.raises(NotFound) as unknown:
        updates.request_update(board, "Z9999ZZ", "news?")
    assert str(never.value).replace("A3333CC", "N") == str(unknown.value).replace("Z9999ZZ",
                                                                                   "N")
    with pytest.raises(InvalidData):
        updates.request_update(board, "A1111AA", "   ")
    with world.session() as s:
        assert s.scalars(select(AuditEntry).where(
            AuditEntry.principal == "parole_cm", AuditEntry.outcome == "denied")).all()
