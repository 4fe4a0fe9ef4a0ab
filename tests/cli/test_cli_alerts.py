"""``cellwatch alerts list|assign|ack|close`` act as ``CELLWATCH_PRINCIPAL`` through the
audited alerts service: scoped, audited, and refused outside the principal's scope."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select

from audit_support import audited, two_alerts
from cellwatch.access.audit import verify_chain
from cellwatch.access.models import AuditEntry
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest


def _audited(store: Store, user: str) -> list[tuple[str, str | None, str]]:
    return audited(store, user, "alert")


def test_cli_alert_actions_are_scoped_and_audited(run: Run, store: Store) -> None:
    hei, lei = two_alerts(store)
    code, out, _ = run("hei_supervisor", "alerts", "list", "--json")
    assert code == 0
    assert [a["alert_id"] for a in json.loads(out)] == [hei]
    assert run("hei_supervisor", "alerts", "assign", str(hei), "--to", "hei_analyst")[0] == 0
    assert run("hei_analyst", "alerts", "ack", str(hei))[0] == 0
    code, out, _ = run("hei_analyst", "alerts", "close", str(hei),
                       "--outcome", "NO_FURTHER_ACTION", "--note", "checked")
    assert (code, out.strip()) == (0, f"alert {hei} CLOSED: NO_FURTHER_ACTION")
    assert _audited(store, "hei_supervisor") == [("list", None, "allowed"),
                                                 ("assign", str(hei), "allowed")]
    # Leeds' alert, to a Hewell analyst, is refused as a missing one would be; audited.
    code, _, err = run("hei_analyst", "alerts", "ack", str(lei))
    assert code == 1
    assert f"alert {lei} not found" in err
    assert run("hei_analyst", "alerts", "ack", "999")[2].replace("999", str(lei)) == err
    # A role that does not work alerts is refused outright: exit 2, a clear message.
    code, _, err = run("lei_admin", "alerts", "close", str(lei), "--outcome", "DUPLICATE")
    assert code == 2
    assert "may not close alert" in err
    assert _audited(store, "hei_analyst") == [("acknowledge", str(hei), "allowed"),
                                              ("close", str(hei), "allowed"),
                                              ("acknowledge", str(lei), "denied")]
    assert _audited(store, "lei_admin") == [("close", str(lei), "denied")]
    with store.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.principal == "lei_admin")).one()
        assert entry.detail == {"why": "no role of yours works alerts"}
    assert verify_chain(store).ok


def test_system_may_work_any_alert(run: Run, store: Store) -> None:
    _hei, lei = two_alerts(store)
    assert run("system", "alerts", "ack", str(lei))[0] == 0
    assert _audited(store, "system") == [("acknowledge", str(lei), "allowed")]
