"""Every social handle the simulator writes is one its platform could issue.

``cellwatch.identifiers`` is strict about each platform's handle rules (Facebook: letters,
digits and dots; X: at most 15 letters, digits and underscores; ...); the protect ingest
is lenient with reports from the public, so ingesting alone would not notice a handle the
platform would refuse. These tests parse every handle strictly instead.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.identifiers.accounts import parse_account
from cellwatch.simulate import simulate
from cellwatch.simulate.handles import handle_name, social_handle
from cellwatch.simulate.names import FORENAMES_F, FORENAMES_M, PLATFORMS

from .conftest import tiny

# file -> (the column holding a handle or profile URL, the column naming its platform)
SOCIAL_COLUMNS = {"protected_identifiers": ("identifier", "platform"),
                  "contact_reports": ("sender", "platform"),
                  "social_observations": ("account", "platform")}


@pytest.fixture(scope="module")
def social_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny messy run where every phone owner harasses someone and every post is seen."""
    scenario = tiny(campaigns={"campaign_fraction_of_users": 1.0, "report_probability": 1.0,
                               "observation_probability": 1.0})
    return simulate(scenario, 5, tmp_path_factory.mktemp("social"), progress=False).out_dir


def _social_values(out: Path) -> list[tuple[str, str, str]]:
    """(file, value, platform) of every handle written, as a person would have written it."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    found = []
    for entry in manifest["files"]:
        if entry["kind"] not in SOCIAL_COLUMNS:
            continue
        column, platform = SOCIAL_COLUMNS[entry["kind"]]
        with (out / entry["path"]).open(encoding="utf-8", newline="") as f:
            found += [(entry["path"], row[column], row[platform]) for row in csv.DictReader(f)
                      if row[platform]]
    return found


def test_every_written_handle_parses_on_its_platform(social_dir: Path) -> None:
    values = _social_values(social_dir)
    refused = []
    for path, value, platform in values:
        try:
            parse_account(value, platform)
        except ValueError as exc:
            refused.append((path, value, platform, str(exc)))
    assert refused == []
    # Meaningful only if every platform the simulator uses was written, URLs and @ too.
    assert {platform for _, _, platform in values} == set(PLATFORMS)
    assert any(v.startswith("https://") for _, v, _ in values)
    assert any(v.startswith("@") for _, v, _ in values)


def test_the_truth_names_the_accounts_as_they_parse(social_dir: Path) -> None:
    with (social_dir / "truth" / "campaigns.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    accounts = [a for r in rows for a in r["identifiers"].split(";") if a]
    assert accounts
    assert all(parse_account(a).value == a for a in accounts)


@given(forenames=st.sampled_from(FORENAMES_M + FORENAMES_F) | st.text(min_size=1),
       platform=st.sampled_from(PLATFORMS),
       number=st.integers(0, 99_999), tag=st.sampled_from("xyz"))
def test_handles_made_from_any_name_are_valid_everywhere(forenames: str, platform: str,
                                                         number: int, tag: str) -> None:
    name = handle_name(forenames)
    for parts in ((name, f"{number % 100}{tag}1"), (name, f"34bc{number % 100}"),
                  ("vic", f"{number:04d}", f"{number % 9000 + 1000}")):
        account = social_handle(platform, *parts)
        assert parse_account(account).value == account
