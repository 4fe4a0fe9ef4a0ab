"""The ``call_records`` kind: operator returns into the lake, validated in SQL.

``operator``, ``record_type``, ``start_ts`` and ``direction`` are required, and at least
one of ``subject_msisdn``, ``subject_imsi``, ``subject_imei``. Numbers become E.164 (UK
default) in SQL for the usual shapes (``07...``, ``+44...``, ``0044...``, ``44...``);
the few distinct values SQL cannot settle go through ``phonenumbers`` in Python and are
joined back (:mod:`cellwatch.ingest.lake_phones`). ``other_party`` keeps its raw text
when it is not a number (``WITHHELD``, short codes), with the delivered text always in
``other_party_raw``. Without a vendor event id, the key is an MD5 of the normalised row.
"""

# ruff: noqa: S608 - this module assembles SQL from fixed fragments and column names of
# its own; file values never enter the SQL text (DuckDB reads them).

from __future__ import annotations

from typing import Final

import pyarrow as pa

from cellwatch.identifiers import UNALLOCATED_NUMBER
from cellwatch.ingest.lake_handler import LakeHandler
from cellwatch.ingest.lake_phones import e164_sql, judge_phone_numbers, settle_phone_numbers
from cellwatch.ingest.lake_pipeline import problems_sql
from cellwatch.ingest.scope import WriteLimit
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
from cellwatch.lake.ingest_engine import Connection, run_sql
from cellwatch.lake.layout import CALL_RECORDS
from cellwatch.store import Store

KNOWN_COLUMNS: Final = (
    "operator",
    "record_type",
    "start_ts",
    "duration_s",
    "direction",
    "subject_msisdn",
    "subject_imsi",
    "subject_imei",
    "other_party",
    "cell_id",
    "cell_lat",
    "cell_lon",
)
REQUIRED_COLUMNS: Final = ("operator", "record_type", "start_ts", "direction")
RECORD_TYPES: Final = {
    "VOICE": "VOICE",
    "CALL": "VOICE",
    "SMS": "SMS",
    "TEXT": "SMS",
    "DATA": "DATA",
}
DIRECTIONS: Final = {
    "MO": "MO",
    "OUT": "MO",
    "OUTGOING": "MO",
    "MT": "MT",
    "IN": "MT",
    "INCOMING": "MT",
}


def _enum_sql(raw: str, mapping: dict[str, str], allowed: str) -> tuple[str, str]:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    value = f"CASE upper({raw}) {cases} END"
    return (
        value,
        f"CASE WHEN {raw} IS NOT NULL AND ({value}) IS NULL THEN 'not one of {allowed}' END",
    )


def _required(column: str) -> str:
    return f"CASE WHEN {column} IS NULL THEN 'required value missing' END"


def operator_table() -> pa.Table:
    """Operator names (lower-cased) and the MCC-MNC each stands for, from identifiers."""
    from cellwatch.identifiers.operators import uk_networks

    names: dict[str, str] = {}
    for (mcc, mnc), network in sorted(uk_networks().items()):
        names.setdefault(network.operator.lower(), mcc + mnc)
    return pa.table({"op_name": list(names), "op_mccmnc": list(names.values())})


class CallRecordsKind:
    """Call records as a :class:`~cellwatch.ingest.lake_pipeline.LakeKind`."""

    name = CALL_RECORDS
    known_columns = KNOWN_COLUMNS
    required_columns = REQUIRED_COLUMNS

    def __init__(self, store: Store, limit: WriteLimit | None = None) -> None:
        # Call records come from operators and name no establishment: a write limit has
        # nothing to check (who may load them at all is decided by the kind's role rule).
        del limit
        self.store = store

    def prepare(self, con: Connection) -> None:
        """Register the operator names table."""
        con.register("operator_names", operator_table())

    def stage_sql(self, columns: tuple[str, ...], extra_sql: str, raw_sql: str) -> str:
        """Normalise and check everything but the numbers SQL could not settle."""
        absent = "".join(
            f", CAST(NULL AS VARCHAR) AS {c}" for c in KNOWN_COLUMNS if c not in columns
        )
        exact, local = timestamp_prepare_sql("start_ts")
        bst_ok, gmt_ok = timestamp_offsets_sql("t_local")
        ts, ambiguous, ts_problem = timestamp_sql(
            "start_ts", "t_exact", "t_local", "bst_ok", "gmt_ok"
        )
        rtype, rtype_problem = _enum_sql("record_type", RECORD_TYPES, "VOICE, SMS, DATA")
        direction, direction_problem = _enum_sql("direction", DIRECTIONS, "MO, MT")
        numbers = {c: number_sql(c, c) for c in ("duration_s", "cell_lat", "cell_lon")}
        imsi, imsi_problem = imsi_sql("subject_imsi", "d_imsi", known_mccs())
        imei, imei_problem = imei_sql("subject_imei", "d_imei", "b_imei", "k_imei")
        layer0 = (
            f"SELECT *, {digits_sql('subject_imei')} AS d_imei, "
            f"{digits_sql('subject_imsi')} AS d_imsi, {exact} AS t_exact, {local} AS t_local, "
            f"{e164_sql('subject_msisdn')} AS v_msisdn, {e164_sql('other_party')} AS v_other "
            f"FROM (SELECT *{absent} FROM src)"
        )
        layer1 = (
            f"SELECT *, {imei_body_sql('d_imei')} AS b_imei, {bst_ok} AS bst_ok, "
            f"{gmt_ok} AS gmt_ok FROM ({layer0})"
        )
        layer2 = f"SELECT *, {luhn_digit_int_sql('b_imei')} AS k_imei FROM ({layer1})"
        mccmnc = (
            "CASE WHEN regexp_full_match(operator, '[0-9]{3}[- /]?[0-9]{2,3}') "
            f"THEN {digits_sql('operator')} ELSE (SELECT min(op_mccmnc) FROM operator_names "
            "WHERE op_name = lower(operator)) END"
        )
        normalised = (
            f"SELECT *, {ts} AS v_ts, {ambiguous} AS v_amb, {ts_problem} AS p_ts, "
            f"{rtype} AS v_rtype, {rtype_problem} AS p_rtype, {direction} AS v_dir, "
            f"{direction_problem} AS p_dir, {mccmnc} AS v_mccmnc, "
            + "".join(f"{v} AS v_{c}, {p} AS p_{c}, " for c, (v, p) in numbers.items())
            + f"{imsi} AS v_imsi, {imsi_problem} AS p_imsi, "
            f"{imei} AS v_imei, {imei_problem} AS p_imei FROM ({layer2})"
        )
        problems = problems_sql(
            [
                ("operator", _required("operator")),
                ("record_type", _required("record_type")),
                ("record_type", "p_rtype"),
                ("start_ts", _required("start_ts")),
                ("start_ts", "p_ts"),
                ("direction", _required("direction")),
                ("direction", "p_dir"),
                ("duration_s", "p_duration_s"),
                ("cell_lat", "CASE WHEN abs(v_cell_lat) > 90 THEN 'latitude out of range' END"),
                ("cell_lat", "p_cell_lat"),
                ("cell_lon", "CASE WHEN abs(v_cell_lon) > 180 THEN 'longitude out of range' END"),
                ("cell_lon", "p_cell_lon"),
                ("subject_imsi", "p_imsi"),
                ("subject_imei", "p_imei"),
                (
                    "subject_msisdn",
                    "CASE WHEN subject_msisdn IS NULL AND subject_imsi IS NULL AND "
                    "subject_imei IS NULL THEN 'one of subject_msisdn, subject_imsi, "
                    "subject_imei is required' END",
                ),
            ]
        )
        # Rows whose number SQL could not settle may still be rejected later: keep raw.
        # So may a number outside +44 (the verdict's lengths are per country; a UK number
        # of the shapes SQL settles always has a possible length).
        unsettled = (
            "(subject_msisdn IS NOT NULL AND (v_msisdn IS NULL "
            "OR NOT starts_with(v_msisdn, '+44'))) "
            "OR (other_party IS NOT NULL AND v_other IS NULL)"
        )
        return (
            "SELECT CAST(v_ts AS DATE) AS day, operator, v_mccmnc AS operator_mccmnc, "
            "v_rtype AS record_type, v_ts AS start_ts, v_duration_s AS duration_s, "
            "v_dir AS direction, v_msisdn AS subject_msisdn, subject_msisdn AS msisdn_raw, "
            "v_imsi AS subject_imsi, v_imei AS subject_imei, v_other AS other_party, "
            "other_party AS other_party_raw, cell_id, v_cell_lat AS cell_lat, "
            "v_cell_lon AS cell_lon, CAST(NULL AS VARCHAR) AS event_key, "
            f"v_amb AS ts_ambiguous, {extra_sql} AS extra, _line, _qid, "
            f"{problems} AS _problems, CASE WHEN len(_problems) > 0 OR {unsettled} "
            f"THEN {raw_sql} END AS _raw_json FROM ({normalised})"
        ).replace("len(_problems) > 0 OR", f"len({problems}) > 0 OR")

    def finish(self, con: Connection) -> None:
        """Settle the leftover numbers in Python, then compute keys and last problems."""
        settle_phone_numbers(con, ["msisdn_raw", "other_party_raw"])
        content = ", ".join(
            f"coalesce(CAST({c} AS VARCHAR), '')"
            for c in (
                "upper(operator)",
                "record_type",
                "epoch_us(start_ts)",
                "duration_s",
                "direction",
                "subject_msisdn",
                "subject_imsi",
                "subject_imei",
                "other_party",
                "cell_id",
            )
        )
        msisdn_problem = (
            "CASE WHEN msisdn_raw IS NOT NULL AND subject_msisdn IS NULL "
            "THEN [{'field': 'subject_msisdn', 'reason': coalesce(msisdn_reason, "
            "'invalid MSISDN: bad format')}] ELSE [] END"
        )
        run_sql(
            con,
            "CREATE OR REPLACE TEMP TABLE staged AS SELECT * REPLACE ("
            "coalesce(s.subject_msisdn, f1.e164) AS subject_msisdn, "
            "coalesce(s.other_party, f2.e164, s.other_party_raw) AS other_party), "
            "f1.reason AS msisdn_reason "
            "FROM staged s LEFT JOIN phone_fallback f1 ON f1.raw = s.msisdn_raw "
            "LEFT JOIN phone_fallback f2 ON f2.raw = s.other_party_raw",
        )
        # Shape is not the verdict: every number gets the one the row-wise kinds give.
        judge_phone_numbers(con, ["subject_msisdn", "other_party"])
        run_sql(
            con,
            "CREATE OR REPLACE TEMP TABLE staged AS SELECT s.* REPLACE ("
            "CASE WHEN v1.e164 IS NULL THEN s.subject_msisdn ELSE v1.value END "
            "AS subject_msisdn, "
            "CASE WHEN v2.e164 IS NULL THEN s.other_party "
            "ELSE coalesce(v2.value, s.other_party_raw) END AS other_party, "
            "coalesce(s.msisdn_reason, v1.reason) AS msisdn_reason), "
            "coalesce(v1.unallocated, false) AS msisdn_unallocated "
            "FROM staged s LEFT JOIN phone_verdict v1 ON v1.e164 = s.subject_msisdn "
            "LEFT JOIN phone_verdict v2 ON v2.e164 = s.other_party",
        )
        run_sql(
            con,
            f"CREATE OR REPLACE TEMP TABLE staged AS SELECT * REPLACE ("
            f"md5(concat_ws('|', {content})) AS event_key, "
            f"list_concat(_problems, {msisdn_problem}) AS _problems) FROM staged",
        )

    def flags_sql(self) -> dict[str, str]:
        """Stored rows worth a mention: ambiguous local times, numbers possible but not
        known as allocated (the same flag the row-wise kinds count)."""
        return {"ambiguous_time": "ts_ambiguous", UNALLOCATED_NUMBER: "msisdn_unallocated"}


def handler() -> LakeHandler:
    """The call records handler, as the ingest registry expects."""
    return LakeHandler(CALL_RECORDS, CallRecordsKind)
