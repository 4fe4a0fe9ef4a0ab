"""The queue for a principal: scoped like TRO candidates, every action audited."""

from __future__ import annotations

import pytest
from guard_estate import LENT_IMEI, STAFF_IMEI, STAFF_IMSI, VISITOR_IMEI
from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.access.service import Access
from cellwatch.errors import Conflict, Denied, InvalidData, NotFound
from cellwatch.guard import service
from cellwatch.settings import Settings
from cellwatch.store import AllowListEntry, IngestBatch, Store
from cellwatch.tro.materialise import candidate_set, refresh


def _person(name: str, roles: set[Role], establishments: frozenset[str] | None,
            kind: OrgKind = OrgKind.ESTABLISHMENT) -> Principal:
    return Principal(name, 1, "ORG", kind, frozenset(roles), establishments)


ANALYST = _person("analyst", {Role.ANALYST}, frozenset({"HEI"}))
SUPERVISOR = _person("supervisor", {Role.SUPERVISOR}, frozenset({"HEI"}))
ELSEWHERE = _person("berwyn", {Role.SUPERVISOR}, frozenset({"BWI"}))
POLICE = _person("police", {Role.INVESTIGATOR}, None, OrgKind.POLICE)


@pytest.fixture
def queued(settings: Settings, world: Store) -> dict[str, int]:
    """The queue after a candidate refresh: hold id by identifier."""
    refresh(settings, world)
    rows = service.list_holds(Access(world, ANALYST, settings))
    return {r["identifier"]: r["id"] for r in rows}


def _audit(store: Store, action: str) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_queue_lists_holds_with_their_evidence(settings: Settings, world: Store,
                                                    queued: dict[str, int]) -> None:
    rows = service.list_holds(Access(world, ANALYST, settings), status="held")
    by_id = {r["identifier"]: r for r in rows}
    assert {STAFF_IMEI, STAFF_IMSI, VISITOR_IMEI} <= set(by_id)
    assert by_id[STAFF_IMEI]["flag"] == "STAFF_PATTERN"
    assert by_id[STAFF_IMEI]["evidence"]["zones"] == 4
    flagged = service.get_hold(Access(world, ANALYST, settings), queued[LENT_IMEI])
    assert flagged["status"] == "FLAGGED"
    assert flagged["evidence"]["cell_nights"] == 1
    assert _audit(world, "guard.list")
    assert _audit(world, "guard.read")


def test_outside_the_establishment_a_hold_is_not_found(settings: Settings, world: Store,
                                                        queued: dict[str, int]) -> None:
    assert service.list_holds(Access(world, ELSEWHERE, settings)) == []
    with pytest.raises(NotFound):
        service.get_hold(Access(world, ELSEWHERE, settings), queued[STAFF_IMEI])
    with pytest.raises(NotFound):
        service.release(Access(world, ELSEWHERE, settings), queued[STAFF_IMEI], "mine")
    with pytest.raises(Denied):
        service.list_holds(Access(world, POLICE, settings))
    denied = [e for e in _audit(world, "guard.read") + _audit(world, "guard.release")
              if e.outcome == "denied"]
    assert len(denied) == 2


def test_release_puts_the_phone_back_among_candidates(settings: Settings, world: Store,
                                                      queued: dict[str, int]) -> None:
    with pytest.raises(InvalidData):
        service.release(Access(world, ANALYST, settings), queued[STAFF_IMEI], "  ")
    done = service.release(Access(world, ANALYST, settings), queued[STAFF_IMEI],
                           "seen with a prisoner's SIM; not on the staff register")
    assert done["status"] == "RELEASED"
    assert done["decided_by"] == "analyst"
    found = {c.identifier for c in candidate_set(settings, world).candidates}
    # The handset and its SIM go back together.
    assert {STAFF_IMEI, STAFF_IMSI} <= found
    with pytest.raises(Conflict):
        service.release(Access(world, ANALYST, settings), queued[STAFF_IMEI], "again")
    # A refresh keeps the decision.
    refresh(settings, world)
    assert service.get_hold(Access(world, ANALYST, settings),
                            queued[STAFF_IMEI])["status"] == "RELEASED"
    assert STAFF_IMEI in {c.identifier for c in candidate_set(settings, world).candidates}
    entry = _audit(world, "guard.release")[-1]
    assert entry.reason
    assert "staff register" in entry.reason


def test_allow_listing_takes_a_supervisor_and_keeps_provenance(
        settings: Settings, world: Store, queued: dict[str, int]) -> None:
    with pytest.raises(Denied):
        service.allow(Access(world, ANALYST, settings), queued[STAFF_IMEI], "officer's phone")
    done = service.allow(Access(world, SUPERVISOR, settings), queued[STAFF_IMEI],
                         "Officer 123's work phone, confirmed with the duty governor")
    assert done["status"] == "ALLOWED"
    assert done["allow_entry_id"] is not None
    with world.session() as s:
        entries = {e.identifier: e for e in s.scalars(select(AllowListEntry).where(
            AllowListEntry.identifier.in_([STAFF_IMEI, STAFF_IMSI])))}
        assert set(entries) == {STAFF_IMEI, STAFF_IMSI}
        entry = entries[STAFF_IMEI]
        assert entry.reason == "STAFF"
        assert entry.extra is not None
        assert entry.extra["decided_by"] == "supervisor"
        assert entry.extra["source"] == "guard"
        batch = s.get(IngestBatch, entry.batch_id)
        assert batch is not None
        assert batch.run_by == "supervisor"
        assert batch.kind == "allow_list"
        assert batch.file_format == "decision"
    # Allow-listed now: out of candidates for good, also after the next refresh.
    assert STAFF_IMEI not in {c.identifier for c in candidate_set(settings, world).candidates}
    refresh(settings, world)
    assert STAFF_IMEI not in {c.identifier for c in candidate_set(settings, world).candidates}
    assert service.get_hold(Access(world, ANALYST, settings),
                            queued[STAFF_IMEI])["status"] == "ALLOWED"
    assert [e.outcome for e in _audit(world, "guard.allow")] == ["denied", "allowed"]
