"""Crash recovery: kill -9 a real ingest at several points; status and the lake agree after.

Each case runs ``cellwatch ingest detections`` as a subprocess, watches the store and the
lake for a phase of the ingest (batch opened, staging written, files renamed into the
lake), sends SIGKILL there, then ingests the same file again, which first recovers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.ingest.batches import IngestContext, begin_batch
from cellwatch.ingest.recovery import ingest_running, recover
from cellwatch.lake import Lake
from cellwatch.lake.layout import STAGING_DIR, batch_files
from cellwatch.settings import Settings
from cellwatch.store import Establishment, IngestBatch, Location, Sensor, Store

HEADER = "ts,sensor_id,event_id,technology,band_mhz,rssi_dbm,imsi,imei,location_code\n"
GOOD, BAD = 60_000, 20_000
CLI = [sys.executable, "-c", "import sys; from cellwatch.cli import main; sys.exit(main())"]


def _reference(store: Store) -> None:
    with store.session() as session:
        session.add(Establishment(code="HEI", name="Hewell"))
        session.flush()
        session.add(Location(code="HEI-A-2-014", establishment="HEI", type="CELL"))
        session.flush()
        session.add(Sensor(sensor_id="S1", establishment="HEI", kind="MANAGED_ACCESS"))


def _big_file(path: Path) -> Path:
    """GOOD valid detections over 20 days (many partitions) and BAD with a broken IMEI."""
    with path.open("w") as out:
        out.write(HEADER)
        for n in range(GOOD + BAD):
            day, second = 1 + n % 20, n % 86_000
            imei = "35-209900-176148-1" if n < GOOD else "12345"
            out.write(f"2025-06-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:"
                      f"{second % 60:02d}Z,S1,e{n},lte,800,-61.5,234150123456789,{imei},"
                      "HEI-A-2-014\n")
    return path


def _env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "CELLWATCH_HOME": str(settings.home)}
    if settings.database_url:
        env["CELLWATCH_DATABASE_URL"] = settings.database_url
    return env


def _running_batch(store: Store) -> int | None:
    with store.session() as s:
        return s.scalars(select(IngestBatch.id).where(IngestBatch.status == "RUNNING")).first()


def _reached(phase: str, store: Store, settings: Settings) -> bool:
    batch = _running_batch(store)
    if batch is None:
        return False
    if phase == "batch":
        return True
    if phase == "staging":
        return (settings.lake_dir / STAGING_DIR / f"detections-batch-{batch}").is_dir()
    return bool(batch_files(settings.lake_dir, "detections", batch))


def _kill_at(phase: str, store: Store, settings: Settings, source: Path) -> bool:
    """Start an ingest and SIGKILL it when ``phase`` is seen; False if it finished first."""
    process = subprocess.Popen([*CLI, "ingest", "detections", str(source)], env=_env(settings),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            if _reached(phase, store, settings):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.002)
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _status(settings: Settings) -> dict[str, object]:
    done = subprocess.run([*CLI, "status", "--json"], env=_env(settings), check=True,
                          capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _accepted(settings: Settings) -> int:
    kinds = _status(settings)["kinds"]
    assert isinstance(kinds, dict)
    return int(kinds.get("detections", {}).get("rows_accepted", 0))


def _lake_count(settings: Settings) -> int:
    return int(Lake(settings).count("detections").column("n")[0].as_py())


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["batch", "staging", "lake"])
def test_kill_9_then_ingest_again_status_and_lake_agree(
        phase: str, store: Store, settings: Settings, tmp_path: Path) -> None:
    _reference(store)
    source = _big_file(tmp_path / "detections.csv")
    kills = 0
    # The lake phase is a short window: try a few times, and say so if never caught.
    for _ in range(3):
        if _kill_at(phase, store, settings, source):
            kills += 1
            break
    assert kills, f"the ingest always finished before the {phase} phase could be seen"
    assert _running_batch(store) is not None  # what the crash left behind
    again = subprocess.run([*CLI, "ingest", "detections", str(source)], env=_env(settings),
                           capture_output=True, text=True)
    assert again.returncode in (0, 1), again.stderr  # 1: some rows quarantined
    assert _running_batch(store) is None
    assert _accepted(settings) == _lake_count(settings) == GOOD
    assert not list((settings.lake_dir / STAGING_DIR).glob("detections-batch-*"))
    with store.session() as s:
        statuses = list(s.scalars(select(IngestBatch.status).order_by(IngestBatch.id)))
    assert statuses[-1] == "DONE"
    assert set(statuses[:-1]) <= {"FAILED"}


def test_recover_rolls_back_a_dead_batch_and_clears_staging(
        store: Store, settings: Settings) -> None:
    ctx = IngestContext(store, settings, "system")
    dead = begin_batch(ctx, "sensors", None, file_name="sensors.csv")
    stale = settings.lake_dir / STAGING_DIR / "detections-batch-77"
    stale.mkdir(parents=True)
    (stale / "part-77-0.parquet").write_bytes(b"half written")
    result = recover(store, settings)
    assert result.rolled_back == [dead]
    assert result.staging_removed == ["detections-batch-77"]
    assert not stale.exists()
    with store.session() as s:
        batch = s.get(IngestBatch, dead)
        assert batch is not None
        assert batch.status == "FAILED"
        assert batch.error is not None
        assert "interrupted" in batch.error
    assert not recover(store, settings)  # nothing left to do


def test_recover_leaves_a_live_ingest_alone(store: Store, settings: Settings) -> None:
    ctx = IngestContext(store, settings, "system")
    with ingest_running(ctx):
        live = begin_batch(ctx, "sensors", None, file_name="sensors.csv")
        # Another process (or thread) starting now must not take the live batch for dead.
        assert recover(store, settings).skipped
        with ingest_running(ctx) as second:
            assert second.skipped
        with store.session() as s:
            assert s.get(IngestBatch, live).status == "RUNNING"  # type: ignore[union-attr]
    assert recover(store, settings).rolled_back == [live]
