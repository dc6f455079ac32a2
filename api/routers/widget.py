"""Debtor self-service widget: API under /v1/widget and the static page under /widget/.

Authentication is ONLY the signed widget token (``Authorization: Bearer <token>`` or
``X-Widget-Token``), never an agent API key. Every failure (malformed, tampered, expired, foreign
key, unknown or removed file) gets the same 401 body, so a token reveals nothing.

Responses use separate public models: never notes, hold reasons, contacts, agent names or guard data.
Every server-composed message shown to the debtor is checked by the compliance guard first; a
blocked message is replaced by a neutral fixed text. Legal mentions are verbatim law and firm
identity (R124-4) and are shown as such.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent import audit, clock
from agent.db import models as m
from agent.db.repo import get_debtor_row, to_file
from agent.domain import DebtorFile
from agent.errors import ConflictError, InputValidationError, NotFoundError
from agent.plans import lifecycle
from agent.plans.engine import counter_proposal, quote_for_file
from agent.plans.links import InvalidLinkError, verify_token_any
from agent.plans.models import MAX_CENTS, Capacity, PlanOption, Proposal
from agent.runtime import Runtime
from api.deps import RuntimeDep
from api.edge import BodyTooLarge, read_bounded_body, replaying
from api.ratelimit import RateLimiter
from api.security import client_ip

log = logging.getLogger("amiable.widget")
router = APIRouter(prefix="/v1/widget", tags=["widget"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"
MAX_BODY_BYTES = 16 * 1024
ACTOR = "debtor:widget"
Lang = Literal["fr", "en"]
Cents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]
IDEMPOTENCY_RE = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


# --------------------------------------------------------------------------------------------------
# authentication


@dataclass(frozen=True)
class WidgetAuth:
    debtor_id: str
    rt: Runtime


def widget_auth(
    request: Request,
    rt: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_widget_token: Annotated[str | None, Header()] = None,
) -> WidgetAuth:
    token = x_widget_token
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    if not token:
        raise InvalidLinkError("missing")
    limiter: RateLimiter = request.app.state.limiter
    ip = client_ip(request)
    limiter.check("ip_auth_failures", ip)  # 429 while this address is locked out for bad links
    st = rt.settings
    try:
        debtor_id = verify_token_any(token, secrets_=[st.secret.get_secret_value(),
                                                      *(g.get_secret_value() for g in st.secret_key_grace)],
                                    now=rt.clock.timestamp())
    except InvalidLinkError:
        limiter.spend("ip_auth_failures", ip)
        raise
    limiter.hit("link", token)
    if request.method == "POST":
        limiter.hit("link_writes", token)  # contact requests, disputes, proposals: each may create agent work
    return WidgetAuth(debtor_id=debtor_id, rt=rt)


AuthDep = Annotated[WidgetAuth, Depends(widget_auth)]


def _load(auth: WidgetAuth, session: Any) -> tuple[m.Debtor, DebtorFile]:
    try:
        row = get_debtor_row(session, auth.debtor_id)
    except NotFoundError as exc:  # a valid signature for a file that no longer exists: same answer
        raise InvalidLinkError("unknown debtor") from exc
    return row, to_file(row, auth.rt.clock.today())


# --------------------------------------------------------------------------------------------------
# public view models (nothing internal: no notes, hold reason, contacts, agents, guard data)


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicParty(_Public):
    name: str
    address: str


class PublicCollector(_Public):
    name: str
    legal_form: str
    address: str
    activity: str
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
    language: Lang
    debtor_name: str
    creditor: PublicParty
    collector: PublicCollector
    amounts: PublicAmounts
    invoices: list[PublicInvoice]
    legal: PublicLegal
    status: Literal["open", "on_hold", "plan", "settled", "time_barred"]
    plan: PublicPlan | None
    can_choose_plan: bool


class OptionsOut(_Public):
    available: bool
    message: str | None
    options: list[PlanOption]
    missed_rule: str = ""  # the stated missed-payment rule, shown before consent


class ProposalOut(_Public):
    accepted: bool
    reason_code: str
    message: str
    option: PlanOption | None
    alternatives: list[PlanOption]
    needs_agent: bool


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
    message: Annotated[str, Field(max_length=2000)] = ""
    monthly_income_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None
    monthly_expenses_cents: Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)] | None = None


class DisputeIn(_In):
    reason: Literal["not_owed", "wrong_amount", "already_paid", "not_received", "other"]
    message: Annotated[str, Field(min_length=1, max_length=2000)]


class ContactRequestIn(_In):
    channel: Literal["phone", "email", "sms", "letter"]
    preferred_at: dt.datetime
    phone: Annotated[str, Field(max_length=30, pattern=r"^\+?[0-9 .()-]{6,30}$")] | None = None
    note: Annotated[str, Field(max_length=500)] = ""


# --------------------------------------------------------------------------------------------------
# fixed texts, guard-checked before display

TEXTS: dict[str, dict[str, str]] = {
    "fallback": {"fr": "Votre demande est bien enregistrée. Un conseiller reviendra vers vous.",
                 "en": "Your request has been recorded. An adviser will get back to you."},
    "no_plan_on_hold": {"fr": "Votre dossier est suspendu : un conseiller reviendra vers vous avant toute autre "
                              "démarche.",
                        "en": "Your file is on hold: an adviser will contact you before anything else happens."},
    "no_plan_active": {"fr": "Un échéancier est déjà en place pour ce dossier.",
                       "en": "A payment plan is already in place for this file."},
    "no_plan_time_barred": {"fr": "Au vu des dates de ce dossier, le délai pour en demander le paiement est écoulé : "
                                  "aucun échéancier ne vous est proposé et aucun paiement ne vous est demandé. "
                                  "Un conseiller peut répondre à vos questions.",
                            "en": "Given the dates on this file, the time limit to claim payment has passed: no "
                                  "payment plan is offered and no payment is asked of you. An adviser can answer "
                                  "your questions."},
    "no_plan_settled": {"fr": "Aucune somme ne reste due sur ce dossier. Merci.",
                        "en": "Nothing remains due on this file. Thank you."},
    "accepted": {"fr": "Merci : votre échéancier est confirmé sous la référence {ref}. Vous recevrez un "
                       "récapitulatif et un reçu pour chaque paiement.",
                 "en": "Thank you: your payment plan is confirmed under reference {ref}. You will receive a "
                       "summary and a receipt for each payment."},
    "hardship": {"fr": "Merci de nous avoir informés de votre situation. Un conseiller va l'étudier et vous "
                       "proposer une solution adaptée. {advice}",
                 "en": "Thank you for telling us about your situation. An adviser will review it and suggest a "
                       "suitable solution. {advice}"},
    "dispute": {"fr": "Votre contestation est enregistrée sous la référence {ref}. Nous suspendons nos démarches "
                      "le temps de la vérifier et un conseiller reviendra vers vous.",
                "en": "Your dispute is recorded under reference {ref}. We are pausing our actions while we check "
                      "it, and an adviser will get back to you."},
    "contact": {"fr": "C'est noté : nous vous contacterons par {channel} le {when}. Référence {ref}.",
                "en": "Noted: we will contact you by {channel} on {when}. Reference {ref}."},
}
CHANNEL_NAMES = {"fr": {"phone": "téléphone", "email": "e-mail", "sms": "SMS", "letter": "courrier"},
                 "en": {"phone": "phone", "email": "email", "sms": "text message", "letter": "letter"}}


def guarded(rt: Runtime, file: DebtorFile, lang: Lang, text: str, amounts: frozenset[int] = frozenset()) -> str:
    """The text if the guard lets it through to this debtor, else a neutral fixed text."""
    from agent.guard import gate

    ctx = gate.context(lang=lang, channel="widget", recipient="debtor", file=file,
                       amounts=gate.authorised_amounts(extra=amounts, file=file))
    report = gate.check(rt.guard, text, ctx)  # a guard fault blocks: the neutral text goes out
    if report.verdict == "block":
        log.warning("guard blocked a widget message for %s: %s", file.id,
                    [f.rule_id for f in report.findings])
        return TEXTS["fallback"][lang]
    return text


def _lang(file: DebtorFile, lang: str | None) -> Lang:
    return "en" if (lang or file.language) == "en" else "fr"


LangQuery = Annotated[Literal["fr", "en"] | None, Query(description="language of the messages")]


def _amounts(options: list[PlanOption]) -> frozenset[int]:
    from agent.guard import gate

    return gate.option_amounts(options)


def _status(file: DebtorFile) -> Literal["open", "on_hold", "plan", "settled", "time_barred"]:
    if file.signals.balance_cents <= 0:
        return "settled"
    if file.signals.time_barred:  # no plan, no discount, no demand on a prescribed debt
        return "time_barred"
    if file.status == "on_hold" or file.disputed:
        return "on_hold"
    if file.active_plan is not None:
        return "plan"
    return "open"


def public_file(file: DebtorFile, rt: Runtime) -> PublicFile:
    firm, s = rt.firm, file.signals
    en = file.language == "en"
    plan = file.active_plan
    legal = PublicLegal(
        collector_statement=(f"{firm.name} ({firm.legal_form}), {firm.address}: "
                             f"{firm.activity_en if en else firm.activity_fr}."),
        creditor_statement=(f"Creditor: {file.creditor.name}, {file.creditor.address}." if en else
                            f"Créancier : {file.creditor.name}, {file.creditor.address}."),
        l111_8_title="Article L111-8 du code des procédures civiles d'exécution (alinéas 2 et 3)",
        l111_8_paragraphs=list(firm.l111_8_paragraphs),
        l111_8_explanation=(
            "In short (French law, article L111-8 of the Code des procédures civiles d'exécution): the costs of "
            "recovering a debt without an enforceable title are borne by the creditor, not by you, unless a "
            "judge decides otherwise for a debtor acting in bad faith." if en else None),
        payment_methods=list(firm.payment_methods_en if en else firm.payment_methods_fr),
        free_advice=firm.free_advice_en if en else firm.free_advice_fr,
        first_letter=(None if not file.first_letter_ref else
                      (f"Our first letter: reference {file.first_letter_ref}, {file.first_letter_date}." if en else
                       f"Notre premier courrier : référence {file.first_letter_ref} du {file.first_letter_date}.")),
    )
    status = _status(file)
    return PublicFile(
        reference=file.reference, language=file.language, debtor_name=file.display_name,
        creditor=PublicParty(name=file.creditor.name, address=file.creditor.address),
        collector=PublicCollector(name=firm.name, legal_form=firm.legal_form, address=firm.address,
                                  activity=firm.activity_en if en else firm.activity_fr, phone=firm.phone,
                                  email=firm.email, website=firm.website),
        amounts=PublicAmounts(principal_cents=s.principal_due_cents, interest_cents=s.interest_due_cents,
                              other_cents=s.other_due_cents, total_cents=s.balance_cents,
                              invoiced_cents=s.total_invoiced_cents, paid_cents=s.total_paid_cents),
        invoices=[PublicInvoice(number=i.number, issue_date=i.issue_date, due_date=i.due_date,
                                description=i.description, principal_cents=i.principal_cents,
                                interest_cents=i.interest_cents, other_cents=i.other_cents,
                                amount_cents=i.total_cents) for i in file.invoices],
        legal=legal, status=status,
        plan=(PublicPlan(reference=plan.reference, status=plan.status, frequency=plan.frequency,
                         total_cents=plan.total_cents, discount_cents=plan.discount_cents,
                         instalments=[PublicInstalment(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents,
                                                       status=i.status) for i in plan.instalments])
              if plan else None),
        can_choose_plan=status == "open",
    )


def _unavailable(file: DebtorFile) -> str | None:
    status = _status(file)
    return {"on_hold": "no_plan_on_hold", "plan": "no_plan_active", "settled": "no_plan_settled",
            "time_barred": "no_plan_time_barred"}.get(status)


def _task(session: Any, debtor_id: str, kind: str, payload: dict[str, Any]) -> m.Task:
    task = m.Task(debtor_id=debtor_id, kind=kind, created_at=clock.current().utcnow(), payload=payload)
    session.add(task)
    session.flush()
    return task


def _ref(prefix: str, n: int) -> str:
    return f"{prefix}-{n:06d}"


# --------------------------------------------------------------------------------------------------
# endpoints


@router.get("/file", response_model=PublicFile)
def get_file(auth: AuthDep) -> PublicFile:
    with auth.rt.session() as s:
        _, file = _load(auth, s)
    return public_file(file, auth.rt)


@router.get("/options", response_model=OptionsOut)
def get_options(
    auth: AuthDep,
    lang: LangQuery = None,
    monthly_amount_cents: Annotated[int | None, Query(gt=0, le=MAX_CENTS)] = None,
    monthly_income_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    monthly_expenses_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    start_date: Annotated[dt.date | None, Query()] = None,
) -> OptionsOut:
    rt = auth.rt
    with rt.session() as s:
        _, file = _load(auth, s)
    lg = _lang(file, lang)
    blocked = _unavailable(file)
    if blocked:
        return OptionsOut(available=False, message=guarded(rt, file, lg, TEXTS[blocked][lg]), options=[])
    capacity = None
    if monthly_amount_cents is not None or monthly_income_cents is not None or monthly_expenses_cents is not None:
        try:
            capacity = CapacityIn(monthly_amount_cents=monthly_amount_cents, monthly_income_cents=monthly_income_cents,
                                  monthly_expenses_cents=monthly_expenses_cents).to_capacity()
        except ValueError as exc:
            raise InputValidationError("capacity: incomplete", detail=[
                {"loc": ["query", "monthly_income_cents"], "msg": str(exc).splitlines()[-1],
                 "type": "value_error"}]) from exc
    options = quote_for_file(file, rt.plan_policy, today=rt.clock.today(), capacity=capacity,
                             start_date=start_date)
    bounds = rt.plan_policy.policy_for(file.creditor.plan_profile)
    return OptionsOut(available=True, message=None, options=options, missed_rule=bounds.missed.text(lg))


@router.post("/proposal", response_model=ProposalOut)
def post_proposal(body: ProposalIn, auth: AuthDep, lang: LangQuery = None) -> ProposalOut:
    rt = auth.rt
    today = rt.clock.today()
    with rt.session() as s:
        row, file = _load(auth, s)
        lg = _lang(file, lang)
        blocked = _unavailable(file)
        if blocked:
            raise ConflictError(TEXTS[blocked][lg])
        result = counter_proposal(file.signals.balance_cents, body.to_proposal(), policy=rt.plan_policy,
                                  today=today, profile=file.creditor.plan_profile)
        if result.needs_agent:
            payload = {"proposal": body.model_dump(mode="json"), "reason": result.reason.code,
                       "balance_cents": file.signals.balance_cents}
            task = _task(s, row.id, "plan_counter_proposal", payload)
            audit.append(s, "widget.counter_proposal", actor=ACTOR, debtor_id=row.id,
                         payload={**payload, "task_id": task.id})
    options = ([result.option] if result.option else []) + result.alternatives
    msg = guarded(rt, file, lg, result.reason.text(lg), _amounts(options))
    return ProposalOut(accepted=result.accepted, reason_code=result.reason.code, message=msg, option=result.option,
                       alternatives=result.alternatives, needs_agent=result.needs_agent)


@router.post("/accept", response_model=AcceptOut)
def post_accept(
    body: AcceptIn,
    auth: AuthDep,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=128, pattern=IDEMPOTENCY_RE.pattern)],
    lang: LangQuery = None,
) -> AcceptOut:
    rt = auth.rt
    today = rt.clock.today()
    with rt.session() as s:
        row, file = _load(auth, s)
        lg = _lang(file, lang)
        bounds = rt.plan_policy.policy_for(file.creditor.plan_profile)
        result = lifecycle.replay(s, row.id, idempotency_key, body.option_id, actor=ACTOR)
        option: PlanOption | None = None
        if result is None:
            blocked = _unavailable(file)
            if blocked:
                raise ConflictError(TEXTS[blocked][lg])
            if body.proposal is not None:
                r = counter_proposal(file.signals.balance_cents, body.proposal.to_proposal(), policy=rt.plan_policy,
                                     today=today, profile=file.creditor.plan_profile)
                candidates = ([r.option] if r.option else []) + r.alternatives
            else:
                candidates = quote_for_file(file, rt.plan_policy, today=today,
                                            capacity=body.capacity.to_capacity() if body.capacity else None)
            option = next((o for o in candidates if o.id == body.option_id), None)
            if option is None:
                raise InputValidationError("option_id: not one of the options offered", detail=[
                    {"loc": ["body", "option_id"], "msg": "not one of the options offered for this file",
                     "type": "value_error"}])
            result = lifecycle.accept(s, row.id, option, idempotency_key=idempotency_key, bounds=bounds,
                                      actor=ACTOR, source="widget", lang=lg)
        plan = result.plan
        if option is None:
            option = _option_from_plan(plan, file)
        out_ref, out_status, missed = plan.reference, plan.status, plan.missed_rule or bounds.missed.text(lg)
    msg = guarded(rt, file, lg, TEXTS["accepted"][lg].format(ref=out_ref), _amounts([option]))
    return AcceptOut(reference=out_ref, status=out_status, replayed=result.replayed, option=option,
                     missed_rule=missed, message=msg)


def _option_from_plan(plan: m.Plan, file: DebtorFile) -> PlanOption:
    from agent.plans.models import ScheduledInstalment

    inst = tuple(ScheduledInstalment(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents)
                 for i in sorted(plan.instalments, key=lambda i: i.seq))
    kind = (plan.option_id or "proposal").split("-")[0]
    return PlanOption(
        id=plan.option_id or "plan", kind=kind if kind in ("full", "short", "standard", "capacity") else "proposal",
        frequency=plan.frequency,
        count=len(inst), balance_cents=plan.total_cents + plan.discount_cents, discount_cents=plan.discount_cents,
        total_cents=plan.total_cents, instalment_cents=plan.total_cents // max(len(inst), 1),
        first_due_date=inst[0].due_date, last_due_date=inst[-1].due_date, instalments=inst,
    )


@router.post("/hardship", response_model=AckOut)
def post_hardship(body: HardshipIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    rt = auth.rt
    with rt.session() as s:
        row, file = _load(auth, s)
        lg = _lang(file, lang)
        row.hardship = True
        if body.situation == "over_indebtedness":
            row.over_indebtedness = True
            row.status = "on_hold"
            row.hold_reason = "over-indebtedness declared by the debtor (widget)"
        payload = body.model_dump(mode="json")
        task = _task(s, row.id, "hardship", payload)
        audit.append(s, "debtor.hardship_declared", actor=ACTOR, debtor_id=row.id,
                     payload={"situation": body.situation, "task_id": task.id})
        ref = _ref("HDS", task.id)
    advice = rt.firm.free_advice_en if lg == "en" else rt.firm.free_advice_fr
    return AckOut(reference=ref, message=guarded(rt, file, lg, TEXTS["hardship"][lg].format(advice=advice)))


@router.post("/dispute", response_model=AckOut)
def post_dispute(body: DisputeIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    rt = auth.rt
    today = rt.clock.today()
    with rt.session() as s:
        row, file = _load(auth, s)
        lg = _lang(file, lang)
        row.status = "on_hold"
        row.hold_reason = f"dispute opened by the debtor (widget): {body.reason}"
        dispute = m.Dispute(debtor_id=row.id, opened_on=today, reason=f"{body.reason}: {body.message}", status="open")
        s.add(dispute)
        s.flush()
        task = _task(s, row.id, "dispute", {"dispute_id": dispute.id, "reason": body.reason,
                                            "message": body.message})
        audit.append(s, "debtor.dispute_opened", actor=ACTOR, debtor_id=row.id,
                     payload={"dispute_id": dispute.id, "reason": body.reason, "task_id": task.id,
                              "status": "on_hold"})
        ref = _ref("DSP", dispute.id)
    return AckOut(reference=ref, message=guarded(rt, file, lg, TEXTS["dispute"][lg].format(ref=ref)))


def _window_problem(at: dt.datetime, channel: str, now: dt.datetime, rt: Runtime) -> str | None:
    if at < now:
        return "must be in the future"
    if at > now + dt.timedelta(days=30):
        return "must be within the next 30 days"
    # the debtor's own request: the policy call windows, not the file notes (agent.calendar.ContactWindows)
    return rt.contact_windows.problem(at, channel, tz=str(at.tzinfo), use_notes=False)


@router.post("/contact-request", response_model=AckOut)
def post_contact_request(body: ContactRequestIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    rt = auth.rt
    with rt.session() as s:
        row, file = _load(auth, s)
        lg = _lang(file, lang)
        try:
            tz = zoneinfo.ZoneInfo(file.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = rt.clock.tz
        at = body.preferred_at if body.preferred_at.tzinfo else body.preferred_at.replace(tzinfo=tz)
        at = at.astimezone(tz)
        now = rt.clock.now().astimezone(tz)
        problem = _window_problem(at, body.channel, now, rt)
        if problem:
            raise InputValidationError(f"preferred_at: {problem}", detail=[
                {"loc": ["body", "preferred_at"], "msg": problem, "type": "value_error"}])
        if body.channel in ("phone", "sms") and not (body.phone or file.phone):
            raise InputValidationError("phone: required for this channel", detail=[
                {"loc": ["body", "phone"], "msg": "a phone number is required for this channel",
                 "type": "missing"}])
        payload = {"channel": body.channel, "preferred_at": at.isoformat(), "phone": body.phone, "note": body.note}
        task = _task(s, row.id, "contact_request", payload)
        audit.append(s, "debtor.contact_requested", actor=ACTOR, debtor_id=row.id,
                     payload={"channel": body.channel, "preferred_at": at.isoformat(), "task_id": task.id})
        ref = _ref("CTR", task.id)
    when = at.strftime("%d/%m/%Y à %H:%M") if lg == "fr" else at.strftime("%Y-%m-%d at %H:%M")
    text = TEXTS["contact"][lg].format(channel=CHANNEL_NAMES[lg][body.channel], when=when, ref=ref)
    return AckOut(reference=ref, message=guarded(rt, file, lg, text))


# --------------------------------------------------------------------------------------------------
# edge: body size limit, CORS and frame policy for the widget paths only


class WidgetEdge:
    """ASGI middleware for /widget and /v1/widget: bounded bodies, scoped CORS, CSP frame-ancestors."""

    PREFIXES = ("/v1/widget", "/widget")

    def __init__(self, app: ASGIApp, *, cors_origins: list[str], frame_ancestors: list[str],
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body
        self.inner: ASGIApp = app
        if cors_origins:
            self.inner = CORSMiddleware(app, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                                        allow_headers=["Authorization", "X-Widget-Token", "Idempotency-Key",
                                                       "Content-Type"], allow_credentials=False, max_age=600)
        ancestors = " ".join(frame_ancestors) or "'none'"
        self.csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(self.PREFIXES):
            await self.app(scope, receive, send)
            return
        api = str(scope["path"]).startswith("/v1/")

        async def send_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if api:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        if scope["method"] in ("POST", "PUT", "PATCH"):
            try:
                body = await read_bounded_body(scope, receive, self.max_body)
            except BodyTooLarge:
                await self._too_large(send_headers)
                return
            if body is not None:
                await self.inner(scope, replaying(body, receive), send_headers)
            return
        await self.inner(scope, receive, send_headers)

    async def _too_large(self, send: Send) -> None:
        from api.problems import problem

        resp = problem(413, "Payload too large", f"the request body must not exceed {self.max_body} bytes")
        await send({"type": "http.response.start", "status": 413, "headers": resp.raw_headers})
        await send({"type": "http.response.body", "body": resp.body})


def setup(app: FastAPI, rt: Runtime) -> None:
    """Mount the widget page at /widget/ and install the widget edge middleware."""
    app.add_middleware(WidgetEdge, cors_origins=list(rt.settings.cors_origins),
                       frame_ancestors=list(rt.settings.frame_ancestors))
    if STATIC_DIR.is_dir():
        app.mount("/widget", StaticFiles(directory=STATIC_DIR, html=True), name="widget")
