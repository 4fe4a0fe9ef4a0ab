"""``cellwatch simulate``: write a simulated estate's sources and truth to a folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from cellwatch.errors import ConfigError
from cellwatch.simulate import load_scenario, simulate
from cellwatch.simulate.worlds import world_scenario


def simulate_command(
    scenario: Path | None = typer.Option(
        None, "--scenario", help="Scenario file (TOML or YAML); default: the demo."
    ),
    seed: int = typer.Option(
        1, "--seed", help="Random seed; the same seed gives byte-identical output."
    ),
    out: Path = typer.Option(Path("simulated"), "--out", help="Output folder."),
    randomise: bool = typer.Option(
        False, "--randomise", help="Draw a small world from the documented ranges "
        "(docs/simulator.md, Worlds); the draw is recorded in the manifest."
    ),
    world_seed: int | None = typer.Option(
        None, "--world-seed", help="With --randomise: the seed of the world's draw "
        "(default: --seed)."
    ),
) -> None:
    """Simulate an estate and write every source, truth/ and manifest.json to OUT."""
    if randomise and scenario is not None:
        raise ConfigError("--randomise draws its own world: give --scenario or --randomise")
    world = None
    if randomise:
        sc, world = world_scenario(seed if world_seed is None else world_seed)
    else:
        sc = load_scenario(scenario)
    res = simulate(sc, seed, out, progress=True, world=world)
    Console(stderr=True).print(
        f"wrote {sum(res.files.values()):,} rows in {len(res.files)} files to {out} "
        f"({res.detections:,} detections, {res.events_per_second:,.0f} events/s, "
        f"{res.seconds:.1f} s)"
    )


def register(app: typer.Typer) -> None:
    """Add ``cellwatch simulate`` to ``app``."""
    app.command("simulate")(simulate_command)
