"""Read the debtor file from the store as a ``DebtorFile`` snapshot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from agent.db import models as m
from agent.domain import (
    CommissaireView,
    ContactView,
    CreditorView,
    DebtorFile,
    DisputeView,
    InstalmentView,
    InvoiceView,
    PaymentView,
    PlanView,
    PromiseView,
    TitleView,
    compute_signals,
)
from agent.errors import NotFoundError


def get_debtor_row(session: Session, debtor_id: str, *, creditors: frozenset[str] | None = None) -> m.Debtor:
    """The debtor row; ``creditors`` (a caller's scope) makes another creditor's file answer like an unknown one."""
    row = session.execute(
        select(m.Debtor)
        .where(m.Debtor.id == debtor_id)
        .options(  # the creditor joined in the same row; each collection one select-in (no cartesian product)
            joinedload(m.Debtor.creditor),
            selectinload(m.Debtor.invoices),
            selectinload(m.Debtor.payments),
            selectinload(m.Debtor.promises),
            selectinload(m.Debtor.plans).selectinload(m.Plan.instalments),
            selectinload(m.Debtor.contacts),
            selectinload(m.Debtor.disputes),
        )
    ).scalar_one_or_none()
    if row is None or (creditors is not None and row.creditor_id not in creditors):
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")
    return row


def to_file(row: m.Debtor, as_of: dt.date) -> DebtorFile:
    invoices = tuple(
        InvoiceView(number=i.number, issue_date=i.issue_date, due_date=i.due_date, description=i.description,
                    principal_cents=i.principal_cents, interest_cents=i.interest_cents, other_cents=i.other_cents)
        for i in row.invoices
    )
    payments = tuple(PaymentView(date=p.date, amount_cents=p.amount_cents, method=p.method, reference=p.reference)
                     for p in row.payments)
    promises = tuple(PromiseView(made_on=p.made_on, due_date=p.due_date, amount_cents=p.amount_cents,
                                 status=p.status)
                     for p in row.promises)
    contacts = tuple(
        ContactView(at=c.at, channel=c.channel, direction=c.direction, agent=c.agent,
                    summary=c.summary, outcome=c.outcome, kind=c.kind)
        for c in row.contacts
    )
    plans = tuple(
        PlanView(
            id=p.id, reference=p.reference, status=p.status, frequency=p.frequency,
            created_on=p.created_at.date(), total_cents=p.total_cents, discount_cents=p.discount_cents,
            instalments=tuple(InstalmentView(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents,
                                             status=i.status, paid_on=i.paid_on)
                              for i in p.instalments),
        )
        for p in row.plans
    )
    disputes = tuple(DisputeView(opened_on=d.opened_on, reason=d.reason, status=d.status)
                     for d in row.disputes)
    title = (TitleView(kind=row.title_kind, date=row.title_date, court=row.title_court or "")
             if row.title_kind and row.title_date else None)
    commissaire = (CommissaireView(name=row.commissaire_name, address=row.commissaire_address or "")
                   if row.commissaire_name else None)
    creditor = CreditorView(id=row.creditor.id, name=row.creditor.name, address=row.creditor.address,
                            sector=row.creditor.sector, kind=row.creditor.kind,
                            mandate_to_sue=row.creditor.mandate_to_sue, plan_profile=row.creditor.plan_profile)
    signals = compute_signals(kind=row.kind,  # type: ignore[arg-type]
                              invoices=invoices, payments=payments,
                              promises=promises, contacts=contacts, title=title,
                              prescription_override=row.prescription_date, as_of=as_of,
                              creditor_kind=row.creditor.kind)
    return DebtorFile(
        id=row.id, reference=row.reference, creditor=creditor, kind=row.kind,
        civility=row.civility, first_name=row.first_name, last_name=row.last_name,
        company_name=row.company_name, language=row.language, address_form=row.register,
        email=row.email, phone=row.phone, address=row.address,
        preferred_channel=row.preferred_channel, opt_outs=tuple(row.opt_outs or ()),
        bad_contacts=tuple(row.bad_contacts or ()),
        timezone=row.timezone, first_letter_ref=row.first_letter_ref, first_letter_date=row.first_letter_date,
        hardship=row.hardship, over_indebtedness=row.over_indebtedness, vulnerable=row.vulnerable,
        title=title, commissaire=commissaire, status=row.status, hold_reason=row.hold_reason,
        notes=row.notes, invoices=invoices, payments=payments, promises=promises, plans=plans,
        contacts=contacts, disputes=disputes, signals=signals, as_of=as_of,
    )


def load_file(session: Session, debtor_id: str, as_of: dt.date, *, creditors: frozenset[str] | None = None
              ) -> DebtorFile:
    return to_file(get_debtor_row(session, debtor_id, creditors=creditors), as_of)


def list_debtor_ids(session: Session, *, creditors: frozenset[str] | None = None) -> list[str]:
    """Every debtor id, or only those of the ``creditors`` in a caller's scope."""
    q = select(m.Debtor.id).order_by(m.Debtor.id)
    if creditors is not None:
        q = q.where(m.Debtor.creditor_id.in_(sorted(creditors)))
    return list(session.execute(q).scalars())


def debtor_in_scope(session: Session, debtor_id: str, creditors: frozenset[str] | None) -> bool:
    """Whether the debtor exists and its creditor is in the scope (None: every creditor)."""
    creditor = session.execute(select(m.Debtor.creditor_id).where(m.Debtor.id == debtor_id)).scalar_one_or_none()
    return creditor is not None and (creditors is None or creditor in creditors)


def canonical_debtor_id(session: Session, raw: str, *, creditors: frozenset[str] | None = None) -> str:
    """The stored id for what a user typed: exact first, then case-insensitive ("d001" -> "D001").

    Ambiguous spellings (two ids differing only by case) are refused rather than guessed. With
    ``creditors`` (a caller's scope) other creditors' debtors are not seen at all."""
    wanted = raw.strip()
    scoped = select(m.Debtor.id)
    if creditors is not None:
        scoped = scoped.where(m.Debtor.creditor_id.in_(sorted(creditors)))
    if session.execute(scoped.where(m.Debtor.id == wanted)).scalar_one_or_none() is not None:
        return wanted
    matches = list(session.execute(scoped.where(func.lower(m.Debtor.id) == wanted.lower())).scalars())
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFoundError(f"ambiguous debtor id {raw!r}: {', '.join(sorted(matches))}")
    raise NotFoundError(f"unknown debtor: {raw!r}")
