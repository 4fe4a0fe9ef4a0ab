"""``cellwatch match people|retry`` from the shell: unusable rows quarantined with file,
line, field and reason while the rest are matched, then fixed and matched again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest


def test_unusable_rows_are_quarantined_and_matched_again_once_fixed(
        run: Run, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("id,surname,forenames,date_of_birth\n"
                     "r1,Smith,Test,\nr2,Jones,Ann,1990-34-07\n", encoding="utf-8")
    code, out, _ = run("system", "match", "people", str(names), "--threshold", "0")
    assert code == 1
    assert "quarantined #" in out
    assert "names.csv line 3 (r2): date_of_birth: date of birth '1990-34-07'" in out
    assert "training:" in out
    code, out, _ = run("system", "quarantine", "list", "--kind", "match_people", "--json")
    assert code == 0
    [row] = json.loads(out)["rows"]
    assert (row["file"], row["line"], row["field"]) == ("names.csv", 3, "date_of_birth")
    # The ingest's retry has nothing to load a match row into: refused, the row unchanged.
    code, _, _ = run("system", "quarantine", "retry", str(row["id"]))
    assert code != 0
    # Still unusable: stays OPEN, exit 1; fixed: matched (Jones is A2222BB) and resolved.
    code, out, _ = run("system", "match", "retry", str(row["id"]), "--json")
    assert code == 1
    assert json.loads(out)["rejected"][0]["field"] == "date_of_birth"
    code, out, _ = run("system", "match", "retry", str(row["id"]), "--set",
                       "date_of_birth=", "--threshold", "0", "--json")
    assert code == 0, out
    done = json.loads(out)
    assert done["resolved"] == [row["id"]]
    assert done["matches"][0]["record_id"] == "r2"
    assert done["matches"][0]["prison_number"] == "A2222BB"
    code, out, _ = run("system", "quarantine", "list", "--kind", "match_people", "--json")
    assert json.loads(out)["rows"] == []
    code, out, _ = run("system", "match", "retry", str(row["id"]))
    assert code != 0


def test_retry_needs_the_quarantine_permission_on_the_row(run: Run, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("id,surname,forenames,date_of_birth\nr2,Jones,Ann,31/02/1990\n",
                     encoding="utf-8")
    code, out, _ = run("hei_supervisor", "match", "people", str(names), "--json")
    assert code == 1
    [rejected] = json.loads(out)["rejected"]
    # An analyst may match but not change the quarantine (as for ingest's rows) ...
    code, _, err = run("hei_analyst", "match", "retry", str(rejected["id"]))
    assert code != 0
    assert "may not update" in err
    # ... and another establishment's administrator does not see the supervisor's row.
    code, _, err = run("lei_admin", "match", "retry", str(rejected["id"]))
    assert code != 0
    assert "not found" in err
    code, _, err = run("system", "match", "retry", "999999")
    assert code != 0
    assert "not found" in err
