"""``cellwatch ingest`` and ``cellwatch quarantine retry`` load only the kinds the acting
``CELLWATCH_PRINCIPAL`` may load: the API's and the web's rule, refused (exit 2, nothing
stored) and audited the same way. ``system`` loads everything."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from audit_support import audited
from cellwatch.access.audit import verify_chain
from cellwatch.access.models import AuditEntry, User
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.errors import Denied
from cellwatch.ingest.service import uploads
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Prisoner, QuarantinedRow, SeizureItem, Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest

PRISONERS = ("prison_number,surname,forenames,establishment\n"
             "B1234CD,New,Arrival,HEI\n"
             "B9,Bad,Number,HEI\n")
SEIZURES = ("seizure_ref,item_no,ts,establishment,item_type,prison_number\n"
            "SZ-1,1,2026-05-03T10:00:00Z,HEI,HANDSET,A1111AA\n")


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _batches(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(IngestBatch)) or 0)


def _entries(store: Store, user: str) -> list[dict[str, Any]]:
    """The audit entries of ``user``, without what differs between any two entries."""
    with store.session() as s:
        return [{"org": e.org, "action": e.action, "resource_type": e.resource_type,
                 "resource_id": e.resource_id, "outcome": e.outcome, "reason": e.reason,
                 "detail": e.detail}
                for e in s.scalars(select(AuditEntry).where(AuditEntry.principal == user)
                                   .order_by(AuditEntry.id))]


def test_a_kind_the_user_may_not_load_is_refused_and_audited(
        run: Run, store: Store, tmp_path: Path) -> None:
    seizures = _file(tmp_path, "seizures.csv", SEIZURES)
    prisoners = _file(tmp_path, "prisoners.csv", PRISONERS)
    # An analyst uploads nothing; a local supervisor loads no reference data.
    code, out, err = run("hei_analyst", "ingest", "seizures", seizures)
    assert (code, out) == (2, "")
    assert err.strip() == "error: hei_analyst may not load seizures"
    code, out, err = run("hei_supervisor", "ingest", "prisoners", prisoners, "--json")
    assert (code, err) == (2, "")
    assert json.loads(out) == {"error": "hei_supervisor may not load prisoners",
                               "code": "access-denied", "principal": "hei_supervisor",
                               "kind": "prisoners"}
    # Refused before a byte was read: no batch, no rows, nothing quarantined.
    assert _batches(store) == 0
    with store.session() as s:
        assert s.scalars(select(SeizureItem)).first() is None
        assert s.get(Prisoner, "B1234CD") is None
        assert s.scalars(select(QuarantinedRow)).first() is None
    assert audited(store, "hei_analyst", "ingest_batch") == [("create", "seizures", "denied")]
    assert audited(store, "hei_supervisor", "ingest_batch") == [
        ("create", "prisoners", "denied")]
    # Exactly the entry an API or web upload of the same kind leaves behind.
    with store.session() as s:
        api_access = Access(store, principal_for(s, "hei_supervisor"))
    with pytest.raises(Denied):
        uploads.check_ingest(api_access, "prisoners")
    cli_entry, api_entry = _entries(store, "hei_supervisor")
    assert cli_entry == api_entry
    assert cli_entry["detail"] == {"why": "hei_supervisor may not load prisoners"}
    assert verify_chain(store).ok


def test_a_kind_the_user_may_load_goes_in_under_their_name(
        run: Run, store: Store, tmp_path: Path) -> None:
    code, out, _ = run("hei_supervisor", "ingest", "seizures",
                       _file(tmp_path, "seizures.csv", SEIZURES), "--json")
    assert (code, json.loads(out)["accepted"]) == (0, 1)
    # The local administrator loads every kind, reference data included, as before.
    code, out, _ = run("system", "ingest", "prisoners",
                       _file(tmp_path, "prisoners.csv", PRISONERS), "--json")
    assert (code, json.loads(out)["accepted"], json.loads(out)["quarantined"]) == (1, 1, 1)
    with store.session() as s:
        assert [b.run_by for b in s.scalars(select(IngestBatch).order_by(IngestBatch.id))] == [
            "hei_supervisor", "system"]
        assert s.get(Prisoner, "B1234CD") is not None
    # Allowed loads leave no denial behind, only the audit of the load itself.
    assert [outcome for _, _, outcome in audited(store, "hei_supervisor", "ingest_batch")] == [
        "allowed"]


def test_each_file_loaded_is_audited_as_an_upload_is(
        run: Run, store: Store, settings: Settings, tmp_path: Path) -> None:
    first = _file(tmp_path, "seizures.csv", SEIZURES)
    second = _file(tmp_path, "more.csv", SEIZURES.replace("SZ-1", "SZ-2"))
    bad = _file(tmp_path, "bad.csv", "")  # unusable: changes nothing, so nothing to audit
    code, _, _ = run("hei_supervisor", "ingest", "seizures", first, second, bad)
    assert code == 2
    with store.session() as s:
        batches = [str(b) for b in s.scalars(select(IngestBatch.id).order_by(IngestBatch.id))]
    assert audited(store, "hei_supervisor", "ingest_batch") == [
        ("ingest", batch, "allowed") for batch in batches]
    cli = _entries(store, "hei_supervisor")
    assert cli[0]["detail"] == {"kind": "seizures", "file": "seizures.csv", "read": 1,
                                "accepted": 1, "updated": 0, "duplicates": 0,
                                "quarantined": 0, "already_ingested": False}
    # The entry an API or web upload of the same file leaves (here: already ingested).
    with store.session() as s:
        api_access = Access(store, principal_for(s, "hei_supervisor"))
    uploads.ingest_upload(api_access, settings, "seizures", Path(first))
    api = _entries(store, "hei_supervisor")[-1]
    assert {**api, "detail": None} == {**cli[0], "detail": None}
    assert api["detail"].keys() == cli[0]["detail"].keys()
    assert (api["detail"]["file"], api["detail"]["already_ingested"]) == ("seizures.csv", True)
    # The local administrator's loads are audited under its name too.
    run("system", "ingest", "prisoners", _file(tmp_path, "prisoners.csv", PRISONERS))
    assert [a for a, _, _ in audited(store, "system", "ingest_batch")] == ["ingest"]
    assert verify_chain(store).ok


def test_an_unknown_or_inactive_principal_loads_nothing(
        run: Run, store: Store, tmp_path: Path) -> None:
    seizures = _file(tmp_path, "seizures.csv", SEIZURES)
    code, out, err = run("ghost", "ingest", "seizures", seizures)
    assert (code, out) == (2, "")
    assert "no active user 'ghost'" in err
    code, out, _ = run("ghost", "ingest", "seizures", seizures, "--json")
    assert code == 2
    assert json.loads(out) == {"error": "no active user 'ghost'",
                               "code": "authentication-failed", "principal": "ghost"}
    with store.session() as s:
        s.scalars(select(User).where(User.username == "hei_supervisor")).one().active = False
    assert run("hei_supervisor", "ingest", "seizures", seizures)[0] == 2
    assert run("hei_supervisor", "quarantine", "retry", "--all")[0] == 2
    assert _batches(store) == 0


def _quarantine_a_prisoner_row(run: Run, tmp_path: Path) -> int:
    code, _, _ = run("system", "ingest", "prisoners", _file(tmp_path, "p.csv", PRISONERS))
    assert code == 1
    code, out, _ = run("system", "quarantine", "list", "--json")
    [row] = json.loads(out)["rows"]
    assert row["kind"] == "prisoners"
    return int(row["id"])


def test_quarantine_retry_needs_the_right_to_load_the_rows_kind(
        run: Run, store: Store, tmp_path: Path) -> None:
    row_id = _quarantine_a_prisoner_row(run, tmp_path)
    assert run("system", "quarantine", "fix", str(row_id), "prison_number=B9999CD")[0] == 0
    before = _batches(store)
    # A local supervisor may load seizures, not prisoners: by id, by kind or all, refused.
    code, out, err = run("hei_supervisor", "quarantine", "retry", str(row_id))
    assert (code, out) == (2, "")
    assert err.strip() == "error: hei_supervisor may not load prisoners"
    assert run("hei_supervisor", "quarantine", "retry", "--kind", "prisoners")[0] == 2
    # --all takes only the rows of their own batches (the API's quarantine scope): the
    # administrator's row is not theirs to decide, so there is nothing to retry or refuse.
    code, out, _ = run("hei_supervisor", "quarantine", "retry", "--all", "--json")
    assert (code, json.loads(out)["read"]) == (0, 0)
    assert run("hei_analyst", "quarantine", "retry", str(row_id))[0] == 2
    # Nothing changed: the row is still open and no retry batch was opened.
    assert _batches(store) == before
    with store.session() as s:
        row = s.get(QuarantinedRow, row_id)
        assert row is not None
        assert row.status == "OPEN"
        assert s.get(Prisoner, "B9999CD") is None
    assert audited(store, "hei_supervisor", "ingest_batch") == [
        ("create", "prisoners", "denied")] * 2
    assert audited(store, "hei_analyst", "ingest_batch") == [("create", "prisoners", "denied")]
    # A kind they may load is theirs to retry (none is open: nothing to do).
    assert run("hei_supervisor", "quarantine", "retry", "--kind", "seizures")[0] == 0
    # A national administrator loads reference data: the retry goes in under their name.
    code, out, _ = run("nat_admin", "quarantine", "retry", str(row_id), "--json")
    assert (code, json.loads(out)["accepted"]) == (0, 1)
    with store.session() as s:
        row = s.get(QuarantinedRow, row_id)
        assert row is not None
        assert (row.status, row.resolved_by) == ("RESOLVED", "nat_admin")
    assert verify_chain(store).ok


def test_retry_all_takes_reference_kinds_first(run: Run, store: Store, tmp_path: Path) -> None:
    """``--all`` retries kind by kind (only the kinds decided), reference data first."""
    row_id = _quarantine_a_prisoner_row(run, tmp_path)
    # A seizure naming a prisoner not yet known: quarantined until the prisoner arrives.
    code, _, _ = run("system", "ingest", "seizures", _file(
        tmp_path, "s.csv", SEIZURES.replace("A1111AA", "B9999CD")))
    assert code == 1
    assert run("system", "quarantine", "fix", str(row_id), "prison_number=B9999CD")[0] == 0
    code, out, _ = run("system", "quarantine", "retry", "--all", "--json")
    doc = json.loads(out)
    assert (code, doc["accepted"], doc["quarantined"]) == (0, 2, 0)
    assert [f["kind"] for f in doc["files"]] == ["prisoners", "seizures"]
