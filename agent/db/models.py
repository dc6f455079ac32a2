"""Core tables: creditors, debtors and their history, plans, tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db.base import Base


class Creditor(Base):
    __tablename__ = "creditors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400))
    sector: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), default="business")
    mandate_to_sue: Mapped[bool] = mapped_column(default=False)
    plan_profile: Mapped[str | None] = mapped_column(String(64), default=None)


class Debtor(Base):
    __tablename__ = "debtors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    creditor_id: Mapped[str] = mapped_column(ForeignKey("creditors.id"))
    kind: Mapped[str] = mapped_column(String(20))
    civility: Mapped[str] = mapped_column(String(20), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="fr")
    register: Mapped[str] = mapped_column(String(5), default="vous")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    preferred_channel: Mapped[str] = mapped_column(String(20), default="email")
    opt_outs: Mapped[list[Any]] = mapped_column(default=list)
    bad_contacts: Mapped[list[Any]] = mapped_column(default=list)  # channels whose address bounced
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    first_letter_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    first_letter_date: Mapped[dt.date | None] = mapped_column(default=None)
    hardship: Mapped[bool] = mapped_column(default=False)
    over_indebtedness: Mapped[bool] = mapped_column(default=False)
    vulnerable: Mapped[bool] = mapped_column(default=False)
    title_kind: Mapped[str | None] = mapped_column(String(100), default=None)
    title_date: Mapped[dt.date | None] = mapped_column(default=None)
    title_court: Mapped[str | None] = mapped_column(String(200), default=None)
    commissaire_name: Mapped[str | None] = mapped_column(String(200), default=None)
    commissaire_address: Mapped[str | None] = mapped_column(String(400), default=None)
    prescription_date: Mapped[dt.date | None] = mapped_column(default=None)  # explicit override
    status: Mapped[str] = mapped_column(String(20), default="active")
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)  # optimistic concurrency for sends

    creditor: Mapped[Creditor] = relationship(lazy="joined")
    invoices: Mapped[list[Invoice]] = relationship(cascade="all, delete-orphan", order_by="Invoice.due_date")
    payments: Mapped[list[Payment]] = relationship(cascade="all, delete-orphan", order_by="Payment.date")
    promises: Mapped[list[Promise]] = relationship(cascade="all, delete-orphan", order_by="Promise.made_on")
    plans: Mapped[list[Plan]] = relationship(cascade="all, delete-orphan", order_by="Plan.created_at")
    contacts: Mapped[list[Contact]] = relationship(cascade="all, delete-orphan", order_by="Contact.at")
    disputes: Mapped[list[Dispute]] = relationship(cascade="all, delete-orphan", order_by="Dispute.opened_on")


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    description: Mapped[str] = mapped_column(Text, default="")
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    other_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (UniqueConstraint("debtor_id", "number"),)


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(40), default="transfer")
    reference: Mapped[str] = mapped_column(String(64), default="")


class Promise(Base):
    __tablename__ = "promises"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    made_on: Mapped[dt.date]
    due_date: Mapped[dt.date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))


class Plan(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(20), default="monthly")
    created_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    source: Mapped[str] = mapped_column(String(20), default="import")
    option_id: Mapped[str | None] = mapped_column(String(64), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    missed_rule: Mapped[str] = mapped_column(Text, default="")
    instalments: Mapped[list[Instalment]] = relationship(cascade="all, delete-orphan", order_by="Instalment.seq")


class Instalment(Base):
    __tablename__ = "instalments"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    due_date: Mapped[dt.date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="due")
    paid_on: Mapped[dt.date | None] = mapped_column(default=None)
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(20), default="message")
    agent: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(100), default="")


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    opened_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")


class Task(Base):
    """Work for a human agent: out-of-policy request, dispute, contact request, hardship."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEvent(Base):
    """Append-only, hash-chained audit trail (see agent.audit)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    debtor_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    __table_args__ = (Index("ix_audit_kind_debtor", "kind", "debtor_id"),)
