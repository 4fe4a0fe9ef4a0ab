"""Lifecycles as data: states, terminals, requirements and allowed transitions in YAML.

One loader and one transition checker for every workflow with a state machine (TRO
orders, takedown requests, alerts). Each file names its lifecycle (``name``: "TRO",
"takedown request", "alert"), and refusals say which: "cannot move alert 12 from CLOSED
to OPEN; allowed from CLOSED: none (CLOSED is final: a terminal state)".
"""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cellwatch.errors import ConfigError, IllegalTransition


@dataclass(frozen=True)
class StateSpec:
    """One state: its meaning, whether it ends the order, and the fields it requires."""

    name: str
    description: str
    terminal: bool = False
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    """States and transitions of one workflow; ``name`` says what moves (refusals use it)."""

    initial: str
    states: Mapping[str, StateSpec]
    transitions: Mapping[str, tuple[str, ...]]
    name: str = "item"

    def allowed(self, state: str) -> tuple[str, ...]:
        """The states ``state`` may move to (empty for terminal ones)."""
        return self.transitions.get(state, ())

    def check(self, current: str, target: str, subject: str | None = None) -> StateSpec:
        """Return the target's spec, or raise IllegalTransition naming the lifecycle, the
        ``subject`` (an id or reference) and both states.

        >>> Lifecycle("A", {"A": StateSpec("A", ""), "B": StateSpec("B", "", True)},
        ...           {"A": ("B",)}, "alert").check("A", "B").name
        'B'
        """
        what = f"{self.name} {subject}" if subject else f"a {self.name}"
        if target not in self.states:
            raise IllegalTransition(
                f"cannot move {what} to unknown state {target!r}; states are "
                f"{', '.join(self.states)}")
        allowed = self.allowed(current)
        if target not in allowed:
            where = ", ".join(allowed) if allowed else \
                f"none ({current} is final: a terminal state)"
            raise IllegalTransition(
                f"cannot move {what} from {current} to {target}; allowed from {current}: "
                f"{where}")
        return self.states[target]


def parse_lifecycle(document: Mapping[str, Any]) -> Lifecycle:
    """Validate a lifecycle document, collecting every problem before raising ConfigError."""
    problems: list[str] = []
    raw_states = document.get("states") or {}
    if not isinstance(raw_states, Mapping) or not raw_states:
        raise ConfigError("lifecycle: 'states' must be a non-empty mapping")
    states: dict[str, StateSpec] = {}
    for name, spec in raw_states.items():
        spec = spec or {}
        unknown = set(spec) - {"description", "terminal", "requires"}
        if unknown:
            problems.append(f"state {name}: unknown keys {sorted(unknown)}")
        states[str(name)] = StateSpec(
            name=str(name),
            description=str(spec.get("description", "")),
            terminal=bool(spec.get("terminal", False)),
            requires=tuple(str(r) for r in spec.get("requires", ())),
        )
    initial = str(document.get("initial", ""))
    if initial not in states:
        problems.append(f"initial state {initial!r} is not declared")
    transitions: dict[str, tuple[str, ...]] = {}
    for source, targets in (document.get("transitions") or {}).items():
        if source not in states:
            problems.append(f"transitions from undeclared state {source}")
        elif states[source].terminal:
            problems.append(f"terminal state {source} has transitions")
        for target in targets:
            if target not in states:
                problems.append(f"transition {source} -> {target}: undeclared state")
        transitions[str(source)] = tuple(str(t) for t in targets)
    problems.extend(_unreachable(initial, states, transitions))
    for name, spec in states.items():
        if not spec.terminal and not transitions.get(name):
            problems.append(f"state {name} is a dead end but not marked terminal")
    if problems:
        raise ConfigError("lifecycle is not valid: " + "; ".join(problems))
    return Lifecycle(initial=initial, states=states, transitions=transitions,
                     name=str(document.get("name") or "item"))


def _unreachable(
    initial: str, states: Mapping[str, StateSpec], transitions: Mapping[str, tuple[str, ...]]
) -> list[str]:
    seen = {initial}
    frontier = [initial]
    while frontier:
        for target in transitions.get(frontier.pop(), ()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return [f"state {name} is unreachable from {initial}" for name in states if name not in seen]


def load_lifecycle(path: Path) -> Lifecycle:
    """Load and validate a lifecycle YAML file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read lifecycle {path}: {exc}") from exc
    return parse_lifecycle(document or {})
