"""``cellwatch guard``: the queue from the command line, as CELLWATCH_PRINCIPAL."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select

from cellwatch.guard.models import GuardHold
from cellwatch.store import AllowListEntry, Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of tests/cli/conftest.py
EVIDENCE = {"days": 8, "work_share": 1.0, "weekday_share": 1.0, "zones": 4,
            "access_share": 0.0, "cell_nights": 0, "linked": []}


def _holds(store: Store) -> dict[str, int]:
    with store.session() as s:
        for identifier, est in (("353918057315836", "HEI"), ("490154203237518", "LEI")):
            s.add(GuardHold(identifier_type="IMEI", identifier=identifier, establishment=est,
                            flag="STAFF_PATTERN", status="HELD", evidence=EVIDENCE))
        s.flush()
        return {h.establishment: h.id for h in s.scalars(select(GuardHold))}


def test_list_show_allow_and_release(run: Run, store: Store) -> None:
    ids = _holds(store)
    code, out, _ = run("hei_analyst", "guard", "list", "--json")
    assert code == 0
    assert [r["identifier"] for r in json.loads(out)] == ["353918057315836"]
    code, out, _ = run("hei_analyst", "guard", "show", str(ids["HEI"]))
    assert code == 0
    assert "zones: 4" in out
    code, _, err = run("hei_analyst", "guard", "show", str(ids["LEI"]))
    assert code != 0
    assert "no suspected staff or visitor phone" in err
    code, _, _ = run("hei_analyst", "guard", "allow", str(ids["HEI"]), "--reason", "officer")
    assert code != 0  # a supervisor's sign-off
    code, out, _ = run("hei_supervisor", "guard", "allow", str(ids["HEI"]), "--reason",
                       "Officer 123's phone", "--kind", "contractor", "--json")
    assert code == 0
    assert json.loads(out)["status"] == "ALLOWED"
    with store.session() as s:
        entry = s.scalars(select(AllowListEntry)).one()
    assert entry.reason == "CONTRACTOR"
    code, out, _ = run("system", "guard", "release", str(ids["LEI"]), "--reason",
                       "found in a cell search")
    assert code == 0
    assert "released" in out
