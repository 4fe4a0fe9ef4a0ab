"""Randomised worlds: draws within their ranges, recorded, and the variants they switch on."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from cellwatch.cli import main
from cellwatch.simulate import simulate
from cellwatch.simulate.worlds import INTEGERS, RANGES, draw, world_scenario

from .conftest import tiny


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("world_seed", [3, 17, 123456])
def test_draw_is_within_ranges_and_repeatable(world_seed: int) -> None:
    drawn = draw(world_seed)
    assert drawn == draw(world_seed)
    assert list(drawn) == list(RANGES)
    for key, spec in RANGES.items():
        if isinstance(spec[0], str):
            assert drawn[key] in spec
        else:
            assert float(spec[0]) <= drawn[key] <= float(spec[1])
            assert isinstance(drawn[key], int) == (key in INTEGERS)
    scenario, world = world_scenario(world_seed)
    assert world == {"world_seed": world_seed, "drawn": drawn}
    assert scenario.estate.vendor_location_level == drawn["estate.vendor_location_level"]
    assert scenario.contraband.lend_probability == drawn["contraband.lend_probability"]


def test_worlds_differ() -> None:
    assert draw(1) != draw(2)


def test_randomise_records_the_world(tmp_path: Path) -> None:
    out = tmp_path / "w"
    assert main(["simulate", "--randomise", "--world-seed", "5", "--seed", "3",
                 "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["world"] == {"world_seed": 5, "drawn": draw(5)}
    assert manifest["scenario"]["run"]["name"] == "world-5"
    assert manifest["seed"] == 3


def test_randomise_and_scenario_exclude_each_other(tmp_path: Path) -> None:
    assert main(["simulate", "--randomise", "--scenario", "x.toml",
                 "--out", str(tmp_path)]) == 2


def test_lent_nights_leave_the_owner_out(tmp_path: Path) -> None:
    """Lent every night: the phone's users are mostly borrowers (a lone prisoner on his
    landing keeps his phone), and nobody uses two phones' worth of owner days."""
    never = simulate(tiny(), 4, tmp_path / "a", progress=False, workers=1).out_dir
    always = simulate(tiny(contraband={"lend_probability": 1.0}), 4, tmp_path / "b",
                      progress=False, workers=1).out_dir

    def roles(out: Path) -> Counter[str]:
        return Counter(r["role"] for r in _rows(out / "truth" / "device_usage.csv")
                       if r["identifier_type"] == "IMEI")

    assert roles(never)["renter"] < roles(never)["owner"]
    assert roles(always)["renter"] > 3 * roles(always)["owner"]


@pytest.mark.parametrize(("level", "kind"), [("CELL", "CELL"), ("LANDING", "LANDING"),
                                             ("WING", "WING")])
def test_vendor_locates_at_its_level(tmp_path: Path, level: str, kind: str) -> None:
    sc = tiny(estate={"vendor_location_level": level, "vendor_location_error": 0.0,
                      "managed_access_fraction": 1.0})
    out = simulate(sc, 2, tmp_path, progress=False, workers=1).out_dir
    types = {r["location_code"]: r["type"] for r in _rows(out / "locations.csv")}
    ma = {r["sensor_id"] for r in _rows(out / "sensors.csv") if r["kind"] == "MANAGED_ACCESS"}
    found = Counter(types.get(r["location_code"], "") for f in sorted(out.glob("detections/*"))
                    for r in _rows(f) if r["sensor_id"] in ma and r["imsi"])
    located = sum(n for t, n in found.items() if t)
    assert found[kind] > 0.6 * located


def test_landing_units(tmp_path: Path) -> None:
    sc = tiny(estate={"managed_access_zone": "LANDING", "managed_access_fraction": 1.0})
    out = simulate(sc, 2, tmp_path, progress=False, workers=1).out_dir
    types = {r["location_code"]: r["type"] for r in _rows(out / "locations.csv")}
    zones = Counter(types[r["location_code"]] for r in _rows(out / "sensors.csv")
                    if r["kind"] == "MANAGED_ACCESS")
    assert zones["LANDING"] > 0
    assert zones["WING"] == 0
