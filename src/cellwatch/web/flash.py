"""The green "Success" banner: only messages the server issued, from a fixed set of keys.

A redirect after a form carries ``done=<key>``, the message's values and a signature over
them bound to the session's CSRF token. A page shows the banner only when the key is one
of :data:`MESSAGES` and the signature verifies: a crafted link (``/?done=Your account is
suspended, call ...``) shows nothing, and a link issued to one session shows nothing in
another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import urlencode

# Every message a page may show after an action, by key. Values fill the {fields}.
MESSAGES: dict[str, str] = {
    "signed_out": "You have signed out",
    "row_fixed": "Row {row} was fixed and went in",
    "row_still_bad": "Saved; row {row} still has problems",
    "row_discarded": "Row {row} was discarded",
    "rows_retried": "Retried {n} rows: {went_in} went in, {still} still quarantined",
    "guard_allowed": "{identifier} allow-listed",
    "guard_released": "{identifier} released as contraband",
    "judged": "{verdict} {what}",
    "judgement_undone": "Undid judgement {id}",
    "drafted": "Drafted {refs}",
    "referral_acknowledged": "Referral {id} acknowledged",
    "referral_sent": "Referral {id} sent to {to}",
    "operator_answer": "{ref} line {line}: {status}",
    "order_state": "Order {ref} is now {state}",
    "alerts_done": "{verb} {n} alert{s}",
    "alerts_assigned": "Assigned to {to}: {n} alert{s}",
    "person_created": "Protected person {ref} recorded",
    "identifier_added": "Number or account added to {ref}",
    "condition_changed": "Condition of {ref} changed",
    "report_recorded": "Report of contact {ref} recorded",
    "outcome_recorded": "Outcome of referral {id} recorded: {outcome}",
    "update_requested": "Update on {prisoner} requested from {to}",
    "update_done": "Request {id} from {to} marked done",
    "case_created": "Case {ref} opened",
    "case_subjects": "{n} prisoner(s) added to {ref}",
    "case_shared": "{ref} shared with {org}",
    "case_closed": "Case {ref} closed",
    "intelligence_submitted": "Intelligence report {ref} recorded ({grade})",
}
# The query parameters a flash uses (stripped from links built on a page's own URL).
PARAMS = ("done", "dv", "ds")


def _signature(key: str, csrf: str, name: str, values: str) -> str:
    message = f"{csrf}\n{name}\n{values}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def query(key: str, csrf: str, name: str, values: Mapping[str, object]) -> str:
    """The query string carrying message ``name`` with ``values``, signed for this session."""
    if name not in MESSAGES:
        raise KeyError(f"no flash message {name!r}")
    encoded = json.dumps({k: str(v) for k, v in values.items()}, sort_keys=True,
                         separators=(",", ":"))
    params = {"done": name}
    if values:
        params["dv"] = encoded
    params["ds"] = _signature(key, csrf, name, encoded if values else "")
    return urlencode(params)


def read(key: str, csrf: str, params: Mapping[str, str]) -> str | None:
    """The message the query ``params`` carry, or None when absent, unknown or forged."""
    name = params.get("done")
    if not name or name not in MESSAGES:
        return None
    encoded = params.get("dv", "")
    if not hmac.compare_digest(params.get("ds", ""), _signature(key, csrf, name, encoded)):
        return None
    try:
        values = json.loads(encoded) if encoded else {}
        return MESSAGES[name].format(**values) if isinstance(values, dict) else None
    except (ValueError, KeyError, IndexError):
        return None
