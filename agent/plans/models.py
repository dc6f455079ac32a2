"""Public plan types shared by the engine, the drafting pipeline, the widget and the agent service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Frequency = Literal["monthly", "biweekly", "weekly", "once"]


class ScheduledInstalment(BaseModel):
    model_config = ConfigDict(frozen=True)
    seq: int = Field(ge=1)
    due_date: dt.date
    amount_cents: int = Field(gt=0)


class PlanOption(BaseModel):
    """One offer the policy allows: the schedule is complete and sums to ``total_cents`` exactly."""

    model_config = ConfigDict(frozen=True)
    id: str  # stable within a quote, e.g. "full", "short-3m", "capacity-8m", "proposal-10m"
    kind: Literal["full", "short", "standard", "capacity", "proposal"]
    frequency: Frequency
    count: int = Field(ge=1)
    balance_cents: int = Field(ge=0)  # what is owed before any discount
    discount_cents: int = Field(ge=0, default=0)
    total_cents: int = Field(ge=0)  # what the debtor pays = balance - discount
    instalment_cents: int = Field(ge=0)  # the regular instalment (the last may differ: see remainder)
    first_due_date: dt.date
    last_due_date: dt.date
    interest_frozen: bool = True
    instalments: tuple[ScheduledInstalment, ...]
    remainder_policy: str = "last"  # where rounding cents go


# --- Debtor capacity, counter-proposals and their outcome (added by the plan engine) ---------------

#: Share of the disposable monthly income (income - expenses) taken as the debtor's capacity when
#: the debtor fills in the income/expenses form instead of stating a monthly amount: 50.00 %.
#: Expressed in basis points (1/100 of a percent) so that the computation stays in integers.
DEFAULT_DISPOSABLE_SHARE_BP = 5000

MAX_CENTS = 10_000_000_000  # 100 million euros: anything above is an input error, not a policy question


class Capacity(BaseModel):
    """What the debtor says they can pay per month: a direct amount, or an income and expenses form.

    With the form, the capacity is ``share_bp`` basis points of the disposable income
    (``income - expenses``), rounded down to the cent; a negative disposable income gives 0.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    monthly_amount_cents: int | None = Field(default=None, gt=0, le=MAX_CENTS)
    monthly_income_cents: int | None = Field(default=None, ge=0, le=MAX_CENTS)
    monthly_expenses_cents: int | None = Field(default=None, ge=0, le=MAX_CENTS)
    share_bp: int = Field(default=DEFAULT_DISPOSABLE_SHARE_BP, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_form(self) -> Capacity:
        form = (self.monthly_income_cents, self.monthly_expenses_cents)
        if self.monthly_amount_cents is None and None in form:
            raise ValueError("give monthly_amount_cents, or both monthly_income_cents and monthly_expenses_cents")
        return self

    @property
    def disposable_cents(self) -> int | None:
        if self.monthly_income_cents is None or self.monthly_expenses_cents is None:
            return None
        return max(self.monthly_income_cents - self.monthly_expenses_cents, 0)

    @property
    def monthly_cents(self) -> int:
        """The monthly amount the engine plans around (a stated amount wins over the form)."""
        if self.monthly_amount_cents is not None:
            return self.monthly_amount_cents
        disposable = self.disposable_cents or 0
        return disposable * self.share_bp // 10_000


class Proposal(BaseModel):
    """A counter-proposal from the debtor: an instalment amount OR a number of months."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    amount_cents: int | None = Field(default=None, gt=0, le=MAX_CENTS)
    months: int | None = Field(default=None, ge=1, le=120)
    frequency: Literal["monthly", "biweekly", "weekly"] = "monthly"
    start_date: dt.date | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Proposal:
        if (self.amount_cents is None) == (self.months is None):
            raise ValueError("give exactly one of amount_cents or months")
        return self


ReasonCode = Literal[
    "within_policy",
    "full_payment",
    "instalment_too_low",
    "too_many_instalments",
    "too_few_instalments",
    "duration_too_long",
    "start_too_late",
    "frequency_not_allowed",
]


class Reason(BaseModel):
    """A fixed, pre-written explanation (never generated): a code and its French and English text."""

    model_config = ConfigDict(frozen=True)
    code: ReasonCode
    fr: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class ProposalResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    accepted: bool
    option: PlanOption | None = None
    alternatives: list[PlanOption] = Field(default_factory=list)
    reason: Reason
    needs_agent: bool = False  # out of policy: becomes a task for a human agent, not a refusal
