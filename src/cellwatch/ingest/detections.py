"""The ``detections`` kind: sensor reports into the lake, validated in one SQL pass.

Rules (docs/lake.md has the full list): ``ts`` and ``sensor_id`` required; the sensor
must exist (its establishment partitions the row; unknown sensors are quarantined and
go in on retry) and lie in an establishment the user running the ingest writes for;
``technology`` is an enumeration; numbers must be numbers; IMSI 14-15 digits with a
known MCC; IMEI normalised to 15 digits (IMEISV reduced); a vendor ``location_code``
that does not resolve is kept and flagged. ``event_key`` is
``establishment|sensor_id|event_id`` or, without an event id, an MD5 of the normalised
content, and a key already in the file or the lake makes the row a duplicate.
"""

# ruff: noqa: S608 - this module assembles SQL from fixed fragments and column names of
# its own; file values never enter the SQL text (DuckDB reads them).

from __future__ import annotations

from typing import Final

from cellwatch.ingest.lake_handler import LakeHandler
from cellwatch.ingest.lake_pipeline import problems_sql
from cellwatch.ingest.scope import WriteLimit, WriteScope
from cellwatch.lake.cleaning_sql import (
    digits_sql,
    imei_body_sql,
    imei_sql,
    imsi_sql,
    known_mccs,
    luhn_digit_int_sql,
    number_sql,
    timestamp_offsets_sql,
    timestamp_prepare_sql,
    timestamp_sql,
)
from cellwatch.lake.ingest_engine import Connection, attach_reference
from cellwatch.lake.layout import DETECTIONS
from cellwatch.store import Store

KNOWN_COLUMNS: Final = (
    "ts",
    "sensor_id",
    "event_id",
    "technology",
    "band_mhz",
    "rssi_dbm",
    "duration_s",
    "imsi",
    "imei",
    "location_code",
)
REQUIRED_COLUMNS: Final = ("ts", "sensor_id")
# Vendors write generations as often as technologies; both are taken.
TECHNOLOGY_ALIASES: Final = {
    "GSM": "GSM",
    "2G": "GSM",
    "UMTS": "UMTS",
    "3G": "UMTS",
    "WCDMA": "UMTS",
    "LTE": "LTE",
    "4G": "LTE",
    "NR": "NR",
    "5G": "NR",
    "5G NR": "NR",
    "UNKNOWN": "UNKNOWN",
}


# A sensor's establishment decides who may load its detections.
SCOPE: Final = WriteScope("detections")


def _technology_sql(raw: str) -> tuple[str, str]:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in TECHNOLOGY_ALIASES.items())
    value = f"CASE upper({raw}) {cases} END"
    problem = (
        f"CASE WHEN {raw} IS NOT NULL AND ({value}) IS NULL "
        "THEN 'not one of GSM, UMTS, LTE, NR, UNKNOWN' END"
    )
    return value, problem


def _required(column: str) -> str:
    return f"CASE WHEN {column} IS NULL THEN 'required value missing' END"


class DetectionsKind:
    """Detections as a :class:`~cellwatch.ingest.lake_pipeline.LakeKind`."""

    name = DETECTIONS
    known_columns = KNOWN_COLUMNS
    required_columns = REQUIRED_COLUMNS

    def __init__(self, store: Store, limit: WriteLimit | None = None) -> None:
        self.store = store
        self.limit = limit

    def prepare(self, con: Connection) -> None:
        """Load sensors and locations, the references a detection resolves."""
        attach_reference(con, self.store, ("sensors", "locations"))

    def stage_sql(self, columns: tuple[str, ...], extra_sql: str, raw_sql: str) -> str:
        """Normalise (n), resolve and check (c), then project the lake's columns."""
        absent = "".join(
            f", CAST(NULL AS VARCHAR) AS {c}" for c in KNOWN_COLUMNS if c not in columns
        )
        exact, local = timestamp_prepare_sql("ts")
        bst_ok, gmt_ok = timestamp_offsets_sql("t_local")
        ts, ambiguous, ts_problem = timestamp_sql("ts", "t_exact", "t_local", "bst_ok", "gmt_ok")
        tech, tech_problem = _technology_sql("technology")
        numbers = {c: number_sql(c, c) for c in ("band_mhz", "rssi_dbm", "duration_s")}
        imsi, imsi_problem = imsi_sql("imsi", "d_imsi", known_mccs())
        imei, imei_problem = imei_sql("imei", "d_imei", "b_imei", "k_imei")
        # Layers, innermost first, so that each costly piece is computed once per row.
        layer0 = (
            f"SELECT *, {digits_sql('imei')} AS d_imei, {digits_sql('imsi')} AS d_imsi, "
            f"{exact} AS t_exact, {local} AS t_local FROM (SELECT *{absent} FROM src)"
        )
        layer1 = (
            f"SELECT *, {imei_body_sql('d_imei')} AS b_imei, {bst_ok} AS bst_ok, "
            f"{gmt_ok} AS gmt_ok FROM ({layer0})"
        )
        layer2 = f"SELECT *, {luhn_digit_int_sql('b_imei')} AS k_imei FROM ({layer1})"
        normalised = (
            f"SELECT *, {ts} AS v_ts, {ambiguous} AS v_amb, {ts_problem} AS p_ts, "
            f"{tech} AS v_tech, {tech_problem} AS p_tech, "
            + "".join(f"{v} AS v_{c}, {p} AS p_{c}, " for c, (v, p) in numbers.items())
            + f"{imsi} AS v_imsi, {imsi_problem} AS p_imsi, "
            f"{imei} AS v_imei, {imei_problem} AS p_imei FROM ({layer2})"
        )
        scope = self.limit.problem_sql("s_est") if self.limit is not None else None
        problems = problems_sql(
            [
                ("ts", _required("ts")),
                ("ts", "p_ts"),
                ("sensor_id", _required("sensor_id")),
                (
                    "sensor_id",
                    "CASE WHEN sensor_id IS NOT NULL AND s_id IS NULL THEN 'unknown sensor' END",
                ),
                ("technology", "p_tech"),
                ("band_mhz", "p_band_mhz"),
                ("rssi_dbm", "p_rssi_dbm"),
                ("duration_s", "p_duration_s"),
                ("imsi", "p_imsi"),
                ("imei", "p_imei"),
                *([("sensor_id", scope)] if scope is not None else []),
            ]
        )
        checked = (
            f"SELECT n.*, s_est AS v_est, l_code AS v_loc, {problems} AS _problems "
            f"FROM ({normalised}) n "
            "LEFT JOIN (SELECT sensor_id AS s_id, establishment AS s_est FROM sensors) s "
            "ON s_id = n.sensor_id "
            "LEFT JOIN (SELECT code AS l_code, upper(code) AS l_upper, establishment AS l_est "
            "FROM locations) l ON l_upper = upper(n.location_code) AND l_est = s_est"
        )
        content = ", ".join(
            f"coalesce(CAST({c} AS VARCHAR), '')"
            for c in (
                "v_est",
                "sensor_id",
                "epoch_us(v_ts)",
                "v_tech",
                "v_band_mhz",
                "v_rssi_dbm",
                "v_duration_s",
                "v_imsi",
                "v_imei",
                "upper(location_code)",
            )
        )
        key = (
            f"CASE WHEN event_id IS NOT NULL THEN v_est || '|' || sensor_id || '|' || event_id "
            f"ELSE md5(concat_ws('|', {content})) END"
        )
        return (
            "SELECT v_est AS establishment, CAST(v_ts AS DATE) AS day, v_ts AS ts, sensor_id, "
            f"event_id, {key} AS event_key, coalesce(v_tech, 'UNKNOWN') AS technology, "
            "v_band_mhz AS band_mhz, v_rssi_dbm AS rssi_dbm, v_duration_s AS duration_s, "
            "v_imsi AS imsi, v_imei AS imei, coalesce(v_loc, location_code) AS location_code, "
            "(location_code IS NULL OR v_loc IS NOT NULL) AS location_resolved, "
            f"v_amb AS ts_ambiguous, {extra_sql} AS extra, _line, _qid, _problems, "
            f"CASE WHEN len(_problems) > 0 THEN {raw_sql} END AS _raw_json FROM ({checked})"
        )

    def finish(self, con: Connection) -> None:
        """Nothing is left for Python: every detection rule is settled in SQL."""

    def flags_sql(self) -> dict[str, str]:
        """Stored rows worth a mention: ambiguous local times, unresolved locations."""
        return {"ambiguous_time": "ts_ambiguous", "location_unresolved": "NOT location_resolved"}


def handler() -> LakeHandler:
    """The detections handler, as the ingest registry expects."""
    return LakeHandler(DETECTIONS, DetectionsKind, SCOPE)
