"""Imports every table module so that ``Base.metadata`` knows them all (for Alembic and tests).

A package that adds tables lists its model module here.
"""

from cellwatch.store import events, ingest, reference

__all__ = ["events", "ingest", "reference"]
