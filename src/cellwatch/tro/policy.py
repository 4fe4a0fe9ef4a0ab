"""The evidence policy: data (YAML or TOML) saying what makes an identifier a TRO candidate.

Loaded into typed, frozen models and validated at load; every problem in the file is
reported at once (pydantic gathers them) as a :class:`~cellwatch.errors.ConfigError`.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cellwatch.errors import ConfigError

SENSOR_KINDS = frozenset({"RF_DETECTOR", "MANAGED_ACCESS", "HANDHELD"})
LOCATION_TYPES = frozenset(
    {"WING", "LANDING", "CELL", "SEGREGATION", "HEALTHCARE", "VISITS", "WORKSHOP", "YARD",
     "RECEPTION", "PERIMETER", "OTHER"}
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectionRule(_Strict):
    """Detections by sensors inside the establishment."""

    min_days: int = Field(default=3, ge=1)
    sensor_kinds: tuple[str, ...] = ("MANAGED_ACCESS", "HANDHELD")
    exclude_location_types: tuple[str, ...] = ("PERIMETER",)

    @field_validator("sensor_kinds")
    @classmethod
    def _kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - SENSOR_KINDS
        if unknown:
            raise ValueError(f"unknown sensor kinds {sorted(unknown)}")
        return value

    @field_validator("exclude_location_types")
    @classmethod
    def _types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - LOCATION_TYPES
        if unknown:
            raise ValueError(f"unknown location types {sorted(unknown)}")
        return value


class CallRule(_Strict):
    """Call records served by the establishment's own mast."""

    min_days: int = Field(default=3, ge=1)
    radius_m: float = Field(default=250.0, gt=0, le=10_000)
    cell_ids: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class SeizureRule(_Strict):
    """Identifiers read from seized items."""

    qualifies: bool = True


class ScoreWeights(_Strict):
    """Weights of the candidate score (see the policy file for the formula)."""

    detection_day: float = Field(default=1.0, ge=0)
    call_day: float = Field(default=0.6, ge=0)
    seizure: float = Field(default=4.0, ge=0)
    scale: float = Field(default=6.0, gt=0)


class Verification(_Strict):
    """When a disconnection counts as verified."""

    quiet_days: int = Field(default=7, ge=1)


class EvidencePolicy(_Strict):
    """The whole policy."""

    lookback_days: int = Field(default=120, ge=1)
    detections: DetectionRule = DetectionRule()
    calls: CallRule = CallRule()
    seizures: SeizureRule = SeizureRule()
    score: ScoreWeights = ScoreWeights()
    verification: Verification = Verification()


def parse_policy(document: dict[str, Any]) -> EvidencePolicy:
    """Validate a policy document, reporting every problem at once."""
    try:
        return EvidencePolicy.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"evidence policy is not valid: {problems}") from exc


def load_policy(path: Path | None = None) -> EvidencePolicy:
    """Load the policy from a ``.yaml``/``.yml`` or ``.toml`` file; the bundled one if None."""
    if path is None:
        return default_policy()
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read evidence policy {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"evidence policy {path} must be a mapping")
    return parse_policy(document)


@functools.lru_cache(maxsize=1)
def default_policy() -> EvidencePolicy:
    """The bundled policy (``data/policy.yaml``)."""
    text = resources.files("cellwatch.tro").joinpath("data").joinpath("policy.yaml").read_text(
        "utf-8"
    )
    return parse_policy(yaml.safe_load(text))
