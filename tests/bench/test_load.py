"""The load test's own arithmetic: percentiles, the report, the demo credentials it reads."""

from __future__ import annotations

from pathlib import Path

from cellwatch.bench.load import HOST, Tally, percentile, read_credentials, report


def test_percentile_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) == 0.0


def test_report_counts_errors_and_requests() -> None:
    tally = Tally()
    for ms in (10.0, 20.0, 30.0):
        tally.add("GET /x", ms, None)
    tally.add("POST /y", 500.0, "500")
    tally.add("POST /auth/token", 5000.0, None)  # sign-ins stay out of the percentiles
    result = report(tally, 2.5, "sqlite")
    assert result["requests"] == 5
    assert result["requests_per_second"] == 2.0
    assert result["p95_ms"] == 500.0
    assert result["errors"] == 1
    assert result["error_kinds"] == {"POST /y: 500": 1}


def test_credentials_name_the_readers_and_writers(tmp_path: Path) -> None:
    path = tmp_path / "demo-credentials.txt"
    path.write_text("password for every demo user: s3cret-Pass\n\n"
                    "national.analyst         NIU          analyst\n"
                    "operator.liaison         OPERATOR     operator_liaison\n"
                    "hei.supervisor           HEI-SIT      supervisor\n")
    assert read_credentials(path) == ("s3cret-Pass", ["national.analyst", "hei.supervisor"])


def test_only_loopback() -> None:
    assert HOST == "127.0.0.1"


def test_cpu_seconds_of_this_process() -> None:
    import os

    from cellwatch.bench.load import cpu_seconds

    before = cpu_seconds(os.getpid())
    assert before is not None
    sum(i * i for i in range(2_000_000))  # some work of our own
    after = cpu_seconds(os.getpid())
    assert after is not None
    assert after >= before
