"""The firm's payment-plan policy (knowledge/policy/plans.yaml): strict, validated, merged per creditor.

The policy, never the debtor and never an LLM, bounds every offer. ``defaults`` holds the complete
bounds; ``profiles`` holds partial overrides keyed by the creditor's ``plan_profile``, deep-merged
over the defaults and validated at load time (a broken profile stops start-up like a broken default).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from agent.errors import ConfigError
from agent.yamlio import Strict as _Strict
from agent.yamlio import load_yaml_model

PlanFrequency = Literal["monthly", "biweekly", "weekly"]


class LumpSum(_Strict):
    """Discount for paying the whole balance at once, early enough."""

    discount_bp: int = Field(default=0, ge=0, le=2_000, description="basis points: 500 = 5.00 %")
    pay_within_days: int = Field(default=15, ge=0, le=90)
    min_balance_cents: int = Field(default=0, ge=0, description="no discount below this balance")


class MissedRule(_Strict):
    """What happens when instalments are missed: stated to the debtor at acceptance."""

    reminder_after: int = Field(default=1, ge=1, le=12, description="missed instalments before a reminder task")
    break_after_consecutive: int = Field(default=2, ge=1, le=12,
                                         description="consecutive missed instalments that break the plan")

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.reminder_after > self.break_after_consecutive:
            raise ValueError("reminder_after must not exceed break_after_consecutive")
        return self

    def text(self, lang: str) -> str:
        if lang == "en":
            return (f"After {self.reminder_after} missed instalment(s) we send you a reminder; after "
                    f"{self.break_after_consecutive} consecutive missed instalments the plan ends and the "
                    "remaining balance is due again.")
        return (f"Après {self.reminder_after} échéance(s) impayée(s), nous vous adressons un rappel ; après "
                f"{self.break_after_consecutive} échéances impayées consécutives, l'échéancier prend fin et le "
                "solde restant redevient exigible.")


class HolidayCalendarSpec(_Strict):
    """Public holidays and weekends skipped by due dates (the ``holidays`` package)."""

    country: str = Field(default="FR", min_length=2, max_length=3)
    subdiv: str | None = Field(default=None, description='FR: None = metropolitan; "57" Moselle, '
                                                         '"6AE" (or "67"/"68") Alsace')
    skip_weekends: bool = True

    @model_validator(mode="after")
    def _known(self) -> Self:
        from agent.plans.calendar import check_calendar

        check_calendar(self.country, self.subdiv)
        return self


class PlanBounds(_Strict):
    """The effective bounds for one creditor profile (defaults merged with its override)."""

    frequencies: tuple[PlanFrequency, ...] = Field(default=("monthly", "biweekly", "weekly"), min_length=1)
    min_instalments: int = Field(default=2, ge=2, le=120)
    max_instalments: int = Field(default=24, ge=2, le=120)
    min_instalment_cents: int = Field(default=3000, ge=1, le=10_000_000)
    max_duration_months: int = Field(default=24, ge=1, le=24,
                                     description="from first to last due date; C. civ. 1343-5 ceiling")
    first_payment_default_days: int = Field(default=7, ge=0, le=90)
    first_payment_max_days: int = Field(default=30, ge=0, le=90)
    lump_sum: LumpSum = LumpSum()
    interest_frozen: bool = True
    missed: MissedRule = MissedRule()
    remainder: Literal["last", "first"] = "last"
    capacity_share_bp: int = Field(default=5000, ge=1, le=10_000,
                                   description="share of disposable income taken as monthly capacity")
    calendar: HolidayCalendarSpec = HolidayCalendarSpec()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.min_instalments > self.max_instalments:
            raise ValueError("min_instalments must not exceed max_instalments")
        if self.first_payment_default_days > self.first_payment_max_days:
            raise ValueError("first_payment_default_days must not exceed first_payment_max_days")
        if len(set(self.frequencies)) != len(self.frequencies):
            raise ValueError("frequencies must not repeat")
        return self


class PlanPolicy(_Strict):
    version: int = Field(ge=1)
    defaults: PlanBounds = PlanBounds()
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    _merged: dict[str, PlanBounds] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _profiles_valid(self) -> Self:
        merged: dict[str, PlanBounds] = {}
        for name, override in self.profiles.items():
            if not isinstance(override, dict):
                raise ValueError(f"profiles.{name}: must be a mapping of overrides")
            try:
                merged[name] = PlanBounds.model_validate(_deep_merge(self.defaults.model_dump(), override))
            except ValidationError as exc:
                problems = "; ".join(
                    f"profiles.{name}.{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
                    for e in exc.errors()
                )
                raise ValueError(problems) from exc
        self._merged = merged
        return self

    def policy_for(self, profile: str | None) -> PlanBounds:
        """Effective bounds for a creditor's plan profile; an unknown or empty profile gets the defaults."""
        if not profile:
            return self.defaults
        return self._merged.get(profile, self.defaults)

    def has_profile(self, profile: str) -> bool:
        return profile in self.profiles


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> PlanPolicy:
    return load_yaml_model(path, PlanPolicy, "plan policy")


def load_plan_policy(path: Path) -> PlanPolicy:
    """Load and validate the plan policy; any problem raises ConfigError naming the file and field."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"plan policy file not found: {path}")
    return _load_cached(path, path.stat().st_mtime_ns)
