"""The scenario: every rate the simulator uses, loaded from TOML or YAML and validated.

Each section of the file is one model below; unknown keys and bad values raise
:class:`~cellwatch.errors.ConfigError` naming the key (``contraband.arrivals_per_1000_month``).
The defaults are the demo scenario's and are documented in ``docs/simulator.md``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cellwatch.errors import ConfigError

CorruptionKind = Literal[
    "bad_imei_check_digit",
    "unknown_sensor",
    "unknown_prisoner",
    "bad_timestamp",
    "nonexistent_local_time",
    "missing_required",
    "bad_enum",
]
ALL_CORRUPTION_KINDS: tuple[CorruptionKind, ...] = (
    "bad_imei_check_digit",
    "unknown_sensor",
    "unknown_prisoner",
    "bad_timestamp",
    "nonexistent_local_time",
    "missing_required",
    "bad_enum",
)
# Only leaf files: corrupting reference data (a prisoner, a sensor) would make other,
# untouched rows fail to resolve, and the check is "exactly the corrupted rows".
CORRUPTIBLE_FILES = (
    "occupancy",
    "pin_contacts",
    "detections",
    "seizures",
    "call_records",
    "contact_reports",
    "social_observations",
    "intelligence_reports",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSection(_Section):
    """Name, period and output options."""

    name: str = "demo"
    start_date: dt.date = dt.date(2026, 9, 15)
    days: int = Field(60, ge=1, le=3660)
    messy_formats: bool = True
    rows_per_part: int = Field(5_000_000, ge=1000)
    chunk_days: int = Field(31, ge=1, le=366)


class EstateSection(_Section):
    """Which establishments, their size and their sensors."""

    establishments: int = Field(3, ge=1, le=200)
    codes: list[str] = Field(default_factory=lambda: ["HEI", "MDI", "LEI"])
    capacity_scale: float = Field(0.35, gt=0, le=2)
    double_cell_fraction: float = Field(0.35, ge=0, le=1)
    rf_detectors_per_landing: float = Field(1.0, ge=0, le=10)
    rf_range_m: float = Field(18.0, gt=0)
    managed_access_fraction: float = Field(0.6, ge=0, le=1)
    managed_access_range_m: float = Field(70.0, gt=0)
    handhelds_per_establishment: int = Field(3, ge=0, le=50)
    outages_per_sensor_year: float = Field(3.0, ge=0)
    outage_mean_days: float = Field(2.5, gt=0)
    vendor_location_error: float = Field(0.25, ge=0, le=1)
    # Where managed-access units sit and what zone each reports: one per wing, or one
    # per landing (a smaller zone; with a long range it also hears the landings around).
    managed_access_zone: Literal["WING", "LANDING"] = "WING"
    # What the detection vendor writes as its location estimate for a managed-access
    # detection: the sensor's own zone, or the transmitter's cell, landing or wing.
    vendor_location_level: Literal["SENSOR", "CELL", "LANDING", "WING"] = "SENSOR"


class PopulationSection(_Section):
    """Occupancy, turnover and contact lists."""

    occupancy_rate: float = Field(0.95, gt=0, le=1)
    mean_stay_days: float = Field(300.0, gt=1)
    transfers_per_prisoner_year: float = Field(0.4, ge=0)
    cell_moves_per_prisoner_year: float = Field(2.0, ge=0)
    pin_contacts_min: int = Field(2, ge=0)
    pin_contacts_max: int = Field(8, ge=0)
    brothers_fraction: float = Field(0.01, ge=0, le=0.5)


class ContrabandSection(_Section):
    """Arrival, ownership and movement of phones and SIMs."""

    arrivals_per_1000_month: float = Field(35.0, ge=0)
    route_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "THROW_OVER": 0.25,
            "DRONE": 0.2,
            "VISITS": 0.2,
            "POST": 0.1,
            "STAFF": 0.1,
            "RECEPTION": 0.15,
        }
    )
    interception_rate: dict[str, float] = Field(
        default_factory=lambda: {
            "THROW_OVER": 0.35,
            "DRONE": 0.2,
            "VISITS": 0.15,
            "POST": 0.3,
            "STAFF": 0.02,
            "RECEPTION": 0.3,
        }
    )
    initial_phones_per_1000: float = Field(90.0, ge=0)
    user_fraction: float = Field(0.3, gt=0, le=1)
    tiny_phone_fraction: float = Field(0.55, ge=0, le=1)
    sim_only_fraction: float = Field(0.2, ge=0, le=1)
    handset_only_fraction: float = Field(0.1, ge=0, le=1)
    sim_swaps_per_month: float = Field(0.6, ge=0)
    rent_probability: float = Field(0.15, ge=0, le=1)
    share_probability: float = Field(0.25, ge=0, le=1)
    pass_on_probability: float = Field(0.6, ge=0, le=1)
    follow_on_transfer_probability: float = Field(0.5, ge=0, le=1)
    loss_per_month: float = Field(0.05, ge=0, le=1)
    idle_day_probability: float = Field(0.1, ge=0, le=1)
    # Per phone-night: the owner lends (or rents out) the phone for the whole night to a
    # landing neighbour or his cellmate, and does not use it himself that night.
    lend_probability: float = Field(0.0, ge=0, le=1)


class UsageSection(_Section):
    """How often phones transmit and when."""

    transmissions_per_day: float = Field(30.0, ge=0)
    weekend_factor: float = Field(1.4, ge=0)
    night_share: float = Field(0.65, ge=0, le=1)


class DetectionSection(_Section):
    """Misses, staff, visitors and noise."""

    miss_rate: float = Field(0.2, ge=0, le=1)
    staff_phones_per_establishment: int = Field(12, ge=0)
    staff_allow_listed_fraction: float = Field(0.85, ge=0, le=1)
    contractor_fraction: float = Field(0.2, ge=0, le=1)
    staff_transmissions_per_shift: float = Field(8.0, ge=0)
    visitors_per_session: float = Field(6.0, ge=0)
    visitor_phone_fraction: float = Field(0.3, ge=0, le=1)
    noise_per_day: float = Field(20.0, ge=0)


class SearchSection(_Section):
    """Cell searches and what they find."""

    routine_searches_per_cell_year: float = Field(3.0, ge=0)
    intelligence_searches_per_phone_month: float = Field(0.15, ge=0)
    find_probability: float = Field(0.5, ge=0, le=1)
    attribute_probability: float = Field(0.75, ge=0, le=1)
    charger_probability: float = Field(0.4, ge=0, le=1)
    handheld_hit_probability: float = Field(0.5, ge=0, le=1)


class CallSection(_Section):
    """Operator returns for phones of interest."""

    requested_sim_fraction: float = Field(0.35, ge=0, le=1)
    events_per_day: float = Field(6.0, ge=0)
    associate_group_size: int = Field(5, ge=2)
    associate_groups_per_establishment: float = Field(2.0, ge=0)
    shares: dict[str, float] = Field(
        default_factory=lambda: {
            "FAMILY": 0.45,
            "ASSOCIATE": 0.25,
            "OTHER": 0.17,
            "PRIVILEGED": 0.04,
            "SWITCHBOARD": 0.04,
            "SHARED_FAMILY": 0.05,
        }
    )


class CampaignSection(_Section):
    """Harassment of protected persons and the social-media side."""

    campaign_fraction_of_users: float = Field(0.08, ge=0, le=1)
    contacts_per_day: float = Field(1.5, ge=0)
    report_probability: float = Field(0.5, ge=0, le=1)
    social_posts_per_account_month: float = Field(3.0, ge=0)
    observation_probability: float = Field(0.4, ge=0, le=1)
    intelligence_reports_per_establishment_month: float = Field(8.0, ge=0)
    intelligence_accuracy: float = Field(0.75, ge=0, le=1)


class CorruptionSection(_Section):
    """Deliberately broken rows, recorded exactly in truth/corruption.csv."""

    rate: float = Field(0.0, ge=0, le=0.5)
    files: list[str] = Field(default_factory=lambda: list(CORRUPTIBLE_FILES))
    kinds: list[CorruptionKind] = Field(default_factory=lambda: list(ALL_CORRUPTION_KINDS))

    @model_validator(mode="after")
    def _known_files(self) -> CorruptionSection:
        bad = [f for f in self.files if f not in CORRUPTIBLE_FILES]
        if bad:
            raise ValueError(f"files {bad} cannot be corrupted; choose from {CORRUPTIBLE_FILES}")
        return self


class Scenario(_Section):
    """A whole scenario: one section per part of the model."""

    run: RunSection = Field(default_factory=RunSection)
    estate: EstateSection = Field(default_factory=EstateSection)
    population: PopulationSection = Field(default_factory=PopulationSection)
    contraband: ContrabandSection = Field(default_factory=ContrabandSection)
    usage: UsageSection = Field(default_factory=UsageSection)
    detection: DetectionSection = Field(default_factory=DetectionSection)
    searches: SearchSection = Field(default_factory=SearchSection)
    calls: CallSection = Field(default_factory=CallSection)
    campaigns: CampaignSection = Field(default_factory=CampaignSection)
    corruption: CorruptionSection = Field(default_factory=CorruptionSection)


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def scenario_from_mapping(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a parsed scenario; every problem is listed in one ConfigError."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_key(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{source}: {problems}") from exc


def load_scenario(path: Path | str | None = None) -> Scenario:
    """Load a TOML or YAML scenario; ``None`` gives the packaged demo (default.toml).

    >>> load_scenario(None).run.days
    60
    """
    if path is None:
        text = resources.files("cellwatch.simulate").joinpath("scenarios/default.toml").read_text()
        return scenario_from_mapping(tomllib.loads(text), "default.toml")
    p = Path(path)
    if not p.is_file():
        named = resources.files("cellwatch.simulate").joinpath(f"scenarios/{p.name}")
        if not named.is_file():
            raise ConfigError(f"scenario file not found: {p}")
        return scenario_from_mapping(tomllib.loads(named.read_text()), p.name)
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{p}: not valid TOML/YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: a scenario must be a mapping of sections")
    return scenario_from_mapping(data, str(p))
