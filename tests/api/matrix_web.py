"""The web's page routes as the access matrix calls them (each with the targets it is tried
on); forms are posted with the session's CSRF token, added by the runner."""

from __future__ import annotations

from typing import Any

from matrix_ops import PRISONER, UNKNOWN_ID, Call, Targets, _by_est, _get
from matrix_world import LEEDS_ONLY, SHARED, World

from operator_support import SERVED_REF

UNKNOWN_IMEI = "490154203237518"
DEVICE = {"HEI+LEI": SHARED, "LEI": LEEDS_ONLY, "unknown": UNKNOWN_IMEI}
ORDER = {"HEI": SERVED_REF, "LEI": "TRO-LEI-2026-00001", "unknown": "TRO-NONE-1"}


def _form(path: str, **fields: Any) -> Call:
    return Call(path, data=dict(fields))


def _pages(template: str, values: dict[str, str]) -> Targets:
    return {k: _get(template.format(v)) for k, v in values.items()}


def _fresh_form(template: str, fresh: Any, **fields: Any) -> Targets:
    def make(w: World, u: str, est: str) -> Call:
        ident = fresh(w, est) if est != "unknown" else UNKNOWN_ID
        return _form(template.format(ident), **fields)
    return _by_est(make)


def _bulk(path: str, fresh: Any, **fields: Any) -> Targets:
    """A queue's bulk action, confirmed, on one fresh record of each target."""
    def make(w: World, u: str, est: str) -> Call:
        ident = fresh(w, est) if est != "unknown" else UNKNOWN_ID
        return _form(path, selected=str(ident), confirmed="yes", **fields)
    return _by_est(make)


def _upload(w: World, u: str, est: str) -> Call:
    body = (f"seizure_ref,item_no,ts,establishment,item_type\r\n"
            f"M-WSZ-{w.next()},1,2026-03-01T10:00:00Z,{est},HANDSET\r\n").encode()
    return Call("/ingest", data={"kind": "seizures"},
                files={"file": ("seizures.csv", body, "text/csv")})


def _judge(w: World, u: str, est: str) -> Call:
    return _form(f"/identifiers/IMEI/{SHARED}/judgements", target="attribution",
                 prison_number=PRISONER[est], verdict="UNSURE", reason=f"matrix {w.next()}",
                 form=f"attr-{PRISONER[est]}")


def _answer(w: World, u: str, est: str) -> Call:
    line = w.lines.get(est, UNKNOWN_ID)
    return _form(f"/operator/lines/{line}", outcome="DISPUTED",
                 actioned_ts=f"2026-03-22T11:{w.next() % 60:02d}")


def _person_page(suffix: str = "", **fields: Any) -> Targets:
    def make(w: World, u: str, key: str) -> Call:
        path = f"/protected-persons/{w.persons.get(key, 'PP-M-NONE')}{suffix}"
        values = {k: (v(w) if callable(v) else v) for k, v in fields.items()}
        return _form(path, **values) if suffix else Call(path)
    return _by_est(make, ("NIU", "HEI", "unknown"))


def _number(w: World) -> str:
    return f"07700 9{w.next() % 100000:05d}"


def _case_form(suffix: str, **fields: Any) -> Targets:
    def make(w: World, u: str, est: str) -> Call:
        ref = w.fresh_case(est) if est != "unknown" else "M-CASE-NONE"
        values = {k: (v(est) if callable(v) else v) for k, v in fields.items()}
        return _form(f"/cases/{ref}{suffix}", **values)
    return _by_est(make)


AGENCY: dict[str, Targets] = {
    "GET /protected-persons": {"list": _get("/protected-persons")},
    "POST /protected-persons": {"new": lambda w, u: _form(
        "/protected-persons", prison_number="A1111AA", condition="OTHER")},
    "GET /protected-persons/{person_ref}": _person_page(),
    "POST /protected-persons/{person_ref}/condition": _person_page(
        "/condition", condition="RESTRAINING_ORDER"),
    "POST /protected-persons/{person_ref}/identifiers": _person_page(
        "/identifiers", identifier=_number),
    "POST /protected-persons/{person_ref}/reports": _person_page(
        "/reports", sender=_number, channel="SMS"),
    "GET /contact-reports/{report_id}": {k: (lambda e: lambda w, u: Call(
        f"/contact-reports/{w.reports.get(e, UNKNOWN_ID)}"))(k)
        for k in ("NIU", "HEI", "unknown")},
    "GET /referrals/{referral_id}": {k: (lambda e: lambda w, u: Call(
        f"/referrals/{w.referrals.get(e, UNKNOWN_ID)}"))(k) for k in ("HEI", "LEI", "unknown")},
    "POST /referrals/{referral_id}/receipt": _fresh_form(
        "/referrals/{}/receipt", World.fresh_referral),
    "POST /referrals/{referral_id}/outcome": _fresh_form(
        "/referrals/{}/outcome", World.fresh_acknowledged, outcome="NO_FURTHER_ACTION"),
    "GET /reviews/{prison_number}/update": _pages("/reviews/{}/update", PRISONER),
    "POST /reviews/{prison_number}/update": _by_est(lambda w, u, est: _form(
        f"/reviews/{PRISONER[est]}/update", note="news?")),
    "POST /update-requests/{request_id}/done": _fresh_form(
        "/update-requests/{}/done", World.fresh_update_request, answer="done"),
    "GET /cases": {"list": _get("/cases")},
    "POST /cases": {"new": lambda w, u: _form("/cases", ref=f"M-WCASE-{w.next()}",
                                              title="t")},
    "GET /cases/{ref}": {k: _get(f"/cases/{v}") for k, v in (
        ("HEI", "CASE-HEI"), ("LEI", "CASE-LEI"), ("unknown", "CASE-NONE"))},
    "POST /cases/{ref}/subjects": _case_form(
        "/subjects", subjects=lambda est: PRISONER.get(est, "A1111AA")),
    "POST /cases/{ref}/close": _case_form("/close"),
    "POST /cases/{ref}/shares": _case_form("/shares", org="M-SINK", level="READ"),
    "GET /intelligence": {"list": _get("/intelligence")},
    "GET /intelligence/new": {"page": _get("/intelligence/new")},
    # Graded P about a prisoner of each establishment (an unknown one: as one out of scope).
    "POST /intelligence": _by_est(lambda w, u, est: _form(
        "/intelligence", text="matrix", source_evaluation="2", intelligence_assessment="B",
        handling_code="P", subjects=PRISONER[est])),
    "GET /intelligence/{report_ref}": {k: _get(f"/intelligence/{k}") for k in (
        "IR-P-HEI", "IR-P-LEI", "IR-C-WMP", "IR-C-NIU", "IR-UNKNOWN")},
}


WEB: dict[str, Targets] = {
    "GET /": {"page": _get("/")},
    "GET /search": {"HEI": _get("/search", q="A1111AA"), "LEI": _get("/search", q="A3333CC")},
    # A record no other cell opens: a reason kept in the session widens nothing after.
    "POST /reason": {"any": lambda w, u: _form("/reason", key="PRISONER:Z0000ZZ",
                                               next="/prisoners/Z0000ZZ",
                                               reason="matrix access review")},
    "GET /signin": {"page": _get("/signin")},
    "POST /signin": {"self": lambda w, u: _form(
        "/signin", username=u, password="correct horse battery staple", next="/")},
    "POST /signout": {"self": lambda w, u: _form("/signout")},
    "GET /prisoners/{prison_number}": _pages("/prisoners/{}", PRISONER),
    "GET /prisoners/{prison_number}/parole-summary.{fmt}": _pages(
        "/prisoners/{}/parole-summary.html", PRISONER),
    "GET /identifiers/{kind}/{value}": _pages("/identifiers/IMEI/{}", DEVICE),
    "GET /link/{kind}/{value}": _pages("/link/IMEI/{}", DEVICE),
    "GET /link/{kind}/{value}/chart.anx": _pages("/link/IMEI/{}/chart.anx", DEVICE),
    "GET /link/{kind}/{value}/graph.gexf": _pages("/link/IMEI/{}/graph.gexf", DEVICE),
    "GET /link/{kind}/{value}/graph.graphml": _pages("/link/IMEI/{}/graph.graphml", DEVICE),
    "GET /queues/alerts": {"list": _get("/queues/alerts")},
    "POST /queues/alerts/action": _by_est(lambda w, u, est: _form(
        "/queues/alerts/action",
        one=f"acknowledge:{w.fresh_alert(est) if est != 'unknown' else UNKNOWN_ID}")),
    "GET /alerts/{alert_id}": {k: (lambda e: lambda w, u: Call(
        f"/alerts/{w.alerts.get(e, UNKNOWN_ID)}"))(k) for k in ("HEI", "LEI", "unknown")},
    "GET /queues/candidates": {"list": _get("/queues/candidates")},
    "POST /queues/candidates": {"HEI": lambda w, u: _form("/queues/candidates",
                                                          identifier="234300000000099")},
    "GET /queues/referrals": {"list": _get("/queues/referrals")},
    "POST /referrals/{referral_id}/acknowledge": _fresh_form(
        "/referrals/{}/acknowledge", World.fresh_referral),
    "GET /queues/guard": {"list": _get("/queues/guard")},
    "POST /queues/guard/{hold_id}/allow": _fresh_form(
        "/queues/guard/{}/allow", World.fresh_hold, reason="staff phone", kind="STAFF"),
    "POST /queues/guard/{hold_id}/release": _fresh_form(
        "/queues/guard/{}/release", World.fresh_hold, reason="contraband"),
    "POST /queues/alerts/bulk": _bulk("/queues/alerts/bulk", World.fresh_alert,
                                      action="acknowledge"),
    "POST /queues/candidates/bulk": {"HEI": lambda w, u: _form(
        "/queues/candidates/bulk", selected="HEI:IMSI:234300000000099", confirmed="yes",
        action="draft")},
    "POST /queues/orders/bulk": _bulk("/queues/orders/bulk", World.fresh_order,
                                      action="approve", reason="matrix"),
    "POST /queues/guard/bulk": _bulk("/queues/guard/bulk", World.fresh_hold,
                                     action="release", reason="contraband"),
    "POST /queues/referrals/bulk": _bulk("/queues/referrals/bulk", World.fresh_referral,
                                         action="acknowledge"),
    "GET /queues/quarantine": {"list": _get("/queues/quarantine")},
    "POST /queues/quarantine/bulk": _bulk("/queues/quarantine/bulk", World.fresh_quarantine,
                                          action="discard", reason="duplicate"),
    "GET /ingest": {"page": _get("/ingest")},
    "POST /ingest": _by_est(_upload, ("HEI", "LEI")),
    "GET /ingest/quarantine/{row_id}": {k: (lambda e: lambda w, u: Call(
        f"/ingest/quarantine/{w.quarantine.get(e, UNKNOWN_ID)}"))(k)
        for k in ("HEI", "LEI", "unknown")},
    "POST /ingest/quarantine": _by_est(lambda w, u, est: _form(
        "/ingest/quarantine",
        row_id=str(w.fresh_quarantine(est) if est != "unknown" else UNKNOWN_ID))),
    "POST /ingest/quarantine/{row_id}": _fresh_form(
        "/ingest/quarantine/{}", World.fresh_quarantine, ts="2026-03-01T10:00:00Z"),
    "POST /ingest/quarantine/{row_id}/discard": _fresh_form(
        "/ingest/quarantine/{}/discard", World.fresh_quarantine, reason="duplicate"),
    "POST /identifiers/{kind}/{value}/judgements": _by_est(_judge),
    "POST /identifiers/{kind}/{value}/judgements/{judgement_id}/undo": _fresh_form(
        f"/identifiers/IMEI/{SHARED}/judgements/{{}}/undo", World.fresh_judgement),
    "GET /operator": {"page": _get("/operator")},
    "POST /operator/lines/{line_id}": _by_est(_answer),
    "GET /work": {"page": _get("/work")},
    "POST /referrals": _by_est(lambda w, u, est: _form(
        "/referrals", to_org="PAROLE", prison_number=PRISONER[est],
        summary=f"matrix referral {w.next()}"), ("HEI", "LEI")),
    "GET /reviews/{prison_number}": _pages("/reviews/{}", PRISONER),
    "GET /statistics": {"all": _get("/statistics")},
    "GET /statistics.csv": {"all": _get("/statistics.csv")},
    "GET /queues/orders": {"list": _get("/queues/orders")},
    "GET /orders/{ref}": _pages("/orders/{}", ORDER),
    "POST /orders/{ref}/transition": {k: (lambda e: lambda w, u: _form(
        f"/orders/{w.fresh_order(e) if e != 'unknown' else 'TRO-NONE-1'}/transition",
        to="APPROVED", reason="r"))(k) for k in ("HEI", "LEI", "unknown")},
    **AGENCY,
}
