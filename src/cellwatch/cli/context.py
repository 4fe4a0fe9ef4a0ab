"""What every CLI command needs: settings and the store, built once per invocation."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from cellwatch.settings import Settings, load_settings
from cellwatch.store import Store, open_store


def settings_from_env() -> Settings:
    """Settings from the environment (``CELLWATCH_*``)."""
    return load_settings()


def store_from_env(settings: Settings | None = None) -> Store:
    """The migrated store the environment points at."""
    return open_store(settings or settings_from_env())


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (for ``--json``)."""
    print(json.dumps(document, indent=2, default=str, sort_keys=True))


def console() -> Console:
    """A console on stdout for human output."""
    return Console()
