"""Call and seizure features: PIN-list calls and finds, per identifier, prisoner and day.

Pure functions returning SQL text. Calls to allow-listed numbers (staff, official and
legally privileged lines) are dropped before anything else: they are neither evidence
nor shown. A call record naming only a number reaches its SIM through the identity
graph's usable links, so rejecting a link removes what followed from it.
"""

from __future__ import annotations

from cellwatch.attribution.features import EXCLUDED_IDS, evidence_day, occupant_instant, occupied_at
from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect
from cellwatch.lake.cleaning_sql import absent_sql

USABLE = "status IN ('ACTIVE', 'CONFIRMED', 'UNSURE')"


def call_subjects_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_calls: calls per subject identifier (IMSI, IMEI) and day, other party kept.

    A record with only the subject's number is attributed to the SIMs linked to it.
    """
    day = evidence_day(d, "start_ts", p)
    return (
        f"WITH c AS (SELECT subject_imsi, subject_imei, subject_msisdn, {day} AS eday, "  # noqa: S608
        "other_party FROM call_records "
        "WHERE other_party IS NULL OR "
        f"{absent_sql('call_records.other_party', '(SELECT identifier FROM cw_allow_list)')}), "
        "s AS (SELECT 'IMSI' AS identifier_type, subject_imsi AS identifier, eday, other_party "
        "FROM c WHERE subject_imsi IS NOT NULL "
        "UNION ALL SELECT 'IMEI', subject_imei, eday, other_party FROM c "
        "WHERE subject_imei IS NOT NULL "
        "UNION ALL SELECT 'IMSI', l.a, c.eday, c.other_party FROM c JOIN cw_links l "
        "ON l.b_type = 'MSISDN' AND l.b = c.subject_msisdn AND l.a_type = 'IMSI' "
        f"AND l.{USABLE} WHERE c.subject_imsi IS NULL) "
        f"SELECT DISTINCT * FROM s WHERE {absent_sql('s.identifier', EXCLUDED_IDS)}"
    )


def pin_hits_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_pin: calls to numbers on a prisoner's approved PIN list, per day.

    ``shared`` marks numbers on more than one prisoner's list (a family number of
    brothers): weaker evidence. Numbers called by more than ``max_callers_per_number``
    identifiers are switchboards and count for nothing.
    """
    return (
        "WITH busy AS (SELECT other_party FROM cw_f_calls WHERE other_party IS NOT NULL "  # noqa: S608
        "GROUP BY other_party "
        f"HAVING count(DISTINCT identifier) > {int(p.max_callers_per_number)}), "
        "share AS (SELECT contact_number, count(DISTINCT prison_number) AS listed "
        "FROM cw_pin_contacts GROUP BY contact_number) "
        "SELECT c.identifier_type, c.identifier, c.eday, k.prison_number, "
        "count(*) AS pin_calls, max(CASE WHEN s.listed > 1 THEN 1 ELSE 0 END) AS shared, "
        f"{d.array_agg_distinct('c.other_party')} AS numbers "
        "FROM cw_f_calls c JOIN cw_pin_contacts k ON k.contact_number = c.other_party "
        "AND (k.approved_from IS NULL OR k.approved_from <= c.eday) "
        "AND (k.approved_to IS NULL OR k.approved_to >= c.eday) "
        "JOIN share s ON s.contact_number = k.contact_number "
        f"WHERE {absent_sql('c.other_party', '(SELECT other_party FROM busy)')} "
        "GROUP BY 1, 2, 3, 4"
    )


def protected_hits_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_prot: calls and messages to a protected person's number, per day.

    The protection names the prisoner the person is protected from (a restraining
    order, a licence condition): contact from a phone is strong evidence that he is
    its user. Only the order's validity counts; a busy number is no evidence.
    """
    return (
        "WITH busy AS (SELECT other_party FROM cw_f_calls WHERE other_party IS NOT NULL "  # noqa: S608
        "GROUP BY other_party "
        f"HAVING count(DISTINCT identifier) > {int(p.max_callers_per_number)}) "
        "SELECT c.identifier_type, c.identifier, c.eday, pp.prison_number, "
        "count(*) AS prot_calls, min(pp.person_ref) AS person_ref "
        "FROM cw_f_calls c JOIN cw_protected_ids pi ON pi.identifier = c.other_party "
        "JOIN cw_protected_persons pp ON pp.person_ref = pi.person_ref "
        "AND (pp.valid_from IS NULL OR pp.valid_from <= c.eday) "
        "AND (pp.valid_to IS NULL OR pp.valid_to >= c.eday) "
        f"WHERE {absent_sql('c.other_party', '(SELECT other_party FROM busy)')} "
        "GROUP BY 1, 2, 3, 4"
    )


def call_days_sql(d: Dialect) -> str:
    """cw_f_calldays: days on which an identifier had any (analysable) call record."""
    return ("SELECT identifier_type, identifier, eday, count(*) AS calls "
            "FROM cw_f_calls GROUP BY 1, 2, 3")


def seizure_hits_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_seiz: a find naming an identifier, and the prisoner it points at.

    Level 2: the item was attributed to the prisoner (found on them or recorded as
    theirs); level 1: found in a cell the prisoner occupied. Identifiers on the item
    count directly; a handset's linked SIMs and a SIM's linked handsets count too.
    """
    day = evidence_day(d, "ts", p)
    instant = occupant_instant("z.eday", p)
    return (
        f"WITH z AS (SELECT seizure_ref, item_no, ts, {day} AS eday, location_code, "  # noqa: S608
        "prison_number, imei, imsi, msisdn FROM cw_seizures), "
        "direct AS (SELECT seizure_ref, eday, ts, location_code, prison_number, 'IMEI' AS "
        "identifier_type, imei AS identifier, 0 AS via_link FROM z WHERE imei IS NOT NULL "
        "UNION ALL SELECT seizure_ref, eday, ts, location_code, prison_number, 'IMSI', imsi, 0 "
        "FROM z WHERE imsi IS NOT NULL "
        "UNION ALL SELECT z.seizure_ref, z.eday, z.ts, z.location_code, z.prison_number, "
        "'IMSI', l.a, 1 FROM z JOIN cw_links l ON l.b_type = 'MSISDN' AND l.b = z.msisdn "
        f"AND l.a_type = 'IMSI' AND l.{USABLE} WHERE z.imsi IS NULL), "
        "linked AS (SELECT * FROM direct UNION ALL "
        "SELECT x.seizure_ref, x.eday, x.ts, x.location_code, x.prison_number, "
        "CASE WHEN x.identifier_type = 'IMEI' THEN 'IMSI' ELSE 'IMEI' END, "
        "CASE WHEN x.identifier_type = 'IMEI' THEN l.b ELSE l.a END, 1 "
        "FROM direct x JOIN cw_links l ON l.a_type = 'IMEI' AND l.b_type = 'IMSI' "
        f"AND l.{USABLE} AND ((x.identifier_type = 'IMEI' AND l.a = x.identifier) "
        "OR (x.identifier_type = 'IMSI' AND l.b = x.identifier))), "
        "who AS (SELECT z.*, z.prison_number AS target, 2 AS level FROM linked z "
        "WHERE z.prison_number IS NOT NULL UNION ALL "
        "SELECT z.*, o.prison_number, 1 FROM linked z JOIN cw_occupancy o "
        f"ON o.location_code = z.location_code AND {occupied_at('o', instant)} "
        "WHERE z.prison_number IS NULL) "
        "SELECT identifier_type, identifier, eday, target AS prison_number, max(level) AS level, "
        "min(via_link) AS via_link, min(seizure_ref) AS seizure_ref, min(location_code) AS "
        f"location_code FROM who WHERE {absent_sql('who.identifier', EXCLUDED_IDS)} "
        "GROUP BY 1, 2, 3, 4"
    )
