"""``cellwatch stats``, ``status`` and ``targeting`` act as ``CELLWATCH_PRINCIPAL``
(:mod:`cellwatch.reports.service`): statistics and counts kept to the principal's
establishments (and, per kind, to the batches it may see), ranking only where it may
read prisoners."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit_support import audited
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest

HEADER = "seizure_ref,item_no,ts,establishment,item_type,prison_number\n"
# A handset found at each prison of the fixture estate (Hewell and Berwyn are West Midlands).
FINDS = ("SZ-HEI,1,2026-05-03T10:00:00Z,HEI,HANDSET,A1111AA\n"
         "SZ-BWI,1,2026-05-04T10:00:00Z,BWI,HANDSET,A2222BB\n"
         "SZ-LEI,1,2026-05-05T10:00:00Z,LEI,HANDSET,A3333CC\n")


@pytest.fixture(autouse=True)
def _finds(run: Run, tmp_path: Path) -> None:
    """The administrator's batch of three finds, and one of Hewell's supervisor's own."""
    (tmp_path / "finds.csv").write_text(HEADER + FINDS)
    (tmp_path / "mine.csv").write_text(
        HEADER + "SZ-HEI-2,1,2026-05-06T10:00:00Z,HEI,HANDSET,A1111AA\n")
    assert run("system", "ingest", "seizures", str(tmp_path / "finds.csv"))[0] == 0
    assert run("hei_supervisor", "ingest", "seizures", str(tmp_path / "mine.csv"))[0] == 0


def _json(run: Run, user: str, *argv: str) -> Any:
    code, out, err = run(user, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_statistics_cover_only_the_users_establishments(run: Run) -> None:
    window = ("--from", "2026-05-01", "--to", "2026-05-31")
    seen = {user: {r["establishment"]: r["handsets"]
                   for r in _json(run, user, "stats", *window)["rows"]}
            for user in ("hei_analyst", "wm_analyst", "system", "wmp_investigator")}
    assert seen == {"hei_analyst": {"HEI": 2}, "wm_analyst": {"HEI": 2, "BWI": 1},
                    "system": {"HEI": 2, "BWI": 1, "LEI": 1}, "wmp_investigator": {}}
    # By region, a region's row counts only the establishments of it the user covers.
    regions = _json(run, "hei_analyst", "stats", "--by", "region", *window)
    assert [(r["region"], r["handsets"]) for r in regions["rows"]] == [("West Midlands", 2)]
    assert regions["totals"]["handsets"] == 2
    whole = _json(run, "system", "stats", "--by", "region", *window)
    assert {r["region"]: r["handsets"] for r in whole["rows"]} == {
        "West Midlands": 3, "Yorkshire": 1}


def test_status_counts_the_users_establishments_and_batches(run: Run) -> None:
    mine = _json(run, "hei_supervisor", "status")
    assert list(mine["establishments"]) == ["HEI"]
    assert mine["totals"]["seizures"] == 2
    # Per kind: the batches the API lists for them (their own), not the administrator's.
    assert (mine["kinds"]["seizures"]["batches"], mine["totals"]["batches"]) == (1, 1)
    assert _json(run, "hei_analyst", "status")["kinds"] == {}  # ran no batch
    national = _json(run, "nat_analyst", "status")
    assert list(national["establishments"]) == ["BWI", "HEI", "LEI"]
    assert national["totals"]["batches"] == 2
    # No ingest-batch permission (the API's /ingest/batches): refused.
    code, out, err = run("parole_cm", "status")
    assert (code, out) == (2, "")
    assert "parole_cm may not read ingest_batch" in err


def test_status_says_how_the_last_attribution_run_went(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _json(run, "hei_supervisor", "status")["attribution"] is None
    assert "attribution: no run yet" in run("hei_supervisor", "status")[1]
    assert run("system", "attribute")[0] == 0
    last = _json(run, "hei_analyst", "status")["attribution"]
    assert (last["run"], last["mode"], last["reason"]) == (1, "rebuild", "no earlier run")
    fitted = datetime.fromisoformat(last["estimate_fitted_at"])
    assert datetime.fromisoformat(last["refit_due"]) - fitted == timedelta(days=7)
    code, out, _ = run("hei_analyst", "status")
    assert code == 0
    assert "attribution: run 1 finished" in out
    assert f"next refit due {(fitted + timedelta(days=7)):%Y-%m-%d}" in out
    # Refits left to --rebuild: no date is promised.
    monkeypatch.setenv("CELLWATCH_ATTRIBUTION_REFIT_DAYS", "0")
    assert "refitted only on --rebuild" in run("hei_analyst", "status")[1]
    # The same readers as the counts: a role that may not see them sees neither.
    assert run("parole_cm", "status")[0] == 2


def test_targeting_needs_prisoner_read_in_the_establishment(run: Run, store: Store) -> None:
    code, out, err = run("hei_analyst", "targeting", "rank", "-e", "LEI")
    assert (code, out) == (2, "")
    assert "LEI is outside the principal's scope" in err
    code, out, err = run("hei_analyst", "targeting", "evaluate", "--from", "2026-05-01",
                         "--to", "2026-05-31")
    assert (code, out) == (2, "")
    assert "may not rank the whole estate" in err
    # Both refusals are audited; the same user's own establishment is ranked.
    assert audited(store, "hei_analyst", "prisoner") == [("read", None, "denied")] * 2
    assert run("hei_analyst", "targeting", "rank", "-e", "hei", "--json")[0] == 0
    assert run("parole_cm", "targeting", "rank", "-e", "HEI")[0] == 2  # sees no prison
