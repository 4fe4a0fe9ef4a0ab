"""Crime-in-prison referrals end to end through the CLI: a force records one, it reaches
the establishment's security team and the prisoner's parole summary, the team
acknowledges it; one left unacknowledged past its due date is escalated exactly once."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import SYSTEM
from cellwatch.alerts.detect.run import run_rules
from cellwatch.alerts.models import Alert
from cellwatch.cli import main
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.summary import build_summary
from cellwatch.protect.models import CrimeReferral
from cellwatch.settings import Settings
from cellwatch.store import Store

RULE = "REFERRAL_ACKNOWLEDGEMENT_OVERDUE"


@pytest.fixture
def cli(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``cli(user, *args)``: run the CLI as ``user`` over the fixture estate; (code, out)."""
    build_estate(store)
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("CELLWATCH_DATABASE_URL", raising=False)

    def run(user: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("CELLWATCH_PRINCIPAL", user)
        capsys.readouterr()
        code = main(list(args))
        return code, capsys.readouterr().out

    return run


def _record(cli, *extra: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    code, out = cli("wmp_investigator", "referral", "record", "--prisoner", "A1111AA",
                    "--offence", "Harassment of a witness", "--crime-reference", "WMP/123/26",
                    "--officer", "DC Patel", "--json", *extra)
    assert code == 0, out
    doc: dict[str, object] = json.loads(out)
    return doc


def test_record_reaches_the_security_team_and_is_acknowledged(cli, store: Store,
                                                               settings: Settings) -> None:
    doc = _record(cli)
    # The force is shown what it sent, not where the prisoner is nor who received it.
    assert (doc["from_org"], doc["to_org"], doc["establishment"]) == ("WMP", None, None)
    assert doc["prison_number"] == "A1111AA"
    assert (doc["offence"], doc["officer"], doc["police_status"]) == (
        "Harassment of a witness", "DC Patel", "REPORTED")
    assert doc["due_by"] == (date.today() + timedelta(days=5)).isoformat()
    assert doc["status"] == "SENT"
    assert doc["overdue"] is False

    # The prisoner is at Hewell: the referral went to Hewell's security team.
    code, out = cli("hei_analyst", "referral", "list", "--direction", "in", "--json")
    assert code == 0
    assert [(r["id"], r["crime_reference"], r["to_org"], r["establishment"])
            for r in json.loads(out)] == [(doc["id"], "WMP/123/26", "HEI-SIT", "HEI")]
    # Leeds is not party to it.
    code, out = cli("lei_analyst", "referral", "list", "--json")
    assert json.loads(out) == []
    # Only the recipient acknowledges.
    assert cli("wmp_investigator", "referral", "ack", str(doc["id"]))[0] != 0
    code, out = cli("hei_analyst", "referral", "ack", str(doc["id"]))
    assert code == 0
    assert "ACKNOWLEDGED by hei_analyst" in out

    # The prisoner's parole record carries it, as an allegation.
    summary = build_summary(RuleContext(settings, store, date.today()), SYSTEM, "A1111AA")
    items = [i for i in summary.items if i.kind == "REFERRAL"]
    assert len(items) == 1
    assert "Harassment of a witness" in items[0].text
    assert "WMP/123/26" in items[0].text

    # An acknowledged referral is never escalated.
    later = date.today() + timedelta(days=30)
    assert run_rules(settings, store, as_of=later, only=[RULE]).raised[RULE] == []
    with store.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).where(
            AuditEntry.resource_type == "referral", AuditEntry.outcome == "allowed"))]
    assert "create" in actions
    assert "acknowledge" in actions


def test_overdue_is_escalated_once(cli, store: Store, settings: Settings) -> None:
    doc = _record(cli, "--status", "under investigation")
    assert doc["police_status"] == "UNDER_INVESTIGATION"
    due = date.fromisoformat(str(doc["due_by"]))
    assert run_rules(settings, store, as_of=due, only=[RULE]).raised[RULE] == []  # not yet
    after = due + timedelta(days=1)
    first = run_rules(settings, store, as_of=after, only=[RULE]).raised[RULE]
    again = run_rules(settings, store, as_of=after + timedelta(days=7), only=[RULE])
    assert len(first) == 1
    assert again.raised[RULE] == []
    with store.session() as s:
        alert = s.get(Alert, first[0])
        assert alert is not None
        assert (alert.prison_number, alert.establishment) == ("A1111AA", "HEI")
        assert "WMP/123/26" in alert.summary
        assert "Harassment" in alert.summary
        crime = s.get(CrimeReferral, doc["id"])
        assert crime is not None
        assert crime.escalated_at is not None
    _code, out = cli("hei_analyst", "referral", "list", "--json")
    assert json.loads(out)[0]["escalated_at"] is not None


def test_refused_and_invalid(cli) -> None:  # type: ignore[no-untyped-def]
    # The Parole Board may not refer; the system principal belongs to no organisation.
    assert cli("parole_cm", "referral", "record", "--prisoner", "A1111AA", "--offence", "x",
               "--crime-reference", "R1")[0] != 0
    assert cli("system", "referral", "record", "--prisoner", "A1111AA", "--offence", "x",
               "--crime-reference", "R1")[0] != 0
    assert cli("wmp_investigator", "referral", "record", "--prisoner", "A1111AA",
               "--offence", "x", "--crime-reference", "R1", "--status", "GUILTY")[0] != 0
    # A released prisoner has no establishment: the national unit receives it to resolve.
    assert cli("wmp_investigator", "referral", "record", "--prisoner", "A4444DD",
               "--offence", "x", "--crime-reference", "R1")[0] == 0
    _code, out = cli("nat_analyst", "referral", "list", "--direction", "in", "--json")
    assert [(r["prison_number"], r["to_org"]) for r in json.loads(out)] == [("A4444DD", "NIU")]
