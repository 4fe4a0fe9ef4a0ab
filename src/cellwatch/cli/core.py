"""``cellwatch init``: create the store and load the bundled reference data."""

from __future__ import annotations

import typer

from cellwatch.cli.context import console, print_json, settings_from_env, store_from_env


def register(app: typer.Typer) -> None:
    """Add the core commands to ``app``."""
    app.command("init")(init_command)


def init_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Create (or migrate) the store under CELLWATCH_HOME."""
    settings = settings_from_env()
    store = store_from_env(settings)
    result = {"store": store.dialect, "home": str(settings.home.resolve())}
    if as_json:
        print_json(result)
    else:
        console().print(f"store ready ({store.dialect}) in {result['home']}")
