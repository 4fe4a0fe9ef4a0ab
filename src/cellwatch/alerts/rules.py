"""Alert rules as data: ``rules.yaml`` loaded into typed, validated :class:`RuleSpec`.

>>> load_rules()["PROTECTED_PERSON_CONTACTED"].severity
'CRITICAL'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from cellwatch.errors import ConfigError

RULES_FILE = Path(__file__).with_name("rules.yaml")
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
CHANNELS = ("in_app", "webhook", "email")
_KEYS = frozenset({"description", "severity", "channels", "enabled", "triggers", "raised_by",
                   "episode"})
# Pseudo-kinds a rule may be triggered by besides ingest kinds.
ATTRIBUTION = "attribution"
ANY = "*"


@dataclass(frozen=True)
class RuleSpec:
    """One alert rule: its stable name, what it means, how loud it is, where it goes."""

    name: str
    description: str
    severity: str
    channels: tuple[str, ...]
    enabled: bool = True
    # Ingest kinds (and ``attribution``, ``*``) whose arrival may make the rule fire.
    triggers: frozenset[str] = frozenset({ANY})
    # A workflow that raises it itself (``tro``): no detector, the engine never runs it.
    raised_by: str | None = None
    # What one alert covers (shown to analysts and in the docs).
    episode: str = ""

    @property
    def detected(self) -> bool:
        """Whether a detector of the rules engine raises it."""
        return self.raised_by is None

    def triggered_by(self, kinds: frozenset[str]) -> bool:
        """Whether loading ``kinds`` (or an attribution run) can make this rule fire."""
        return ANY in self.triggers or bool(self.triggers & kinds)


def parse_rules(raw: Any, source: str = "rules.yaml") -> dict[str, RuleSpec]:
    """Validate raw YAML data into rules; every problem is collected, then raised once."""
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{source}: expected a mapping of rule names")
    problems: list[str] = []
    rules: dict[str, RuleSpec] = {}
    for name, data in raw.items():
        where = f"{source}: {name}"
        if not isinstance(data, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        unknown = set(data) - _KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if not str(name).isupper() or " " in str(name):
            problems.append(f"{where}: a rule name is UPPER_SNAKE_CASE")
        if not str(data.get("description") or "").strip():
            problems.append(f"{where}: description is required")
        severity = str(data.get("severity", "")).upper()
        if severity not in SEVERITIES:
            problems.append(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        channels = data.get("channels", ["in_app"])
        if not isinstance(channels, list) or not set(channels) <= set(CHANNELS):
            problems.append(f"{where}: channels must be a list from {', '.join(CHANNELS)}")
            channels = []
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}: enabled must be true or false")
        triggers = data.get("triggers", [ANY])
        if not isinstance(triggers, list) or not triggers or not all(
                isinstance(t, str) and t.strip() for t in triggers):
            problems.append(f"{where}: triggers must be a non-empty list of kinds")
            triggers = [ANY]
        raised_by = data.get("raised_by")
        if raised_by is not None and not (isinstance(raised_by, str) and raised_by.strip()):
            problems.append(f"{where}: raised_by names the workflow that raises it")
        rules[str(name)] = RuleSpec(str(name), str(data.get("description", "")).strip(),
                                    severity, tuple(channels), bool(enabled),
                                    frozenset(t.strip() for t in triggers),
                                    str(raised_by).strip() if raised_by else None,
                                    str(data.get("episode") or "").strip())
    if problems:
        raise ConfigError("invalid alert rules:\n  " + "\n  ".join(problems))
    return rules


@cache
def load_rules() -> Mapping[str, RuleSpec]:
    """The bundled rules, read once, validated, read-only."""
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return MappingProxyType(parse_rules(raw, RULES_FILE.name))
