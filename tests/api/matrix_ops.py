"""The REST API's operations as the access matrix calls them: for each operation of the
OpenAPI document, the targets it is tried on (a Hewell record, a Leeds record, C-coded
intelligence, an unknown id, the list) and the request each makes for a user.

A target's name says what it is, never whether a user may reach it: that is the table's
business (``access_matrix.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matrix_world import LEEDS_ONLY, SHARED, SIM, SINK, World

from operator_support import SERVED_REF

V1 = "/api/v1"
UNKNOWN_ID = 987654
ORG = {"nat": "NIU", "wm": "WMROCU", "hei": "HEI-SIT", "lei": "LEI-SIT", "wmp": "WMP",
       "parole": "PAROLE", "voda": "VODA"}
PRISONER = {"HEI": "A1111AA", "LEI": "A3333CC", "released": "A4444DD", "unknown": "Z9999ZZ"}


@dataclass(frozen=True)
class Call:
    """One request: path (with any query), and a JSON body, a form or files."""

    path: str
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    params: dict[str, str] = field(default_factory=dict)


Make = Callable[[World, str], Call]
Targets = dict[str, Make]


def _get(path: str, **params: str) -> Make:
    return lambda w, u: Call(path, params=params)


def _org_of(user: str) -> str:
    return ORG[user.split("_", 1)[0]]


def _by_est(make: Callable[[World, str, str], Call],
            names: tuple[str, ...] = ("HEI", "LEI", "unknown")) -> Targets:
    return {name: (lambda n: (lambda w, u: make(w, u, n)))(name) for name in names}


def _record(prefix: str, ids: Callable[[World], dict[str, int]], suffix: str = "",
            body: Any = None) -> Targets:
    def make(w: World, u: str, est: str) -> Call:
        ident = ids(w).get(est, UNKNOWN_ID)
        return Call(f"{prefix}/{ident}{suffix}", json=body)
    return _by_est(make)


def _fresh(prefix: str, fresh: Callable[[World, str], int], suffix: str,
           body: Callable[[World, str], Any]) -> Targets:
    def make(w: World, u: str, est: str) -> Call:
        ident = fresh(w, est) if est != "unknown" else UNKNOWN_ID
        return Call(f"{prefix}/{ident}{suffix}", json=body(w, u))
    return _by_est(make)


def _upload(kind: str, header: str, row: Callable[[int], str]) -> Make:
    def make(w: World, u: str) -> Call:
        body = f"{header}\r\n{row(w.next())}\r\n".encode()
        return Call(f"{V1}/ingest/{kind}", files={"file": (f"{kind}.csv", body, "text/csv")})
    return make


SEIZURE = "seizure_ref,item_no,ts,establishment,item_type"
INTEL = ("report_ref,ts,establishment,source_evaluation,intelligence_assessment,"
         "handling_code,text,subjects")


def _case_body(w: World, u: str, est: str) -> Call:
    subjects = [PRISONER[est]] if est != "none" else []
    return Call(f"{V1}/cases", json={"ref": f"M-CASE-{w.next()}", "title": "t",
                                     "subjects": subjects})


def _case_write(suffix: str, body: Callable[[str], Any]) -> Targets:
    def make(w: World, u: str, est: str) -> Call:
        ref = w.fresh_case(est) if est != "unknown" else "M-CASE-NONE"
        return Call(f"{V1}/cases/{ref}{suffix}", json=body(est))
    return _by_est(make)


def _referral_body(w: World, u: str, est: str) -> Call:
    body: dict[str, Any] = {"to_orgs": [SINK], "summary": "s"}
    if est != "none":
        body["prison_number"] = PRISONER[est]
    return Call(f"{V1}/referrals", json=body)


def _crime_body(w: World, u: str, est: str) -> Call:
    return Call(f"{V1}/crime-referrals", json={
        "prison_number": PRISONER[est], "offence": "harassment",
        "crime_reference": f"20/{w.next()}/26"})


def _judge(w: World, u: str, est: str) -> Call:
    return Call(f"{V1}/judgements/attributions", json={
        "identifier_type": "IMEI", "identifier": SHARED, "prison_number": PRISONER[est],
        "verdict": "UNSURE", "reason": f"matrix {w.next()}"})


UNKNOWN_IMEI, UNKNOWN_IMSI = "490154203237518", "234109999999999"  # known nowhere


def _link(device: str, sim: str) -> Make:
    return lambda w, u: Call(f"{V1}/judgements/links", json={
        "a_type": "IMEI", "a": device, "b_type": "IMSI", "b": sim, "verdict": "UNSURE",
        "reason": f"matrix {w.next()}"})


def _line_answer(w: World, u: str) -> dict[str, Any]:
    return {"outcome": "DISPUTED", "actioned_ts": f"2026-03-2{1 + w.next() % 2}T09:"
            f"{w.next() % 60:02d}:00Z"}


def _order_body(w: World, u: str, est: str) -> Call:
    return Call(f"{V1}/tro/orders", json={"establishment": est, "reason": "matrix"})


def _takedown_body(w: World, u: str, est: str) -> Call:
    return Call(f"{V1}/takedowns", json={"account": f"https://x.com/m{w.next()}",
                                         "prison_number": PRISONER[est], "reason": "r"})


def _person(suffix: str = "", body: Callable[[World], Any] | None = None) -> Targets:
    def make(w: World, u: str, key: str) -> Call:
        ref = w.persons.get(key, "PP-M-NONE")
        return Call(f"{V1}/protected-persons/{ref}{suffix}",
                    json=body(w) if body is not None else None)
    return _by_est(make, ("NIU", "HEI", "unknown"))


def _fresh_number(w: World) -> str:
    return f"+4477009{w.next() % 100000:05d}"


PROTECT: dict[str, Targets] = {
    "GET /api/v1/protected-persons": {"list": _get(f"{V1}/protected-persons")},
    "POST /api/v1/protected-persons": {"new": lambda w, u: Call(
        f"{V1}/protected-persons", json={"prison_number": "A1111AA", "condition": "OTHER"})},
    "GET /api/v1/protected-persons/{person_ref}": _person(),
    "POST /api/v1/protected-persons/{person_ref}/condition": _person(
        "/condition", lambda w: {"condition": "RESTRAINING_ORDER"}),
    "POST /api/v1/protected-persons/{person_ref}/identifiers": _person(
        "/identifiers", lambda w: {"identifier": _fresh_number(w)}),
    "GET /api/v1/protected-persons/{person_ref}/reports": _person("/reports"),
    "POST /api/v1/protected-persons/{person_ref}/reports": _person(
        "/reports", lambda w: {"sender": _fresh_number(w), "channel": "SMS"}),
    "GET /api/v1/protected-persons/{person_ref}/alerts": _person("/alerts"),
    "GET /api/v1/contact-reports/{report_id}": _by_est(lambda w, u, key: Call(
        f"{V1}/contact-reports/{w.reports.get(key, UNKNOWN_ID)}"), ("NIU", "HEI", "unknown")),
    "GET /api/v1/referrals/{referral_id}/outcomes": _record(
        f"{V1}/referrals", lambda w: w.referrals, "/outcomes"),
    "POST /api/v1/referrals/{referral_id}/outcomes": _fresh(
        f"{V1}/referrals", World.fresh_acknowledged, "/outcomes",
        lambda w, u: {"outcome": "NO_FURTHER_ACTION"}),
    "GET /api/v1/update-requests": {"list": _get(f"{V1}/update-requests")},
    "POST /api/v1/update-requests": _by_est(lambda w, u, est: Call(
        f"{V1}/update-requests", json={"prison_number": PRISONER[est], "note": "news?"})),
    "POST /api/v1/update-requests/{request_id}/done": _fresh(
        f"{V1}/update-requests", World.fresh_update_request, "/done",
        lambda w, u: {"answer": "done"}),
}


API: dict[str, Targets] = {
    "POST /api/v1/auth/token": {"self": lambda w, u: Call(f"{V1}/auth/token", data={
        "username": u, "password": "correct horse battery staple"})},
    "GET /api/v1/auth/me": {"self": _get(f"{V1}/auth/me")},
    "GET /api/v1/organisations": {"list": _get(f"{V1}/organisations")},
    "POST /api/v1/organisations": {"new": lambda w, u: Call(f"{V1}/organisations", json={
        "code": f"M-ORG-{w.next()}", "name": "n", "kind": "POLICE"})},
    "GET /api/v1/users": {"list": _get(f"{V1}/users")},
    "POST /api/v1/users": {
        "own_org": lambda w, u: Call(f"{V1}/users", json={
            "username": f"m_user_{w.next()}", "org": _org_of(u), "roles": ["administrator"],
            "password": "a long enough password"}),
        "other_org": lambda w, u: Call(f"{V1}/users", json={
            "username": f"m_user_{w.next()}", "org": "LEI-SIT" if not u.startswith("lei")
            else "HEI-SIT", "roles": ["administrator"], "password": "a long enough password"})},
    "GET /api/v1/establishments": {"list": _get(f"{V1}/establishments")},
    "GET /api/v1/prisoners": {"list": _get(f"{V1}/prisoners")},
    "GET /api/v1/prisoners/{prison_number}": {
        k: _get(f"{V1}/prisoners/{v}") for k, v in PRISONER.items()},
    "GET /api/v1/intelligence": {"list": _get(f"{V1}/intelligence")},
    "GET /api/v1/intelligence/export": {"all": _get(f"{V1}/intelligence/export")},
    "GET /api/v1/intelligence/{report_ref}": {
        k: _get(f"{V1}/intelligence/{k}") for k in (
            "IR-P-HEI", "IR-P-LEI", "IR-C-WMP", "IR-C-NIU", "IR-UNKNOWN")},
    "GET /api/v1/cases": {"list": _get(f"{V1}/cases")},
    "POST /api/v1/cases": _by_est(_case_body, ("HEI", "LEI", "none")),
    "GET /api/v1/cases/{ref}": {k: _get(f"{V1}/cases/{v}") for k, v in (
        ("HEI", "CASE-HEI"), ("LEI", "CASE-LEI"), ("unknown", "CASE-NONE"))},
    "POST /api/v1/cases/{ref}/shares": _case_write(
        "/shares", lambda est: {"org": SINK, "level": "READ"}),
    "POST /api/v1/cases/{ref}/subjects": _case_write(
        "/subjects", lambda est: {"subjects": [PRISONER.get(est, "A1111AA")]}),
    "POST /api/v1/cases/{ref}/close": _case_write("/close", lambda est: None),
    "GET /api/v1/referrals": {"list": _get(f"{V1}/referrals")},
    "POST /api/v1/referrals": _by_est(_referral_body, ("HEI", "LEI", "none")),
    "GET /api/v1/referrals/{referral_id}": _record(f"{V1}/referrals", lambda w: w.referrals),
    "POST /api/v1/referrals/{referral_id}/acknowledge": _fresh(
        f"{V1}/referrals", World.fresh_referral, "/acknowledge", lambda w, u: None),
    "GET /api/v1/crime-referrals": {"list": _get(f"{V1}/crime-referrals")},
    # A force may name any well-formed prison number: an unknown one is taken alike.
    "POST /api/v1/crime-referrals": _by_est(_crime_body),
    "GET /api/v1/crime-referrals/{referral_id}": _record(f"{V1}/crime-referrals",
                                                          lambda w: w.referrals),
    "POST /api/v1/crime-referrals/{referral_id}/acknowledge": _fresh(
        f"{V1}/crime-referrals", World.fresh_referral, "/acknowledge", lambda w, u: None),
    "GET /api/v1/ingest/batches": {"list": _get(f"{V1}/ingest/batches")},
    "GET /api/v1/ingest/batches/{batch_id}": _record(f"{V1}/ingest/batches",
                                                      lambda w: w.batches),
    "GET /api/v1/quarantine": {"list": _get(f"{V1}/quarantine")},
    "GET /api/v1/quarantine/{row_id}": _record(f"{V1}/quarantine", lambda w: w.quarantine),
    "POST /api/v1/quarantine/{row_id}/retry": _fresh(
        f"{V1}/quarantine", World.fresh_quarantine, "/retry", lambda w, u: None),
    "POST /api/v1/ingest/{kind}": {
        "seizures_HEI": _upload("seizures", SEIZURE, lambda n: f"M-SZ-{n},1,2026-03-01T10:00:00Z,"
                                "HEI,HANDSET"),
        "seizures_LEI": _upload("seizures", SEIZURE, lambda n: f"M-SZ-{n},1,2026-03-01T10:00:00Z,"
                                "LEI,HANDSET"),
        "intelligence_HEI": _upload("intelligence_reports", INTEL, lambda n: (
            f"M-IR-{n},2026-03-01T10:00:00Z,HEI,2,B,P,text,A1111AA")),
        "prisoners": _upload("prisoners", "prison_number,surname,forenames,establishment",
                             lambda n: f"B{n:04d}MM,Matrix,Test,HEI"),
        "call_records": _upload("call_records", "operator,record_type,start_ts,direction,"
                                "subject_msisdn", lambda n: f"EE,VOICE,2026-03-01T10:{n % 60:02d}"
                                ":00Z,MO,0770090{n:04d}"),
        "operator_responses_HEI": _upload("operator_responses", "order_ref,identifier,outcome,"
                                          "actioned_ts", lambda n: f"{SERVED_REF},234150000000001"
                                          f",DISPUTED,2026-03-22T10:{n % 60:02d}:00Z"),
    },
    "GET /api/v1/audit": {"list": _get(f"{V1}/audit")},
    "GET /api/v1/audit/verify": {"all": _get(f"{V1}/audit/verify")},
    "GET /api/v1/identifiers/{text}": {k: _get(f"{V1}/identifiers/{v}", reason="matrix")
                                       for k, v in (("HEI+LEI", SHARED), ("LEI", LEEDS_ONLY),
                                                    ("unknown", "490154203237518"))},
    "GET /api/v1/stats": {"all": _get(f"{V1}/stats")},
    "GET /api/v1/stats/charts/{name}.png": {"all": _get(f"{V1}/stats/charts/finds_by_month.png")},
    "GET /api/v1/targeting/rank": {k: _get(f"{V1}/targeting/rank", establishment=k)
                                   for k in ("HEI", "LEI")},
    "GET /api/v1/alerts": {"list": _get(f"{V1}/alerts")},
    "GET /api/v1/alerts/{alert_id}": _record(f"{V1}/alerts", lambda w: w.alerts),
    "POST /api/v1/alerts/{alert_id}/assign": _fresh(
        f"{V1}/alerts", World.fresh_alert, "/assign", lambda w, u: {"to_user": u}),
    "POST /api/v1/alerts/{alert_id}/acknowledge": _fresh(
        f"{V1}/alerts", World.fresh_alert, "/acknowledge", lambda w, u: None),
    "POST /api/v1/alerts/{alert_id}/close": _fresh(
        f"{V1}/alerts", World.fresh_alert, "/close", lambda w, u: {"outcome": "NO_FURTHER_ACTION"}),
    "GET /api/v1/tro/candidates": {"list": _get(f"{V1}/tro/candidates")},
    "GET /api/v1/tro/orders": {"list": _get(f"{V1}/tro/orders")},
    "GET /api/v1/tro/orders/{ref}": {k: _get(f"{V1}/tro/orders/{v}") for k, v in (
        ("HEI", SERVED_REF), ("LEI", "TRO-LEI-2026-00001"), ("unknown", "TRO-NONE-1"))},
    "POST /api/v1/tro/orders": _by_est(_order_body, ("HEI", "LEI")),
    "POST /api/v1/tro/orders/{ref}/transition": {
        k: (lambda est: lambda w, u: Call(
            f"{V1}/tro/orders/{w.fresh_order(est) if est != 'unknown' else 'TRO-NONE-1'}"
            "/transition", json={"state": "APPROVED", "reason": "r"}))(k)
        for k in ("HEI", "LEI", "unknown")},
    "GET /api/v1/takedowns": {"list": _get(f"{V1}/takedowns")},
    "GET /api/v1/takedowns/{request_id}": _record(f"{V1}/takedowns", lambda w: w.takedowns),
    "POST /api/v1/takedowns": _by_est(_takedown_body, ("HEI", "LEI")),
    "POST /api/v1/takedowns/{request_id}/transition": _fresh(
        f"{V1}/takedowns", World.fresh_takedown, "/transition",
        lambda w, u: {"state": "SENT", "reason": "r"}),
    "GET /api/v1/judgements": {
        "HEI": _get(f"{V1}/judgements", prison_number="A1111AA"),
        "LEI": _get(f"{V1}/judgements", prison_number="A3333CC"),
        "unknown": _get(f"{V1}/judgements", prison_number="Z9999ZZ"),
        "device_HEI+LEI": _get(f"{V1}/judgements", identifier=SHARED),
        "device_unknown": _get(f"{V1}/judgements", identifier="490154203237518")},
    "POST /api/v1/judgements/attributions": _by_est(_judge),
    "POST /api/v1/judgements/links": {"HEI+LEI": _link(SHARED, SIM),
                                      "unknown": _link(UNKNOWN_IMEI, UNKNOWN_IMSI)},
    "POST /api/v1/judgements/{judgement_id}/undo": _fresh(
        f"{V1}/judgements", World.fresh_judgement, "/undo", lambda w, u: None),
    "GET /api/v1/operator/lines": {"list": _get(f"{V1}/operator/lines")},
    "POST /api/v1/operator/lines/{line_id}/response": _by_est(
        lambda w, u, est: Call(f"{V1}/operator/lines/{w.lines.get(est, UNKNOWN_ID)}/response",
                               json=_line_answer(w, u))),
    "GET /api/v1/guard/holds": {"list": _get(f"{V1}/guard/holds")},
    # Fresh: every ingest recomputes the guard's holds, dropping those no detector raised.
    "GET /api/v1/guard/holds/{hold_id}": _fresh(f"{V1}/guard/holds", World.fresh_hold, "",
                                                lambda w, u: None),
    "POST /api/v1/guard/holds/{hold_id}/allow": _fresh(
        f"{V1}/guard/holds", World.fresh_hold, "/allow",
        lambda w, u: {"reason": "staff phone", "kind": "STAFF"}),
    "POST /api/v1/guard/holds/{hold_id}/release": _fresh(
        f"{V1}/guard/holds", World.fresh_hold, "/release", lambda w, u: {"reason": "contraband"}),
    **PROTECT,
}
