"""The TRO state machine, loaded from ``data/lifecycle.yaml`` and validated at load.

The domain is data: states, which of them are terminal, what each requires and the
allowed transitions live in YAML. This module only checks the file is coherent and
answers "may this order move from A to B?".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
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
    """States and transitions of a TRO application and order."""

    initial: str
    states: Mapping[str, StateSpec]
    transitions: Mapping[str, tuple[str, ...]]

    def allowed(self, state: str) -> tuple[str, ...]:
        """The states ``state`` may move to (empty for terminal ones)."""
        return self.transitions.get(state, ())

    def check(self, current: str, target: str) -> StateSpec:
        """Return the target's spec, or raise IllegalTransition naming both states.

        >>> default_lifecycle().check("DRAFT", "APPROVED").name
        'APPROVED'
        """
        if target not in self.states:
            raise IllegalTransition(
                f"unknown state {target!r}; states are {', '.join(self.states)}"
            )
        allowed = self.allowed(current)
        if target not in allowed:
            where = ", ".join(allowed) if allowed else f"none ({current} is terminal)"
            raise IllegalTransition(
                f"cannot move a TRO from {current} to {target}; allowed from {current}: {where}"
            )
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
    return Lifecycle(initial=initial, states=states, transitions=transitions)


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


@functools.lru_cache(maxsize=1)
def default_lifecycle() -> Lifecycle:
    """The bundled lifecycle (cached: it is immutable)."""
    text = resources.files("cellwatch.tro").joinpath("data").joinpath("lifecycle.yaml").read_text(
        "utf-8"
    )
    return parse_lifecycle(yaml.safe_load(text))
