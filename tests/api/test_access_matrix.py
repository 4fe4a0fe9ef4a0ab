"""The access matrix: every role x every operation of the OpenAPI document and every web page
x the records it is tried on (a Hewell one, a Leeds one, C-coded intelligence, an unknown
id), against the expected outcomes kept in ``access_matrix.csv``.

Outcomes: ``ok`` (done, 2xx or a web redirect after a form), ``deny`` (403: no role of the
user does this), ``hidden`` (404: unknown, or out of the user's scope, answered alike),
``reason`` (allowed once a reason is stated: the API's 403 naming ``reason``, the web's
prompt), ``quarantined`` (an upload taken but its rows refused), ``conflict`` (409: allowed,
but the record's state forbids it), ``invalid`` (400/422), ``signin`` (sent to sign in).

Run on every engine of the ``store`` fixture. ``CELLWATCH_MATRIX_WRITE=1`` rewrites the table
from what the code does (then review the diff: the table is the specification).
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from matrix_ops import API, Call
from matrix_web import WEB
from matrix_world import USERS, World, build_world

from cellwatch.access.fixtures import PASSWORD
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.web import PAGE_MODULES

TABLE = Path(__file__).with_name("access_matrix.csv")
HEADER = ("surface", "operation", "target", *USERS)
Key = tuple[str, str, str]  # operation, target, user


def read_table() -> dict[tuple[str, str], dict[str, str]]:
    """The expected outcomes: (operation, target) -> user -> outcome."""
    with TABLE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {(r["operation"], r["target"]): {u: r[u] for u in USERS} for r in rows}


def _api_outcome(call: Call, r: Response) -> str:
    status = r.status_code
    if status in (200, 201):
        if "/ingest/" in call.path and call.files:
            summary = r.json()
            return "quarantined" if summary["accepted"] == 0 and summary["quarantined"] else "ok"
        return "ok"
    if status == 403 and "reason" in (r.json().get("errors") or {}):
        return "reason"
    return _common(status)


def _web_outcome(call: Call, r: Response) -> str:
    status = r.status_code
    if status in (302, 303):
        return "signin" if r.headers.get("location", "").startswith("/signin") else "ok"
    if status == 200 and 'action="/reason"' in r.text:
        return "reason"
    return "ok" if status == 200 else _common(status)


def _common(status: int) -> str:
    return {403: "deny", 404: "hidden", 409: "conflict", 400: "invalid", 422: "invalid",
            401: "signin"}.get(status, str(status))


class Player:
    """Signs every user in once (a bearer token, a web session) and plays cells."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client, self.world = client, world
        self.tokens = {u: self._token(u) for u in USERS}
        self.web = {u: TestClient(client.app) for u in USERS}
        self.csrf: dict[str, str] = {}
        for u in USERS:
            self._web_sign_in(u)

    def _token(self, user: str) -> str:
        r = self.client.post("/api/v1/auth/token", data={"username": user,
                                                         "password": PASSWORD})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def _web_sign_in(self, user: str) -> None:
        web = self.web[user]
        web.cookies.clear()
        form = web.get("/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        r = web.post("/signin", follow_redirects=False, data={
            "username": user, "password": PASSWORD, "csrf_token": token[1], "next": "/"})
        assert r.status_code == 303, r.text
        page = web.get("/search").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found is not None, page[:500]
        self.csrf[user] = found[1]

    def api(self, op: str, call: Call, user: str) -> Response:
        method = op.split(" ", 1)[0]
        headers = {"Cellwatch-Reason": "matrix"}
        if op != "POST /api/v1/auth/token":
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        if method == "GET":
            return self.client.get(call.path, params=call.params, headers=headers)
        return self.client.post(call.path, params=call.params, headers=headers, json=call.json,
                                data=call.data, files=call.files)

    def page(self, op: str, call: Call, user: str) -> Response:
        web = self.web[user]
        if op.startswith("GET "):
            return web.get(call.path, params=call.params, follow_redirects=False)
        data = {**(call.data or {}), "csrf_token": self.csrf[user]}
        r = web.post(call.path, data=data, files=call.files, follow_redirects=False)
        if op in ("POST /signout", "POST /signin"):
            self._web_sign_in(user)  # a new session: sign in again for the cells after
        return r


def play(client: TestClient, world: World) -> dict[Key, tuple[str, Call, Response]]:
    """Every cell: (operation, target, user) -> (outcome, the call, the response)."""
    player = Player(client, world)
    played: dict[Key, tuple[str, Call, Response]] = {}
    for surface, ops in (("api", API), ("web", WEB)):
        for op, targets in ops.items():
            for target, make in targets.items():
                for user in USERS:
                    call = make(world, user)
                    if surface == "api":
                        r = player.api(op, call, user)
                        played[(op, target, user)] = (_api_outcome(call, r), call, r)
                    else:
                        r = player.page(op, call, user)
                        played[(op, target, user)] = (_web_outcome(call, r), call, r)
    return played


def _write(played: dict[Key, tuple[str, Call, Response]]) -> None:
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for (op, target, user), (outcome, _c, _r) in played.items():
        surface = "api" if op.split(" ", 1)[1].startswith("/api/") else "web"
        rows.setdefault((surface, op, target), {})[user] = outcome
    with TABLE.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for (surface, op, target), cells in rows.items():
            out.writerow([surface, op, target, *(cells[u] for u in USERS)])


def _upload_as(client: TestClient) -> Any:
    def upload(user: str, kind: str, body: str) -> None:
        r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post(f"/api/v1/ingest/{kind}", headers=headers,
                        files={"file": ("set-up.csv", body.encode(), "text/csv")})
        assert r.status_code == 201, r.text
    return upload


@pytest.fixture
def matrix_client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The API and web over a store of its own on each engine."""
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def _body(r: Response) -> str:
    """What an answer says: a problem's fields (not its request id), or a page's main part."""
    if r.headers.get("content-type", "").startswith("application/"):
        doc = r.json()
        if isinstance(doc, dict):
            doc.pop("request_id", None)
        return json.dumps(doc, sort_keys=True)
    found = re.search(r"<main.*?</main>", r.text, re.S)
    return re.sub(r'name="csrf_token" value="[^"]+"', "", found[0] if found else r.text)


def _ids(call: Call, other: Call) -> list[str]:
    parts = [a for a, b in zip(call.path.split("/"), other.path.split("/"), strict=False)
             if a != b]
    def fields(c: Call) -> list[Any]:  # a query's, a form's and a JSON body's values
        body = c.json.values() if isinstance(c.json, dict) else ()
        return [*c.params.values(), *(c.data or {}).values(), *body]

    values, others = fields(call), fields(other)
    # A form's id may come as "action:id" (a queue's row buttons): the id is its last part.
    return parts + [str(a).rpartition(":")[2] for a, b in zip(values, others, strict=False)
                    if a != b]


IMEI_SHOWN = re.compile(r"\b\d{2}-\d{6}-\d{6}-\d\b")


def _unknown_of(target: str) -> str:
    """The target an out-of-scope ``target`` must answer like: the unknown one of its kind."""
    if target.startswith("device_"):
        return "device_unknown"
    return "IR-UNKNOWN" if target.startswith("IR-") else "unknown"


def _alike(hidden: tuple[str, Call, Response], unknown: tuple[str, Call, Response]) -> bool:
    """The two answers are the same but for the ids asked for (whole words only)."""
    (_o1, c1, r1), (_o2, c2, r2) = hidden, unknown

    def norm(text: str, ids: list[str]) -> str:
        for ident in ids:
            text = re.sub(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", "<id>", text)
        return IMEI_SHOWN.sub("<id>", text)  # the id as a page shows an IMEI

    return norm(_body(r1), _ids(c1, c2)) == norm(_body(r2), _ids(c2, c1))


def test_access_matrix(matrix_client: TestClient, store: Store) -> None:
    world = build_world(store, _upload_as(matrix_client))
    played = play(matrix_client, world)
    if os.environ.get("CELLWATCH_MATRIX_WRITE"):
        _write(played)
        pytest.skip(f"{TABLE.name} written from the code: review its diff")
    expected = read_table()
    wrong = [f"{op} [{target}] as {user}: expected {expected[(op, target)][user]}, got "
             f"{outcome} ({r.status_code} {r.text[:160]!r})"
             for (op, target, user), (outcome, _call, r) in played.items()
             if (op, target) in expected and expected[(op, target)][user] != outcome]
    missing = sorted({f"{op} [{target}]" for op, target, _u in played
                      if (op, target) not in expected})
    # Out of scope answers exactly as unknown: the same body but for the id asked for.
    unlike = [f"{op} [{target}] as {user}"
              for (op, target, user), cell in played.items() if cell[0] == "hidden"
              for unknown in [played.get((op, _unknown_of(target), user))]
              if unknown is not None and unknown[0] == "hidden"
              and target != _unknown_of(target) and not _alike(cell, unknown)]
    assert not missing, f"rows missing from {TABLE.name}: {missing}"
    assert not wrong + unlike, (
        f"{len(wrong)} of {len(played)} cells differ:\n" + "\n".join(wrong)
        + "\nhidden records answer unlike unknown ones:\n" + "\n".join(unlike))


def _routes(settings: Settings) -> tuple[set[str], set[str]]:
    app = create_app(settings)
    schema = app.openapi()
    api = {f"{method.upper()} {path}" for path, item in schema["paths"].items()
           for method in item}
    # The web's pages are its page modules' routers, included without a prefix.
    web = {f"{method} {route.path}" for name in PAGE_MODULES
           for route in importlib.import_module(name).router.routes
           if isinstance(route, APIRoute) for method in route.methods
           if method in ("GET", "POST")}
    return api, web


def test_every_operation_and_page_is_in_the_table(sqlite_settings: Settings) -> None:
    api, web = _routes(sqlite_settings)
    table = {op for op, _target in read_table()}
    assert not api - table, f"OpenAPI operations missing from {TABLE.name}: {sorted(api - table)}"
    assert not web - table, f"web routes missing from {TABLE.name}: {sorted(web - table)}"
    assert not api - set(API), f"operations without targets in matrix_ops: {api - set(API)}"
    assert not web - set(WEB), f"pages without targets in matrix_web: {web - set(WEB)}"
    stale = table - api - web
    assert not stale, f"rows of {TABLE.name} for routes that no longer exist: {sorted(stale)}"
    # Every role and kind of organisation has a column.
    assert len(USERS) >= 14
