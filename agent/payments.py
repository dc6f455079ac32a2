"""Record a payment the debtor made: matched to the open plan's instalments, booked, audited.

A payment of ``amount_cents`` on ``paid_on``:

* refused if it exceeds what the file still owes (invoices minus payments);
* if the file has an open plan (``accepted`` / ``active``), settles its unpaid instalments in order
  while the amount covers a whole instalment (each through :func:`agent.plans.lifecycle.record_payment`,
  which books that instalment's payment, activates the plan on the first and completes it on the last);
* any remainder (a partial instalment, or no plan at all) is booked as one more payment on the file;
  the balance (imputed on interest first, C. civ. 1343-1) falls either way, and a file whose balance
  reaches zero leaves the work queue (the cadence recommends nothing for a zero balance).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agent import audit
from agent.db import models as m
from agent.errors import InputValidationError, NotFoundError
from agent.plans import lifecycle


class PaymentOutcome(BaseModel):
    debtor_id: str
    amount_cents: int
    paid_on: dt.date
    plan_reference: str | None = None
    instalments_paid: list[int] = []
    unallocated_cents: int = 0
    plan_status: str | None = None
    balance_cents: int


def _owed(session: Session, debtor_id: str) -> int:
    invoiced = session.scalar(select(func.coalesce(func.sum(
        m.Invoice.principal_cents + m.Invoice.interest_cents + m.Invoice.other_cents), 0))
        .where(m.Invoice.debtor_id == debtor_id)) or 0
    paid = session.scalar(select(func.coalesce(func.sum(m.Payment.amount_cents), 0))
                          .where(m.Payment.debtor_id == debtor_id)) or 0
    return int(invoiced) - int(paid)


def record(session: Session, debtor_id: str, amount_cents: int, paid_on: dt.date, *, actor: str,
           method: str = "transfer", reference: str = "") -> PaymentOutcome:
    if amount_cents <= 0:
        raise InputValidationError("amount: must be positive")
    if session.get(m.Debtor, debtor_id) is None:
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")
    # Serialise payments of one file (read balance, then write) on the debtor row.
    session.execute(update(m.Debtor).where(m.Debtor.id == debtor_id).values(version=m.Debtor.version))
    owed = _owed(session, debtor_id)
    if amount_cents > owed:
        raise InputValidationError(f"amount: {amount_cents} cents exceeds the balance of the file ({owed} cents)")
    out = PaymentOutcome(debtor_id=debtor_id, amount_cents=amount_cents, paid_on=paid_on, balance_cents=owed)
    remaining = amount_cents
    plan = lifecycle.open_plan(session, debtor_id)
    if plan is not None:
        out.plan_reference = plan.reference
        for inst in sorted(plan.instalments, key=lambda i: i.seq):
            if inst.status == "paid" or inst.amount_cents > remaining:
                if inst.status != "paid":
                    break
                continue
            remaining -= inst.amount_cents
            lifecycle.record_payment(session, plan.id, inst.seq, paid_on=paid_on, actor=actor, method=method)
            out.instalments_paid.append(inst.seq)
        out.plan_status = plan.status
    if remaining:
        session.add(m.Payment(debtor_id=debtor_id, date=paid_on, amount_cents=remaining, method=method,
                              reference=reference))
        out.unallocated_cents = remaining if plan is not None else 0
    session.flush()
    out.balance_cents = _owed(session, debtor_id)
    audit.append(session, "payment.recorded", actor=actor, debtor_id=debtor_id, payload=out)
    return out
