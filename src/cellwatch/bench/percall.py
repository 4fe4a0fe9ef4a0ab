"""What one request of ``make load``'s mix costs the server: CPU and SQL statements.

``python -m cellwatch.bench.percall --home bench-out/load-home [--database-url URL]``
opens the load estate in this process (the app ``cellwatch serve`` builds, driven by
FastAPI's TestClient, one request at a time), signs in one API user and one web user,
and runs each operation of the load mix ``--repeat`` times. For each it prints the CPU
time of this process per request (client included: the same in every run), the SQL
statements the server sent per request and, on PostgreSQL, the CPU its server processes
used per request; then the same weighted by the load mix. Wall-clock latency on a shared
machine says how busy the machine is; these say what the code costs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from cellwatch.bench.load import database_cpu_seconds, postmaster, read_credentials

# (operation, method, path, weight in the load mix, API or web): the mix of load.py.
API_OPS: list[tuple[str, str, str, int]] = [
    ("GET /auth/me", "GET", "/api/v1/auth/me", 10),
    ("GET /prisoners", "GET", "/api/v1/prisoners?limit=50", 15),
    ("GET /prisoners/{n}", "GET", "/api/v1/prisoners/{n}", 25),
    ("GET /establishments", "GET", "/api/v1/establishments", 5),
    ("GET /intelligence", "GET", "/api/v1/intelligence?limit=20", 10),
    ("GET /cases", "GET", "/api/v1/cases?limit=20", 10),
    ("GET /alerts", "GET", "/api/v1/alerts?limit=20", 10),
    ("POST /cases", "POST", "/api/v1/cases", 15),
]
WEB_OPS: list[tuple[str, str, str, int]] = [
    ("page /", "GET", "/", 40),
    ("page /queues/alerts", "GET", "/queues/alerts", 30),
    ("page /ingest", "GET", "/ingest", 30),
]
# load.py runs three API users to every web user.
API_SHARE = 0.75


@dataclass
class Counter:
    """What the engine sent: statements, and the round trips around them."""

    statements: int = 0
    # BEGIN, COMMIT and ROLLBACK, and the pool's liveness ping on each check-out: each is
    # one more round trip to PostgreSQL (on SQLite, a call into the library).
    extra: int = 0

    def watch(self, engine: Engine) -> None:
        """Count ``engine``'s statements, transactions and pool check-outs."""
        event.listen(engine, "before_cursor_execute", self._statement)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, self._transaction)
        if engine.pool._pre_ping:  # whether a check-out costs a ping
            event.listen(engine.pool, "checkout", self._extra)

    @property
    def round_trips(self) -> int:
        """Statements and the extra round trips."""
        return self.statements + self.extra

    def _statement(self, *_args: Any) -> None:
        self.statements += 1

    def _transaction(self, connection: Connection, *_args: Any) -> None:
        # In autocommit the driver sends no BEGIN or COMMIT (SQLAlchemy still says so).
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            self.extra += 1

    def _extra(self, *_args: Any) -> None:
        self.extra += 1


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _env(home: Path, database_url: str | None) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ["CELLWATCH_HOME"] = str(home)
    os.environ.pop("CELLWATCH_DATABASE_URL", None)
    if database_url:
        os.environ["CELLWATCH_DATABASE_URL"] = database_url
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def measure(home: Path, database_url: str | None, repeat: int,
            only: str | None = None) -> dict[str, Any]:
    """Per operation: CPU ms and statements per request, and the mix's weighted means."""
    from fastapi.testclient import TestClient

    from cellwatch.api import create_app
    from cellwatch.settings import load_settings

    password, users = read_credentials(home / "demo-credentials.txt")
    with _env(home, database_url):
        app = create_app(load_settings())
    store = app.state.store
    counter = Counter()
    counter.watch(store.engine)
    database = postmaster(store.url) if store.dialect == "postgresql" else None
    # The people of load.py: user n signs in as users[n % len], every fourth on the web.
    people = [(users[n % len(users)], n % 4 == 3) for n in range(20)]
    clients = {who: _signed_in(TestClient(app, base_url="http://127.0.0.1"), who, password)
               for who in dict.fromkeys(people)}
    numbers = {who: [p["prison_number"] for p in client.get(
        "/api/v1/prisoners?limit=50", headers=client.headers).json()] if not who[1] else []
               for who, client in clients.items()}
    api_people = [who for who in people if not who[1]]
    web_people = [who for who in people if who[1]]
    made = 0
    results: dict[str, dict[str, float]] = {}
    for ops, group in ((API_OPS, api_people), (WEB_OPS, web_people)):
        for name, method, path, _weight in ops:
            if only is not None and name != only:
                continue
            for who in dict.fromkeys(group):  # once each, unmeasured: caches warm
                made += 1
                _call(clients[who], name, method, path, numbers[who], made)
            cpu, statements = _process_cpu(os.getpid()), counter.statements
            trips = counter.round_trips
            db_cpu = database_cpu_seconds(database) if database else 0.0
            for i in range(repeat):
                made += 1
                who = group[i % len(group)]
                _call(clients[who], name, method, path, numbers[who], made)
            results[name] = {
                "cpu_ms": round((_process_cpu(os.getpid()) - cpu) * 1000 / repeat, 2),
                "statements": round((counter.statements - statements) / repeat, 2),
                "round_trips": round((counter.round_trips - trips) / repeat, 2)}
            if database:
                results[name]["db_cpu_ms"] = round(
                    (database_cpu_seconds(database) - db_cpu) * 1000 / repeat, 2)
    store.dispose()
    return {"store": store.dialect, "repeat": repeat, "operations": results,
            "mix": _weighted(results) if only is None else {}}


def _signed_in(client: Any, who: tuple[str, bool], password: str) -> Any:
    username, on_web = who
    if not on_web:
        token = client.post("/api/v1/auth/token",
                            data={"username": username, "password": password})
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        client.headers["Cellwatch-Reason"] = "percall: routine review"
        return client
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    if csrf is None:
        raise SystemExit("no CSRF token on /signin")
    done = client.post("/signin", data={"username": username, "password": password,
                                        "csrf_token": csrf[1], "next": "/"},
                       follow_redirects=False)
    if done.status_code != 303:
        raise SystemExit(f"web sign-in of {username}: {done.status_code}")
    return client


def _call(client: Any, name: str, method: str, path: str, numbers: list[str],
          made: int) -> None:
    if "{n}" in path:
        path = path.replace("{n}", numbers[made % len(numbers)])
    response = client.request(method, path, **_body(name, made))
    if response.status_code not in (200, 201):
        raise SystemExit(f"{name} {path}: {response.status_code} {response.text[:200]}")


def _body(name: str, made: int) -> dict[str, Any]:
    if name != "POST /cases":
        return {}
    ref = f"PERCALL-{os.getpid()}-{int(time.time())}-{made}"
    return {"json": {"ref": ref, "title": "percall case", "kind": "OPERATION"}}


def _weighted(results: dict[str, dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for ops, share in ((API_OPS, API_SHARE), (WEB_OPS, 1 - API_SHARE)):
        total = sum(w for *_rest, w in ops)
        for name, _method, _path, weight in ops:
            for key, value in results[name].items():
                out[key] = out.get(key, 0.0) + share * value * weight / total
    return {key: round(value, 2) for key, value in out.items()}


def main(argv: list[str] | None = None) -> int:
    """Measure and print one JSON document."""
    parser = argparse.ArgumentParser(prog="python -m cellwatch.bench.percall",
                                     description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("bench-out/load-home"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=50, choices=range(1, 10_001),
                        metavar="1-10000")
    parser.add_argument("--only", default=None, help="one operation, e.g. 'GET /auth/me' "
                        "(to profile it with py-spy)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.home.resolve(), args.database_url, args.repeat, args.only),
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
