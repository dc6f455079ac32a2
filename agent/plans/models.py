"""Public plan types shared by the engine, the drafting pipeline, the widget and the agent service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
