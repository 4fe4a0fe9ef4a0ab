"""The whole life of an order through the CLI, on a small store and lake."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tro_estate import IMEI_A, IMSI_A, IMSI_B, IMSI_NEW, START, Estate

from cellwatch.cli import main
from cellwatch.tro.models import TroAlert, TroTransition


@pytest.fixture
def cli(estate: Estate, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``cellwatch ...`` against the estate; returns (exit code, stdout)."""
    monkeypatch.setenv("CELLWATCH_HOME", str(estate.settings.home))
    if estate.settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", estate.settings.database_url)
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "officer.jones")

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(list(args))
        return code, capsys.readouterr().out

    return run


def _json(run, *args: str):  # type: ignore[no-untyped-def]
    code, out = run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_full_lifecycle(estate: Estate, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    estate.detect("HEI-MA-1", [0, 1, 2, 5], IMSI_A, IMEI_A)
    found = _json(cli, "tro", "candidates", "--establishment", "HEI")
    assert {c["identifier"] for c in found} == {IMSI_A, IMEI_A, IMSI_B, "490154203237518"}

    code, _ = cli("export", "tro-candidates", "--out", str(tmp_path / "cand.csv"))
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
                    "--court", "Birmingham Magistrates' Court", "--order-date", "2026-12-21")
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
    assert files == [f"{ref}-Vodafone-UK.csv"]
    with (tmp_path / "batch" / files[0]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["action"] for r in rows] == ["DISCONNECT_SIM", "BLOCK_HANDSET"]
    assert rows[0]["compliance_due"] == "2027-01-04"
    assert rows[0]["order_date"] == "2026-12-21"

    # overdue on 5 January; escalated once however often it runs
    overdue = _json(cli, "tro", "overdue", "--as-of", "2027-01-05")
    assert len(overdue) == 2
    assert all(x["escalated_now"] for x in overdue)
    again = _json(cli, "tro", "overdue", "--as-of", "2027-01-05")
    assert len(again) == 2
    assert not any(x["escalated_now"] for x in again)

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

    # quiet for long enough: verified
    verified = _json(cli, "tro", "verify", "--as-of", (actioned + timedelta(days=8)).isoformat())
    assert verified["verified"] == [ref]
    assert verified["new_alerts"] == []

    metrics = _json(cli, "tro", "metrics")
    assert metrics[0]["establishment"] == "HEI"
    assert metrics[0]["lines"] == 1

    with estate.store.session() as s:
        history = s.scalars(select(TroTransition).order_by(TroTransition.id)).all()
        states = [t.to_state for t in history]
        assert states == ["DRAFT", "APPROVED", "FILED", "GRANTED", "SERVED", "ACKNOWLEDGED",
                          "DISCONNECTED", "VERIFIED"]
        assert history[1].actor == "officer.jones"
        assert history[1].reason == "governor approved"
        assert all(t.at.tzinfo is not None for t in history)
        overdue_alerts = s.scalars(select(TroAlert).where(
            TroAlert.rule == "TRO_COMPLIANCE_OVERDUE")).all()
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
    first = _json(cli, "tro", "verify")
    rules = sorted(a["rule"] for a in first["new_alerts"])
    assert rules == ["DISCONNECTED_IDENTIFIER_REAPPEARED", "TRO_HANDSET_NEW_SIM"]
    assert "recommend a handset block" in " ".join(a["summary"] for a in first["new_alerts"])
    second = _json(cli, "tro", "verify")
    assert second["new_alerts"] == []
    assert second["already_alerted"] == 2
    assert second["verified"] == []  # a reappearance blocks verification
    with estate.store.session() as s:
        assert len(s.scalars(select(TroAlert)).all()) == 2
    assert datetime.now(UTC) > actioned
