"""What every CLI command needs: settings, the store and the acting principal, built once
per invocation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.errors import AccessDenied, ReasonRequired
from cellwatch.settings import Settings, load_settings
from cellwatch.store import Store, open_store

T = TypeVar("T")

# Options many commands take: one definition, so the flag and its help never drift apart.
AS_JSON = typer.Option(False, "--json", help="Print one JSON document.")
EXPORT_REASON = typer.Option("", "--reason", help="Why it is exported (required for users; "
                             "audited).")


def settings_from_env() -> Settings:
    """Settings from the environment (``CELLWATCH_*``)."""
    return load_settings()


def store_from_env(settings: Settings | None = None) -> Store:
    """The migrated store the environment points at."""
    return open_store(settings or settings_from_env())


def cli_access(settings: Settings | None = None) -> Access:
    """The store, guarded as ``CELLWATCH_PRINCIPAL`` (``system`` by default).

    The one place the CLI resolves who it acts as: a name that is no active user in an
    active organisation is refused here (:class:`~cellwatch.errors.AuthenticationFailed`,
    exit 2) before any command reads or writes a thing.
    """
    settings = settings or settings_from_env()
    store = store_from_env(settings)
    with store.session() as session:
        return Access(store, principal_for(session, settings.principal), settings)


def opened(read: Callable[[], T]) -> T:
    """``read()`` a record through the service layer; a refusal only for want of a reason
    says how to give one (the denial is audited either way)."""
    try:
        return read()
    except ReasonRequired as exc:
        raise AccessDenied(f"{exc.message}: say why with --reason") from exc


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (for ``--json``)."""
    print(json.dumps(document, indent=2, default=str, sort_keys=True))


def console() -> Console:
    """A console on stdout for human output."""
    return Console()
