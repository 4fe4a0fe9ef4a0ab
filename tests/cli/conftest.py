"""Running the CLI as a user of the fixture estate (:mod:`cellwatch.access.fixtures`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cellwatch.access.fixtures import build_estate
from cellwatch.cli import main
from cellwatch.settings import Settings
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI as a user of the fixture estate; return (exit code, stdout, stderr)."""
    build_estate(store)
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)

    def invoke(principal: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("CELLWATCH_PRINCIPAL", principal)
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
