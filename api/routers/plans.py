"""Agent-facing plan API: quotes and counter-proposals (the policy bounds every answer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.auth import Principal
from agent.db.repo import load_file
from agent.plans.engine import counter_proposal, quote
from agent.plans.models import MAX_CENTS, Capacity, PlanOption, Proposal, ProposalResult
from api.deps import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/v1/plans", tags=["plans"])

DebtorId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Profile = Annotated[str, Field(min_length=1, max_length=64)]


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    balance_cents: int | None = Field(default=None, gt=0, le=MAX_CENTS)
    debtor_id: DebtorId | None = None
    profile: Profile | None = Field(default=None, description="creditor plan profile (with balance_cents)")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.balance_cents is None) == (self.debtor_id is None):
            raise ValueError("give exactly one of balance_cents or debtor_id")
        return self


class QuoteRequest(_Target):
    capacity: Capacity | None = None
    start_date: dt.date | None = None


class QuoteResponse(BaseModel):
    balance_cents: int
    profile: str | None
    options: list[PlanOption]


class CounterProposalRequest(_Target):
    proposal: Proposal


def _resolve(rt: RuntimeDep, req: _Target, today: dt.date, who: Principal) -> tuple[int, str | None]:
    if req.debtor_id is None:
        return req.balance_cents or 0, req.profile
    with rt.session() as s:
        f = load_file(s, req.debtor_id, today, creditors=who.creditors)
    return f.signals.balance_cents, f.creditor.plan_profile


@router.post("/quote", response_model=QuoteResponse)
def post_quote(req: QuoteRequest, rt: RuntimeDep, who: PrincipalDep) -> QuoteResponse:
    today = rt.clock.today()
    balance, profile = _resolve(rt, req, today, who)
    options = [] if balance <= 0 else quote(balance, policy=rt.plan_policy, today=today, profile=profile,
                                            capacity=req.capacity, start_date=req.start_date)
    return QuoteResponse(balance_cents=balance, profile=profile, options=options)


@router.post("/counter-proposal", response_model=ProposalResult)
def post_counter_proposal(req: CounterProposalRequest, rt: RuntimeDep, who: PrincipalDep) -> ProposalResult:
    today = rt.clock.today()
    balance, profile = _resolve(rt, req, today, who)
    return counter_proposal(balance, req.proposal, policy=rt.plan_policy, today=today, profile=profile)
