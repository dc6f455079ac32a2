"""The guard policy (knowledge/policy/guard.yaml): a strict pydantic model, validated at start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.errors import ConfigError, validation_problems
from agent.firm import load_yaml_model
from agent.guard.registry import families, warn_only_families

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Level = Literal["block", "warn", "off"]

# The family list is the rule registry's (agent.guard.registry, one @register per rule class); ALL_FAMILIES and
# WARN_ONLY_FAMILIES are derived from it on access. Families that only warn (TONE) never block: a policy
# enabling nothing else cannot block anything.
LEARNED_FAMILY = "LEARNED"  # the learned layer's findings (agent.guard.learned); not a rule family


def __getattr__(name: str) -> object:
    if name == "ALL_FAMILIES":
        return families()
    if name == "WARN_ONLY_FAMILIES":
        return warn_only_families()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Jurisdiction = Literal["FR", "US", "UK"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_hhmm(v: str) -> dt.time:
    try:
        return dt.time.fromisoformat(v)
    except ValueError as exc:
        raise ValueError(f"not a HH:MM time: {v!r}") from exc


class TimeRange(_Strict):
    start: str  # "HH:MM", inclusive
    end: str  # "HH:MM", exclusive

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if _parse_hhmm(self.start) >= _parse_hhmm(self.end):
            raise ValueError(f"time range {self.start}-{self.end} is empty")
        return self

    def contains(self, t: dt.time) -> bool:
        return _parse_hhmm(self.start) <= t < _parse_hhmm(self.end)


class HolidaySource(_Strict):
    country: str = "FR"
    subdivision: str | None = None


class CallWindows(_Strict):
    weekdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    ranges: tuple[TimeRange, ...] = Field(default=(TimeRange(start="10:00", end="13:00"),
                                                   TimeRange(start="14:00", end="20:00")), min_length=1)
    skip_public_holidays: bool = True
    holidays: HolidaySource = HolidaySource()


class ContactCaps(_Strict):
    calls_per_30d: int = Field(default=4, ge=1)
    contacts_per_7d: int = Field(default=7, ge=1)


class ConsumerDefaults(_Strict):
    flat_indemnity_allowed: bool = False


class BusinessDefaults(_Strict):
    flat_indemnity_cents: int = Field(default=4000, ge=0)
    late_penalties_allowed: bool = True


class UsSettings(_Strict):
    call_window: TimeRange = TimeRange(start="08:00", end="21:00")
    calls_per_7d: int = Field(default=7, ge=1)
    opt_out_channels: tuple[Literal["email", "sms", "chat", "widget"], ...] = ("email", "sms")
    opt_out_severity: Level = "warn"
    timezone: str = "America/New_York"


class UkSettings(_Strict):
    call_window: TimeRange = TimeRange(start="08:00", end="21:00")  # CONC 7.9: no contact at unreasonable times
    timezone: str = "Europe/London"


class LearnedSettings(_Strict):
    """The learned layer (agent/guard/learned.py): weights in knowledge/policy/guard-learned/, thresholds in
    their manifest (chosen on the corpus DEV split); ``severity_overrides: {LEARNED: warn}`` stops it blocking."""

    enabled: bool = True
    max_windows: int = Field(default=64, ge=1, le=10_000)  # windows embedded per check (the first ones)


class GuardPolicy(_Strict):
    version: str = Field(min_length=1)
    jurisdiction: Jurisdiction = "FR"  # default frame; a request or a debtor file may choose another
    enabled_families: tuple[str, ...] = Field(min_length=1)
    severity_overrides: dict[str, Level] = Field(default_factory=dict)
    action_not_intended: Level = "block"
    call_windows: CallWindows = CallWindows()
    contact_caps: ContactCaps = ContactCaps()
    timezone: str = "Europe/Paris"
    consumer: ConsumerDefaults = ConsumerDefaults()
    business: BusinessDefaults = BusinessDefaults()
    us: UsSettings = UsSettings()
    uk: UkSettings = UkSettings()
    max_chars: int = Field(default=100_000, ge=1, le=10_000_000)  # longer checks are refused (HTTP 413, exit 2)
    time_budget_ms: int = Field(default=2000, ge=1, le=600_000)  # past it a check fails closed (GUARD.timeout)
    allow_no_blocking: bool = False  # a policy under which nothing can block stops start-up unless this is set
    learned: LearnedSettings = LearnedSettings()

    def blocking_families(self) -> tuple[str, ...]:
        """Enabled families that can still block under the overrides (TONE only warns)."""
        return tuple(f for f in self.enabled_families
                     if f not in warn_only_families() and self.severity_overrides.get(f, "block") == "block")

    @field_validator("enabled_families")
    @classmethod
    def _known_families(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = families()
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError(f"unknown families {unknown}; known: {list(known)}")
        if len(set(v)) != len(v):
            raise ValueError("families listed twice")
        return v

    @field_validator("severity_overrides")
    @classmethod
    def _known_targets(cls, v: dict[str, Level]) -> dict[str, Level]:
        known = families()
        for key in v:
            fam = key.split(".", 1)[0]
            if fam not in known and fam not in ("GUARD", LEARNED_FAMILY):
                raise ValueError(f"override {key!r} names no known family")
            if fam == "GUARD":
                raise ValueError("GUARD.* findings (internal errors) cannot be overridden")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {v!r}") from exc
        return v

    def level_for(self, rule_id: str, family: str, default: Literal["block", "warn"]) -> Level:
        return self.severity_overrides.get(rule_id) or self.severity_overrides.get(family) or default


def load_guard_policy(path: Path) -> GuardPolicy:
    """Load and validate the policy; ConfigError (file + field) on any problem, never "no rules"."""
    policy = load_yaml_model(Path(path), GuardPolicy, "guard policy")
    return policy


def policy_or_error(data: dict[str, object], where: str = "<memory>") -> GuardPolicy:
    """Validate a mapping (tests, overrides) with the same error shape as the file loader."""
    from pydantic import ValidationError

    try:
        return GuardPolicy.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc.errors())
        raise ConfigError(f"guard policy {where} is invalid: {problems}") from exc
