"""The whole life of an order through the CLI, on a small store and lake, acting as a
Hewell supervisor (``CELLWATCH_PRINCIPAL``) through the audited TRO service."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tro_estate import IMEI_A, IMSI_A, IMSI_B, IMSI_NEW, START, Estate

from audit_support import audited
from cellwatch.access.directory import create_org, create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.cli import main
from cellwatch.tro.models import TroApplication, TroTransition

# Who works the estate's orders: Hewell's own supervisor, and Berwyn's.
HEWELL, BERWYN = "officer.jones", "bwi.supervisor"


class Cli:
    """``cellwatch ...`` against the estate as ``principal`` (Hewell's supervisor by
    default): (exit code, stdout); the last stderr is kept in :attr:`err`, its lines
    joined (rich wraps a long message at the console's width)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch, self.capsys, self.err = monkeypatch, capsys, ""

    def __call__(self, *args: str, principal: str = HEWELL) -> tuple[int, str]:
        self.monkeypatch.setenv("CELLWATCH_PRINCIPAL", principal)
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        self.err = " ".join(captured.err.split())
        return code, captured.out


@pytest.fixture
def cli(estate: Estate, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """A :class:`Cli` on the estate, with each prison's security team and its supervisor."""
    monkeypatch.setenv("CELLWATCH_HOME", str(estate.settings.home))
    if estate.settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", estate.settings.database_url)
    admin = Access(estate.store, SYSTEM)
    for est, user in (("HEI", HEWELL), ("BWI", BERWYN)):
        create_org(admin, f"{est}-SIT", f"{est} security team", "ESTABLISHMENT", est)
        create_user(admin, user, f"{est}-SIT", ["supervisor"], PASSWORD)
    return Cli(monkeypatch, capsys)


def _json(run, *args: str, principal: str = HEWELL):  # type: ignore[no-untyped-def]
    code, out = run(*args, "--json", principal=principal)
    assert code == 0, run.err
    return json.loads(out)


def test_full_lifecycle(estate: Estate, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    estate.detect("HEI-MA-1", [0, 1, 2, 5], IMSI_A, IMEI_A)
    found = _json(cli, "tro", "candidates", "--establishment", "HEI")
    assert {c["identifier"] for c in found} == {IMSI_A, IMEI_A, IMSI_B, "490154203237518"}

    code, _ = cli("export", "tro-candidates", "--out", str(tmp_path / "cand.csv"),
                  "--reason", "TRO application")
    assert code == 0
    assert (tmp_path / "cand.csv").read_text().startswith("identifier_type,")

    order = _json(cli, "tro", "apply", "-e", "HEI", "--identifiers", f"{IMSI_A},{IMEI_A}",
                  "--reason", "four days on A wing")
    ref = order["ref"]
    assert order["state"] == "DRAFT"
    assert [(ln["identifier"], ln["action"], ln["operator"]) for ln in order["lines"]] == [
        (IMSI_A, "DISCONNECT_SIM", "Vodafone UK"), (IMEI_A, "BLOCK_HANDSET", "Vodafone UK")]

    # an identifier already on a live application cannot go on another
    code, _ = cli("tro", "apply", "-e", "HEI", "--identifiers", IMSI_A)
    assert code != 0
    # an illegal step is refused with both states named
    code, _ = cli("tro", "transition", ref, "GRANTED", "--reason", "skip ahead")
    assert code != 0

    cli("tro", "transition", ref, "APPROVED", "--reason", "governor approved")
    cli("tro", "transition", ref, "FILED", "--reason", "filed at court")
    code, _ = cli("tro", "transition", ref, "GRANTED", "--reason", "no court given")
    assert code != 0  # GRANTED requires a court and an order date
    granted = _json(cli, "tro", "transition", ref, "GRANTED", "--reason", "order made",
                    "--court", "Birmingham Magistrates' Court", "--order-date", "2026-03-21")
    assert granted["state"] == "GRANTED"

    code, _ = cli("tro", "pack", ref, "--out", str(tmp_path / "pack"))
    assert code == 0
    html = (tmp_path / "pack" / f"{ref}.html").read_text()
    assert IMSI_A in html
    assert "section 80" in html
    assert "Hewell (HMP)" in html
    assert (tmp_path / "pack" / f"{ref}.pdf").read_bytes().startswith(b"%PDF")

    served = _json(cli, "tro", "transition", ref, "SERVED", "--reason", "served by email",
                   "--on", "2026-12-23")
    assert {ln["compliance_due"] for ln in served["lines"]} == {"2027-01-04"}  # over Christmas

    code, _ = cli("tro", "batch", ref, "--out", str(tmp_path / "batch"))
    assert code == 0
    files = sorted(p.name for p in (tmp_path / "batch").iterdir())
    # The operator's file and its Table Schema (identifiers typed as strings).
    assert files == [f"{ref}-Vodafone-UK.csv", f"{ref}-Vodafone-UK.schema.json"]
    with (tmp_path / "batch" / files[0]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["action"] for r in rows] == ["DISCONNECT_SIM", "BLOCK_HANDSET"]
    assert rows[0]["compliance_due"] == "2027-01-04"
    assert rows[0]["order_date"] == "2026-03-21"

    # overdue on 5 January; Berwyn's team neither sees nor escalates Hewell's lines
    assert _json(cli, "tro", "overdue", "--as-of", "2027-01-05", principal=BERWYN) == []
    # ...so Hewell's escalate now, once however often it runs
    overdue = _json(cli, "tro", "overdue", "--as-of", "2027-01-05")
    assert len(overdue) == 2
    assert all(x["escalated_now"] for x in overdue)
    again = _json(cli, "tro", "overdue", "--as-of", "2027-01-05")
    assert len(again) == 2
    assert not any(x["escalated_now"] for x in again)
    assert _json(cli, "tro", "alerts", principal=BERWYN) == []
    assert len(_json(cli, "tro", "alerts")) == 2

    actioned = START + timedelta(days=10)
    responses = tmp_path / "vodafone-responses.csv"
    responses.write_text(
        "order_ref,identifier,outcome,actioned_ts,operator_ref,notes\n"
        f"{ref},{IMSI_A},DONE,{actioned.isoformat()},VF-1,\n"
        f"{ref},{IMEI_A},ALREADY_DISCONNECTED,{actioned.isoformat()},VF-2,\n"
        f"{ref},447700900000,DONE,{actioned.isoformat()},VF-3,not on the order\n")
    code, _ = cli("ingest", "operator-responses", str(responses))
    assert code == 1  # one row quarantined, the rest in
    after = _json(cli, "tro", "show", ref)
    assert after["state"] == "DISCONNECTED"
    assert [ln["status"] for ln in after["lines"]] == ["DONE", "ALREADY_DISCONNECTED"]
    assert _json(cli, "tro", "overdue", "--as-of", "2027-01-05") == []

    # quiet for long enough: verified (the estate-wide scan is the local system's job)
    verified = _json(cli, "tro", "verify", "--as-of", (actioned + timedelta(days=8)).isoformat(),
                     principal="system")
    assert verified["verified"] == [ref]
    assert verified["new_alerts"] == []

    metrics = _json(cli, "tro", "metrics")
    assert metrics[0]["establishment"] == "HEI"
    assert metrics[0]["lines"] == 1
    assert _json(cli, "tro", "metrics", principal=BERWYN) == []

    with estate.store.session() as s:
        history = s.scalars(select(TroTransition).order_by(TroTransition.id)).all()
        states = [t.to_state for t in history]
        assert states == ["DRAFT", "APPROVED", "FILED", "GRANTED", "SERVED", "ACKNOWLEDGED",
                          "DISCONNECTED", "VERIFIED"]
        assert history[1].actor == "officer.jones"
        assert history[1].reason == "governor approved"
        assert all(t.at.tzinfo is not None for t in history)
        overdue_alerts = s.scalars(select(Alert).where(
            Alert.rule == "TRO_COMPLIANCE_OVERDUE")).all()
        assert len(overdue_alerts) == 2


def test_reappearance_raises_exactly_one_alert(estate: Estate, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    ref = _json(cli, "tro", "apply", "-e", "HEI", "--identifiers", IMSI_A)["ref"]
    for state, extra in (("APPROVED", []), ("FILED", []),
                         ("GRANTED", ["--court", "Worcester", "--order-date", "2026-03-10"]),
                         ("SERVED", ["--on", "2026-03-11"])):
        code, out = cli("tro", "transition", ref, state, "--reason", "step", *extra)
        assert code == 0, out
    actioned = START + timedelta(days=12)
    responses = tmp_path / "r.jsonl"
    responses.write_text(json.dumps({"order_ref": ref, "identifier": IMSI_A, "outcome": "DONE",
                                     "actioned_ts": actioned.isoformat()}) + "\n")
    assert cli("ingest", "operator-responses", str(responses))[0] == 0
    assert _json(cli, "tro", "show", ref)["state"] == "DISCONNECTED"

    # after disconnection the handset comes back with a new SIM, and the old SIM once more
    estate.detect("HEI-MA-1", [15, 16], IMSI_NEW, IMEI_A)
    estate.detect("HEI-MA-1", [17], IMSI_A, IMEI_A)
    first = _json(cli, "tro", "verify", principal="system")
    rules = sorted(a["rule"] for a in first["new_alerts"])
    assert rules == ["DISCONNECTED_IDENTIFIER_REAPPEARED", "TRO_HANDSET_NEW_SIM"]
    assert "recommend a handset block" in " ".join(a["summary"] for a in first["new_alerts"])
    second = _json(cli, "tro", "verify", principal="system")
    assert second["new_alerts"] == []
    assert second["already_alerted"] == 2
    assert second["verified"] == []  # a reappearance blocks verification
    with estate.store.session() as s:
        assert len(s.scalars(select(Alert)).all()) == 2
    assert datetime.now(UTC) > actioned


def _order(estate: Estate, ref: str) -> tuple[str, int]:
    """The state of order ``ref`` and the number of steps in its history."""
    with estate.store.session() as s:
        app = s.scalars(select(TroApplication).where(TroApplication.ref == ref)).one()
        steps = s.scalar(select(func.count()).select_from(TroTransition)
                         .where(TroTransition.application_id == app.id))
        return app.state, int(steps or 0)


def test_another_establishment_neither_sees_nor_works_an_order(estate: Estate, cli: Cli,
                                                               tmp_path: Path) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    ref = _json(cli, "tro", "apply", "-e", "HEI", "--identifiers", IMSI_A)["ref"]
    # Berwyn's supervisor sees no Hewell order; one by ref answers as a missing one does.
    assert _json(cli, "tro", "list", principal=BERWYN) == []
    assert cli("tro", "show", ref, principal=BERWYN) == (1, "")
    assert f"no TRO application {ref}" in cli.err
    missing = cli("tro", "show", "TRO-HEI-2026-99999", principal=BERWYN)
    assert missing[0] == 1
    assert "no TRO application TRO-HEI-2026-99999" in cli.err
    # Nor may they approve it, write its pack, or draft for Hewell.
    code, _ = cli("tro", "transition", ref, "APPROVED", "--reason", "approved",
                  principal=BERWYN)
    assert (code, f"no TRO application {ref}" in cli.err) == (1, True)
    assert cli("tro", "pack", ref, "--out", str(tmp_path / "pack"), principal=BERWYN)[0] == 1
    assert not (tmp_path / "pack").exists()
    code, _ = cli("tro", "apply", "-e", "HEI", "--identifiers", IMEI_A, principal=BERWYN)
    assert (code, "only the establishment's own team" in cli.err) == (2, True)
    assert _order(estate, ref) == ("DRAFT", 1)
    with estate.store.session() as s:
        assert s.scalar(select(func.count()).select_from(TroApplication)) == 1
    # Verification moves every establishment's orders: not an establishment team's job.
    code, _ = cli("tro", "verify")
    assert (code, "only a national unit or the local system" in cli.err) == (2, True)
    assert audited(estate.store, BERWYN, "tro_order") == [
        ("tro.list", None, "allowed"), ("tro.read", ref, "denied"),
        ("tro.transition.decision", ref, "denied"), ("tro.pack", ref, "denied"),
        ("tro.create.decision", None, "denied")]
    assert audited(estate.store, HEWELL, "tro_order")[-1] == ("tro.verify", None, "denied")
    # Hewell's own supervisor approves it; the history names them.
    approved = _json(cli, "tro", "transition", ref, "APPROVED", "--reason", "approved")
    assert [(t["to"], t["actor"]) for t in approved["transitions"]] == [
        ("DRAFT", HEWELL), ("APPROVED", HEWELL)]


def test_the_list_says_how_many_even_when_none(estate: Estate, cli: Cli) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    assert cli("tro", "list") == (0, "0 application(s) and order(s)\n")
    ref = _json(cli, "tro", "apply", "-e", "HEI", "--identifiers", IMSI_A)["ref"]
    code, listed = cli("tro", "list")
    assert (code, listed.count(ref)) == (0, 1)
    assert listed.endswith("1 application(s) and order(s)\n")
    assert cli("tro", "list", principal=BERWYN) == (0, "0 application(s) and order(s)\n")
