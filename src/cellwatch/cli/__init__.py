"""The ``cellwatch`` command line: a thin shell over the library.

Each command group lives in its own module and registers itself on :data:`app`
through :func:`build_app`; errors from the library become clean messages and exit codes
(0 ok, 1 some rows or items rejected, 2 unusable input or failure).
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from rich.console import Console

from cellwatch.errors import CellwatchError

# Modules that add commands; each has ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "cellwatch.cli.attribution",
    "cellwatch.cli.core",
    "cellwatch.cli.simulate",
    "cellwatch.cli.identify",
    "cellwatch.cli.ingest",
    "cellwatch.cli.quarantine",
    "cellwatch.cli.status",
    "cellwatch.cli.export",
    "cellwatch.cli.exchange",
    "cellwatch.cli.matching",
    "cellwatch.cli.tro",
    "cellwatch.cli.guard",
    "cellwatch.cli.takedown",
    "cellwatch.cli.stats",
    "cellwatch.cli.targeting",
    "cellwatch.cli.users",
    "cellwatch.cli.audit",
    "cellwatch.cli.serve",
    "cellwatch.cli.alerts",
    "cellwatch.cli.parole",
)


def build_app() -> typer.Typer:
    """Assemble the Typer application from every command module."""
    app = typer.Typer(
        name="cellwatch",
        help="Find, attribute and disconnect contraband phones used from prisons.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def _root(
    home: str | None = typer.Option(
        None, "--home", envvar="CELLWATCH_HOME", help="Folder of the store and lake."
    ),
) -> None:
    """Find, attribute and disconnect contraband phones used from prisons."""
    # Commands read settings from the environment; --home is a shortcut for CELLWATCH_HOME.
    if home is not None:
        os.environ["CELLWATCH_HOME"] = home


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map cellwatch errors to exit codes."""
    app = build_app()
    err = Console(stderr=True)
    try:
        # Without standalone mode click returns a command's exit code instead of exiting.
        result = app(args=argv, standalone_mode=False)
        if isinstance(result, int):
            return result
    except CellwatchError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.BadParameter, typer.Abort) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        return 2
    except Exception as exc:
        # Typer vendors click; its usage errors know how to show themselves.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
