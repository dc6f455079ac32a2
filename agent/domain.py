"""The debtor file as an immutable, DB-free snapshot: what every component reasons about.

Money is always integer cents. Derived signals are computed once, at load time, for a given
``as_of`` date, so that a draft, a guard check or a plan quote can be replayed exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["fr", "en"]
Channel = Literal["email", "sms", "letter", "phone", "chat", "widget"]
DebtorKind = Literal["consumer", "business"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreditorView(_Frozen):
    id: str
    name: str
    address: str
    sector: str = ""
    kind: Literal["business", "public"] = "business"
    mandate_to_sue: bool = False  # the creditor has decided / allows handing over to litigation
    jurisdiction: Literal["FR", "US", "UK"] | None = None  # legal frame of the guard for its files (None: policy)
    plan_profile: str | None = None  # per-creditor plan policy override key


class InvoiceView(_Frozen):
    number: str
    issue_date: dt.date
    due_date: dt.date
    description: str = ""
    principal_cents: int
    interest_cents: int = 0
    other_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents + self.other_cents


class PaymentView(_Frozen):
    date: dt.date
    amount_cents: int
    method: str = "transfer"
    reference: str = ""


class PromiseView(_Frozen):
    made_on: dt.date
    due_date: dt.date
    amount_cents: int
    status: Literal["kept", "broken", "pending"]


class InstalmentView(_Frozen):
    seq: int
    due_date: dt.date
    amount_cents: int
    status: Literal["due", "paid", "missed"] = "due"
    paid_on: dt.date | None = None


class PlanView(_Frozen):
    id: str
    reference: str
    status: Literal["proposed", "accepted", "active", "completed", "broken", "cancelled"]
    frequency: Literal["monthly", "biweekly", "weekly", "once"] = "monthly"
    created_on: dt.date
    total_cents: int
    discount_cents: int = 0
    instalments: tuple[InstalmentView, ...] = ()


class ContactView(_Frozen):
    at: dt.datetime  # timezone-aware
    channel: Channel
    direction: Literal["in", "out"]
    agent: str = ""
    summary: str = ""
    outcome: str = ""
    kind: Literal["attempt", "conversation", "message", "letter"] = "message"


class DisputeView(_Frozen):
    opened_on: dt.date
    reason: str
    status: Literal["open", "resolved", "upheld"] = "open"


class TitleView(_Frozen):
    """An enforceable title (titre exécutoire): judgment, injonction de payer made enforceable, ..."""

    kind: str
    date: dt.date
    court: str = ""


class CommissaireView(_Frozen):
    """The commissaire de justice instructed by the creditor, if any."""

    name: str
    address: str = ""


class Signals(_Frozen):
    balance_cents: int
    principal_due_cents: int
    interest_due_cents: int
    other_due_cents: int
    total_invoiced_cents: int
    total_paid_cents: int
    oldest_due_date: dt.date | None
    days_past_due: int
    broken_promises: int
    kept_promises: int
    contacts_7d: int
    contacts_30d: int
    call_attempts_30d: int
    last_contact_at: dt.datetime | None
    last_inbound_at: dt.datetime | None
    prescription_date: dt.date | None
    time_barred: bool


class DebtorFile(_Frozen):
    id: str
    reference: str
    creditor: CreditorView
    kind: DebtorKind
    civility: str = ""
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    language: Lang = "fr"
    address_form: Literal["vous", "tu"] = "vous"
    email: str = ""
    phone: str = ""
    address: str = ""
    preferred_channel: Channel = "email"
    opt_outs: tuple[Channel, ...] = ()
    bad_contacts: tuple[Channel, ...] = ()  # channels whose address bounced (outbox delivery events)
    timezone: str = "Europe/Paris"
    jurisdiction: Literal["FR", "US", "UK"] | None = None  # legal frame of the guard (None: creditor's, then policy)
    first_letter_ref: str | None = None
    first_letter_date: dt.date | None = None
    hardship: bool = False
    over_indebtedness: bool = False
    vulnerable: bool = False
    title: TitleView | None = None
    commissaire: CommissaireView | None = None
    status: Literal["active", "on_hold", "closed"] = "active"
    hold_reason: str = ""
    notes: str = ""  # internal: never shown to a debtor
    invoices: tuple[InvoiceView, ...] = ()
    payments: tuple[PaymentView, ...] = ()
    promises: tuple[PromiseView, ...] = ()
    plans: tuple[PlanView, ...] = ()
    contacts: tuple[ContactView, ...] = ()
    disputes: tuple[DisputeView, ...] = ()
    signals: Signals
    as_of: dt.date = Field(description="the date the signals were computed for")

    @property
    def display_name(self) -> str:
        if self.kind == "business" and self.company_name:
            return self.company_name
        parts = [self.civility, self.first_name, self.last_name]
        return " ".join(p for p in parts if p).strip() or self.id

    @property
    def salutation_name(self) -> str:
        """Name used after "Bonjour" / "Dear": civility + last name, or the company."""
        if self.kind == "business" and self.company_name:
            return self.company_name
        return " ".join(p for p in (self.civility, self.last_name) if p) or self.display_name

    @property
    def has_title(self) -> bool:
        return self.title is not None

    @property
    def disputed(self) -> bool:
        return any(d.status == "open" for d in self.disputes)

    @property
    def active_plan(self) -> PlanView | None:
        for plan in self.plans:
            if plan.status in ("accepted", "active"):
                return plan
        return None

    def ledger_amounts_cents(self) -> set[int]:
        """Every amount the ledger supports: a text may quote any of these."""
        s = self.signals
        amounts = {s.balance_cents, s.principal_due_cents, s.interest_due_cents, s.other_due_cents,
                   s.total_invoiced_cents, s.total_paid_cents}
        for inv in self.invoices:
            amounts |= {inv.total_cents, inv.principal_cents, inv.interest_cents, inv.other_cents}
        amounts |= {p.amount_cents for p in self.payments}
        amounts |= {p.amount_cents for p in self.promises}
        for plan in self.plans:
            amounts |= {plan.total_cents, plan.discount_cents}
            amounts |= {i.amount_cents for i in plan.instalments}
        amounts.discard(0)
        return amounts


def compute_signals(
    *,
    kind: DebtorKind,
    invoices: tuple[InvoiceView, ...],
    payments: tuple[PaymentView, ...],
    promises: tuple[PromiseView, ...],
    contacts: tuple[ContactView, ...],
    title: TitleView | None,
    prescription_override: dt.date | None,
    as_of: dt.date,
    creditor_kind: str = "business",
) -> Signals:
    """Derive balance, ageing, promise and contact signals from the raw ledger and log.

    Payments are imputed first on interest, then on other sums, then on principal (C. civ. 1343-1),
    and on the oldest invoice first.
    """
    total_invoiced = sum(i.total_cents for i in invoices)
    total_paid = sum(p.amount_cents for p in payments if p.date <= as_of)
    remaining = total_paid
    interest_due = other_due = principal_due = 0
    oldest_unpaid: dt.date | None = None
    for inv in sorted(invoices, key=lambda i: (i.due_date, i.number)):
        parts = []
        for amount in (inv.interest_cents, inv.other_cents, inv.principal_cents):
            used = min(amount, remaining)
            remaining -= used
            parts.append(amount - used)
        interest_due += parts[0]
        other_due += parts[1]
        principal_due += parts[2]
        if sum(parts) > 0 and oldest_unpaid is None:
            oldest_unpaid = inv.due_date
    balance = max(total_invoiced - total_paid, 0)
    days_past_due = max((as_of - oldest_unpaid).days, 0) if oldest_unpaid else 0

    past = [c for c in contacts if c.at.date() <= as_of]
    def _within(days: int) -> list[ContactView]:
        start = as_of - dt.timedelta(days=days - 1)
        return [c for c in past if start <= c.at.date() <= as_of]

    out_30 = [c for c in _within(30) if c.direction == "out"]
    last_contact = max((c.at for c in past), default=None)
    last_inbound = max((c.at for c in past if c.direction == "in"), default=None)

    prescription: dt.date | None
    if prescription_override is not None:
        prescription = prescription_override
    elif title is not None:
        prescription = _add_years(title.date, 10)  # CPCE L111-4
    elif oldest_unpaid is None:
        prescription = None
    else:
        # Acknowledgment of the debt (payment, promise) interrupts prescription (C. civ. 2240).
        acks = [p.date for p in payments if p.date <= as_of] + [p.made_on for p in promises if p.made_on <= as_of]
        start = max([oldest_unpaid, *acks])
        years = 2 if (kind == "consumer" and creditor_kind == "business") else 5  # L218-2 / C. civ. 2224
        prescription = _add_years(start, years)
    return Signals(
        balance_cents=balance,
        principal_due_cents=principal_due,
        interest_due_cents=interest_due,
        other_due_cents=other_due,
        total_invoiced_cents=total_invoiced,
        total_paid_cents=total_paid,
        oldest_due_date=oldest_unpaid,
        days_past_due=days_past_due,
        broken_promises=sum(1 for p in promises if p.status == "broken"),
        kept_promises=sum(1 for p in promises if p.status == "kept"),
        contacts_7d=len([c for c in _within(7) if c.direction == "out"]),
        contacts_30d=len(out_30),
        call_attempts_30d=len([c for c in out_30 if c.channel == "phone"]),
        last_contact_at=last_contact,
        last_inbound_at=last_inbound,
        prescription_date=prescription,
        time_barred=prescription is not None and prescription <= as_of and balance > 0,
    )


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
