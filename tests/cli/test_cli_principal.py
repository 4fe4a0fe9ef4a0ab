"""Every command resolves ``CELLWATCH_PRINCIPAL`` through one helper,
:func:`cellwatch.cli.context.cli_access`, so every command refuses the same names."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

import cellwatch.cli
from cellwatch.access.models import Organisation
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest
CLI = Path(cellwatch.cli.__file__).parent

COMMANDS = (
    ("alerts", "list"),
    ("alerts", "ack", "1"),
    ("alerts", "run", "--no-deliver"),
    ("export", "alerts", "--out", "{tmp}/alerts.csv", "--reason", "review"),
    ("export", "attributions", "--out", "{tmp}/a.csv", "--reason", "review"),
    ("export", "tro-candidates", "--out", "{tmp}/t.csv", "--reason", "review"),
    ("attribute",),
    ("evaluate", "--truth", "{tmp}", "--out", "{tmp}/evaluation"),
    ("identify", "353456789012348"),
    ("referral", "list"),
    ("referral", "ack", "1"),
    ("parole", "summary", "A1111AA", "--out", "{tmp}"),
    ("users", "list"),
    ("ingest", "seizures", "{tmp}/seizures.csv"),
    ("quarantine", "retry", "--all"),
    ("quarantine", "list"),
    ("quarantine", "list", "--json"),
    ("quarantine", "show", "1"),
    ("quarantine", "fix", "1", "item_type=SIM"),
    ("quarantine", "discard", "1", "--reason", "entered twice"),
    ("stats",),
    ("status",),
    ("targeting", "rank", "-e", "HEI"),
    ("targeting", "evaluate", "--from", "2026-01-01", "--to", "2026-01-31", "-e", "HEI"),
    ("device", "353456789012348"),
    ("prisoner", "A1111AA"),
    ("judge", "attribution", "353456789012348", "A1111AA", "--verdict", "REJECTED",
     "--reason", "not theirs"),
    ("judge", "link", "IMEI", "353456789012348", "IMSI", "234101234567890",
     "--verdict", "REJECTED", "--reason", "not together"),
    ("judge", "undo", "1"),
)


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_refuses_a_name_that_is_no_active_user(
        run: Run, store: Store, tmp_path: Path, argv: tuple[str, ...]) -> None:
    (tmp_path / "seizures.csv").write_text("seizure_ref,item_no\nSZ-1,1\n")
    args = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = run("ghost", *args)
    assert code == 2
    if "--json" in args:
        # One error document instead, as ``cellwatch ingest --json`` gives.
        assert json.loads(out)["error"] == "no active user 'ghost'"
    else:
        assert out == ""
        assert "no active user 'ghost'" in err
    # A real user whose organisation is no longer active is refused the same way.
    with store.session() as s:
        s.scalars(select(Organisation).where(Organisation.code == "HEI-SIT")).one().active = False
    code, out, err = run("hei_supervisor", *args)
    assert code == 2
    assert "the organisation of 'hei_supervisor' is not active" in out + err


def _calls(module: Path) -> set[str]:
    """The names of the functions and classes a module calls."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            found.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return found


def test_only_the_shared_helper_resolves_the_principal() -> None:
    # A command building its own Access could skip (or differ in) the refusal above.
    offenders = {module.name: sorted(_calls(module) & {"principal_for", "Access"})
                 for module in sorted(CLI.glob("*.py")) if module.name != "context.py"}
    assert {name: calls for name, calls in offenders.items() if calls} == {}
