"""Settings: every one documented, read from the environment, and refused when unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.errors import ConfigError
from cellwatch.settings import Settings, load_settings

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"CELLWATCH_{name.upper()}" in OPERATIONS.read_text(), f"document {name}"


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("CELLWATCH_TOKEN_TTL_MINUTES", "5")
    settings = load_settings()
    assert settings.home == tmp_path
    assert settings.token_ttl_minutes == 5
    assert settings.store_url.startswith("sqlite:///")


def test_bad_values_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELLWATCH_TOKEN_TTL_MINUTES", "0")
    with pytest.raises(ConfigError):
        load_settings()


def test_production_refuses_a_generated_secret(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="production")
    with pytest.raises(ConfigError):
        settings.signing_key()


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    key = settings.signing_key()
    assert key == settings.signing_key()
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
