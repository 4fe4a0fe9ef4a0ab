"""``cellwatch match people|retry``: a thin shell over :mod:`cellwatch.matching.service`.

Rows that cannot be matched are kept in the quarantine (kind ``match_people``) with file,
line, field and reason; ``cellwatch quarantine list --kind match_people`` lists them,
``cellwatch match retry ID [--set FIELD=VALUE]`` matches them again once fixed.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import typer

from cellwatch.cli.context import AS_JSON, cli_access, console, print_json, settings_from_env
from cellwatch.errors import InvalidData
from cellwatch.matching.service import (
    DEFAULT_THRESHOLD,
    MatchOutcome,
    match_file,
    retry_rejected,
)

THRESHOLD = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0,
                         help="Lowest match probability shown (0.5: more likely than not).")


def match_people_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV with surname, forenames, date_of_birth [, id]."),
    as_json: bool = AS_JSON,
    threshold: float = THRESHOLD,
) -> None:
    """Candidate prisoners for people named without a prison number (best first).

    Rows that cannot be matched (an unusable date of birth, neither surname nor date) go
    to the quarantine, listed with file, line, field and reason, while the rest are
    matched; exit code 1 when a row was quarantined.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    settings = settings_from_env()
    outcome = match_file(cli_access(settings), settings, path.name, records,
                         threshold=threshold)
    _show(outcome, as_json)
    if outcome.rejected:
        raise typer.Exit(1)


def match_retry_command(
    ids: list[int] = typer.Argument(..., metavar="ID...", help="Quarantined match rows."),
    assignments: list[str] = typer.Option([], "--set", metavar="FIELD=VALUE",
                                          help="Fix the one row given first (repeatable)."),
    as_json: bool = AS_JSON,
    threshold: float = THRESHOLD,
) -> None:
    """Match quarantined rows again (after ``--set`` or ``cellwatch quarantine fix``);
    those now usable are resolved, exit code 1 if any is still rejected."""
    changes: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise InvalidData("give FIELD=VALUE", {"--set": [assignment]})
        changes[name.strip()] = value
    settings = settings_from_env()
    outcome = retry_rejected(cli_access(settings), settings, ids, changes=changes,
                             threshold=threshold)
    _show(outcome, as_json)
    if outcome.rejected:
        raise typer.Exit(1)


def _show(outcome: MatchOutcome, as_json: bool) -> None:
    if as_json:
        document: dict[str, Any] = {"matches": outcome.matches, "rejected": outcome.rejected,
                                    "training": outcome.training,
                                    "quarantine_batch": outcome.batch_id}
        if outcome.resolved:
            document["resolved"] = outcome.resolved
        print_json(document)
        return
    out = console()
    for r in outcome.matches:
        out.print(f"{r['record_id']:<10} {r['rank']:>2} {r['prison_number']:<8} "
                  f"{r['match_probability']:.4f} {r['match_weight']:+6.1f}  "
                  f"{r['explanation']}", highlight=False)
    for r in outcome.rejected:
        out.print(f"quarantined #{r['id']} {r['file']} line {r['line']} ({r['record_id']}): "
                  f"{r['field']}: {r['reason']}", highlight=False)
    if outcome.resolved:
        out.print(f"resolved: {', '.join(f'#{i}' for i in outcome.resolved)}", highlight=False)
    out.print(outcome.training, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``match`` group: ``people`` and ``retry``."""
    match = typer.Typer(help="Match people named without a prison number.",
                        no_args_is_help=True)
    match.command("people")(match_people_command)
    match.command("retry")(match_retry_command)
    app.add_typer(match, name="match")
