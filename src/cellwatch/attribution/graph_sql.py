"""The identity graph's analytics as pure functions returning SQL text.

Every function takes the engine's :class:`~cellwatch.lake.Dialect` and returns one
statement, so the same definitions run on DuckDB now and on Spark later. Links are
directed by a fixed type order (IMEI < ICCID < IMSI < MSISDN), so each pair of
identifiers has one spelling.

Sources of links:

- ``DETECTION``: a managed-access sensor saw an IMSI in a handset (IMEI);
- ``CALL_RECORD``: an operator return names the subject's IMSI, IMEI and number;
- ``SEIZURE``: a SIM was found in a handset, or a number read from a SIM;
- ``EXTRACTION``: a seized phone's forensic extraction names its SIM, number or accounts
  (the pairs, in type order, are made at ingest: :mod:`cellwatch.ingest.extraction_kind`).
"""

from __future__ import annotations

from collections.abc import Mapping

from cellwatch.lake import Dialect
from cellwatch.lake.cleaning_sql import absent_sql

# Identifiers an analyst may never see linked or analysed, whatever the reason.
EXCLUDED = "(SELECT identifier FROM cw_allow_list)"


def _pairs(
    source: str, table: str, ts: str, a_type: str, a: str, b_type: str, b: str, where: str
) -> str:
    """One kind of co-occurrence as link rows, allow-listed values left out."""
    return (
        # Only fixed names from this module are interpolated; values never are.
        f"SELECT '{a_type}' AS a_type, {a} AS a, '{b_type}' AS b_type, {b} AS b, "  # noqa: S608
        f"'{source}' AS source, min({ts}) AS first_seen, max({ts}) AS last_seen, "
        f"count(*) AS n FROM {table} "
        f"WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND ({where}) "
        f"AND {absent_sql(a, EXCLUDED)} AND {absent_sql(b, EXCLUDED)} "
        f"GROUP BY {a}, {b}"
    )


def link_delta_sql(d: Dialect, since_detection_batch: int, since_call_batch: int,
                   since_seizure_id: int,
                   sources: Mapping[str, str | None] | None = None) -> str:
    """Links evidenced by lake batches and seizure items newer than the given watermarks.

    The result has one row per (a_type, a, b_type, b, source) with first and last
    seen and a count; merging it into the stored links is additive, so the graph is
    updated batch by batch without a rebuild. ``sources`` may name, per lake kind, a
    ``FROM`` source holding only the newer batches' files, or None when there are none
    (the kind's view is read otherwise).
    """
    det = f"batch_id > {int(since_detection_batch)}"
    cr = f"batch_id > {int(since_call_batch)}"
    sz = f"id > {int(since_seizure_id)}"
    sources = sources or {}
    detections = sources.get("detections", "detections")
    calls = sources.get("call_records", "call_records")
    parts = [
        *([_pairs("DETECTION", detections, "ts", "IMEI", "imei", "IMSI", "imsi", det)]
          if detections is not None else []),
        *([_pairs("CALL_RECORD", calls, "start_ts", "IMEI", "subject_imei", "IMSI",
                  "subject_imsi", cr),
           _pairs("CALL_RECORD", calls, "start_ts", "IMSI", "subject_imsi", "MSISDN",
                  "subject_msisdn", cr),
           _pairs("CALL_RECORD", calls, "start_ts", "IMEI", "subject_imei", "MSISDN",
                  "subject_msisdn", f"{cr} AND subject_imsi IS NULL")]
          if calls is not None else []),
        _pairs("SEIZURE", "cw_seizures", "ts", "IMEI", "imei", "IMSI", "imsi", sz),
        _pairs("SEIZURE", "cw_seizures", "ts", "IMEI", "imei", "ICCID", "iccid", sz),
        _pairs("SEIZURE", "cw_seizures", "ts", "ICCID", "iccid", "IMSI", "imsi", sz),
        _pairs("SEIZURE", "cw_seizures", "ts", "IMSI", "imsi", "MSISDN", "msisdn", sz),
        _pairs("SEIZURE", "cw_seizures", "ts", "ICCID", "iccid", "MSISDN", "msisdn",
               f"{sz} AND imsi IS NULL"),
        _extraction_pairs(),
    ]
    return "\nUNION ALL\n".join(parts)


def _extraction_pairs() -> str:
    """Links of extractions no graph build has merged yet (``build_id`` marks those)."""
    return (
        # Only fixed names from this module are interpolated; values never are.
        "SELECT a_type, a, b_type, b, 'EXTRACTION' AS source, min(ts) AS first_seen, "  # noqa: S608
        "max(ts) AS last_seen, count(*) AS n FROM cw_extraction_links "
        f"WHERE build_id IS NULL AND {absent_sql('a', EXCLUDED)} "
        f"AND {absent_sql('b', EXCLUDED)} GROUP BY a_type, a, b_type, b"
    )


def degree_sql(d: Dialect) -> str:
    """How many distinct partners of each other type every identifier has, per end.

    Reads ``cw_links`` (the merged graph). A hub is a value over its type pair's limit.
    """
    return (
        "SELECT a_type AS identifier_type, a AS identifier, b_type AS other_type, "
        "count(DISTINCT b) AS degree FROM cw_links GROUP BY a_type, a, b_type "
        "UNION ALL "
        "SELECT b_type, b, a_type, count(DISTINCT a) FROM cw_links GROUP BY b_type, b, a_type"
    )
