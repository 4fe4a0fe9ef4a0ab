"""``cellwatch serve``: the web UI and the REST API, one process, on loopback by default."""

from __future__ import annotations

import typer

from cellwatch.cli.context import settings_from_env


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""
    app.command("serve")(serve)


def serve(
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Interface to listen on; loopback unless you mean otherwise."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
) -> None:
    """Serve the web UI (at /) and the REST API (at /api/v1; OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from cellwatch.api import create_app

    settings = settings_from_env()
    app = create_app(settings)
    from cellwatch.ingest.service.files import recover_after_crash

    # Batches a crash left RUNNING are settled before anyone reads the counts.
    recovered = recover_after_crash(app.state.store, settings)
    if recovered:
        typer.echo(f"recovered after a crash: {recovered.as_dict()}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
