"""``cellwatch targeting rank|evaluate``: a thin shell over :mod:`cellwatch.targeting.service`.

Acts as ``CELLWATCH_PRINCIPAL``: ranking names where occupants' phones are, so it needs
prisoner read in the establishment, the API's rule for ``/targeting/rank``; evaluating the
whole estate needs a principal that covers it.
"""

from __future__ import annotations

from datetime import date

import typer

from cellwatch.cli.context import AS_JSON, cli_access, console, print_json, settings_from_env
from cellwatch.errors import InvalidData
from cellwatch.targeting import service
from cellwatch.targeting.service import Level

targeting_app = typer.Typer(name="targeting", no_args_is_help=True,
                            help="Which cells and landings to search, and how well that works.")


def register(app: typer.Typer) -> None:
    """Add ``targeting`` to ``app``."""
    app.add_typer(targeting_app, name="targeting")


def _date(text: str | None, option: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidData(f"{option}: not a YYYY-MM-DD date: {text!r}") from exc


@targeting_app.command("rank")
def rank_command(
    establishment: str = typer.Option(..., "--establishment", "-e"),
    day: str | None = typer.Option(None, "--date", help="Day of the searches (default today)."),
    top: int = typer.Option(20, "--top", min=1),
    landings: bool = typer.Option(False, "--landings", help="Rank landings, not cells."),
    as_json: bool = AS_JSON,
) -> None:
    """Cells (or landings) to search in order of expected finds, with the reasons."""
    level: Level = "LANDING" if landings else "CELL"
    ranking = service.rank(cli_access(settings_from_env()), establishment,
                           _date(day, "--date"), level, top)
    if as_json:
        print_json(ranking.to_dict())
        return
    out = console()
    for r in ranking.rows:
        if level == "CELL":
            out.print(f"{r['rank']:>3}. {r['code']:16} expected finds {r['expected_finds']:.3f}  "
                      f"{r['why']}", highlight=False)
        else:
            out.print(f"{r['rank']:>3}. {r['code']:16} expected finds {r['expected_finds']:.3f}  "
                      f"({r['cells']} cells, {r['occupants']} occupants)", highlight=False)


@targeting_app.command("evaluate")
def evaluate_command(
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD), inclusive."),
    top: int = typer.Option(10, "--top", min=1, help="Cells searched per establishment."),
    every: int = typer.Option(7, "--every", min=1, help="Days between re-rankings."),
    establishment: str | None = typer.Option(None, "--establishment", "-e"),
    as_json: bool = AS_JSON,
) -> None:
    """Compare later finds with the ranking: hit rate of the top N against random cells."""
    result = service.evaluate(cli_access(settings_from_env()), _date(start, "--from"),
                              _date(end, "--to"), top, every, establishment)
    if as_json:
        print_json(result.to_dict())
        return
    out = console()
    out.print(f"top {top} cells per establishment, re-ranked every {every} days, "
              f"{result.start} to {result.end}")
    out.print(f"ranking: {result.hits} hits in {result.chosen} cells "
              f"(hit rate {result.hit_rate:.3%})")
    out.print(f"random:  {result.random_hits:.2f} hits expected "
              f"(hit rate {result.random_hit_rate:.3%})")
    factor = "n/a (no finds in cells)" if result.factor is None else f"{result.factor:.2f}x"
    out.print(f"factor:  {factor}")
