"""``cellwatch attribute`` and ``evaluate`` act as ``CELLWATCH_PRINCIPAL``
(:mod:`cellwatch.attribution.service.runs`): a run re-attributes every identifier of the estate, so
only a national unit's analysts and supervisors (or ``system``) run or score one; a
refusal changes nothing and is audited, a run is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from audit_support import audited
from cellwatch.access.audit import verify_chain
from cellwatch.attribution.models import AttributionRun
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest


def _runs(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(AttributionRun)) or 0)


def test_only_a_whole_estate_analyst_runs_attribution(run: Run, store: Store) -> None:
    # A local team, a region, a national administrator (no judgement role), the police.
    for user in ("hei_analyst", "wm_analyst", "nat_admin", "wmp_investigator"):
        code, out, err = run(user, "attribute", "--json")
        assert (code, out) == (2, ""), user
        assert f"{user} may not" in err
        assert audited(store, user, "attribution") == [("update", None, "denied")]
    assert "a run covers the whole estate" in run("hei_analyst", "attribute")[2]
    assert _runs(store) == 0
    code, out, err = run("nat_analyst", "attribute", "--json")
    assert code == 0, err
    run_id = json.loads(out)["run_id"]
    assert audited(store, "nat_analyst", "attribution") == [
        ("attribute", f"run {run_id}", "allowed")]
    with store.session() as s:
        assert s.get(AttributionRun, run_id).run_by == "nat_analyst"  # type: ignore[union-attr]
    assert run("system", "attribute")[0] == 0
    assert _runs(store) == 2
    assert verify_chain(store).ok


def test_only_a_whole_estate_analyst_evaluates_a_run(
        run: Run, store: Store, tmp_path: Path) -> None:
    argv = ("evaluate", "--truth", str(tmp_path), "--out", str(tmp_path / "evaluation"))
    code, out, err = run("lei_analyst", *argv)
    assert (code, out) == (2, "")
    assert "lei_analyst may not evaluate attribution" in err
    assert audited(store, "lei_analyst", "attribution") == [("update", None, "denied")]
    assert not (tmp_path / "evaluation").exists()
    # Allowed, it goes on to the run (none yet), as system does.
    for user in ("nat_analyst", "system"):
        code, _, err = run(user, *argv)
        assert code == 1
        assert "no attribution run yet" in err
