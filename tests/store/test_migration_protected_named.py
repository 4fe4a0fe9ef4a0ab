"""Migration 0028 (a protected person's prison number kept as named, no key to prisoners)
goes down and up again on every engine, with protected persons in the store."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from cellwatch.access.fixtures import build_estate
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.store import Store
from cellwatch.store.engine import alembic_config


def _alembic(store: Store, direction: str, target: str) -> None:
    with store.engine.begin() as connection:
        config = alembic_config(store.url)
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def _keys_to_prisoners(store: Store) -> list[str | None]:
    return [fk["name"] for fk in inspect(store.engine).get_foreign_keys("protected_persons")
            if fk["referred_table"] == "prisoners"]


def test_protected_named_migrates_down_and_up(store: Store) -> None:
    build_estate(store)
    with store.session() as s:
        s.add(ProtectedPerson(person_ref="PP-HELD", prison_number="A1111AA", condition="OTHER"))
    assert _keys_to_prisoners(store) == []
    _alembic(store, "downgrade", "0027_referral_rls")
    assert _keys_to_prisoners(store) == ["fk_protected_persons_prison_number_prisoners"]
    _alembic(store, "upgrade", "heads")
    assert _keys_to_prisoners(store) == []
    with store.session() as s:  # the rows stay; a number not held is now taken
        s.add(ProtectedPerson(person_ref="PP-NAMED", prison_number="Z9999ZZ",
                              condition="OTHER"))
    with store.session() as s:
        assert sorted(s.scalars(select(ProtectedPerson.person_ref))) == ["PP-HELD", "PP-NAMED"]


def test_a_store_with_persons_numbers_upgrades_through_it(store: Store) -> None:
    """The upgrade an existing store takes on start (``Store.migrate``): SQLite rebuilds
    the table, which other tables' keys name; with a person's numbers stored it failed
    ("FOREIGN KEY constraint failed") until the keys were off for the rebuild."""
    build_estate(store)
    _alembic(store, "downgrade", "0027_referral_rls")
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO protected_persons (person_ref, prison_number, condition) "
            "VALUES ('PP-OLD', 'A1111AA', 'OTHER')")
        connection.exec_driver_sql(
            "INSERT INTO protected_identifiers (person_ref, identifier_type, identifier) "
            "VALUES ('PP-OLD', 'MSISDN', '+447700900123')")
    store.migrate()
    assert _keys_to_prisoners(store) == []
    with store.session() as s:
        assert [(i.person_ref, i.identifier) for i in s.scalars(select(ProtectedIdentifier))] \
            == [("PP-OLD", "+447700900123")]
    if store.dialect == "sqlite":  # the keys are on again for the store's connections
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
