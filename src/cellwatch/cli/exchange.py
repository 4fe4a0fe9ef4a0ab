"""``cellwatch export stix|misp|ftm|chart``: thin shells over the library
(``cellwatch match`` is :mod:`cellwatch.cli.matching`)."""

from __future__ import annotations

from pathlib import Path

import typer

from cellwatch.cli.context import EXPORT_REASON, cli_access, console
from cellwatch.cli.export import export_app

# The scope options every bundle export (STIX, MISP) takes, defined once.
ONLY_PRISONER = typer.Option(None, "--prisoner", help="Only this prison number.")
ONLY_ESTABLISHMENT = typer.Option(None, "--establishment", help="Only this establishment.")
WITH_INTELLIGENCE = typer.Option(True, "--intelligence/--no-intelligence",
                                 help="Include graded intelligence (needs export).")
MIN_PROBABILITY = typer.Option(0.5, "--min-probability", min=0.0, max=1.0)


def export_stix_command(
    out: Path = typer.Option(..., "--out", help="STIX 2.1 bundle (JSON) to write."),
    prisoner: str | None = ONLY_PRISONER,
    establishment: str | None = ONLY_ESTABLISHMENT,
    reason: str = EXPORT_REASON,
    intelligence: bool = WITH_INTELLIGENCE,
    min_probability: float = MIN_PROBABILITY,
) -> None:
    """Write a STIX 2.1 bundle of prisoners, attributed identifiers and intelligence."""
    from cellwatch.exchange.service.write import ExportScope, export_stix

    scope = ExportScope(prisoner, establishment, intelligence, min_probability)
    s = export_stix(cli_access(), out, scope, reason)
    console().print(f"wrote {s.objects} STIX objects ({s.persons} people, {s.attributions} "
                    f"attributions, {s.intelligence} reports) to {out}", highlight=False)


def export_misp_command(
    out: Path = typer.Option(..., "--out", help="MISP event (JSON) to write."),
    prisoner: str | None = ONLY_PRISONER,
    establishment: str | None = ONLY_ESTABLISHMENT,
    reason: str = EXPORT_REASON,
    intelligence: bool = WITH_INTELLIGENCE,
    min_probability: float = MIN_PROBABILITY,
) -> None:
    """Write one MISP event: person, phone, user-account and report objects, TLP tags."""
    from cellwatch.exchange.service.write import ExportScope, export_misp

    scope = ExportScope(prisoner, establishment, intelligence, min_probability)
    s = export_misp(cli_access(), out, scope, reason)
    console().print(f"wrote a MISP event of {s.objects} objects ({s.persons} people, "
                    f"{s.attributions} attributions, {s.intelligence} reports) to {out}",
                    highlight=False)


def export_chart_command(
    root: str = typer.Argument(..., help="TYPE:VALUE (PRISONER:A1234BC, IMEI:35...) or "
                                         "CASE:REF (around a case's subjects)."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    fmt: str = typer.Option("graphml", "--format",
                            help="graphml, gexf, anx (i2 Analyst's Notebook) or i2csv."),
    depth: int = typer.Option(1, "--depth", min=1, max=3, help="Steps out from the root."),
    min_probability: float = typer.Option(0.5, "--min-probability", min=0.0, max=1.0,
                                          help="Lowest attribution probability drawn."),
    reason: str = EXPORT_REASON,
) -> None:
    """Write the link chart around one entity (as the web page draws it) or a case."""
    from cellwatch.exchange.service.charts import export_chart, parse_root

    n = export_chart(cli_access(), out, parse_root(root), fmt.lower(), depth,
                     min_probability, reason)
    console().print(f"wrote {n} links ({fmt}) to {out}", highlight=False)


def export_ftm_command(
    out: Path = typer.Option(..., "--out", help="FollowTheMoney entities (JSON lines)."),
    prisoner: str | None = typer.Option(None, "--prisoner", help="Only this prison number."),
    establishment: str | None = typer.Option(None, "--establishment",
                                             help="Only this establishment."),
    reason: str = EXPORT_REASON,
    min_probability: float = typer.Option(0.5, "--min-probability", min=0.0, max=1.0),
) -> None:
    """Write FollowTheMoney entities: people, identifiers and attribution links."""
    from cellwatch.exchange.service.write import ExportScope, export_ftm

    scope = ExportScope(prisoner, establishment, False, min_probability)
    s = export_ftm(cli_access(), out, scope, reason)
    console().print(f"wrote {s.objects} entities ({s.persons} people, {s.attributions} "
                    f"attributions) to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Hang ``stix``, ``misp``, ``ftm`` and ``chart`` on ``export``."""
    names = {c.name for c in export_app.registered_commands}
    # build_app may run more than once per process (tests); register each command once.
    if "stix" not in names:
        export_app.command("stix")(export_stix_command)
        export_app.command("misp")(export_misp_command)
        export_app.command("ftm")(export_ftm_command)
        export_app.command("chart")(export_chart_command)
