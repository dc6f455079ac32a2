"""Debtor files for agents: search, summary, history, cadence, and the work queue."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from agent.auth import Principal
from agent.cadence import QueueItem, Recommendation, planner_for, work_queue
from agent.db.repo import list_debtor_ids, load_file
from agent.domain import DebtorFile, Signals
from agent.errors import InputValidationError
from agent.payments import PaymentOutcome
from api.deps import AgentDep, ReaderDep, RuntimeDep
from api.security import check_debtor

router = APIRouter(tags=["debtors"])

DebtorId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class DebtorListItem(BaseModel):
    id: str
    reference: str
    name: str
    creditor: str
    balance_cents: int
    days_past_due: int
    status: str
    flags: list[str]


class DebtorSummary(BaseModel):
    id: str
    reference: str
    name: str
    kind: str
    creditor: dict[str, Any]
    language: str
    address_form: str
    email: str
    phone: str
    address: str
    preferred_channel: str
    opt_outs: list[str]
    status: str
    hold_reason: str
    notes: str  # internal notes: agents only, never shown to the debtor
    first_letter_ref: str | None
    first_letter_date: dt.date | None
    flags: list[str]
    signals: Signals
    invoices: list[dict[str, Any]]
    active_plan: dict[str, Any] | None
    as_of: dt.date


class DebtorHistory(BaseModel):
    debtor_id: str
    contacts: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    promises: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    disputes: list[dict[str, Any]]


def flags(f: DebtorFile) -> list[str]:
    pairs = (("enforceable_title", f.has_title), ("disputed", f.disputed), ("time_barred", f.signals.time_barred),
             ("hardship", f.hardship), ("over_indebtedness", f.over_indebtedness), ("vulnerable", f.vulnerable),
             ("on_hold", f.status == "on_hold"))
    return [k for k, v in pairs if v]


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for search: "gregory" finds "Grégory" and "grégory" finds "Gregory"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _all_files(rt: RuntimeDep, who: Principal) -> list[DebtorFile]:
    today = rt.clock.today()
    with rt.session() as s:  # a scoped key lists only its creditors' files
        return [load_file(s, i, today) for i in list_debtor_ids(s, creditors=who.creditors)]


def _file(rt: RuntimeDep, debtor_id: str, who: Principal) -> DebtorFile:
    with rt.session() as s:  # another creditor's file is a 404 like an unknown id
        return load_file(s, debtor_id, rt.clock.today(), creditors=who.creditors)


@router.get("/v1/debtors", response_model=list[DebtorListItem], summary="Find debtor files (role: agent or qa)")
def search_debtors(rt: RuntimeDep, who: ReaderDep,
                   q: Annotated[str, Query(max_length=100, description="id, reference or name contains")] = "",
                   limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[DebtorListItem]:
    needle = _fold(q.strip())
    out = []
    for f in _all_files(rt, who):
        hay = _fold(" ".join((f.id, f.reference, f.display_name, f.creditor.name)))
        if needle and needle not in hay:
            continue
        out.append(DebtorListItem(id=f.id, reference=f.reference, name=f.display_name, creditor=f.creditor.name,
                                  balance_cents=f.signals.balance_cents, days_past_due=f.signals.days_past_due,
                                  status=f.status, flags=flags(f)))
    return out[:limit]


@router.get("/v1/debtors/{debtor_id}", response_model=DebtorSummary,
            summary="Debtor file summary with signals, flags and internal notes (role: agent or qa)")
def debtor_summary(debtor_id: DebtorId, rt: RuntimeDep, who: ReaderDep) -> DebtorSummary:
    f = _file(rt, debtor_id, who)
    plan = f.active_plan
    return DebtorSummary(
        id=f.id, reference=f.reference, name=f.display_name, kind=f.kind, creditor=f.creditor.model_dump(mode="json"),
        language=f.language, address_form=f.address_form, email=f.email, phone=f.phone, address=f.address,
        preferred_channel=f.preferred_channel, opt_outs=list(f.opt_outs), status=f.status,
        hold_reason=f.hold_reason, notes=f.notes, first_letter_ref=f.first_letter_ref,
        first_letter_date=f.first_letter_date, flags=flags(f), signals=f.signals,
        invoices=[{**i.model_dump(mode="json"), "total_cents": i.total_cents} for i in f.invoices],
        active_plan=plan.model_dump(mode="json") if plan else None, as_of=f.as_of)


@router.get("/v1/debtors/{debtor_id}/history", response_model=DebtorHistory,
            summary="Contacts, payments, promises, plans and disputes, newest first (role: agent or qa)")
def debtor_history(debtor_id: DebtorId, rt: RuntimeDep, who: ReaderDep) -> DebtorHistory:
    f = _file(rt, debtor_id, who)
    return DebtorHistory(
        debtor_id=f.id,
        contacts=[c.model_dump(mode="json") for c in sorted(f.contacts, key=lambda c: c.at, reverse=True)],
        payments=[p.model_dump(mode="json") for p in reversed(f.payments)],
        promises=[p.model_dump(mode="json") for p in reversed(f.promises)],
        plans=[p.model_dump(mode="json") for p in reversed(f.plans)],
        disputes=[d.model_dump(mode="json") for d in reversed(f.disputes)])


@router.get("/v1/debtors/{debtor_id}/cadence", response_model=Recommendation,
            summary="Next recommended contact: date, channel, message type; escalation hint (role: agent or qa)")
def debtor_cadence(debtor_id: DebtorId, rt: RuntimeDep, who: ReaderDep) -> Recommendation:
    return planner_for(rt).recommend(_file(rt, debtor_id, who))


@router.get("/v1/queue", response_model=list[QueueItem],
            summary="Work queue ordered by the next recommended contact (role: agent or qa)")
def queue(rt: RuntimeDep, who: ReaderDep, due_only: Annotated[bool, Query()] = False,
          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[QueueItem]:
    return work_queue(planner_for(rt), _all_files(rt, who), include_future=not due_only, limit=limit)


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_cents: int = Field(gt=0, le=10_000_000_000, strict=True, description="amount in euro cents (JSON integer)")
    paid_on: dt.date | None = Field(default=None, description="payment date (default: today); never in the future")
    method: str = Field(default="transfer", min_length=1, max_length=40)
    reference: str = Field(default="", max_length=64)


@router.post("/v1/debtors/{debtor_id}/payments", response_model=PaymentOutcome, status_code=201,
             summary="Record a payment, matched to the open plan's instalments (role: agent or admin)")
def record_payment(debtor_id: DebtorId, body: PaymentIn, rt: RuntimeDep, who: AgentDep) -> PaymentOutcome:
    from agent import payments

    check_debtor(rt, who, debtor_id)
    today = rt.clock.today()
    paid_on = body.paid_on or today
    if paid_on > today:
        raise InputValidationError("paid_on: a payment cannot be in the future")
    with rt.session() as s:
        return payments.record(s, debtor_id, body.amount_cents, paid_on, actor=who.actor, method=body.method,
                               reference=body.reference)
