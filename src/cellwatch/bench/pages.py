"""Server time of every page type and API read on the demo estate (issue 19, item 4).

The demo estate is built once (the demo's own steps, in ``work/home``; reused when it is
already there), then the app is created in this process and each page type is requested
as a user of the role that reads it (an establishment's analyst for its own records, the
national analyst for the estate, the operator's liaison for the operator page), through
FastAPI's TestClient: no network, so the time is the server's, end to end (routing,
policy, audit, queries, rendering). Each type is asked for ``REPEAT`` times over up to
``TARGETS`` records (the busiest prisoners and devices first), after one warm-up request,
and p50/p95 are printed against the target.

The figure judged is the process's CPU time per request (everything in the process is
serving it): on the project's machine two cores are shared by several builds (load
average 9-12), where a request's wall time is mostly waiting for a core. The wall time
is printed beside it, with the load average; on an idle machine the two agree (DuckDB's
second thread can make CPU time the larger).

Run alone with ``python -m cellwatch.bench.pages [WORK_DIR]`` (the estate is kept there),
or through ``python -m cellwatch.bench --only pages``; ``python -m cellwatch.bench.pages
WORK_DIR --loop "web device"`` asks for one page type over and over, under py-spy (a dev
dependency) to see where its time goes (:func:`loop`).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult

EVERY_PAGE_MS = 300.0
PROFILE_MS = 100.0  # the prisoner and device pages, the ones users wait on most
REPEAT = 5
TARGETS = 3
REASON = {"Cellwatch-Reason": "bench: page server time"}


@dataclass(frozen=True)
class PageType:
    """One page type: its name, the user who reads it, the paths to ask, its target."""

    name: str
    user: str
    paths: tuple[str, ...]
    api: bool
    target_ms: float = EVERY_PAGE_MS


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _samples(store: Any) -> dict[str, Any]:
    """The records to ask for: the busiest of one establishment, so pages are their fullest."""
    from sqlalchemy import text

    with store.session() as s:
        est, = s.execute(text(
            "SELECT p.establishment FROM attributions a JOIN prisoners p "
            "ON p.prison_number = a.prison_number GROUP BY p.establishment "
            "ORDER BY count(*) DESC LIMIT 1")).one()
        prisoners = list(s.scalars(text(
            "SELECT a.prison_number FROM attributions a JOIN prisoners p "
            "ON p.prison_number = a.prison_number WHERE p.establishment = :e "
            "GROUP BY a.prison_number ORDER BY count(*) DESC, a.prison_number LIMIT :n"),
            {"e": est, "n": TARGETS}))
        devices = list(s.scalars(text(
            "SELECT a.identifier FROM attributions a JOIN prisoners p "
            "ON p.prison_number = a.prison_number WHERE p.establishment = :e "
            "AND a.identifier_type = 'IMEI' GROUP BY a.identifier "
            "ORDER BY count(*) DESC, a.identifier LIMIT :n"), {"e": est, "n": TARGETS}))
        alerts = list(s.scalars(text(
            "SELECT id FROM alerts WHERE establishment = :e ORDER BY id DESC LIMIT :n"),
            {"e": est, "n": TARGETS}))
        orders = list(s.scalars(text(
            "SELECT ref FROM tro_applications WHERE establishment = :e ORDER BY id LIMIT :n"),
            {"e": est, "n": TARGETS}))
        surname = s.scalars(text("SELECT surname FROM prisoners WHERE prison_number = :p"),
                            {"p": prisoners[0]}).one()
    return {"est": est, "prisoners": prisoners, "devices": devices, "alerts": alerts,
            "orders": orders, "surname": surname}


def page_types(x: dict[str, Any]) -> list[PageType]:
    """Every page type and API read the demo's users wait on, with who reads it."""
    local = f"{str(x['est']).lower()}.analyst"
    ps, ds = x["prisoners"], x["devices"]
    many = {"limit": 50}
    web = [
        PageType("web overview /", "national.analyst", ("/",), False),
        PageType("web prisoner", local, tuple(f"/prisoners/{p}" for p in ps), False,
                 PROFILE_MS),
        PageType("web device", local, tuple(f"/identifiers/IMEI/{d}" for d in ds), False,
                 PROFILE_MS),
        PageType("web link chart", local, tuple(f"/link/IMEI/{d}" for d in ds), False),
        PageType("web parole summary", local,
                 tuple(f"/prisoners/{p}/parole-summary.html" for p in ps), False),
        PageType("web search by name", local, (f"/search?q={x['surname']}",), False),
        PageType("web alerts queue", local, ("/queues/alerts",), False),
        PageType("web alert", local, tuple(f"/alerts/{a}" for a in x["alerts"]), False),
        PageType("web candidates queue", local, ("/queues/candidates",), False),
        PageType("web referrals queue", local, ("/queues/referrals",), False),
        PageType("web guard queue", local, ("/queues/guard",), False),
        PageType("web orders queue", local, ("/queues/orders",), False),
        PageType("web order", local, tuple(f"/orders/{o}" for o in x["orders"]), False),
        PageType("web ingest", local, ("/ingest",), False),
        PageType("web operator", "operator.liaison", ("/operator",), False),
        PageType("web your work", local, ("/work",), False),
        PageType("web statistics", "national.analyst", ("/statistics",), False),
    ]
    q = f"?limit={many['limit']}"
    api = [
        PageType("api prisoners", local, (f"/api/v1/prisoners{q}",), True),
        PageType("api prisoner", local, tuple(f"/api/v1/prisoners/{p}" for p in ps), True),
        PageType("api identifier", local, tuple(f"/api/v1/identifiers/{d}" for d in ds), True),
        PageType("api establishments", local, ("/api/v1/establishments",), True),
        PageType("api alerts", local, (f"/api/v1/alerts{q}",), True),
        PageType("api alert", local, tuple(f"/api/v1/alerts/{a}" for a in x["alerts"]), True),
        PageType("api intelligence", local, (f"/api/v1/intelligence{q}",), True),
        PageType("api cases", local, (f"/api/v1/cases{q}",), True),
        PageType("api candidates", local, (f"/api/v1/tro/candidates{q}",), True),
        PageType("api orders", local, (f"/api/v1/tro/orders{q}",), True),
        PageType("api order", local, tuple(f"/api/v1/tro/orders/{o}" for o in x["orders"]),
                 True),
        PageType("api judgements", local,
                 tuple(f"/api/v1/judgements?prison_number={p}" for p in ps), True),
        PageType("api guard holds", local, (f"/api/v1/guard/holds{q}",), True),
        PageType("api stats", "national.analyst", ("/api/v1/stats",), True),
        PageType("api ingest batches", local, (f"/api/v1/ingest/batches{q}",), True),
        PageType("api quarantine", local, (f"/api/v1/quarantine{q}",), True),
        PageType("api referrals", local, (f"/api/v1/referrals{q}",), True),
        PageType("api takedowns", local, (f"/api/v1/takedowns{q}",), True),
        PageType("api operator lines", "operator.liaison", ("/api/v1/operator/lines",), True),
        PageType("api me", local, ("/api/v1/auth/me",), True),
    ]
    return [t for t in web + api if t.paths]


def build(work: Path) -> Path:
    """The demo estate in ``work/home`` (built once by the demo's own steps); its home."""
    from cellwatch.bench.load import build_estate

    home = (work / "home").resolve()
    build_estate(home, (work / "sources").resolve(), None)
    return home


@contextmanager
def _client(home: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from cellwatch.api.app import create_app
    from cellwatch.settings import load_settings

    settings = load_settings(home=home)
    app = create_app(settings)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as client:
            yield client
    finally:
        app.state.store.dispose()


def _sign_in(client: Any, user: str, password: str, api: bool) -> None:
    client.cookies.clear()
    client.headers.pop("Authorization", None)
    if api:
        r = client.post("/api/v1/auth/token", data={"username": user, "password": password})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if csrf is None:
        raise RuntimeError("the sign-in form has no CSRF token")
    r = client.post("/signin", follow_redirects=False, data={
        "username": user, "password": password, "csrf_token": csrf[1], "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in as {user} answered {r.status_code}")


def measure(home: Path, repeat: int = REPEAT) -> dict[str, dict[str, Any]]:
    """Request every page type ``repeat`` times per record; milliseconds per request."""
    from cellwatch.bench.load import read_credentials

    password, _ = read_credentials(home / "demo-credentials.txt")
    figures: dict[str, dict[str, Any]] = {}
    with _client(home) as client:
        samples = _samples(client.app.state.store)
        for kind in page_types(samples):
            _sign_in(client, kind.user, password, kind.api)
            times: list[float] = []
            cpu: list[float] = []
            statuses: set[int] = set()
            for path in kind.paths:
                client.get(path, headers=REASON)  # warm-up: first-use costs counted once
                for _ in range(repeat):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    r = client.get(path, headers=REASON)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                    times.append((time.perf_counter() - started) * 1000)
                    statuses.add(r.status_code)
            figures[kind.name] = {
                "user": kind.user, "paths": list(kind.paths), "n": len(times),
                "status": sorted(statuses), "p50_ms": round(percentile(cpu, 0.5), 1),
                "p95_ms": round(percentile(cpu, 0.95), 1),
                "wall_p50_ms": round(percentile(times, 0.5), 1),
                "wall_p95_ms": round(percentile(times, 0.95), 1), "target_ms": kind.target_ms}
    return figures


def loop(home: Path, name: str, rounds: int = 20) -> int:
    """Ask for one page type ``rounds`` times per record, to run under a sampling profiler.

    ``py-spy record -f raw -o stacks.txt -- python -m cellwatch.bench.pages WORK --loop
    "web device"``: the app answers in TestClient's worker threads, which py-spy samples
    with the rest of the process. Returns the number of requests.
    """
    from cellwatch.bench.load import read_credentials

    password, _ = read_credentials(home / "demo-credentials.txt")
    done = 0
    with _client(home) as client:
        kind = next(t for t in page_types(_samples(client.app.state.store)) if t.name == name)
        _sign_in(client, kind.user, password, kind.api)
        for _ in range(rounds):
            for path in kind.paths:
                client.get(path, headers=REASON)
                done += 1
    return done


def run(options: BenchOptions) -> list[BenchResult]:
    """Build (or reuse) the demo estate and time each page type against its target."""
    figures = measure(build(options.work_dir))
    results = []
    for name, f in figures.items():
        ok_status = f["status"] == [200]
        results.append(BenchResult(
            name=f"page server time: {name}",
            metrics={"user": f["user"], "requests": f["n"], "status": f["status"],
                     "cpu_p50_ms": f["p50_ms"], "cpu_p95_ms": f["p95_ms"],
                     "wall_p50_ms": f["wall_p50_ms"], "wall_p95_ms": f["wall_p95_ms"],
                     "load_average": round(os.getloadavg()[0], 1)},
            targets={"cpu_p95_ms": f"< {f['target_ms']:.0f}", "status": "200"},
            passed={"cpu_p95_ms": f["p95_ms"] < f["target_ms"], "status": ok_status}))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run standalone (the estate kept in WORK_DIR for the next run) and print the table."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m cellwatch.bench.pages [WORK_DIR [--loop PAGE_TYPE]]")
        return 0
    if args and args[0].startswith("-"):
        # A folder is built at WORK_DIR: an option taken for one would leave "--x/" behind.
        print(f"unknown option {args[0]!r}; usage: python -m cellwatch.bench.pages "
              "[WORK_DIR [--loop PAGE_TYPE]]", file=sys.stderr)
        return 2
    work = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="cellwatch-bench-pages-"))
    work.mkdir(parents=True, exist_ok=True)
    if len(args) > 2 and args[1] == "--loop":
        print(f"{loop(build(work), args[2])} requests of {args[2]}")
        return 0
    figures = measure(build(work))
    ok = True
    print(f"server time per request (ms; CPU judged, wall beside it; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'page type':<22} {'user':<17} {'n':>3} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'wall p50':>8} {'wall p95':>8} target")
    for name, f in figures.items():
        hit = f["p95_ms"] < f["target_ms"] and f["status"] == [200]
        ok = ok and hit
        print(f"{name:<22} {f['user']:<17} {f['n']:>3} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} "
              f"{f['wall_p50_ms']:>8.1f} {f['wall_p95_ms']:>8.1f} < {f['target_ms']:.0f} "
              f"{'ok' if hit else 'MISSED'} {f['status']}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
