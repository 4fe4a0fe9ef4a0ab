"""Operator batch files: one CSV per operator listing the lines it must action.

Format (docs/tro.md): ``order_ref, line_no, identifier_type, identifier, action, court,
order_date, compliance_due``. Lines whose home operator is unknown go to a file named
``UNKNOWN`` for manual routing, never to a guessed operator.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from cellwatch.csvsafe import SafeDictWriter, write_schema
from cellwatch.errors import Conflict
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.calendar import add_working_days
from cellwatch.tro.orders import get_order

BATCH_COLUMNS = ("order_ref", "line_no", "identifier_type", "identifier", "action", "court",
                 "order_date", "compliance_due")
BATCH_TYPES = {"line_no": "integer", "order_date": "date", "compliance_due": "date"}
# An order exists (and can be sent to operators) from the grant until it ends.
_MADE = ("GRANTED", "SERVED", "ACKNOWLEDGED", "DISCONNECTED", "VERIFIED", "VARIED")


def _slug(operator: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", operator).strip("-") or "UNKNOWN"


def write_batches(
    store: Store, settings: Settings, ref: str, out_dir: Path, today: date | None = None
) -> dict[str, Path]:
    """Write one file per operator for order ``ref``; returns operator -> path.

    The compliance date is the line's own once served; before service it is what it
    would be if served ``today``.
    """
    order = get_order(store, ref)
    if order.state not in _MADE:
        raise Conflict(f"{ref} is {order.state}: batch files need an order the court has made "
                       f"({', '.join(_MADE)})")
    a = order.application
    due_if_served = add_working_days(today or date.today(), settings.tro_compliance_working_days)
    by_operator: dict[str, list[dict[str, str]]] = {}
    for line in order.lines:
        by_operator.setdefault(line.operator or "UNKNOWN", []).append({
            "order_ref": ref, "line_no": str(line.line_no),
            "identifier_type": line.identifier_type, "identifier": line.identifier,
            "action": line.action, "court": a.court or "",
            "order_date": a.order_date.isoformat() if a.order_date else "",
            "compliance_due": (line.compliance_due or due_if_served).isoformat(),
        })
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for operator, rows in sorted(by_operator.items()):
        path = out_dir / f"{ref}-{_slug(operator)}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = SafeDictWriter(handle, fieldnames=BATCH_COLUMNS, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
        write_schema(path, BATCH_COLUMNS, BATCH_TYPES)
        written[operator] = path
    return written
