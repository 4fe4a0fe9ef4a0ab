"""End-to-end properties of a simulated output folder."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pyarrow.parquet as pq
from stdnum import imei as stdimei
from stdnum import luhn

from cellwatch.simulate import simulate
from cellwatch.simulate.ids import _valid_prefixes
from cellwatch.simulate.run import EVENT_ORDER, REFERENCE_ORDER

from .conftest import tiny


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_layout_and_manifest(tiny_dir: Path) -> None:
    m = json.loads((tiny_dir / "manifest.json").read_text())
    kinds = [f["kind"] for f in m["files"]]
    assert kinds[: len(REFERENCE_ORDER)] == list(REFERENCE_ORDER)
    assert kinds[-len(EVENT_ORDER) :] == list(EVENT_ORDER)
    assert "detections" in kinds
    for f in m["files"]:
        data = (tiny_dir / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        assert data.count(b"\n") == f["rows"] + 1
    assert m["seed"] == 5


def test_same_seed_is_byte_identical(tmp_path: Path, tiny_dir: Path) -> None:
    simulate(tiny(), 5, tmp_path, progress=False, workers=2)
    a = json.loads((tiny_dir / "manifest.json").read_text())
    b = json.loads((tmp_path / "manifest.json").read_text())
    assert a == b
    for t in a["truth"]:
        assert (tiny_dir / t["path"]).read_bytes() == (tmp_path / t["path"]).read_bytes()


def test_other_seed_differs(tmp_path: Path, tiny_dir: Path) -> None:
    simulate(tiny(), 6, tmp_path, progress=False)
    assert (tmp_path / "prisoners.csv").read_bytes() != (tiny_dir / "prisoners.csv").read_bytes()


def test_identifiers_valid(tiny_dir: Path) -> None:
    for r in _rows(tiny_dir / "truth" / "devices.csv"):
        assert stdimei.is_valid(r["imei"])
    for r in _rows(tiny_dir / "truth" / "sims.csv"):
        assert luhn.is_valid(r["iccid"])
        assert r["iccid"].startswith("8944")
        assert r["imsi"].startswith("234")
        assert len(r["imsi"]) == 15
        assert phonenumbers.is_valid_number(phonenumbers.parse(r["msisdn"]))
    for r in _rows(tiny_dir / "pin_contacts.csv"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(r["contact_number"], "GB"))
    numbers = [r["prison_number"] for r in _rows(tiny_dir / "prisoners.csv")]
    assert len(set(numbers)) == len(numbers)
    assert all(
        len(n) == 7 and n[0].isalpha() and n[1:5].isdigit() and n[5:].isalpha() for n in numbers
    )


def test_references_resolve(tiny_dir: Path) -> None:
    sensors = {r["sensor_id"] for r in _rows(tiny_dir / "sensors.csv")}
    locs = {r["location_code"] for r in _rows(tiny_dir / "locations.csv")}
    people = {r["prison_number"] for r in _rows(tiny_dir / "prisoners.csv")}
    for part in sorted((tiny_dir / "detections").glob("*.csv")):
        for r in _rows(part):
            assert r["sensor_id"] in sensors
            assert not r["location_code"] or r["location_code"] in locs
    for r in _rows(tiny_dir / "occupancy.csv"):
        assert r["prison_number"] in people
        assert r["location_code"] in locs
    for r in _rows(tiny_dir / "seizures.csv"):
        assert not r["prison_number"] or r["prison_number"] in people


def test_every_contraband_detection_maps_to_truth(tiny_dir: Path) -> None:
    truth = pq.read_table(tiny_dir / "truth" / "detections_truth").to_pylist()
    devices = {r["device_id"] for r in _rows(tiny_dir / "truth" / "devices.csv")}
    usage = {
        (r["identifier_type"], r["identifier"])
        for r in _rows(tiny_dir / "truth" / "device_usage.csv")
    }
    staff = {r["identifier"] for r in _rows(tiny_dir / "truth" / "staff_identifiers.csv")}
    by_line = {(r["file"], r["line"]): r for r in truth}
    n = 0
    for part in sorted((tiny_dir / "detections").glob("*.csv")):
        rel = f"detections/{part.name}"
        for line, r in enumerate(_rows(part), start=2):
            t = by_line[(rel, line)]
            if t["kind"] == "contraband":
                assert t["device_id"] in devices
                if r["imei"]:
                    assert ("IMEI", r["imei"].replace("-", "").replace(" ", "")) in usage
                    assert ("IMSI", r["imsi"]) in usage
            elif t["kind"] == "staff" and r["imsi"]:
                assert r["imsi"] in staff
            n += 1
    assert n == len(truth) > 0


def test_corruption_is_recorded_exactly(tmp_path: Path) -> None:
    sc = tiny(corruption={"rate": 0.05})
    simulate(sc, 9, tmp_path, progress=False)
    rec = _rows(tmp_path / "truth" / "corruption.csv")
    assert rec
    lines: dict[str, list[list[str]]] = {}
    for r in rec:
        path = tmp_path / r["file"]
        if r["file"] not in lines:
            with path.open(encoding="utf-8", newline="") as f:
                lines[r["file"]] = list(csv.reader(f))
        rows = lines[r["file"]]
        header = [h.lower() for h in rows[0]]
        value = rows[int(r["line"]) - 1][header.index(r["field"])]
        if r["kind"] == "missing_required":
            assert value == ""
        elif r["kind"] == "bad_imei_check_digit":
            assert len(value) == 15
            assert not luhn.is_valid(value)
        elif r["kind"] == "unknown_prisoner":
            assert value.startswith("Z")
        elif r["kind"] == "nonexistent_local_time":
            assert value.endswith("T01:30:00")
    assert len({(r["file"], r["line"]) for r in rec}) == len(rec)


def test_clean_formats(tmp_path: Path) -> None:
    simulate(tiny(run={"messy_formats": False}), 3, tmp_path, progress=False)
    for part in (tmp_path / "detections").glob("*.csv"):
        for r in _rows(part):
            assert r["ts"].endswith("Z")
            assert not r["imei"] or r["imei"].isdigit()
    for r in _rows(tmp_path / "pin_contacts.csv"):
        assert r["contact_number"].startswith("+44")


def test_worker_count_does_not_change_output(tmp_path: Path, tiny_dir: Path) -> None:
    # tiny_dir ran with the default workers (the cores available); this runs in-process.
    simulate(tiny(), 5, tmp_path, progress=False, workers=1)
    assert json.loads((tmp_path / "manifest.json").read_text()) == json.loads(
        (tiny_dir / "manifest.json").read_text()
    )


def test_pin_contacts_have_no_duplicates(tiny_dir: Path) -> None:
    seen = set()
    for r in _rows(tiny_dir / "pin_contacts.csv"):
        n = phonenumbers.parse(r["contact_number"], "GB")
        e164 = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
        key = (r["prison_number"], e164, r["approved_from"])
        assert key not in seen
        seen.add(key)


def _instant(ts: str) -> float:
    d = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return (d if d.tzinfo else d.replace(tzinfo=ZoneInfo("Europe/London"))).timestamp()


def test_calls_coincide_with_managed_access_detections(tiny_dir: Path) -> None:
    seen: dict[str, list[float]] = {}
    for part in sorted((tiny_dir / "detections").glob("*.csv")):
        for r in _rows(part):
            if r["imsi"]:
                seen.setdefault(r["imsi"], []).append(_instant(r["ts"]))
    covered = [r for r in _rows(tiny_dir / "call_records.csv") if r["subject_imsi"] in seen]
    assert covered
    # A call is a transmission: a unit in range logs it within seconds unless it misses.
    hits = sum(
        any(0 <= t - _instant(r["start_ts"]) <= 3 for t in seen[r["subject_imsi"]]) for r in covered
    )
    assert hits / len(covered) > 0.5


def test_masts_near_their_establishment(tiny_dir: Path) -> None:
    places = [
        (float(r["latitude"]), float(r["longitude"]))
        for r in _rows(tiny_dir / "establishments.csv")
    ]
    rows = _rows(tiny_dir / "call_records.csv")
    assert rows
    for r in rows:
        lat, lon = float(r["cell_lat"]), float(r["cell_lon"])
        assert min(abs(lat - a) + abs(lon - b) for a, b in places) < 0.1


def test_everyday_social_posts(tiny_dir: Path) -> None:
    campaigners = {r["prison_number"] for r in _rows(tiny_dir / "truth" / "campaigns.csv")}
    posters = {
        r["prison_number"]
        for r in _rows(tiny_dir / "truth" / "device_usage.csv")
        if r["identifier_type"] == "ACCOUNT"
    }
    assert posters - campaigners


def test_number_prefix_data_is_valid() -> None:
    import random

    for kind in ("mobile", "landline"):
        prefixes = _valid_prefixes(kind)
        for p in random.Random(1).sample(prefixes, 50):
            tail = "12345" if kind == "mobile" else "1234"
            assert phonenumbers.is_valid_number(phonenumbers.parse(f"+44{p}{tail}"))


def test_phones_follow_owner_on_transfer(tmp_path: Path) -> None:
    sc = tiny(
        population={"transfers_per_prisoner_year": 30.0},
        contraband={"follow_on_transfer_probability": 1.0, "pass_on_probability": 0.0},
    )
    simulate(sc, 4, tmp_path, progress=False, workers=1)
    devices = _rows(tmp_path / "truth" / "devices.csv")
    left = {r["imei"]: r["establishment"] for r in devices if r["end_reason"] == "TRANSFERRED"}
    came = [r for r in devices if r["route"] == "TRANSFER"]
    assert came
    for r in came:
        assert r["imei"] in left
        assert left[r["imei"]] != r["establishment"]
