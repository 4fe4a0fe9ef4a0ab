"""A run's saved settings read back as the settings it ran with."""

from __future__ import annotations

import pytest

from cellwatch.attribution.params import MAX_WINDOW_DAYS, RunParams
from cellwatch.errors import ConfigError


def test_saved_settings_round_trip() -> None:
    params = RunParams(window_days=21, top_k=5)
    assert RunParams.from_dict(params.as_dict()) == params


def test_a_setting_a_later_version_dropped_is_ignored() -> None:
    saved = RunParams(window_days=7).as_dict() | {"retired_knob": 3}
    assert RunParams.from_dict(saved) == RunParams(window_days=7)


def test_a_saved_window_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigError, match="window_days"):
        RunParams.from_dict({"window_days": MAX_WINDOW_DAYS + 1})
