"""Scenario loading and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.errors import ConfigError
from cellwatch.simulate import load_scenario, scenario_from_mapping
from cellwatch.simulate.clock import format_ts, london_offset
from cellwatch.simulate.formats import phone_styled
from cellwatch.simulate.ids import bulk_luhn


def test_packaged_scenarios_load() -> None:
    assert load_scenario(None).run.days == 60
    assert load_scenario("national.toml").estate.establishments == 120
    assert load_scenario("bench-attribution.toml").estate.establishments == 20


def test_unknown_key_is_named(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text("[contraband]\narrivals_per_month = 3\n")
    with pytest.raises(ConfigError, match=r"contraband\.arrivals_per_month"):
        load_scenario(p)


def test_bad_value_is_named() -> None:
    with pytest.raises(ConfigError, match=r"run\.days"):
        scenario_from_mapping({"run": {"days": -1}})


def test_yaml_scenario(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("run:\n  days: 5\n")
    assert load_scenario(p).run.days == 5


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_scenario("/nonexistent/x.toml")


@given(st.integers(min_value=1_600_000_000, max_value=1_800_000_000))
def test_local_times_exist_and_round_trip(t: int) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    import numpy as np

    s = format_ts(np.array([t]), "offset")[0].as_py()
    assert dt.datetime.fromisoformat(s).timestamp() == t
    local = dt.datetime.fromtimestamp(t, ZoneInfo("Europe/London"))
    assert int(london_offset(np.array([t]))[0]) == int(local.utcoffset().total_seconds())  # type: ignore[union-attr]


@given(st.lists(st.integers(0, 9), min_size=14, max_size=14))
def test_bulk_luhn_matches_stdnum(digits: list[int]) -> None:
    import numpy as np
    from stdnum import luhn

    body = "".join(map(str, digits))
    assert str(int(bulk_luhn(np.array([digits]))[0])) == luhn.calc_check_digit(body)


@given(st.integers(0, 5))
def test_phone_styles_parse_back(style: int) -> None:
    import phonenumbers

    n = phonenumbers.parse(phone_styled("+447911123456", style), "GB")
    assert phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) == "+447911123456"
