"""The Spark engine: the same analytic SQL as DuckDB, run by Spark SQL for national scale.

pyspark is an optional extra (``pip install cellwatch[spark]``) and needs Java; it is
imported only when a :class:`SparkEngine` is made, so the package works without it::

    engine = SparkEngine.for_lake(settings.lake_dir)     # local[*] unless a session is given
    engine.run("SELECT establishment, count(*) AS n FROM detections GROUP BY 1")

The lake's kinds become temporary views named like DuckDB's (``detections``,
``call_records``) with the layout's exact column types, partition columns last, as
DuckDB's ``hive_partitioning`` puts them. Each engine works in its own
``SparkSession.newSession()``: temporary views and SQL settings are per engine while the
(expensive) SparkContext is shared, so tests start Java once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cellwatch.errors import ConfigError, LakeError
from cellwatch.lake.analytic_engine import AnalyticEngine, Params, SparkDialect, check_name
from cellwatch.lake.layout import FILE_SCHEMAS, KINDS, PARTITIONS, has_data_files, kind_dir

if TYPE_CHECKING:  # pragma: no cover - typing only; pyspark is optional
    from pyspark.sql import DataFrame, SparkSession

# SQL settings every engine session gets, so Spark reads the SQL as DuckDB does:
SESSION_CONF: dict[str, str] = {
    # Timestamps are instants; dates, hours and truncations are taken in UTC, as the
    # lake's DuckDB connections do (SET TimeZone = 'UTC').
    "spark.sql.session.timeZone": "UTC",
    # "name" is an identifier in DuckDB (and standard SQL), a string in Spark unless asked.
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    # GROUP BY 1, 2 and ORDER BY 1 by position, as the analytics write them.
    "spark.sql.groupByOrdinal": "true",
    "spark.sql.orderByOrdinal": "true",
    # No broadcast joins: Spark's size estimates of materialised steps are loose enough
    # that adaptive execution has tried to build hundreds of broadcasts at once for the
    # attribution's queries and run the driver out of heap (in CI).
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    # Constraint propagation failed an incremental run's union of checkpointed steps
    # ("key not found: status#..." in Union.rewriteConstraints, Spark 4); the analytics
    # write their filters out and do not need the filters it infers.
    "spark.sql.constraintPropagation.enabled": "false",
}

# The Spark type of each Arrow type of the layout, for the partition columns.
_PARTITION_ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32()}
# $name outside quotes and comments: DuckDB's named parameter, Spark's is :name.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)")


def local_session(
    app_name: str = "cellwatch", master: str = "local[*]", shuffle_partitions: int = 8,
    warehouse: Path | None = None, driver_memory: str = "2g",
) -> SparkSession:
    """A local-mode SparkSession bound to 127.0.0.1, without the web UI.

    A few shuffle partitions suit one machine; on a cluster pass your own session.
    ``driver_memory`` is the in-process JVM's heap (Spark's default is 1g); joins are
    sort-merge or hash joins, never broadcasts.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError("the Spark engine needs pyspark: pip install 'cellwatch[spark]'") from exc
    builder = (
        SparkSession.builder.appName(app_name).master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", driver_memory)
    )
    if warehouse is not None:
        builder = builder.config("spark.sql.warehouse.dir", str(warehouse))
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing or failing to start surfaces as many types
        raise ConfigError(f"could not start Spark (is Java 17+ installed?): {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def session_for(master: str = "local[*]", driver_memory: str = "2g") -> tuple[SparkSession, bool]:
    """The session this process already runs, else a new local one; and whether it is new.

    A running session (a test's, another request's of the same server) is shared as it
    is: none of ``local_session``'s settings are pressed on it, and whoever closes an
    engine over it must not stop it for the others.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    # pyspark has no public "is a context running" outside the thread that made it.
    if SparkContext._active_spark_context is not None:
        return SparkSession.builder.getOrCreate(), False
    return local_session(master=master, driver_memory=driver_memory), True


class SparkEngine(AnalyticEngine):
    """Runs the analytics' SQL with Spark SQL and returns Arrow, like :class:`DuckDBEngine`."""

    dialect = SparkDialect()

    def __init__(self, session: SparkSession | None = None, *, owns_session: bool = False) -> None:
        if session is None:
            session, started = session_for()
        else:
            started = False
        base = session
        # A child session: own temp views and settings, shared SparkContext.
        self.spark: SparkSession = base.newSession()
        for key, value in SESSION_CONF.items():
            self.spark.conf.set(key, value)
        self._owns = owns_session or started
        self._base = base
        self._cached: dict[str, DataFrame] = {}

    @classmethod
    def for_lake(cls, lake_dir: Path, session: SparkSession | None = None) -> SparkEngine:
        """An engine with the lake's ``detections`` and ``call_records`` views."""
        engine = cls(session)
        engine.refresh_views(lake_dir)
        return engine

    def refresh_views(self, lake_dir: Path) -> None:
        """(Re)create each kind's view over its Parquet files (zero rows when it has none)."""
        for kind in KINDS:
            present = has_data_files(lake_dir, kind)
            schema = _lake_schema(kind, present)
            if present:
                # Given types win over partition inference ("2026-09-01" stays a DATE and
                # an all-digit establishment code stays text); the Arrow -> Spark mapping
                # is pyspark's own, read off an empty frame.
                spark_schema = self._frame(schema.empty_table()).schema
                with spark_errors(f"read {kind}"):
                    frame = self.spark.read.schema(spark_schema).parquet(
                        str(kind_dir(lake_dir, kind))).select(*schema.names)
            else:
                frame = self._frame(schema.empty_table())
            frame.createOrReplaceTempView(kind)

    def events_since(self, lake_dir: Path, day: date) -> None:
        """Each kind's view, as :meth:`refresh_views` makes it, from ``day`` on."""
        self.refresh_views(lake_dir)
        from pyspark.sql import functions

        for kind in KINDS:
            with spark_errors(f"narrow {kind}"):
                frame = self.spark.table(kind).where(functions.col("day") >= functions.lit(day))
            frame.createOrReplaceTempView(kind)

    def files_source(self, root: Path, kind: str, files: Sequence[Path]) -> str:
        """A temporary view ``cw_files_<kind>`` over only ``files``, read as the kind's view
        reads them (``basePath`` keeps the partition columns); its name is the source."""
        schema = _lake_schema(kind, present=True)
        spark_schema = self._frame(schema.empty_table()).schema
        name = check_name(f"cw_files_{kind}")
        with spark_errors(f"read {kind} files"):
            frame = (self.spark.read.schema(spark_schema)
                     .option("basePath", str(kind_dir(root, kind)))
                     .parquet(*(str(f) for f in files)).select(*schema.names))
        frame.createOrReplaceTempView(name)
        return name

    def run(self, sql: str, params: Params = None) -> pa.Table:
        """Run one statement; ``?`` takes a sequence, ``$name`` a mapping (as on DuckDB)."""
        text, args = spark_sql_args(sql, params)
        with spark_errors(sql):
            table: pa.Table = self.spark.sql(text, args=args).toArrow()
        return table

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as temporary view ``name``."""
        with spark_errors(f"register {name}"):
            self._frame(table).createOrReplaceTempView(check_name(name))

    def unregister(self, name: str) -> None:
        """Drop temporary view ``name``."""
        with spark_errors(f"unregister {name}"):
            self.spark.catalog.dropTempView(check_name(name))

    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` once, keep the rows and name them (a temp view over the result).

        A local checkpoint, not ``cache()``: a cached view keeps its whole query plan, so
        a step reading it analyses every step before it again, and a pipeline of twenty
        steps spent minutes and gigabytes of driver heap planning (the CI's Spark driver
        ran out of heap on a two-prison estate). A checkpoint is a plain relation over
        the computed rows. Its blocks live on the executors: losing one fails the run.
        """
        check_name(name)
        with spark_errors(sql):
            # Eager: computed now, so a failure is this step's and timing is honest.
            frame = self.spark.sql(sql).localCheckpoint(eager=True)
        old = self._cached.pop(name, None)
        frame.createOrReplaceTempView(name)
        if old is not None:
            _release(old)
        self._cached[name] = frame

    def close(self) -> None:
        """Drop the materialised results; stop Spark when this engine started it."""
        for frame in self._cached.values():
            _release(frame)
        self._cached.clear()
        if self._owns:
            self._base.stop()

    def _frame(self, table: pa.Table) -> DataFrame:
        # Spark 4 builds a DataFrame from Arrow directly, keeping the Arrow types.
        return self.spark.createDataFrame(table)


def _release(frame: DataFrame) -> None:
    """Free a checkpointed frame's blocks now rather than when the JVM next collects."""
    plan = frame._jdf.queryExecution().analyzed()
    if plan.getClass().getSimpleName() == "LogicalRDD":
        plan.rdd().unpersist(False)


def _lake_schema(kind: str, present: bool) -> pa.Schema:
    """The view's columns: the file schema, then the partition columns in DuckDB's order.

    DuckDB's ``hive_partitioning`` appends partition columns sorted by name (``day``,
    ``establishment``) while its empty-lake view lists them in path order; both are
    copied so that ``SELECT *`` has the same shape on either engine.
    """
    partitions = sorted(PARTITIONS[kind]) if present else list(PARTITIONS[kind])
    fields = list(FILE_SCHEMAS[kind]) + [
        pa.field(name, _PARTITION_ARROW[sqltype]) for name, sqltype in partitions]
    return pa.schema(fields)


def spark_sql_args(
    sql: str, params: Sequence[Any] | Mapping[str, Any] | None
) -> tuple[str, list[Any] | dict[str, Any] | None]:
    """Spark's spelling of a statement and its parameters.

    Named parameters are written ``$name`` in the analytics (DuckDB's marker) and become
    ``:name``; quoted text and comments are left alone. Tuples become lists (arrays).
    """
    if params is None:
        return sql, None
    if isinstance(params, Mapping):
        text = _TOKENS.sub(lambda m: f":{m.group(1)}" if m.group(1) else m.group(0), sql)
        return text, {k: _value(v) for k, v in params.items()}
    return sql, [_value(v) for v in params]


def _value(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if isinstance(value, datetime | date | str | int | float | bool) or value is None:
        return value
    return str(value)


@contextmanager
def spark_errors(sql: str) -> Iterator[None]:
    """Translate Spark's and py4j's errors raised inside into :class:`LakeError` with ``sql``."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        raise LakeError(f"lake query failed (spark): {_first_line(exc)}", sql=sql) from exc


def _first_line(exc: BaseException) -> str:
    """The first line of what went wrong: for a JVM error its exception, not py4j's
    "An error occurred while calling o504.localCheckpoint"."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
