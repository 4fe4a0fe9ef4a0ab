"""After a crash: batches left RUNNING are finished or rolled back, stale staging removed.

A process killed mid-ingest (``kill -9``, a power cut, the OOM killer) leaves its batch
RUNNING, perhaps with files already renamed into the lake and rejected rows in the
quarantine, and its staging folder behind. Then ``cellwatch status`` counts fewer
accepted rows than the lake holds. :func:`recover` settles every such batch:

* a quarantine retry whose rows were already marked RESOLVED went through: it is
  finished DONE with the rows its lake files hold;
* any other batch is rolled back: its lake files and quarantined rows are deleted and
  it is marked FAILED, so the same file can simply be ingested again.

Which RUNNING batches are dead? Every ingest holds a shared lock
(``lake/.staging/ingest.lock``) while it runs (:func:`ingest_running`), and the kernel
drops it when the holder dies. Recovery takes that lock exclusively without waiting:
if it gets it, no ingest is running on this home, so every RUNNING batch is a dead
one; if not, recovery is skipped until the next start or ingest.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import delete, func, select

from cellwatch.ingest.batches import IngestContext
from cellwatch.lake.ingest_engine import batch_rows, remove_stale_staging
from cellwatch.lake.layout import KINDS, STAGING_DIR, batch_files
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, Store, utcnow

log = logging.getLogger(__name__)
LOCK_FILE = "ingest.lock"


@dataclass
class Recovery:
    """What :func:`recover` did: batches rolled back or finished, staging folders removed."""

    skipped: bool = False
    rolled_back: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)
    lake_files_removed: int = 0
    staging_removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"skipped": self.skipped, "rolled_back": self.rolled_back,
                "finished": self.finished, "lake_files_removed": self.lake_files_removed,
                "staging_removed": self.staging_removed}

    def __bool__(self) -> bool:
        return bool(self.rolled_back or self.finished or self.staging_removed)


def _lock_path(settings: Settings) -> Path:
    directory = settings.lake_dir / STAGING_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory / LOCK_FILE


def _try_exclusive(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def recover(store: Store, settings: Settings) -> Recovery:
    """Settle batches left RUNNING by dead processes, unless an ingest is running now."""
    with _lock_path(settings).open("a") as handle:
        if not _try_exclusive(handle):
            return Recovery(skipped=True)
        try:
            return _recover(store, settings)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def ingest_running(ctx: IngestContext) -> Iterator[Recovery]:
    """Hold the shared ingest lock for the body, recovering first when nobody else ingests.

    Threads of one process count separately (each opens the file anew: ``flock`` locks
    belong to the open file), so a server's concurrent uploads see each other.
    """
    with _lock_path(ctx.settings).open("a") as handle:
        recovered = Recovery(skipped=True)
        if _try_exclusive(handle):
            recovered = _recover(ctx.store, ctx.settings)
        # Exclusive to shared (or straight to shared): from here until the body ends this
        # process's batches count as alive.
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield recovered
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recover(store: Store, settings: Settings) -> Recovery:
    result = Recovery()
    with store.session() as session:
        running = list(session.scalars(select(IngestBatch).where(IngestBatch.status == "RUNNING")
                                       .order_by(IngestBatch.id)))
        for batch in running:
            settled = session.execute(select(func.count()).select_from(QuarantinedRow).where(
                QuarantinedRow.resolved_batch_id == batch.id)).scalar_one()
            lake_kind = batch.kind in KINDS
            if settled:
                # A retry that marked its rows RESOLVED went through: keep what it stored.
                batch.status = "DONE"
                batch.rows_read = batch.rows_read or int(settled)
                if lake_kind:
                    batch.rows_accepted = batch_rows(settings.lake_dir, batch.kind, batch.id)
                batch.error = "finished on recovery: the process running it stopped"
                result.finished.append(batch.id)
            else:
                if lake_kind:
                    files = batch_files(settings.lake_dir, batch.kind, batch.id)
                    for path in files:
                        path.unlink(missing_ok=True)
                    result.lake_files_removed += len(files)
                session.execute(delete(QuarantinedRow).where(
                    QuarantinedRow.batch_id == batch.id))
                batch.status = "FAILED"
                batch.rows_accepted = batch.rows_updated = batch.rows_duplicate = 0
                batch.rows_quarantined = 0
                batch.error = ("interrupted: the process running it stopped; rolled back on "
                               "recovery (ingest the file again)")
                result.rolled_back.append(batch.id)
            batch.finished_at = utcnow()
    result.staging_removed = remove_stale_staging(settings.lake_dir)
    if result:
        log.warning("recovered after a crash: %s", result.as_dict())
    return result
