"""``cellwatch takedown ...`` acts as ``CELLWATCH_PRINCIPAL`` through the audited takedown
service: a local team sees, drafts and moves its own establishment's requests only.

The fixture estate has Hewell (HEI, prisoner A1111AA) and Leeds (LEI, A3333CC), each
prisoner seen behind one account, so either may be requested.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from audit_support import audited, observe
from cellwatch.access.audit import verify_chain
from cellwatch.alerts.models import Alert
from cellwatch.store import Store
from cellwatch.takedown.models import TakedownRequest, TakedownTransition
from cellwatch.takedown.rules import RULE

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest
LEEDS = ("leeds.lad", "instagram", "A3333CC")


@pytest.fixture
def observed(run: Run, store: Store) -> Run:
    """The estate (built by ``run``) with one observed account at Hewell and one at Leeds."""
    observe(store, "SO-1", "https://x.com/BigMan", "x", "A1111AA")
    observe(store, "SO-2", *LEEDS)
    return run


def _json(run: Run, principal: str, *argv: str) -> object:
    code, out, err = run(principal, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _draft_at_leeds(run: Run) -> int:
    account, platform, prisoner = LEEDS
    drafted = _json(run, "lei_analyst", "takedown", "draft", account, "--platform", platform,
                    "--prisoner", prisoner, "--reason", "threats posted from custody")
    assert isinstance(drafted, dict)
    assert (drafted["establishment"], drafted["created_by"]) == ("LEI", "lei_analyst")
    return int(drafted["id"])


def _state(store: Store, request_id: int) -> tuple[str, int]:
    with store.session() as s:
        request = s.get(TakedownRequest, request_id)
        assert request is not None
        moves = s.scalar(select(func.count()).select_from(TakedownTransition)
                         .where(TakedownTransition.request_id == request_id))
        return request.state, int(moves or 0)


def _audited(store: Store, user: str) -> list[tuple[str, str | None, str]]:
    return audited(store, user, "takedown_request")


def test_another_establishment_neither_sees_nor_moves_a_request(observed: Run,
                                                                store: Store) -> None:
    run = observed
    rid = _draft_at_leeds(run)
    assert [r["id"] for r in _json(run, "lei_analyst", "takedown", "list")] == [rid]  # type: ignore[attr-defined]
    # Hewell's analyst sees no Leeds request, and one by id answers as a missing one does.
    assert _json(run, "hei_analyst", "takedown", "list") == []
    code, out, err = run("hei_analyst", "takedown", "show", str(rid))
    assert (code, out) == (1, "")
    assert f"takedown request {rid} not found" in err
    assert run("hei_analyst", "takedown", "show", "999")[2].replace("999", str(rid)) == err
    # Nor may it move the request or draft another for a Leeds prisoner.
    code, _, err = run("hei_analyst", "takedown", "transition", str(rid), "SENT",
                       "--reason", "sent via LE portal")
    assert (code, f"takedown request {rid} not found" in err) == (1, True)
    code, _, err = run("hei_analyst", "takedown", "draft", "leeds.lad2", "--platform",
                       "instagram", "--prisoner", "A3333CC", "--reason", "r", "--unlinked")
    assert (code, "prisoner A3333CC not found" in err) == (1, True)
    assert _state(store, rid) == ("DRAFTED", 1)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(TakedownRequest)) == 1
    # Leeds' own analyst moves it; the history names them.
    moved = _json(run, "lei_analyst", "takedown", "transition", str(rid), "SENT",
                  "--reason", "sent via LE portal")
    assert isinstance(moved, dict)
    assert [(t["to"], t["actor"]) for t in moved["transitions"]] == [
        ("DRAFTED", "lei_analyst"), ("SENT", "lei_analyst")]
    assert _audited(store, "hei_analyst") == [
        ("takedown.list", None, "allowed"), ("takedown.read", str(rid), "denied"),
        ("takedown.transition.decision", str(rid), "denied"),
        ("takedown.draft.decision", None, "denied")]
    assert verify_chain(store).ok


def test_account_links_and_the_scan_show_only_the_principals_prisoners(
        observed: Run, store: Store) -> None:
    run = observed
    links = _json(run, "hei_analyst", "takedown", "accounts")
    assert [(x["account"], x["prison_number"]) for x in links] == [("x:bigman", "A1111AA")]  # type: ignore[index, union-attr]
    code, _, err = run("hei_analyst", "takedown", "accounts", "--prisoner", "A3333CC")
    assert (code, "prisoner A3333CC not found" in err) == (1, True)
    rid = _draft_at_leeds(run)
    assert run("lei_analyst", "takedown", "transition", str(rid), "SENT", "--reason", "sent")[0] \
        == 0
    # A new Leeds account after the request was sent (now): Hewell's scan raises its alert
    # (the rule covers the estate) but shows Hewell nothing of Leeds.
    observe(store, "SO-3", "leeds.lad.returns", "instagram", "A3333CC",
             datetime.now(UTC) + timedelta(hours=1))
    assert _json(run, "hei_analyst", "takedown", "scan") == []
    with store.session() as s:
        raised = s.scalars(select(Alert).where(Alert.rule == RULE)).all()
        assert [(a.prison_number, a.establishment) for a in raised] == [("A3333CC", "LEI")]
    assert _audited(store, "hei_analyst") == [
        ("takedown.accounts", None, "allowed"), ("takedown.accounts", None, "denied"),
        ("takedown.scan", None, "allowed")]


def test_a_role_without_takedowns_is_refused_and_system_sees_all(observed: Run,
                                                                 store: Store) -> None:
    run = observed
    rid = _draft_at_leeds(run)
    code, _, err = run("lei_admin", "takedown", "list")
    assert code == 2
    assert "may not read takedown_request" in err
    assert _audited(store, "lei_admin") == [("takedown.list", None, "denied")]
    # The local administrator (the default principal) works anywhere, unlinked drafts too.
    assert [r["id"] for r in _json(run, "system", "takedown", "list")] == [rid]  # type: ignore[attr-defined]
    drafted = _json(run, "system", "takedown", "draft", "gone.home", "--platform", "tiktok",
                    "--prisoner", "A2222BB", "--reason", "threats", "--unlinked")
    assert (drafted["establishment"], drafted["created_by"]) == ("BWI", "system")  # type: ignore[index]
    assert _json(run, "system", "takedown", "show", str(rid))["state"] == "DRAFTED"  # type: ignore[index]
    assert [a for a, _, _ in _audited(store, "system")] == [
        "takedown.list", "takedown.draft.decision", "takedown.draft", "takedown.read"]
