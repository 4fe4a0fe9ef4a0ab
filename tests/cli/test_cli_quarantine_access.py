"""``cellwatch quarantine list|show|fix|retry|discard`` act as ``CELLWATCH_PRINCIPAL``
through the API's quarantine services: a user sees and works the rows of its own batches
(a national unit every row), reads need the quarantine read permission and changes the
update permission, and every read and change is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_support import audited
from cellwatch.access.audit import verify_chain
from cellwatch.access.models import AuditEntry
from cellwatch.store import IngestBatch, Prisoner, QuarantinedRow, Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest

# A find from a prisoner not known yet: quarantined until the prisoner arrives.
SEIZURE = ("seizure_ref,item_no,ts,establishment,item_type,prison_number\n"
           "{ref},1,2026-05-03T10:00:00Z,HEI,HANDSET,B9999CD\n")


@pytest.fixture
def rows(run: Run, tmp_path: Path) -> tuple[int, int]:
    """(Hewell's supervisor's quarantined row, the local administrator's), both Hewell finds."""
    ids = []
    for user, ref in (("hei_supervisor", "SZ-HEI"), ("system", "SZ-SYS")):
        path = tmp_path / f"{ref}.csv"
        path.write_text(SEIZURE.format(ref=ref))
        assert run(user, "ingest", "seizures", str(path))[0] == 1
        ids.append(max(_listed(run, "system")))
    return ids[0], ids[1]


def _listed(run: Run, user: str) -> list[int]:
    code, out, err = run(user, "quarantine", "list", "--status", "all", "--json")
    assert code == 0, err
    return [int(r["id"]) for r in json.loads(out)["rows"]]


def _row(store: Store, row_id: int) -> QuarantinedRow:
    with store.session() as s:
        row = s.get(QuarantinedRow, row_id)
        assert row is not None
        return row


def test_each_user_lists_and_opens_only_the_rows_the_api_shows_it(
        run: Run, store: Store, rows: tuple[int, int]) -> None:
    mine, theirs = rows
    assert _listed(run, "hei_supervisor") == [mine]
    assert _listed(run, "hei_analyst") == []  # ran no batch
    assert _listed(run, "nat_analyst") == [mine, theirs]  # national: every row
    # No quarantine permission at all: refused, as the API refuses.
    code, out, err = run("parole_cm", "quarantine", "list")
    assert (code, out) == (2, "")
    assert "parole_cm may not read quarantine" in err
    # Opening a row: one's own, audited with the read; another's is refused and audited.
    code, out, _ = run("hei_supervisor", "quarantine", "show", str(mine), "--json")
    assert (code, json.loads(out)["raw"]["seizure_ref"]) == (0, "SZ-HEI")
    # (answered as an unknown row is: exit 1, issue 17)
    code, out, err = run("hei_supervisor", "quarantine", "show", str(theirs))
    assert (code, out) == (1, "")
    assert f"quarantined row {theirs} not found" in err
    assert audited(store, "hei_supervisor", "quarantine") == [
        ("list", None, "allowed"), ("read", str(mine), "allowed"),
        ("read", str(theirs), "denied")]
    with store.session() as s:
        listed = s.scalars(select(AuditEntry.detail).where(
            AuditEntry.principal == "hei_supervisor", AuditEntry.action == "list")).one()
    assert listed == {"returned": [mine]}


def test_changes_need_the_update_permission_on_the_row(
        run: Run, store: Store, rows: tuple[int, int]) -> None:
    mine, theirs = rows
    # Another organisation's row (a kind they may load): neither fixed nor discarded, and
    # answered as an unknown row is (exit 1, issue 17).
    assert run("hei_supervisor", "quarantine", "fix", str(theirs), "prison_number=A1111AA")[0] \
        == 1
    code, out, err = run("hei_supervisor", "quarantine", "discard", str(theirs), "--reason",
                         "duplicate", "--json")
    assert code == 1
    assert f"quarantined row {theirs} not found" in out + err
    # An analyst reads the quarantine but changes nothing in it.
    assert run("hei_analyst", "quarantine", "discard", str(mine), "--reason", "dup")[0] == 2
    assert (_row(store, theirs).status, _row(store, theirs).edits or []) == ("OPEN", [])
    assert _row(store, mine).status == "OPEN"
    # Their own row: fixed and discarded under their name, each change audited.
    code, out, _ = run("hei_supervisor", "quarantine", "fix", str(mine),
                       "prison_number=A1111AA", "--json")
    assert (code, json.loads(out)["raw"]["prison_number"]) == (0, "A1111AA")
    assert run("hei_supervisor", "quarantine", "discard", str(mine), "--reason",
               "entered twice")[0] == 0
    row = _row(store, mine)
    assert (row.status, row.resolved_by, row.edits[0]["by"]) == (
        "DISCARDED", "hei_supervisor", "hei_supervisor")
    assert audited(store, "hei_supervisor", "quarantine") == [
        ("update", str(theirs), "denied"), ("update", str(theirs), "denied"),
        ("fix", str(mine), "allowed"), ("discard", str(mine), "allowed")]
    assert audited(store, "hei_analyst", "quarantine") == [("update", str(mine), "denied")]
    assert verify_chain(store).ok


def test_retry_takes_only_the_users_own_rows(
        run: Run, store: Store, rows: tuple[int, int]) -> None:
    mine, theirs = rows
    with store.session() as s:
        s.add(Prisoner(prison_number="B9999CD", surname="New", forenames="Arrival",
                       establishment="HEI"))
    # --all is every open row the user may see: theirs stays as it was, untouched.
    code, out, _ = run("hei_supervisor", "quarantine", "retry", "--all", "--json")
    assert (code, json.loads(out)["accepted"]) == (0, 1)
    assert (_row(store, mine).status, _row(store, mine).resolved_by) == (
        "RESOLVED", "hei_supervisor")
    assert _row(store, theirs).status == "OPEN"
    # Named, another's row is refused (and audited); nothing is retried.
    before = _batches(store)
    code, out, err = run("hei_supervisor", "quarantine", "retry", str(theirs))
    assert (code, out) == (1, "")
    assert f"quarantined row {theirs} not found" in err
    assert _batches(store) == before
    assert audited(store, "hei_supervisor", "quarantine")[-2:] == [
        ("retry", str(mine), "allowed"), ("update", str(theirs), "denied")]
    # The national administrator's --all reaches it.
    code, out, _ = run("nat_admin", "quarantine", "retry", "--all", "--json")
    assert (code, json.loads(out)["accepted"]) == (0, 1)
    assert _row(store, theirs).resolved_by == "nat_admin"


def _batches(store: Store) -> int:
    with store.session() as s:
        return len(s.scalars(select(IngestBatch.id)).all())
