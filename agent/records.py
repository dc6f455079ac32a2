"""Portfolio records: the validated JSONL line models (creditor, debtor and what a debtor file holds),
the line parser and the row builder; no database writes (the import and the sync are
:mod:`agent.portfolio` and :mod:`agent.sync`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from agent.db import models as m
from agent.errors import InputValidationError, UserError

Cents = Annotated[StrictInt, Field(ge=0, le=10_000_000_000, description="amount in euro cents (integer)")]
NonNeg = Annotated[StrictInt, Field(ge=0)]
_MARKUP = re.compile(r"[<>]|&[#A-Za-z0-9]+;")


def _no_markup(v: str) -> str:
    """Names go verbatim into emails and SMS: markup is refused at import, never stored or sent."""
    if _MARKUP.search(v):
        raise ValueError("must be plain text (no HTML markup or entities)")
    return v


PlainName = Annotated[str, AfterValidator(_no_markup)]
Channel = Literal["email", "sms", "letter", "phone", "chat", "widget"]
ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class CreditorRecord(_Strict):
    type: Literal["creditor"]
    id: Annotated[str, Field(pattern=ID_RE)]
    name: Annotated[PlainName, Field(min_length=1, max_length=200)]
    address: Annotated[str, Field(min_length=1, max_length=400)]
    sector: str = ""
    kind: Literal["business", "public"] = "business"
    mandate_to_sue: bool = False
    plan_profile: str | None = None


class InvoiceRecord(_Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issue_date: dt.date
    due_date: dt.date
    description: str = ""
    principal_cents: Cents
    interest_cents: Cents = 0
    other_cents: Cents = 0

    @model_validator(mode="after")
    def _dates(self) -> InvoiceRecord:
        if self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        if self.principal_cents == 0 and self.interest_cents == 0 and self.other_cents == 0:
            raise ValueError("invoice amounts are all zero")
        return self


class PaymentRecord(_Strict):
    date: dt.date
    amount_cents: Annotated[StrictInt, Field(gt=0, le=10_000_000_000)]
    method: str = "transfer"
    reference: str = ""


class PromiseRecord(_Strict):
    made_on: dt.date
    due_date: dt.date
    amount_cents: Annotated[StrictInt, Field(gt=0, le=10_000_000_000)]
    status: Literal["kept", "broken", "pending"]


class InstalmentRecord(_Strict):
    due_date: dt.date
    amount_cents: Annotated[StrictInt, Field(gt=0)]
    status: Literal["due", "paid", "missed"] = "due"
    paid_on: dt.date | None = None


class PlanRecord(_Strict):
    reference: Annotated[str, Field(pattern=ID_RE)]
    created_on: dt.date
    status: Literal["active", "completed", "broken", "cancelled"]
    frequency: Literal["monthly", "biweekly", "weekly"] = "monthly"
    instalments: Annotated[list[InstalmentRecord], Field(min_length=1, max_length=120)]


class ContactRecord(_Strict):
    at: dt.datetime
    channel: Channel
    direction: Literal["in", "out"]
    kind: Literal["attempt", "conversation", "message", "letter"] = "message"
    agent: str = ""
    summary: str = ""
    outcome: str = ""

    @model_validator(mode="after")
    def _aware(self) -> ContactRecord:
        if self.at.tzinfo is None:
            raise ValueError("at must carry a timezone offset, e.g. 2026-10-02T14:30:00+02:00")
        return self


class DisputeRecord(_Strict):
    opened_on: dt.date
    reason: Annotated[str, Field(min_length=1)]
    status: Literal["open", "resolved", "upheld"] = "open"


class TitleRecord(_Strict):
    kind: Annotated[str, Field(min_length=1)]
    date: dt.date
    court: str = ""


class CommissaireRecord(_Strict):
    name: Annotated[str, Field(min_length=1)]
    address: str = ""


class DebtorRecord(_Strict):
    type: Literal["debtor"]
    id: Annotated[str, Field(pattern=ID_RE)]
    reference: Annotated[str, Field(pattern=ID_RE)]
    creditor_id: str
    kind: Literal["consumer", "business"]
    civility: str = ""
    first_name: PlainName = ""
    last_name: PlainName = ""
    company_name: PlainName = ""
    language: Literal["fr", "en"] = "fr"
    address_form: Literal["vous", "tu"] = Field(default="vous", alias="register")
    email: str = ""
    phone: str = ""
    address: str = ""
    preferred_channel: Channel = "email"
    opt_outs: list[Channel] = Field(default_factory=list)
    timezone: str = "Europe/Paris"
    first_letter: Annotated[dict[str, Any] | None, Field(description='{"reference": str, "date": date}')] = None
    hardship: bool = False
    over_indebtedness: bool = False
    vulnerable: bool = False
    enforceable_title: TitleRecord | None = None
    commissaire: CommissaireRecord | None = None
    prescription_date: dt.date | None = None
    status: Literal["active", "on_hold", "closed"] = "active"
    hold_reason: str = ""
    notes: str = ""
    invoices: Annotated[list[InvoiceRecord], Field(min_length=1)]
    payments: list[PaymentRecord] = Field(default_factory=list)
    promises: list[PromiseRecord] = Field(default_factory=list)
    plans: list[PlanRecord] = Field(default_factory=list)
    contacts: list[ContactRecord] = Field(default_factory=list)
    disputes: list[DisputeRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> DebtorRecord:
        if self.kind == "business" and not self.company_name:
            raise ValueError("business debtors need company_name")
        if self.kind == "consumer" and not self.last_name:
            raise ValueError("consumer debtors need last_name")
        numbers = [i.number for i in self.invoices]
        if len(set(numbers)) != len(numbers):
            raise ValueError("duplicate invoice numbers")
        if self.first_letter is not None:
            fl = self.first_letter
            if set(fl) != {"reference", "date"}:
                raise ValueError("first_letter needs exactly reference and date")
            dt.date.fromisoformat(str(fl["date"]))
        paid = sum(p.amount_cents for p in self.payments)
        owed = sum(i.principal_cents + i.interest_cents + i.other_cents for i in self.invoices)
        if paid > owed:
            raise ValueError(f"payments ({paid} cents) exceed invoiced total ({owed} cents)")
        return self


Record = Annotated[CreditorRecord | DebtorRecord, Field(discriminator="type")]
_record_adapter: TypeAdapter[CreditorRecord | DebtorRecord] = TypeAdapter(Record)

MAX_LINE_BYTES = 1_000_000


def json_schema() -> dict[str, Any]:
    return _record_adapter.json_schema()


class ImportReport(BaseModel):
    creditors: int
    debtors: int
    invoices: int
    contacts: int
    replaced: int  # debtors already present (updated, reopened or unchanged)
    added: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0


def parse_lines(lines: Iterable[str], source: str,
                line_of: dict[str, int] | None = None) -> tuple[list[CreditorRecord], list[DebtorRecord]]:
    """Validate every line; raise one InputValidationError listing all problems with line numbers.

    ``line_of``, if given, receives each debtor reference's line number.
    """
    errors: list[str] = []
    creditors: list[CreditorRecord] = []
    debtors: list[DebtorRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if len(line) > MAX_LINE_BYTES:
            errors.append(f"{source}:{lineno}: line longer than {MAX_LINE_BYTES} characters")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{source}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        try:
            rec = _record_adapter.validate_python(obj)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"] if p not in ("creditor", "debtor"))
                errors.append(f"{source}:{lineno}: {loc or 'record'}: {err['msg']}")
            continue
        key = (rec.type, rec.id)
        if key in seen:
            errors.append(f"{source}:{lineno}: id: duplicate {rec.type} id {rec.id!r} (first on line {seen[key]})")
            continue
        seen[key] = lineno
        (creditors if isinstance(rec, CreditorRecord) else debtors).append(rec)  # type: ignore[arg-type]
    cred_ids = {c.id for c in creditors}
    refs: dict[str, str] = {}
    for d in debtors:
        lineno = seen[("debtor", d.id)]
        if d.reference in refs:
            errors.append(f"{source}:{lineno}: reference: duplicate reference {d.reference!r}")
        refs[d.reference] = d.id
        if line_of is not None:
            line_of[d.reference] = lineno
        if d.creditor_id not in cred_ids:
            errors.append(f"{source}:{lineno}: creditor_id: unknown creditor {d.creditor_id!r}")
    if errors:
        shown = errors[:50]
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        raise InputValidationError(
            f"{len(errors)} error(s) in {source}; nothing was imported:\n" + "\n".join(shown) + more,
            detail=errors,
        )
    return creditors, debtors


def read_portfolio(path: Path, line_of: dict[str, int] | None = None) -> tuple[list[CreditorRecord], list[DebtorRecord]]:
    if not path.is_file():
        raise UserError(f"portfolio file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputValidationError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    return parse_lines(text.splitlines(), str(path), line_of)


def debtor_row(d: DebtorRecord) -> m.Debtor:
    row = m.Debtor(
        id=d.id, reference=d.reference, creditor_id=d.creditor_id, kind=d.kind, civility=d.civility,
        first_name=d.first_name, last_name=d.last_name, company_name=d.company_name, language=d.language,
        register=d.address_form, email=d.email, phone=d.phone, address=d.address,
        preferred_channel=d.preferred_channel, opt_outs=list(d.opt_outs), timezone=d.timezone,
        first_letter_ref=(d.first_letter or {}).get("reference"),
        first_letter_date=dt.date.fromisoformat(str(d.first_letter["date"])) if d.first_letter else None,
        hardship=d.hardship, over_indebtedness=d.over_indebtedness, vulnerable=d.vulnerable,
        title_kind=d.enforceable_title.kind if d.enforceable_title else None,
        title_date=d.enforceable_title.date if d.enforceable_title else None,
        title_court=d.enforceable_title.court if d.enforceable_title else None,
        commissaire_name=d.commissaire.name if d.commissaire else None,
        commissaire_address=d.commissaire.address if d.commissaire else None,
        prescription_date=d.prescription_date, status=d.status, hold_reason=d.hold_reason, notes=d.notes,
    )
    row.invoices = [m.Invoice(**i.model_dump()) for i in d.invoices]
    row.payments = [m.Payment(**p.model_dump()) for p in d.payments]
    row.promises = [m.Promise(**p.model_dump()) for p in d.promises]
    row.contacts = [m.Contact(**c.model_dump()) for c in d.contacts]
    row.disputes = [m.Dispute(**x.model_dump()) for x in d.disputes]
    plans = []
    for p in d.plans:
        created = dt.datetime.combine(p.created_on, dt.time(12, 0), tzinfo=dt.UTC)
        plans.append(m.Plan(
            id=f"{d.id}:{p.reference}", reference=p.reference, status=p.status, frequency=p.frequency,
            created_at=created, accepted_at=created, total_cents=sum(i.amount_cents for i in p.instalments),
            source="import",
            instalments=[m.Instalment(seq=n, **i.model_dump()) for n, i in enumerate(p.instalments, start=1)],
        ))
    row.plans = plans
    return row
