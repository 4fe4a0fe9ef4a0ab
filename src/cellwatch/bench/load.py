"""``make load``: many users at once against ``cellwatch serve`` on loopback, bounded.

``python -m cellwatch.bench.load [--database-url URL] [--users 20] [--seconds 60]``
builds the demo estate in ``--home`` once (the demo's own steps: simulate, ingest,
attribute, alerts, users), starts ``cellwatch serve`` on a free port of 127.0.0.1, and
runs ``--users`` simulated people for ``--seconds``: each signs in (API token, or the web
form for one in four), then loops over a mix of reads and writes with a think time
between requests, as a person at a screen does (``--think 0`` for back-to-back). Every
read is audited, so reads write too. It prints requests per second, errors, and p50/p95
latency overall and per operation, writes them as JSON, and exits 1 when any request
failed (a 5xx, a refused connection, or a status the operation never gives) or p95 is
300 ms or more. It only ever talks to 127.0.0.1, and stops at ``--max-requests`` too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # never anything else: this is a load generator
P95_TARGET_MS = 300.0
READY_SECONDS = 120.0
Op = Callable[["VirtualUser"], Awaitable[None]]
SIGN_IN_OPS = frozenset({"POST /auth/token", "page /signin", "POST /signin"})


@dataclass
class Tally:
    """Latencies (ms) and unexpected outcomes per operation."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    def add(self, op: str, ms: float, error: str | None) -> None:
        """Count one request of ``op`` taking ``ms``; ``error`` names what went wrong."""
        self.requests += 1
        self.latencies.setdefault(op, []).append(ms)
        if error is not None:
            key = f"{op}: {error}"
            self.errors[key] = self.errors.get(key, 0) + 1


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class VirtualUser:
    """One simulated person: a client, who they are, and what they have seen."""

    client: httpx.AsyncClient
    username: str
    tally: Tally
    max_requests: int
    web: bool = False
    number: int = 0
    prisoners: list[str] = field(default_factory=list)
    made: int = 0
    # Seeded per user: a run's mix of operations can be repeated.
    rng: random.Random = field(default_factory=lambda: random.Random(0))  # noqa: S311

    async def call(self, op: str, method: str, path: str, expect: tuple[int, ...],
                   **kwargs: object) -> httpx.Response | None:
        """Send one request, timing it; count it an error unless its status is expected."""
        if self.tally.requests >= self.max_requests:
            return None
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.tally.add(op, (time.perf_counter() - started) * 1000, type(exc).__name__)
            return None
        ms = (time.perf_counter() - started) * 1000
        error = None if response.status_code in expect else str(response.status_code)
        self.tally.add(op, ms, error)
        return response


async def _api_prisoners(user: VirtualUser) -> None:
    r = await user.call("GET /prisoners", "GET", "/api/v1/prisoners", (200,),
                        params={"limit": 50})
    if r is not None and r.status_code == 200:
        user.prisoners = [p["prison_number"] for p in r.json()][:50]


async def _api_prisoner(user: VirtualUser) -> None:
    if not user.prisoners:
        await _api_prisoners(user)
        return
    number = user.rng.choice(user.prisoners)
    # Opening a record outside one's own organisation needs a stated reason.
    await user.call("GET /prisoners/{n}", "GET", f"/api/v1/prisoners/{number}", (200,),
                    headers={"Cellwatch-Reason": "load test: routine review"})


async def _api_simple(user: VirtualUser, path: str, params: dict[str, int] | None = None
                      ) -> None:
    await user.call(f"GET {path}", "GET", f"/api/v1{path}", (200,), params=params or {})


async def _api_new_case(user: VirtualUser) -> None:
    user.made += 1
    ref = f"LOAD-{user.number}-{os.getpid()}-{int(time.time())}-{user.made}"
    await user.call("POST /cases", "POST", "/api/v1/cases", (201,),
                    json={"ref": ref, "title": "load test case", "kind": "OPERATION"})


async def _web_page(user: VirtualUser, path: str) -> None:
    await user.call(f"page {path}", "GET", path, (200,))


API_MIX: list[tuple[Op, int]] = [
    (lambda u: _api_simple(u, "/auth/me"), 10),
    (_api_prisoners, 15),
    (_api_prisoner, 25),
    (lambda u: _api_simple(u, "/establishments"), 5),
    (lambda u: _api_simple(u, "/intelligence", {"limit": 20}), 10),
    (lambda u: _api_simple(u, "/cases", {"limit": 20}), 10),
    (lambda u: _api_simple(u, "/alerts", {"limit": 20}), 10),
    (_api_new_case, 15),
]
WEB_MIX: list[tuple[Op, int]] = [
    (lambda u: _web_page(u, "/"), 40),
    (lambda u: _web_page(u, "/queues/alerts"), 30),
    (lambda u: _web_page(u, "/ingest"), 30),
]


async def _sign_in(user: VirtualUser, password: str) -> bool:
    if user.web:
        form = await user.call("page /signin", "GET", "/signin", (200,))
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text if form else "")
        if found is None:
            return False
        done = await user.call("POST /signin", "POST", "/signin", (303,), data={
            "username": user.username, "password": password, "csrf_token": found[1],
            "next": "/"})
        return done is not None and done.status_code == 303
    r = await user.call("POST /auth/token", "POST", "/api/v1/auth/token", (200,),
                        data={"username": user.username, "password": password})
    if r is None or r.status_code != 200:
        return False
    user.client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return True


async def _run_user(user: VirtualUser, password: str, deadline: float, think: float) -> None:
    if not await _sign_in(user, password):
        return
    ops, weights = zip(*(WEB_MIX if user.web else API_MIX), strict=True)
    while time.monotonic() < deadline and user.tally.requests < user.max_requests:
        await user.rng.choices(ops, weights)[0](user)
        if think:
            await asyncio.sleep(user.rng.uniform(0.5 * think, 1.5 * think))


async def run_load(port: int, users: list[str], password: str, count: int, seconds: float,
                   think: float, max_requests: int) -> tuple[Tally, float]:
    """Run ``count`` users for ``seconds`` against 127.0.0.1:``port``; (tally, elapsed)."""
    tally = Tally()
    limits = httpx.Limits(max_connections=count * 2)
    clients = [httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30.0, limits=limits)
               for _ in range(count)]
    started = time.monotonic()
    deadline = started + seconds
    try:
        await asyncio.gather(*(
            _run_user(VirtualUser(clients[n], users[n % len(users)], tally, max_requests,
                                  web=n % 4 == 3, number=n,
                                  rng=random.Random(n)),  # noqa: S311
                      password, deadline, think)
            for n in range(count)))
    finally:
        for client in clients:
            await client.aclose()
    return tally, time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "CELLWATCH_HOME": str(home)}
    env.pop("CELLWATCH_DATABASE_URL", None)
    if database_url:
        env["CELLWATCH_DATABASE_URL"] = database_url
    return env


def build_estate(home: Path, sources: Path, database_url: str | None) -> Path:
    """The demo estate in ``home`` (built once, by the demo's own steps); its credentials."""
    credentials = home / "demo-credentials.txt"
    if not credentials.exists():
        # Our own interpreter and module, and paths the operator gave: nothing untrusted.
        subprocess.run([sys.executable, "-m", "cellwatch.demo", "--sources",  # noqa: S603
                        str(sources), "--no-serve"], env=_env(home, database_url), check=True)
    return credentials


def read_credentials(path: Path) -> tuple[str, list[str]]:
    """The demo password and the users who read and write in the estate."""
    lines = path.read_text().splitlines()
    password = lines[0].rsplit(":", 1)[1].strip()
    users = [line.split()[0] for line in lines[2:] if line.strip()
             and ("analyst" in line.split()[0] or "supervisor" in line.split()[0])]
    return password, users


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) process ``pid`` has used, from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the name: state is field 3, so utime (14) and stime (15) sit at 11 and 12.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postmaster(database_url: str) -> int | None:
    """The pid of the PostgreSQL server behind ``database_url`` when it runs on this
    machine (its backends are its children), else None."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()
    try:
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def database_cpu_seconds(pid: int) -> float:
    """CPU time of PostgreSQL's server ``pid`` and its processes: its own, its live
    backends', and (cutime, cstime) that of the backends it has reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(entry.name) == pid:
            total += sum(int(f) for f in fields[11:15]) / tick
        elif int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"cellwatch serve exited with {server.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/signin", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("cellwatch serve did not answer in time")


def report(tally: Tally, elapsed: float, label: str) -> dict[str, object]:
    """The figures: requests, per second, errors, p50/p95/p99 overall and per operation.

    The percentiles are of the work after sign-in: twenty people signing in in the same
    second is the test's artefact (argon2 is meant to cost), so sign-ins are listed
    per operation (and their errors counted) but kept out of the overall percentiles.
    """
    every = [ms for op, values in tally.latencies.items() if op not in SIGN_IN_OPS
             for ms in values]
    return {
        "store": label, "requests": tally.requests, "seconds": round(elapsed, 1),
        "requests_per_second": round(tally.requests / elapsed, 1) if elapsed else 0.0,
        "errors": sum(tally.errors.values()), "error_kinds": tally.errors,
        "p50_ms": round(percentile(every, 0.50), 1), "p95_ms": round(percentile(every, 0.95), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "operations": {op: {"n": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                            "p95_ms": round(percentile(v, 0.95), 1)}
                       for op, v in sorted(tally.latencies.items())},
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cellwatch.bench.load", description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("bench-out/load-home"))
    parser.add_argument("--sources", type=Path, default=Path("bench-out/load-sources"))
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--users", type=int, default=20, choices=range(1, 201),
                        metavar="1-200")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean seconds a user waits between requests (0: none)")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build (once), serve, load, report; 1 when a request failed or p95 missed 300 ms."""
    args = _parser().parse_args(argv)
    if not 1 <= args.seconds <= 600:
        raise SystemExit("--seconds must be between 1 and 600")
    home = args.home.resolve()
    credentials = build_estate(home, args.sources.resolve(), args.database_url)
    password, users = read_credentials(credentials)
    port = _free_port()
    log = (args.out / "load-serve.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as server_log:
        server = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
            [sys.executable, "-c", "import sys; from cellwatch.cli import main; sys.exit(main())",
             "serve", "--host", HOST, "--port", str(port)],
            env=_env(home, args.database_url), stdout=server_log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(port, server)
            database = postmaster(args.database_url) if args.database_url else None
            db_before = database_cpu_seconds(database) if database else None
            cpu_before, load_before = cpu_seconds(server.pid), os.getloadavg()[0]
            tally, elapsed = asyncio.run(run_load(port, users, password, args.users,
                                                  args.seconds, args.think,
                                                  args.max_requests))
            cpu_after, load_after = cpu_seconds(server.pid), os.getloadavg()[0]
            db_after = database_cpu_seconds(database) if database else None
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    label = "postgresql" if args.database_url else "sqlite"
    result = report(tally, elapsed, label) | {"users": args.users, "think_s": args.think}
    if cpu_before is not None and cpu_after is not None and tally.requests:
        # The server's own CPU per request: what the code costs, whatever else runs.
        result["server_cpu_ms_per_request"] = round(
            (cpu_after - cpu_before) * 1000 / tally.requests, 1)
    if db_before is not None and db_after is not None and tally.requests:
        # PostgreSQL's CPU is spent on the same machine's CPUs, outside the server process.
        result["database_cpu_ms_per_request"] = round(
            (db_after - db_before) * 1000 / tally.requests, 1)
    # Latency on a shared machine depends on what else runs: say how busy it was.
    result["load_average"] = [round(load_before, 1), round(load_after, 1)]
    result["cpus"] = os.cpu_count()
    (args.out / f"load-{label}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    ok = result["errors"] == 0 and float(str(result["p95_ms"])) < P95_TARGET_MS
    print(f"load ({label}): {result['requests']} requests, {result['requests_per_second']}/s, "
          f"{result['errors']} errors, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
          f"(target 0 errors, p95 < {P95_TARGET_MS:.0f} ms): {'PASS' if ok else 'FAIL'}; "
          f"load average {result['load_average']} on {result['cpus']} CPUs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
