"""``cellwatch export ...``: the shared sub-command group the interchange exports hang on.

Modules with an export add their command to :data:`export_app` when imported (once per
process, as Python imports a module once); :func:`register` mounts the group.
"""

from __future__ import annotations

import typer

export_app = typer.Typer(name="export", help="Write the interchange exports.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount ``export`` on the root application."""
    from cellwatch.cli.intelligence import export_intelligence_command

    export_app.command("intelligence")(export_intelligence_command)
    app.add_typer(export_app, name="export")
