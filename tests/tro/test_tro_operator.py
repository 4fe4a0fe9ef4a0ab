"""The operators' view: an operator sees the served lines of its own network, and nothing
of the prisoner, the evidence or the establishment; its answer moves the line and the order
exactly as a line of an ingested response file does; another network, an unserved order and
the prison service's own users get nothing (refusals audited)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from tro_estate import IMSI_A, Estate

from audit_support import audited
from cellwatch.access.directory import create_org, create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import Organisation
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.cli import main
from cellwatch.errors import AccessDenied, Conflict, InvalidData, NotFound
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import get_handler
from cellwatch.ingest.sniff import sniff
from cellwatch.store import utcnow
from cellwatch.tro.candidates import find_candidates
from cellwatch.tro.models import TroLine, TroResponse
from cellwatch.tro.orders import create_application, get_order, transition
from cellwatch.tro.overdue import overdue_lines
from cellwatch.tro.service.operator import operator_lines, record_response
from operator_support import EE_IMSI, EE_UNSERVED, LINE_KEYS, access_as, add_operator

SERVED_ON = date(2026, 3, 20)  # a Friday: five working days make it due Friday 27 March
DUE = date(2026, 3, 27)
ACTIONED = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Orders:
    """An order served at Hewell (an EE and a Vodafone line) and one granted, not served."""

    ref: str
    granted: str
    ee: int
    voda: int
    unserved: int


@pytest.fixture
def orders(estate: Estate) -> Orders:
    """The orders, from the candidates the lake gives, and who is who."""
    for imsi in (EE_IMSI, IMSI_A, EE_UNSERVED):
        estate.detect("HEI-MA-1", [0, 1, 2], imsi, None)
    found = find_candidates(estate.settings, estate.store, establishment="HEI")
    store, settings = estate.store, estate.settings
    order = create_application(store, "tester", "HEI",
                               [c for c in found if c.identifier in (EE_IMSI, IMSI_A)])
    other = create_application(store, "tester", "HEI",
                               [c for c in found if c.identifier == EE_UNSERVED])
    for ref in (order.ref, other.ref):
        for state in ("APPROVED", "FILED"):
            transition(store, settings, "tester", ref, state, "step")
        transition(store, settings, "tester", ref, "GRANTED", "made", court="Worcester",
                   order_date=SERVED_ON)
    transition(store, settings, "tester", order.ref, "SERVED", "served", on=SERVED_ON)
    add_operator(store, "EE-OPS", "ee", "ee_liaison")  # spelt as the table spells it
    add_operator(store, "VODA", "Vodafone UK", "voda_liaison")
    admin = Access(store, SYSTEM)
    create_org(admin, "HEI-SIT", "Hewell security team", "ESTABLISHMENT", "HEI")
    create_user(admin, "hei_analyst", "HEI-SIT", ["analyst"], PASSWORD)
    create_user(admin, "hei_liaison", "HEI-SIT", ["operator_liaison"], PASSWORD)
    with store.session() as s:
        ids = dict(s.execute(select(TroLine.identifier, TroLine.id)).all())
    return Orders(order.ref, other.ref, ids[EE_IMSI], ids[IMSI_A], ids[EE_UNSERVED])


def _as(estate: Estate, user: str) -> Access:
    return access_as(estate.store, estate.settings, user)


def test_an_operator_sees_the_served_lines_of_its_network_only(estate: Estate,
                                                                orders: Orders) -> None:
    with estate.store.session() as s:
        assert s.get(Organisation, "EE-OPS").network == "EE"  # type: ignore[union-attr]
    ee = operator_lines(_as(estate, "ee_liaison"))
    # Not Vodafone's line, not the EE line of the order granted but not yet served.
    assert [(x.order_ref, x.line_id, x.identifier, x.action, x.served_date, x.compliance_due,
             x.status) for x in ee] == [
        (orders.ref, orders.ee, EE_IMSI, "DISCONNECT_SIM", SERVED_ON, DUE, "PENDING")]
    assert [x.identifier for x in operator_lines(_as(estate, "voda_liaison"))] == [IMSI_A]
    # Only what actioning the line takes: no prisoner, evidence, locations or sensors.
    payload = ee[0].to_dict()
    assert set(payload) == LINE_KEYS
    text = json.dumps(payload, default=str)
    for secret in ("A1234BC", "Smith", "HEI-A", "HEI-MA-1", "evidence", "score", "Worcester"):
        assert secret not in text
    assert audited(estate.store, "ee_liaison", "tro_line") == [
        ("tro.operator.lines", None, "allowed")]
    # The local system sees every served line, of every network.
    assert {x.identifier for x in operator_lines(Access(estate.store, SYSTEM))} == {
        EE_IMSI, IMSI_A}


def test_late_lines_and_the_status_filter(estate: Estate, orders: Orders) -> None:
    ee = _as(estate, "ee_liaison")
    # Due Friday 27 March; by Tuesday 31 March two working days have passed.
    assert [x.working_days_late for x in operator_lines(ee, as_of=date(2026, 3, 31))] == [2]
    assert [x.working_days_late for x in operator_lines(ee, as_of=DUE)] == [0]
    assert [x.line_id for x in operator_lines(ee, status="pending")] == [orders.ee]
    assert operator_lines(ee, status="DONE") == []
    with pytest.raises(InvalidData) as info:
        operator_lines(ee, status="LOST")
    assert set(info.value.errors) == {"status"}


def _ingest_response(estate: Estate, tmp_path: Path, ref: str, identifier: str) -> None:
    path = tmp_path / "voda.csv"
    path.write_text("order_ref,identifier,outcome,actioned_ts,operator_ref\n"
                    f"{ref},{identifier},DONE,{ACTIONED.isoformat()},VF-9\n")
    summary = get_handler("operator-responses").ingest(
        IngestContext.create(estate.store, estate.settings), sniff(path))
    assert summary.accepted == 1


def test_an_answer_moves_the_line_as_an_ingested_response_would(
        estate: Estate, orders: Orders, tmp_path: Path) -> None:
    ee = _as(estate, "ee_liaison")
    line = record_response(ee, orders.ee, "done", "EE-123", "disconnected at 09:00",
                           actioned_ts=ACTIONED)
    assert (line.status, line.operator_ref, line.actioned_ts) == ("DONE", "EE-123", ACTIONED)
    order = get_order(estate.store, orders.ref)
    # The first answer acknowledges the order, in the operator's name.
    assert order.state == "ACKNOWLEDGED"
    last = order.transitions[-1]
    assert (last.from_state, last.to_state, last.actor) == ("SERVED", "ACKNOWLEDGED",
                                                            "ee_liaison")
    # Vodafone answers by file: the two paths meet in the same rules.
    _ingest_response(estate, tmp_path, orders.ref, IMSI_A)
    order = get_order(estate.store, orders.ref)
    assert order.state == "DISCONNECTED"
    by_id = {ln.id: ln for ln in order.lines}
    assert [(by_id[i].status, by_id[i].actioned_ts) for i in (orders.ee, orders.voda)] == [
        ("DONE", ACTIONED), ("DONE", ACTIONED)]
    with estate.store.session() as s:
        kept = s.scalars(select(TroResponse).where(TroResponse.line_id == orders.ee)).one()
    assert (kept.outcome, kept.operator_ref, kept.notes) == ("DONE", "EE-123",
                                                             "disconnected at 09:00")
    # Answered lines are never overdue, whenever asked.
    assert overdue_lines(estate.store, date(2026, 4, 30)) == []
    # The same answer again is a duplicate, as it is in a file.
    with pytest.raises(Conflict):
        record_response(ee, orders.ee, "DONE", actioned_ts=ACTIONED)
    assert ("tro.operator.response", str(orders.ee), "allowed") in audited(
        estate.store, "ee_liaison", "tro_line")


def test_another_network_or_an_unserved_order_answers_as_missing(estate: Estate,
                                                                 orders: Orders) -> None:
    voda, ee = _as(estate, "voda_liaison"), _as(estate, "ee_liaison")
    missing = 2**31 - 1
    for who, line_id in ((voda, orders.ee), (ee, orders.unserved), (ee, missing)):
        with pytest.raises(NotFound) as info:
            record_response(who, line_id, "DONE")
        assert info.value.message == f"no order line {line_id} served on your network"
    with estate.store.session() as s:
        assert s.get(TroLine, orders.ee).status == "PENDING"  # type: ignore[union-attr]
    # An existing line refused is audited; a missing one has nothing to refuse.
    assert audited(estate.store, "voda_liaison", "tro_line") == [
        ("tro.operator.response", str(orders.ee), "denied")]
    assert audited(estate.store, "ee_liaison", "tro_line") == [
        ("tro.operator.response", str(orders.unserved), "denied")]


def test_only_an_operators_liaison_reads_or_answers(estate: Estate, orders: Orders) -> None:
    add_operator(estate.store, "NONET", None, "nonet_liaison")  # no network recorded yet
    # A prison analyst has no such role; a prison team's liaison officer is no operator.
    for user in ("hei_analyst", "hei_liaison", "nonet_liaison"):
        who = _as(estate, user)
        with pytest.raises(AccessDenied):
            operator_lines(who)
        with pytest.raises(AccessDenied):
            record_response(who, orders.ee, "DONE")
        assert audited(estate.store, user, "tro_line") == [
            ("tro.operator.lines", None, "denied"), ("tro.operator.response", None, "denied")]


def test_a_bad_answer_is_refused_and_changes_nothing(estate: Estate, orders: Orders) -> None:
    ee = _as(estate, "ee_liaison")
    with pytest.raises(InvalidData) as info:
        record_response(ee, orders.ee, "MAYBE")
    assert set(info.value.errors) == {"outcome"}
    # Not in the future, nor before the order was served (nor years out of any range).
    for when in (utcnow() + timedelta(hours=1), datetime(2026, 3, 19, 12, tzinfo=UTC),
                 datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))):
        with pytest.raises(InvalidData) as info:
            record_response(ee, orders.ee, "DONE", actioned_ts=when)
        assert set(info.value.errors) == {"actioned_ts"}
    assert [x.status for x in operator_lines(ee)] == ["PENDING"]


def test_only_an_operator_names_a_network_and_only_a_known_one(estate: Estate,
                                                               orders: Orders) -> None:
    admin = Access(estate.store, SYSTEM)
    with pytest.raises(InvalidData) as info:
        create_org(admin, "BWI-SIT", "Berwyn", "ESTABLISHMENT", "BWI", network="EE")
    assert set(info.value.errors) == {"network"}
    with pytest.raises(InvalidData) as info:
        create_org(admin, "VF", "Vodafone", "OPERATOR", network="Vodafone")
    assert "Vodafone UK" in info.value.errors["network"][0]  # says how lines spell it


def test_orgs_add_takes_the_network(estate: Estate, orders: Orders,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(estate.settings.home))
    if estate.settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", estate.settings.database_url)
    assert main(["orgs", "add", "O2-OPS", "--kind", "operator",
                 "--network", "o2 (virgin media o2)"]) == 0
    capsys.readouterr()
    assert main(["orgs", "list", "--json"]) == 0
    listed = {o["code"]: o["network"] for o in json.loads(capsys.readouterr().out)}
    assert listed["O2-OPS"] == "O2 (Virgin Media O2)"
    # A user of it answers for O2; no O2 line is on an order yet, so there is nothing to see.
    add_user = ["users", "add", "o2_liaison", "--org", "O2-OPS", "--role", "operator_liaison",
                "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(add_user) == 0
    assert operator_lines(_as(estate, "o2_liaison")) == []
