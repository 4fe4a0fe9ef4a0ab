"""The analysts' web UI: server-rendered pages in the GOV.UK Design System's style.

:func:`mount` adds the pages and the vendored static assets to the API's FastAPI app,
so the web and the API share one process, one store and one set of users.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cellwatch.lake.shared import SharedLake
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store
from cellwatch.web.context import WebApp

STATIC = Path(__file__).parent / "static"

# Modules with a ``router``; each is one area of the UI.
PAGE_MODULES = (
    "cellwatch.web.auth",
    "cellwatch.web.overview",
    "cellwatch.web.profiles",
    "cellwatch.web.judgements",
    "cellwatch.web.queues",
    "cellwatch.web.alerts",
    "cellwatch.web.ingest",
    "cellwatch.web.candidates",
    "cellwatch.web.guard",
    "cellwatch.web.linkchart",
    "cellwatch.web.operator",
    "cellwatch.web.work",
    "cellwatch.web.statistics",
    "cellwatch.web.protect",
    "cellwatch.web.casework",
    "cellwatch.web.cases",
    "cellwatch.web.intelligence",
)


def mount(app: FastAPI, settings: Settings, store: Store | None = None,
          shared_lake: SharedLake | None = None) -> None:
    """Add the web UI's pages and static files to ``app`` (reading the lake through
    ``shared_lake``, the process's one connection, when given)."""
    app.state.cellwatch_web = WebApp(settings, store or open_store(settings),
                                     shared_lake or SharedLake(settings))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in PAGE_MODULES:
        app.include_router(importlib.import_module(name).router, include_in_schema=False)


__all__ = ["mount"]
