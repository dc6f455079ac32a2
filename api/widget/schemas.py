"""Widget models: public views (nothing internal: no notes, hold reasons, contacts, agents, guard data)
and strict, bounded inputs whose errors ``api.widget.errors`` words for the debtor, field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from agent.plans.models import MAX_CENTS, Capacity, PlanOption, Proposal

Lang = Literal["fr", "en"]
Cents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]
FileStatus = Literal["open", "on_hold", "plan", "settled", "time_barred"]
MESSAGE_MAX = 2000
NOTE_MAX = 500
PHONE_PATTERN = r"^\+?[0-9 .()-]{6,30}$"


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicParty(_Public):
    name: str
    address: str


class PublicCollector(_Public):
    name: str
    legal_form: str
    address: str
    activity: str  # in the language asked for (``lang``), else the file's
    phone: str
    email: str
    website: str


class PublicAmounts(_Public):
    principal_cents: int
    interest_cents: int
    other_cents: int
    total_cents: int
    invoiced_cents: int
    paid_cents: int


class PublicInvoice(_Public):
    number: str
    issue_date: dt.date
    due_date: dt.date
    description: str
    principal_cents: int
    interest_cents: int
    other_cents: int
    amount_cents: int


class PublicPayment(_Public):
    date: dt.date
    amount_cents: int


class PublicInstalment(_Public):
    seq: int
    due_date: dt.date
    amount_cents: int
    status: str


class PublicPlan(_Public):
    reference: str
    status: str
    frequency: str
    total_cents: int
    discount_cents: int
    instalments: list[PublicInstalment]


class PublicLegal(_Public):
    collector_statement: str
    creditor_statement: str
    l111_8_title: str
    l111_8_paragraphs: list[str]  # verbatim, in French (R124-4)
    l111_8_explanation: str | None  # English explanation for English-speaking debtors
    payment_methods: list[str]
    free_advice: str
    first_letter: str | None


class PublicFile(_Public):
    reference: str
    language: Lang  # the file's language
    lang: Lang  # the language of the texts in this response
    debtor_name: str
    creditor: PublicParty
    collector: PublicCollector
    amounts: PublicAmounts
    invoices: list[PublicInvoice]
    payments: list[PublicPayment]  # invoiced - paid = total (the ledger has no separate fees)
    legal: PublicLegal
    status: FileStatus
    plan: PublicPlan | None
    can_choose_plan: bool


class PublicBounds(_Public):
    """The policy's limits for this file, for the page's own checks before sending."""

    min_instalment_cents: int
    min_months: int
    max_months: int
    latest_start: dt.date


class OptionsOut(_Public):
    available: bool
    message: str | None
    options: list[PlanOption]
    missed_rule: str = ""  # the stated missed-payment rule, shown before consent
    bounds: PublicBounds | None = None


class ProposalOut(_Public):
    accepted: bool
    reason_code: str
    message: str
    option: PlanOption | None
    alternatives: list[PlanOption]
    needs_agent: bool
    replayed: bool = False  # the same proposal was already sent: no second request recorded


class AcceptOut(_Public):
    reference: str
    status: str
    replayed: bool
    option: PlanOption
    missed_rule: str
    message: str


class AckOut(_Public):
    reference: str
    message: str
    replayed: bool = False  # the same request was already recorded
    notices: list[str] = Field(default_factory=list)  # what the debtor's own words changed (opt-out, helpline)


class TextsOut(_Public):
    lang: Lang
    messages: dict[str, str]


# --------------------------------------------------------------------------------------------------
# input models: strict, bounded, field-level errors


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProposalIn(_In):
    amount_cents: Cents | None = None
    months: Annotated[StrictInt, Field(ge=1, le=120)] | None = None
    frequency: Literal["monthly", "biweekly", "weekly"] = "monthly"
    start_date: dt.date | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.amount_cents is None) == (self.months is None):
            raise ValueError("give exactly one of amount_cents or months")
        return self

    def to_proposal(self) -> Proposal:
        return Proposal(amount_cents=self.amount_cents, months=self.months, frequency=self.frequency,
                        start_date=self.start_date)


class CapacityIn(_In):
    monthly_amount_cents: Cents | None = None
    monthly_income_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None
    monthly_expenses_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.monthly_amount_cents is None and (self.monthly_income_cents is None
                                                  or self.monthly_expenses_cents is None):
            raise ValueError("give monthly_amount_cents, or both monthly_income_cents and monthly_expenses_cents")
        return self

    def to_capacity(self) -> Capacity:
        return Capacity(**self.model_dump())


class AcceptIn(_In):
    option_id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]
    consent: StrictBool  # JSON true exactly: "true", 1 or "yes" are not consent
    proposal: ProposalIn | None = None
    capacity: CapacityIn | None = None

    @field_validator("consent")
    @classmethod
    def _explicit(cls, v: bool) -> bool:
        if v is not True:
            raise ValueError("explicit consent is required to accept a plan")
        return v


class HardshipIn(_In):
    situation: Literal["job_loss", "illness", "over_indebtedness", "separation", "income_drop", "other"]
    message: Annotated[str, Field(max_length=MESSAGE_MAX)] = ""
    monthly_income_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None
    monthly_expenses_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None


class DisputeIn(_In):
    reason: Literal["not_owed", "wrong_amount", "already_paid", "not_received", "other"]
    message: Annotated[str, Field(min_length=1, max_length=MESSAGE_MAX)]


class ContactRequestIn(_In):
    channel: Literal["phone", "email", "sms", "letter"]
    preferred_at: dt.datetime
    phone: Annotated[str, Field(max_length=30, pattern=PHONE_PATTERN)] | None = None
    note: Annotated[str, Field(max_length=NOTE_MAX)] = ""
