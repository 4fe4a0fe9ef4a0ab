"""``make demo``: build a simulated estate, run the whole pipeline through the CLI, serve it.

Every step goes through the same CLI entry point a user would type, so the demo
exercises the real code path end to end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.cli import main as cli
from cellwatch.demo_users import create_demo_users
from cellwatch.protect.service.liaison import hand_over_unowned
from cellwatch.settings import load_settings
from cellwatch.store import open_store


def _run(console: Console, argv: Sequence[str], allow: Sequence[int] = (0,)) -> int:
    console.print(f"[bold cyan]$ cellwatch {' '.join(argv)}[/]")
    code = cli(list(argv))
    if code not in allow:
        console.print(f"[bold red]step failed with exit code {code}[/]")
        raise SystemExit(code)
    return code


def build(sources: Path, seed: int, scenario: str | None) -> None:
    """Simulate the estate into ``sources`` (once) and ingest and analyse all of it."""
    console = Console()
    manifest = sources / "manifest.json"
    if not manifest.exists():
        argv = ["simulate", "--seed", str(seed), "--out", str(sources)]
        if scenario:
            argv += ["--scenario", scenario]
        _run(console, argv)
    _run(console, ["init"])
    for entry in json.loads(manifest.read_text())["files"]:
        _run(console, ["ingest", entry["kind"], str(sources / entry["path"])])
    _run(console, ["attribute"], allow=(0, 1))
    _run(console, ["alerts", "run"], allow=(0, 1))
    _run(console, ["status"])
    settings = load_settings()
    store = open_store(settings)
    codes = [row["code"] for row in _establishment_rows(sources)]
    credentials = create_demo_users(settings, store, codes)
    # Loaded by the system principal, the simulated protected persons have no owner, and only
    # the owning organisation reads one: the police force's victim liaison takes them on.
    handed = hand_over_unowned(Access(store, SYSTEM), "POLICE")
    console.print(f"[bold green]protected persons[/] handed to POLICE's victim liaison: "
                  f"{len(handed)}")
    console.print(f"[bold green]demo users[/] (from {credentials}):")
    console.print(credentials.read_text(), highlight=False)


def _establishment_rows(sources: Path) -> list[dict[str, str]]:
    with (sources / "establishments.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the demo's options, build the estate and serve the web UI."""
    parser = argparse.ArgumentParser(prog="cellwatch-demo", description=__doc__)
    parser.add_argument("--sources", type=Path, default=Path("cellwatch-data/demo-sources"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="Build only; do not serve.")
    args = parser.parse_args(argv)
    os.environ.setdefault("CELLWATCH_HOME", "cellwatch-data")
    build(args.sources, args.seed, args.scenario)
    if args.no_serve:
        return 0
    Console().print(f"[bold]serving on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)[/]")
    return cli(["serve", "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
