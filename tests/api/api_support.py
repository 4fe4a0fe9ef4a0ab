"""Helpers shared by the API tests: lifecycle moves and what the audit chain recorded."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.store import Store


def move(client: TestClient, url: str, headers: dict[str, str], state: str,
         **extra: str) -> tuple[int, dict[str, Any]]:
    """POST a move to ``state`` (with a reason) to ``url``: (status, body)."""
    r = client.post(url, headers=headers, json={"state": state, "reason": f"to {state}", **extra})
    return r.status_code, r.json()


def audited(store: Store, user: str, resource_type: str) -> list[tuple[str, str | None, str]]:
    """(action, resource id, outcome) of each audit entry of ``user`` on ``resource_type``."""
    with store.session() as s:
        return [(e.action, e.resource_id, e.outcome) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.principal == user,
                                     AuditEntry.resource_type == resource_type)
            .order_by(AuditEntry.id))]
