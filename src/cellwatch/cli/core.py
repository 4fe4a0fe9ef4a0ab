"""``cellwatch init``: create the store and load the bundled reference data."""

from __future__ import annotations

import typer

from cellwatch.cli.context import console, print_json, settings_from_env, store_from_env
from cellwatch.ingest.service.files import init_reference


def register(app: typer.Typer) -> None:
    """Add the core commands to ``app``."""
    app.command("init")(init_command)


def init_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Create (or migrate) the store under CELLWATCH_HOME and load the prison register."""
    settings = settings_from_env()
    store = store_from_env(settings)
    loaded = init_reference(store, settings)
    result = {
        "store": store.dialect,
        "home": str(settings.home.resolve()),
        "establishments": loaded.to_dict(),
    }
    if as_json:
        print_json(result)
        return
    out = console()
    out.print(f"store ready ({store.dialect}) in {result['home']}")
    if loaded.already_ingested:
        out.print("prison register already loaded")
    else:
        out.print(
            f"prison register: {loaded.accepted} establishments added, {loaded.updated} updated"
        )
