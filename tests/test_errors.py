"""The one error hierarchy: every class is complete, and the foreign-error boundaries map all.

The boundary tests enumerate what the foreign library exports rather than a list of ours,
so an exception class added by a future DuckDB (or one we forget) fails here instead of
leaking out untranslated.
"""

from __future__ import annotations

import inspect

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import exc as sa_exc

import cellwatch.errors as errors_module
from cellwatch.errors import CellwatchError, LakeError, StoreError
from cellwatch.lake.analytic_engine import duckdb_errors, run_sql
from cellwatch.store.engine import translate

ERROR_CLASSES: list[type[CellwatchError]] = sorted(
    (
        obj
        for obj in vars(errors_module).values()
        if isinstance(obj, type)
        and issubclass(obj, CellwatchError)
        and obj.__module__ == errors_module.__name__
    ),
    key=lambda cls: cls.__name__,
)

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _instance(cls: type[CellwatchError]) -> CellwatchError:
    """An instance built from the constructor's own signature (required args are strings)."""
    required = [
        p
        for p in inspect.signature(cls).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return cls(*(f"{p.name}-value" for p in required))


def test_the_hierarchy_is_found() -> None:
    # Guards the discovery above: an empty list would make every check below vacuous.
    assert CellwatchError in ERROR_CLASSES
    assert errors_module.UploadTooLarge in ERROR_CLASSES


def test_every_class_is_exported_and_nothing_else() -> None:
    assert sorted(errors_module.__all__) == [cls.__name__ for cls in ERROR_CLASSES]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_is_complete(cls: type[CellwatchError]) -> None:
    assert (cls.__doc__ or "").strip(), f"{cls.__name__} has no docstring"
    assert 400 <= cls.http_status <= 599
    assert cls.exit_code in {1, 2}
    assert cls.code
    assert cls.code == cls.code.strip()


def test_codes_are_unique() -> None:
    # A class names a code of its own, or keeps its parent's (a refinement: a Denied is an
    # AccessDenied to a client); no two classes name the same one.
    codes = [cls.code for cls in ERROR_CLASSES if "code" in vars(cls)]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    assert duplicated == []
    for cls in ERROR_CLASSES:
        if "code" not in vars(cls):
            assert cls.code == cls.__mro__[1].code, cls.__name__  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_problem_details_have_the_rfc_9457_members(cls: type[CellwatchError]) -> None:
    error = _instance(cls)
    problem = error.to_problem()
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == cls.http_status
    assert problem["title"] == cls.__name__
    assert problem["detail"] == error.message
    assert str(problem["type"]).endswith(f"/{cls.code}")


def test_upload_too_large_is_a_413_in_the_hierarchy() -> None:
    from cellwatch.ingest.service.uploads import UploadTooLarge as via_uploads

    assert via_uploads is errors_module.UploadTooLarge
    assert issubclass(errors_module.UploadTooLarge, errors_module.IngestError)
    assert errors_module.UploadTooLarge.http_status == 413


SQL = "INSERT INTO sensors (sensor_id) VALUES (:id)"


@pytest.mark.parametrize(
    "cls",
    [sa_exc.IntegrityError, sa_exc.OperationalError, sa_exc.ProgrammingError, sa_exc.DataError],
    ids=lambda cls: cls.__name__,
)
def test_store_boundary_translates_sqlalchemy_errors(cls: type[sa_exc.DBAPIError]) -> None:
    foreign = cls(SQL, {"id": "S1"}, Exception("driver says no"))
    error = translate(foreign)
    assert isinstance(error, StoreError)
    assert error.sql == SQL
    assert "driver says no" in error.message


def test_store_boundary_translates_a_real_failure() -> None:
    engine = sqlalchemy.create_engine("sqlite://")
    sql = "SELECT * FROM no_such_table"
    with engine.connect() as con, pytest.raises(sa_exc.OperationalError) as info:
        con.execute(sqlalchemy.text(sql))
    error = translate(info.value)
    assert isinstance(error, StoreError)
    assert error.sql == sql


DUCKDB_ERRORS: list[type[duckdb.Error]] = sorted(
    (
        obj
        for obj in vars(duckdb).values()
        if isinstance(obj, type) and issubclass(obj, duckdb.Error)
    ),
    key=lambda cls: cls.__name__,
)


def test_duckdb_errors_are_found() -> None:
    # Guards the enumeration: the names the brief relies on must be among them.
    names = {cls.__name__ for cls in DUCKDB_ERRORS}
    assert {"CatalogException", "ParserException", "ConversionException", "IOException"} <= names


@pytest.mark.parametrize("cls", DUCKDB_ERRORS, ids=lambda cls: cls.__name__)
def test_lake_boundary_translates_every_duckdb_error(cls: type[duckdb.Error]) -> None:
    sql = "SELECT 1"
    with pytest.raises(LakeError) as info, duckdb_errors(sql):
        raise cls("duckdb says no")
    assert info.value.sql == sql
    assert isinstance(info.value.__cause__, cls)
    assert "duckdb says no" in info.value.message


def test_lake_boundary_translates_a_real_failure() -> None:
    sql = "SELECT * FROM no_such_table"
    with duckdb.connect() as con, pytest.raises(LakeError) as info:
        run_sql(con, sql)
    assert info.value.sql == sql
    assert isinstance(info.value.__cause__, duckdb.CatalogException)


def _every_module() -> list[str]:
    import pkgutil

    import cellwatch

    names = [m.name for m in pkgutil.walk_packages(cellwatch.__path__, "cellwatch.")]
    # Alembic's scripts run only under Alembic; __main__ modules run when imported.
    return [n for n in names if ".migrations" not in n and not n.endswith("__main__")]


def _exception_classes() -> dict[str, type[BaseException]]:
    import importlib

    found: dict[str, type[BaseException]] = {}
    for name in _every_module():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, BaseException)
                    and obj.__module__ == name):
                found[f"{name}.{obj.__qualname__}"] = obj
    return found


def test_every_exception_class_of_cellwatch_is_in_the_tree() -> None:
    classes = _exception_classes()
    assert sorted(n for n, cls in classes.items() if not issubclass(cls, CellwatchError)) == []
    # Every one lives in cellwatch.errors, the denials too (Denied, ReasonRequired and the
    # one Concealed the services answer as not found), none beside the code raising it.
    assert sorted(n for n in classes if not n.startswith("cellwatch.errors.")) == []
    assert {"Denied", "ReasonRequired", "Concealed"} <= {c.__name__ for c in ERROR_CLASSES}
