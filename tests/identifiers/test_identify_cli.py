"""``cellwatch identify``: a Rich table or one JSON document; exit 2 on invalid input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cellwatch.cli.identify import register


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test host for the identify command."""

    register(app)
    return app


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # identify also reports what the store knows, so give it a store of its own.
    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CELLWATCH_DATABASE_URL", raising=False)


def test_table_output() -> None:
    result = CliRunner().invoke(_app(), ["identify", "35-209900-176148-1"])
    assert result.exit_code == 0, result.output
    assert "352099001761481" in result.output
    assert "Alcatel" in result.output


def test_json_output_is_one_document() -> None:
    result = CliRunner().invoke(_app(), ["identify", "--json", "https://x.com/SomeUser"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)["identifier"]
    assert document["type"] == "ACCOUNT"
    assert document["value"] == "x:someuser"
    assert document["details"]["platform"] == "x"


def test_hint_option() -> None:
    result = CliRunner().invoke(_app(), ["identify", "--json", "--as", "imsi", "352099001761481"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["identifier"]["type"] == "IMSI"


def test_invalid_input_exits_2_with_the_reason() -> None:
    result = CliRunner().invoke(_app(), ["identify", "490154203237519"])
    assert result.exit_code == 2
    # Typer draws the message in a box that wraps with the terminal's width.
    flat = " ".join(result.output.replace("│", " ").split())
    assert "check digit should be 8, got 9" in flat
