"""The analysts' web UI: server-rendered pages in the GOV.UK Design System's style.

:func:`mount` adds the pages and the vendored static assets to the API's FastAPI app,
so the web and the API share one process, one store and one set of users.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

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
)


def mount(app: FastAPI, settings: Settings, store: Store | None = None) -> None:
    """Add the web UI's pages and static files to ``app``."""
    app.state.cellwatch_web = WebApp(settings, store or open_store(settings))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in PAGE_MODULES:
        app.include_router(importlib.import_module(name).router, include_in_schema=False)


def create_web_app(settings: Settings) -> FastAPI:
    """The whole service: the API's app when it is there, with the web UI mounted on it."""
    try:
        from cellwatch.api.app import create_app
    except ImportError:
        # The API package is built alongside; the web UI also stands on its own.
        app = FastAPI(title="cellwatch", docs_url=None, redoc_url=None)
    else:
        app = create_app(settings)
        if getattr(app.state, "cellwatch_web", None) is not None:
            return app
    mount(app, settings)
    return app


__all__ = ["create_web_app", "mount"]
