"""Injected corruption: rows broken in ways the contract rejects, each one recorded.

Lines are physical 1-based lines of the written file (the header is line 1), which holds
because no generated value contains a newline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import luhn

from cellwatch.simulate.clock import spring_forward_local
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

# For each file: (kind, field) pairs that make a row invalid under the contract.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "detections": (
        ("bad_timestamp", "ts"),
        ("nonexistent_local_time", "ts"),
        ("missing_required", "sensor_id"),
        ("unknown_sensor", "sensor_id"),
        ("bad_enum", "technology"),
        ("bad_imei_check_digit", "imei"),
    ),
    "occupancy": (
        ("unknown_prisoner", "prison_number"),
        ("bad_timestamp", "start_ts"),
        ("nonexistent_local_time", "start_ts"),
        ("missing_required", "location_code"),
    ),
    "pin_contacts": (
        ("unknown_prisoner", "prison_number"),
        ("missing_required", "contact_number"),
        ("bad_enum", "relationship"),
    ),
    "seizures": (
        ("bad_timestamp", "ts"),
        ("nonexistent_local_time", "ts"),
        ("bad_enum", "item_type"),
        ("missing_required", "item_type"),
        ("bad_imei_check_digit", "imei"),
        ("unknown_prisoner", "prison_number"),
    ),
    "call_records": (
        ("bad_timestamp", "start_ts"),
        ("nonexistent_local_time", "start_ts"),
        ("bad_enum", "record_type"),
        ("bad_enum", "direction"),
        ("bad_imei_check_digit", "subject_imei"),
    ),
    "contact_reports": (
        ("bad_timestamp", "received_ts"),
        ("nonexistent_local_time", "received_ts"),
        ("bad_enum", "channel"),
        ("missing_required", "sender"),
    ),
    "social_observations": (
        ("bad_timestamp", "observed_ts"),
        ("nonexistent_local_time", "observed_ts"),
        ("missing_required", "platform"),
        ("missing_required", "account"),
    ),
    "intelligence_reports": (
        ("bad_timestamp", "ts"),
        ("nonexistent_local_time", "ts"),
        ("bad_enum", "source_evaluation"),
        ("bad_enum", "handling_code"),
    ),
}
BAD_ENUM = {
    "technology": "BLUETOOTH",
    "relationship": "ACQUAINTANCE",
    "item_type": "TABLET_PC",
    "record_type": "FAX",
    "direction": "BOTH",
    "channel": "CARRIER_PIGEON",
    "source_evaluation": "7",
    "handling_code": "X",
}


@dataclass
class Corruptor:
    """Chooses rows to break and remembers what it did."""

    sc: Scenario
    seed: int
    records: list[tuple[str, int, str, str]] = field(default_factory=list)

    def active(self, kind: str) -> bool:
        """Whether rows of this file kind may be corrupted."""
        c = self.sc.corruption
        return c.rate > 0 and kind in c.files

    def _value(
        self, kind: str, fld: str, original: str | None, rng: np.random.Generator
    ) -> str | None:
        if kind == "bad_imei_check_digit":
            digits = "".join(ch for ch in (original or "") if ch.isdigit())
            if len(digits) != 15:
                return None
            good = luhn.calc_check_digit(digits[:14])
            return digits[:14] + str((int(good) + 1 + int(rng.integers(9))) % 10)
        if kind == "unknown_sensor":
            return f"ZZZ-XX{int(rng.integers(1000)):03d}"
        if kind == "unknown_prisoner":
            # Issued prison numbers start with A or G; Z never does.
            a, b = ("QWX"[int(i)] for i in rng.integers(3, size=2))
            return f"Z{int(rng.integers(10000)):04d}{a}{b}"
        if kind == "bad_timestamp":
            return ("2024-02-30T12:00:00", "31/12/2024 25:00", "not a time")[int(rng.integers(3))]
        if kind == "nonexistent_local_time":
            return spring_forward_local(self.sc.run.start_date.year)
        if kind == "missing_required":
            return ""
        return BAD_ENUM[fld]

    def plan(
        self, file_kind: str, n: int, rng_part: int, has: dict[str, np.ndarray]
    ) -> list[tuple[int, str, str]]:
        """Rows to corrupt in a chunk of ``n`` rows: (row, field, kind)."""
        if not self.active(file_kind) or n == 0:
            return []
        rng = rng_for(self.seed, Stream.CORRUPTION, rng_part)
        allowed = [kf for kf in FIELDS[file_kind] if kf[0] in self.sc.corruption.kinds]
        if not allowed:
            return []
        rows = np.flatnonzero(rng.random(n) < self.sc.corruption.rate)
        out = []
        for r in rows.tolist():
            opts = [kf for kf in allowed if kf[1] not in has or has[kf[1]][r]]
            if opts:
                kind, fld = opts[int(rng.integers(len(opts)))]
                out.append((r, fld, kind))
        return out

    def apply_lists(
        self, rel: str, file_kind: str, cols: dict[str, list[object]], part: int
    ) -> None:
        """Corrupt a small table in place (lists of values)."""
        n = len(next(iter(cols.values()))) if cols else 0
        has = {
            f: np.array([bool(v) for v in cols[f]])
            for _, f in FIELDS.get(file_kind, ())
            if f in cols
        }
        rng = rng_for(self.seed, Stream.CORRUPTION, part, 1)
        for r, fld, kind in self.plan(file_kind, n, part, has):
            orig = cols[fld][r]
            cols[fld][r] = self._value(kind, fld, None if orig is None else str(orig), rng)
            self.records.append((rel, r + 2, fld, kind))

    def apply_table(
        self, rel: str, file_kind: str, table: pa.Table, line0: int, part: int
    ) -> pa.Table:
        """Corrupt an Arrow chunk whose first row is physical line ``line0``."""
        if not self.active(file_kind):
            return table
        has = (
            {"imei": np.asarray(pc.is_valid(table["imei"]))} if "imei" in table.column_names else {}
        )
        plan = self.plan(file_kind, table.num_rows, part, has)
        rng = rng_for(self.seed, Stream.CORRUPTION, part, 1)
        by_field: dict[str, list[tuple[int, str | None]]] = {}
        for r, fld, kind in plan:
            orig = table[fld][r].as_py()
            by_field.setdefault(fld, []).append(
                (r, self._value(kind, fld, None if orig is None else str(orig), rng))
            )
            self.records.append((rel, line0 + r, fld, kind))
        for fld, changes in by_field.items():
            col = table[fld].combine_chunks().cast(pa.string())
            mask = np.zeros(table.num_rows, dtype=bool)
            mask[[r for r, _ in changes]] = True
            vals = pa.array([v for _, v in sorted(changes)], pa.string())
            table = table.set_column(
                table.column_names.index(fld), fld, pc.replace_with_mask(col, pa.array(mask), vals)
            )
        return table
