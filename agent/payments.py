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

import csv
import datetime as dt
import io
from decimal import InvalidOperation
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agent import audit
from agent.db import models as m
from agent.errors import InputValidationError, NotFoundError, UserError
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


class PaymentFileReport(BaseModel):
    source: str
    payments: int
    total_cents: int
    plans_completed: list[str]
    outcomes: list[PaymentOutcome]


PAYMENT_COLUMNS = ("amount", "date")


def import_payment_file(session: Session, path: Path, *, actor: str, today: dt.date) -> PaymentFileReport:
    """A CSV of payments (``debtor_id`` or ``reference``, ``amount`` in euros, ``date``, optional ``method``,
    ``payment_reference``), applied all-or-nothing in the caller's transaction; errors name the line."""
    from agent.csv_import import parse_amount

    if not path.is_file():
        raise UserError(f"payment file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputValidationError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    src = str(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = set(reader.fieldnames or [])
    missing = [c for c in PAYMENT_COLUMNS if c not in headers]
    if missing or not headers & {"debtor_id", "reference"}:
        need = ", ".join([*missing, *([] if headers & {"debtor_id", "reference"} else ["debtor_id or reference"])])
        raise InputValidationError(f"{src}:1: header: missing column(s) {need}; nothing was imported")
    errors: list[str] = []
    outcomes: list[PaymentOutcome] = []
    for row in reader:
        at = f"{src}:{reader.line_num}"
        try:
            amount = parse_amount(row.get("amount") or "", "euros")
        except (InvalidOperation, ValueError):
            errors.append(f"{at}: amount: not an amount in euros: {row.get('amount')!r}")
            continue
        try:
            paid_on = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            errors.append(f"{at}: date: not a date (YYYY-MM-DD): {row.get('date')!r}")
            continue
        if paid_on > today:
            errors.append(f"{at}: date: a payment cannot be in the future")
            continue
        debtor_id = (row.get("debtor_id") or "").strip()
        ref = (row.get("reference") or "").strip()
        if not debtor_id and ref:
            debtor_id = session.scalar(select(m.Debtor.id).where(m.Debtor.reference == ref)) or ""
        if not debtor_id:
            errors.append(f"{at}: reference: unknown debtor {ref or debtor_id!r}")
            continue
        try:
            outcomes.append(record(session, debtor_id, amount, paid_on, actor=actor,
                                   method=(row.get("method") or "transfer").strip(),
                                   reference=(row.get("payment_reference") or "").strip()))
        except UserError as exc:
            errors.append(f"{at}: {exc.message}")
    if errors:
        raise InputValidationError(f"{len(errors)} error(s) in {src}; nothing was imported:\n" + "\n".join(errors[:50]),
                                   detail=errors)
    completed = [o.plan_reference for o in outcomes if o.plan_status == "completed" and o.plan_reference]
    return PaymentFileReport(source=src, payments=len(outcomes), total_cents=sum(o.amount_cents for o in outcomes),
                             plans_completed=sorted(set(completed)), outcomes=outcomes)
