"""``cellwatch identify TEXT``: what an identifier is and everything the store knows of it.

A thin shell over :func:`cellwatch.attribution.service.knowledge.look_up`, acting as
``CELLWATCH_PRINCIPAL`` (``system`` by default): an identifier known outside the
principal's own organisation is opened only with ``--reason``, as ``cellwatch device``.
"""

from __future__ import annotations

from typing import Any

import typer

from cellwatch.attribution.service.knowledge import look_up
from cellwatch.cli.context import cli_access, console, opened, print_json
from cellwatch.errors import InvalidIdentifier
from cellwatch.ingest.service.extractions import extraction_contacts


def register(app: typer.Typer) -> None:
    """Add ``identify`` to ``app``."""
    app.command("identify")(identify_command)


def identify_command(
    text: str = typer.Argument(
        ..., help="An IMEI, IMSI, ICCID, phone number, handle or profile URL."
    ),
    hint: str | None = typer.Option(
        None,
        "--as",
        help="Read TEXT as this type (IMEI, IMSI, ICCID, MSISDN, ACCOUNT) or platform.",
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why it is looked up; required "
                                      "outside your own organisation (audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show what TEXT is, its normal form and everything the store knows about it.

    Invalid input exits with code 2 and the reason (bad check digit, unknown MCC...).
    """
    try:
        access = cli_access()
        known = opened(lambda: look_up(access, text, reason, hint))
        if not known.get("privileged"):
            # A seized phone's contacts holding a prisoner's PIN numbers (issue 20).
            known["extraction_contacts"] = extraction_contacts(access, text, hint)
    except InvalidIdentifier as exc:
        # InvalidData means "rows rejected" (exit 1) elsewhere; here the one input is
        # unusable, which the CLI reports as a bad parameter (exit 2).
        raise typer.BadParameter(exc.message, param_hint="TEXT") from exc
    if as_json:
        print_json(known)
        return
    for line in render(known):
        console().print(line, highlight=False, markup=False)


def render(known: dict[str, Any]) -> list[str]:
    """Readable lines for a :func:`~cellwatch.attribution.service.knowledge.knowledge_of` answer."""
    lines = list(known["explain"])
    if known.get("privileged"):
        return [*lines, "allow-listed: PRIVILEGED",
                "this identifier is privileged and is never analysed"]
    lines.append("allow-listed: " + (", ".join(known["allow_listed"]) or "no"))
    for s in known["seizures"]:
        lines.append(f"seized: {s['seizure_ref']} item {s['item_no']} at {s['establishment']} "
                     f"on {s['ts'][:10]} ({s['item_type']})"
                     + (f" from {s['prison_number']}" if s["prison_number"] else ""))
    for d in known["detections"]:
        lines.append(f"detected at {d['establishment']}: {d['count']} time(s), "
                     f"first {d['first_seen']}, last {d['last_seen']}")
    calls = known.get("call_records")
    if calls and calls["count"]:
        lines.append(f"call records: {calls['count']} ({calls['first']} to {calls['last']})")
    for a in known["attributions"]:
        lines.append(f"attributed to {a['prison_number']} ({a['status']}, p={a['probability']}"
                     f", {a['valid_from']} to {a['valid_to']})")
    for r in known["intelligence"]:
        lines.append(f"intelligence: {r['report_ref']} {r['grading']} ({r['ts'][:10]})")
    for t in known["tro_orders"]:
        lines.append(f"TRO {t['application']} at {t['establishment']}: {t['state']}, "
                     f"line {t['line_status']}")
    lines += [m["sentence"] for m in known.get("extraction_contacts", [])]
    if len(lines) == len(known["explain"]) + 1:
        lines.append("nothing else is known about it")
    return lines
