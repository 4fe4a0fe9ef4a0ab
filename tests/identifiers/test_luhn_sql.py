"""luhn_sql on DuckDB agrees with stdnum's Luhn; tac_table joins."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from identifier_strategies import digit_strings
from stdnum import luhn

from cellwatch.identifiers import luhn_sql, tac_table


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory DuckDB for the module (connecting per example is slow)."""
    connection = duckdb.connect()
    yield connection
    connection.close()


def _run(
    con: duckdb.DuckDBPyConnection, values: Sequence[str | None], max_digits: int = 20
) -> list[bool | None]:
    con.register("t", pa.table({"i": list(range(len(values))), "x": pa.array(values, pa.string())}))
    rows = con.execute(f"SELECT {luhn_sql('x', max_digits)} FROM t ORDER BY i").fetchall()
    con.unregister("t")
    return [row[0] for row in rows]


def test_known_values(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(
        con, ["490154203237518", "490154203237519", "8944110068012345679", "79927398713"]
    ) == [
        True,
        False,
        True,
        True,
    ]


def test_null_stays_null_and_rubbish_is_false(con: duckdb.DuckDBPyConnection) -> None:
    assert _run(con, [None, "", "4901542O3237518", " 490154203237518", "1" * 21]) == [
        None,
        False,
        False,
        False,
        False,
    ]


# Each example is one DuckDB query (compiling the expression dominates): few, large batches.
@settings(max_examples=25)
@given(st.lists(digit_strings(1, 20), min_size=1, max_size=300))
def test_agrees_with_stdnum_over_digit_strings(
    con: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    assert _run(con, values) == [luhn.is_valid(v) for v in values]


@settings(max_examples=15)
@given(st.lists(digit_strings(1, 15), min_size=1, max_size=300))
def test_smaller_width_agrees_too(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    assert _run(con, values, max_digits=15) == [luhn.is_valid(v) for v in values]


def test_expression_uses_only_portable_functions() -> None:
    sql = luhn_sql("imei").upper()
    for dialect_specific in ("->", "LAMBDA", "LIST_", "REGEXP", "TRY_CAST", "::"):
        assert dialect_specific not in sql


def test_max_digits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        luhn_sql("x", 0)


def test_tac_table_joins_in_duckdb() -> None:
    tacs = tac_table()
    assert tacs.column_names == ["tac", "make", "model"]
    assert tacs.num_rows == 22524  # 22,527 rows, three TACs listed twice
    assert all(len(t) == 8 for t in tacs.column("tac").to_pylist()[:100])
    detections = pa.table({"imei": ["356759040000015", "490154203237518", "999999999999994"]})
    con = duckdb.connect()
    con.register("tacs", tacs)
    con.register("detections", detections)
    rows = con.execute(
        "SELECT d.imei, t.make, t.model FROM detections d "
        "LEFT JOIN tacs t ON t.tac = SUBSTRING(d.imei, 1, 8) ORDER BY d.imei"
    ).fetchall()
    assert rows == [
        ("356759040000015", "Oppo", "N1"),
        ("490154203237518", "Nokia", "3110"),
        ("999999999999994", None, None),
    ]


@pytest.mark.spark
def test_same_expression_runs_in_spark_sql() -> None:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    spark = pyspark_sql.SparkSession.builder.master("local[1]").getOrCreate()
    try:
        values = ["490154203237518", "490154203237519", "", "12a", "8944110068012345679"]
        frame = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "i INT, x STRING")
        frame.createOrReplaceTempView("t")
        rows = spark.sql(f"SELECT {luhn_sql('x')} AS ok FROM t ORDER BY i").collect()
        assert [row.ok for row in rows] == [
            luhn.is_valid(v) if v.isdigit() else False for v in values
        ]
    finally:
        spark.stop()
