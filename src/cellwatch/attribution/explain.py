"""Evidence items: each comparison field of a scored pair, said in words with its weight.

Weights are log2 likelihood ratios ("bits"): +1 doubles the odds, -1 halves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _cells(row: Mapping[str, Any]) -> str:
    listed = row.get("cell_list") or [row.get("first_cell"), row.get("last_cell")]
    cells = sorted({c for c in listed if c})
    return ", ".join(cells) if cells else "their cell"


def _today(row: Mapping[str, Any], who: str) -> str:
    day = row.get("eday") or "that day"
    if not row.get("pin_today"):
        return f"{row.get('calls_today', 0)} calls on {day}, none to numbers on {who}'s PIN list"
    shared = " (a number shared with other prisoners)" if row.get("pin_today_shared") == 1 else ""
    return (f"{row.get('pin_today', 0)} of {row.get('calls_today', 0)} calls on {day} to numbers "
            f"on {who}'s approved PIN list{shared}")


def evidence_items(row: Mapping[str, Any], window_days: int) -> list[dict[str, Any]]:
    """Readable evidence items (kind, description, weight, count, first/last) of a scored row.

    >>> evidence_items({"prison_number": "A1234BC", "w_vendor": 6.1, "l_vendor": 5, "v": 23,
    ...   "vendor_nights": 25, "first_cell": "HEI-A-2-014", "last_cell": "HEI-A-2-014",
    ...   "first_day": None, "last_day": None}, 28)[0]["description"]
    'placed in HEI-A-2-014 on 23 of 25 nights located (last 28 days) while A1234BC occupied it'
    """
    who = row["prison_number"]
    first, last = row.get("first_day"), row.get("last_day")
    items: list[dict[str, Any]] = []

    def add(kind: str, text: str, count: int, seen: tuple[Any, Any] = (first, last)) -> None:
        weight = float(row.get(f"w_{kind}") or 0.0)
        if row.get(f"l_{kind}", -1) is None or int(row.get(f"l_{kind}", -1)) < 0:
            return
        items.append({"kind": kind.upper(), "description": text, "weight_log2": round(weight, 2),
                      "count": int(count), "first_seen": seen[0], "last_seen": seen[1]})

    add("vendor", f"placed in {_cells(row)} on {row.get('v', 0)} of {row.get('vendor_nights', 0)}"
        f" nights located (last {window_days} days) while {who} occupied it", row.get("v", 0))
    add("zone", f"heard at night by a managed-access unit covering {who}'s cell on "
        f"{row.get('z', 0)} of {row.get('ma_nights', 0)} nights", row.get("z", 0))
    if row.get("l_handheld"):
        add("handheld", f"found by a handheld sweep in {who}'s cell", row.get("h", 0))
    add("pin", f"calls to numbers on {who}'s approved PIN list on {row.get('pin_days', 0)} of "
        f"{row.get('call_days', 0)} days with calls"
        + (" (a number shared with other prisoners)" if row.get("pin_shared") == 1 else ""),
        row.get("pin_days", 0))
    # The day's own calls were seen on that day, not over the window.
    add("today", _today(row, who), row.get("pin_today", 0), (row.get("eday"), row.get("eday")))
    if row.get("l_seizure"):
        where = "on or attributed to" if row["l_seizure"] == 2 else "in the cell of"
        add("seizure", f"seized {where} {who}", 1)
    if row.get("l_protected"):
        add("protected", f"called or messaged a person protected from {who} on "
            f"{row.get('prot_days', 0)} days", row.get("prot_days", 0))
    if row.get("l_follows"):
        add("follows", f"followed {who} across cells ({_cells(row)})", row.get("cells", 0))
    return items
