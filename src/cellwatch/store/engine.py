"""Opening the relational store, migrating it, and translating its errors.

The same code runs on SQLite (the embedded default) and PostgreSQL (production).
Dialect differences are kept here and in :mod:`cellwatch.store.dialect`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cellwatch.errors import StoreError
from cellwatch.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# How long a SQLite writer waits for another's lock before failing ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked per connection; PostgreSQL always checks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: readers never block the one writer, nor it them (the web serves while it writes).
    cursor.execute("PRAGMA journal_mode=WAL")
    # Writers queue for the lock instead of failing at once; the driver's own timeout
    # sets the same, but saying it here keeps it true whatever the driver's default.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # In WAL mode NORMAL loses nothing on an application crash (only, at worst, the last
    # transactions on a power cut) and spares an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with cellwatch's per-dialect settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=_postgres_options(url))


def _postgres_options(url: str) -> dict[str, str]:
    # No JIT: the row-level security policies' subplans push the planner's cost estimate
    # of a guarded list (GET /intelligence: ~500,000 with a thousand cases) past
    # jit_above_cost, so every such request compiled LLVM code for ~400 ms of the
    # server's CPU to run a 20 ms query. Our statements are short; none gains from JIT.
    # Options the URL gives (``?options=...``) are kept; the setting goes after them.
    given = make_url(url).query.get("options", "")
    given = given if isinstance(given, str) else " ".join(given)
    return {"options": f"{given} -c jit=off".strip()}


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the bundled migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Store:
    """The relational store: an engine, a session factory and migrations."""

    def __init__(self, url: str, audit_key: bytes | None = None,
                 audit_checkpoints: Path | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        # Every session carries the audit chain's key and checkpoint folder, which live
        # outside the database (cellwatch.access.audit reads them from session.info).
        info: dict[str, Any] = {"audit_key": audit_key, "audit_checkpoints": audit_checkpoints}
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        # The same pool, each connection in autocommit while checked out (reset on return).
        self._reads = sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                   expire_on_commit=False, info=info)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema up to the newest migration of every branch (one per domain package)."""
        try:
            if self.dialect == "sqlite":
                self._migrate_sqlite()
                return
            with self.engine.begin() as connection:
                self._upgrade(connection)
        except SQLAlchemyError as exc:
            raise translate(exc) from exc

    def _upgrade(self, connection: Connection) -> None:
        config = alembic_config(self.url)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")

    def _migrate_sqlite(self) -> None:
        # SQLite alters a table by rebuilding it (Alembic's batch mode): dropping the old
        # copy fails while another table's rows name it and keys are enforced. As SQLite's
        # own procedure says, keys go off for the rebuild (only outside a transaction),
        # then every key is checked before they go on again.
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # the driver sends no BEGIN for a PRAGMA: nothing to undo
            try:
                with connection.begin():
                    self._upgrade(connection)
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"the migration left {len(broken)} row(s) naming a "
                                         f"missing row (first: {tuple(broken[0])})")
            finally:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()

    def is_initialised(self) -> bool:
        """Whether the schema has been created."""
        return inspect(self.engine).has_table("alembic_version")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise translate(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for a single read statement, with no transaction around it.

        One statement reads one consistent snapshot on its own: the BEGIN and COMMIT a
        transaction adds are two more round trips to PostgreSQL for nothing (every API
        request reads its principal so). Anything written here is committed statement by
        statement: use :meth:`session` for writes and for reads that must agree.
        """
        session = self._reads()
        try:
            yield session
        except SQLAlchemyError as exc:
            raise translate(exc) from exc
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def translate(exc: SQLAlchemyError) -> StoreError:
    """Turn a SQLAlchemy error into a :class:`StoreError` carrying the SQL."""
    statement = getattr(exc, "statement", None)
    original = getattr(exc, "orig", None) or exc
    return StoreError(f"store error: {original}", sql=statement)


def open_store(settings: Settings, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store that ``settings`` point at."""
    if settings.database_url is None:
        settings.home.mkdir(parents=True, exist_ok=True)
    store = Store(settings.store_url, settings.audit_secret(), settings.audit_checkpoints)
    if migrate:
        store.migrate()
    return store
