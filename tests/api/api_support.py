"""Helpers shared by the API tests: lifecycle moves, what the audit chain recorded, and an
attribution run over the fixture estate to judge."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from attribution_seed import LEEDS_ONLY, SHARED, SIM, seed_attributions
from audit_support import audited
from cellwatch.store import Store


def move(client: TestClient, url: str, headers: dict[str, str], state: str,
         **extra: str) -> tuple[int, dict[str, Any]]:
    """POST a move to ``state`` (with a reason) to ``url``: (status, body)."""
    r = client.post(url, headers=headers, json={"state": state, "reason": f"to {state}", **extra})
    return r.status_code, r.json()


def attributed(store: Store) -> None:
    """One finished attribution run over the fixture estate (built first): SHARED to a
    Hewell and a Leeds prisoner, LEEDS_ONLY to the Leeds one, and SHARED's SIM linked."""
    seed_attributions(store)


__all__ = ["LEEDS_ONLY", "SHARED", "SIM", "attributed", "audited", "move"]
