"""Plan lifecycle in the debtor file: proposed -> accepted -> active -> completed | broken.

Every function works inside the CALLER's session (one transaction) and writes an audit event for
each step, so that a step and its audit record commit or roll back together.

Acceptance is idempotent: the debtor row is locked first (a no-op UPDATE: SQLite's write lock,
a row lock elsewhere), then the idempotency key is looked up. A double click or a client retry with
the same key returns the same plan; a different key while a plan is accepted or active raises
ConflictError; the same key for a different request raises InputValidationError.

Missed-payment rule (policy ``missed``): after ``reminder_after`` consecutive missed instalments a
reminder task is opened; after ``break_after_consecutive`` consecutive missed instalments the plan
is broken and a task is opened for an agent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from agent import audit, clock
from agent.db import models as m
from agent.errors import ConflictError, InputValidationError, NotFoundError, UserError
from agent.plans.models import PlanOption
from agent.plans.policy import PlanBounds

OPEN_STATUSES = ("accepted", "active")
MissedOutcome = Literal["none", "reminder", "broken"]


@dataclass(frozen=True)
class AcceptResult:
    plan: m.Plan
    replayed: bool


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or clock.current().utcnow()


def _new_plan(debtor_id: str, option: PlanOption, *, status: str, source: str, now: dt.datetime,
              idempotency_key: str | None = None, missed_rule: str = "") -> m.Plan:
    pid = uuid.uuid4().hex
    return m.Plan(
        id=pid, debtor_id=debtor_id, reference=f"PLN-{pid[:10].upper()}", status=status,
        frequency=option.frequency, created_at=now, total_cents=option.total_cents,
        discount_cents=option.discount_cents, source=source, option_id=option.id,
        idempotency_key=idempotency_key, missed_rule=missed_rule,
        instalments=[m.Instalment(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents, status="due")
                     for i in option.instalments],
    )


def _summary(plan: m.Plan, **extra: Any) -> dict[str, Any]:
    return {"plan_id": plan.id, "reference": plan.reference, "status": plan.status, "option_id": plan.option_id,
            "total_cents": plan.total_cents, "discount_cents": plan.discount_cents,
            "count": len(plan.instalments), "frequency": plan.frequency, **extra}


def _lock_debtor(session: Session, debtor_id: str) -> None:
    """Serialise plan changes per debtor (and, on SQLite, take the write lock before reading)."""
    result = session.execute(update(m.Debtor).where(m.Debtor.id == debtor_id).values(version=m.Debtor.version))
    if getattr(result, "rowcount", 1) == 0:
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")


def get_plan(session: Session, plan_id: str) -> m.Plan:
    plan = session.execute(select(m.Plan).where(m.Plan.id == plan_id)
                           .options(selectinload(m.Plan.instalments))).scalar_one_or_none()
    if plan is None:
        raise NotFoundError(f"unknown plan: {plan_id!r}")
    return plan


def open_plan(session: Session, debtor_id: str) -> m.Plan | None:
    return session.execute(select(m.Plan).where(m.Plan.debtor_id == debtor_id, m.Plan.status.in_(OPEN_STATUSES))
                           .limit(1)).scalar_one_or_none()


def propose(session: Session, debtor_id: str, option: PlanOption, *, actor: str, source: str = "agent",
            now: dt.datetime | None = None) -> m.Plan:
    """Record an offer made to the debtor (status ``proposed``)."""
    _lock_debtor(session, debtor_id)
    plan = _new_plan(debtor_id, option, status="proposed", source=source, now=_now(now))
    session.add(plan)
    session.flush()
    audit.append(session, "plan.proposed", actor=actor, debtor_id=debtor_id, payload=_summary(plan))
    return plan


def _key_mismatch() -> InputValidationError:
    return InputValidationError("Idempotency-Key: already used to accept a different option", detail=[
        {"loc": ["header", "Idempotency-Key"], "msg": "already used to accept a different option",
         "type": "idempotency_mismatch"}])


def scoped_key(debtor_id: str, idempotency_key: str) -> str:
    """Idempotency keys are scoped per debtor: the same key on two files are two keys (nothing leaks)."""
    return hashlib.sha256(f"{debtor_id}\x00{idempotency_key}".encode()).hexdigest()


def replay(session: Session, debtor_id: str, idempotency_key: str, option_id: str, *, actor: str,
           locked: bool = False) -> AcceptResult | None:
    """The plan an earlier acceptance with this key created (a retry), or None if the key is new."""
    if not locked:
        _lock_debtor(session, debtor_id)
    existing = session.execute(select(m.Plan).where(m.Plan.idempotency_key == scoped_key(debtor_id, idempotency_key))
                               .options(selectinload(m.Plan.instalments))).scalar_one_or_none()
    if existing is None:
        return None
    if existing.debtor_id != debtor_id:
        raise ConflictError("this idempotency key was already used for another request")
    if existing.option_id != option_id:
        raise _key_mismatch()
    audit.append(session, "plan.accept_replayed", actor=actor, debtor_id=debtor_id,
                 payload=_summary(existing, idempotency_key=idempotency_key))
    return AcceptResult(existing, replayed=True)


def accept(session: Session, debtor_id: str, option: PlanOption, *, idempotency_key: str, bounds: PlanBounds,
           actor: str, source: str = "widget", lang: str = "fr", now: dt.datetime | None = None) -> AcceptResult:
    """Accept an option for the debtor, exactly once per idempotency key."""
    if not idempotency_key or len(idempotency_key) > 128:
        raise InputValidationError("idempotency key: required, at most 128 characters", detail=[
            {"loc": ["header", "Idempotency-Key"], "msg": "required, at most 128 characters", "type": "value_error"}])
    _lock_debtor(session, debtor_id)
    replayed = replay(session, debtor_id, idempotency_key, option.id, actor=actor, locked=True)
    if replayed is not None:
        if replayed.plan.total_cents != option.total_cents:
            raise _key_mismatch()
        return replayed
    current = open_plan(session, debtor_id)
    if current is not None:
        raise ConflictError(f"a payment plan is already in place for this file (reference {current.reference})")
    when = _now(now)
    proposed = session.execute(select(m.Plan).where(m.Plan.debtor_id == debtor_id, m.Plan.status == "proposed",
                                                    m.Plan.option_id == option.id,
                                                    m.Plan.total_cents == option.total_cents)
                               .limit(1)).scalar_one_or_none()
    if proposed is not None:
        plan = proposed
        plan.status, plan.idempotency_key = "accepted", scoped_key(debtor_id, idempotency_key)
        plan.missed_rule = bounds.missed.text(lang)
    else:
        plan = _new_plan(debtor_id, option, status="accepted", source=source, now=when,
                         idempotency_key=scoped_key(debtor_id, idempotency_key), missed_rule=bounds.missed.text(lang))
        session.add(plan)
    plan.accepted_at = when
    try:
        session.flush()
    except IntegrityError as exc:  # the key was taken by a concurrent writer (the transaction is rolled back)
        raise ConflictError("this idempotency key was already used for another request") from exc
    audit.append(session, "plan.accepted", actor=actor, debtor_id=debtor_id,
                 payload=_summary(plan, idempotency_key=idempotency_key, missed_rule=plan.missed_rule,
                                  first_due_date=option.first_due_date.isoformat(),
                                  last_due_date=option.last_due_date.isoformat()))
    return AcceptResult(plan, replayed=False)


def _instalment(plan: m.Plan, seq: int) -> m.Instalment:
    for inst in plan.instalments:
        if inst.seq == seq:
            return inst
    raise NotFoundError(f"plan {plan.reference} has no instalment {seq}")


def _require_open(plan: m.Plan) -> None:
    if plan.status not in OPEN_STATUSES:
        raise ConflictError(f"plan {plan.reference} is {plan.status}")


def record_payment(session: Session, plan_id: str, seq: int, *, paid_on: dt.date, actor: str,
                   method: str = "transfer") -> m.Plan:
    """Instalment ``seq`` is paid: a Payment is booked; the first payment activates the plan, the last completes it."""
    plan = get_plan(session, plan_id)
    _lock_debtor(session, plan.debtor_id)
    _require_open(plan)
    inst = _instalment(plan, seq)
    if inst.status == "paid":
        raise ConflictError(f"instalment {seq} of plan {plan.reference} is already paid")
    inst.status, inst.paid_on = "paid", paid_on
    session.add(m.Payment(debtor_id=plan.debtor_id, date=paid_on, amount_cents=inst.amount_cents, method=method,
                          reference=f"{plan.reference}-{seq}"))
    if plan.status == "accepted":
        plan.status = "active"
        session.flush()
        audit.append(session, "plan.activated", actor=actor, debtor_id=plan.debtor_id, payload=_summary(plan))
    session.flush()
    audit.append(session, "plan.instalment_paid", actor=actor, debtor_id=plan.debtor_id,
                 payload=_summary(plan, seq=seq, amount_cents=inst.amount_cents, paid_on=paid_on.isoformat()))
    if all(i.status == "paid" for i in plan.instalments):
        complete(session, plan.id, actor=actor)
    return plan


def mark_missed(session: Session, plan_id: str, seq: int, *, actor: str, bounds: PlanBounds) -> MissedOutcome:
    """Instalment ``seq`` was not paid: record it, then apply the policy's missed-payment rule."""
    plan = get_plan(session, plan_id)
    _lock_debtor(session, plan.debtor_id)
    _require_open(plan)
    inst = _instalment(plan, seq)
    if inst.status != "due":
        raise ConflictError(f"instalment {seq} of plan {plan.reference} is already {inst.status}")
    inst.status = "missed"
    session.flush()
    audit.append(session, "plan.instalment_missed", actor=actor, debtor_id=plan.debtor_id,
                 payload=_summary(plan, seq=seq, due_date=inst.due_date.isoformat()))
    return apply_missed_rule(session, plan, bounds, actor=actor)


def consecutive_missed(plan: m.Plan) -> int:
    """Length of the run of missed instalments ending at the latest settled (paid or missed) one."""
    run = 0
    for inst in sorted(plan.instalments, key=lambda i: i.seq):
        if inst.status == "missed":
            run += 1
        elif inst.status == "paid":
            run = 0
    return run


def apply_missed_rule(session: Session, plan: m.Plan, bounds: PlanBounds, *, actor: str) -> MissedOutcome:
    run = consecutive_missed(plan)
    rule = bounds.missed
    if run >= rule.break_after_consecutive:
        break_plan(session, plan.id, actor=actor, reason=f"{run} consecutive missed instalments")
        return "broken"
    if run >= rule.reminder_after:
        session.add(m.Task(debtor_id=plan.debtor_id, kind="plan_missed_reminder", created_at=_now(None),
                           payload={"plan_id": plan.id, "reference": plan.reference, "consecutive_missed": run}))
        session.flush()
        audit.append(session, "plan.reminder_due", actor=actor, debtor_id=plan.debtor_id,
                     payload=_summary(plan, consecutive_missed=run, rule=rule.model_dump()))
        return "reminder"
    return "none"


def complete(session: Session, plan_id: str, *, actor: str) -> m.Plan:
    plan = get_plan(session, plan_id)
    _require_open(plan)
    unpaid = [i.seq for i in plan.instalments if i.status != "paid"]
    if unpaid:
        raise UserError(f"plan {plan.reference} still has unpaid instalments: {unpaid}")
    plan.status = "completed"
    session.flush()
    audit.append(session, "plan.completed", actor=actor, debtor_id=plan.debtor_id, payload=_summary(plan))
    return plan


def break_plan(session: Session, plan_id: str, *, actor: str, reason: str) -> m.Plan:
    plan = get_plan(session, plan_id)
    _require_open(plan)
    plan.status = "broken"
    session.add(m.Task(debtor_id=plan.debtor_id, kind="plan_broken", created_at=_now(None),
                       payload={"plan_id": plan.id, "reference": plan.reference, "reason": reason}))
    session.flush()
    audit.append(session, "plan.broken", actor=actor, debtor_id=plan.debtor_id, payload=_summary(plan, reason=reason))
    return plan
