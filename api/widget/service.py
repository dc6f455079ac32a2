"""Service layer of the debtor widget (shaped like ``agent.conversations``): one function per action.

Each action loads the token's file, changes rows, opens agent tasks and appends audit events in one
transaction. Every text shown to the debtor comes from the message catalogue (``prompts/ui/widget.yaml``)
in the debtor's language and is checked by the compliance guard first; a blocked text is replaced by a
neutral fixed one. Free text the debtor writes goes through the same analysis as drafting
(``agent.understanding``): a stop request records the opt-out, a crisis opens an agent task and the
reply gives the helpline. The same request sent twice is recorded once.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from sqlalchemy import select

from agent import audit, clock
from agent.db import models as m
from agent.domain import DebtorFile
from agent.errors import ConflictError, InputValidationError
from agent.i18n import t
from agent.plans import lifecycle
from agent.plans.engine import counter_proposal, duration_cap, format_eur, latest_start, quote_for_file
from agent.plans.models import Capacity, PlanOption, ReasonCode
from agent.plans.policy import MissedRule, PlanBounds
from agent.runtime import Runtime
from agent.understanding.effects import apply_analysis
from agent.understanding.helplines import load_helplines
from api.widget.auth import load
from api.widget.schemas import (
    AcceptIn,
    AcceptOut,
    AckOut,
    ContactRequestIn,
    DisputeIn,
    FileStatus,
    HardshipIn,
    Lang,
    OptionsOut,
    ProposalIn,
    ProposalOut,
    PublicAmounts,
    PublicBounds,
    PublicCollector,
    PublicFile,
    PublicInstalment,
    PublicInvoice,
    PublicLegal,
    PublicParty,
    PublicPayment,
    PublicPlan,
)

log = logging.getLogger("amiable.widget")
ACTOR = "debtor:widget"


# ---------------------------------------------------------------------------- texts
def lang_for(file: DebtorFile, lang: str | None) -> Lang:
    """The language asked for (``?lang=``), else the file's."""
    return "en" if (lang or file.language) == "en" else "fr"


def fmt_date(d: dt.date, lang: str) -> str:
    return d.strftime("%d %B %Y").lstrip("0") if lang == "en" else d.strftime("%d/%m/%Y")


def guarded(rt: Runtime, file: DebtorFile, lang: Lang, text: str, amounts: frozenset[int] = frozenset()) -> str:
    """The text if the guard lets it through to this debtor, else a neutral fixed text."""
    from agent.guard import gate

    ctx = gate.context(lang=lang, channel="widget", recipient="debtor", file=file,
                       amounts=gate.authorised_amounts(extra=amounts, file=file))
    report = gate.check(rt.guard, text, ctx)  # a guard fault blocks: the neutral text goes out
    if report.verdict == "block":
        log.warning("guard blocked a widget message for %s: %s", file.id,
                    [f.rule_id for f in report.findings])
        return t("widget.msg.fallback", lang)
    return text


def _amounts(options: list[PlanOption]) -> frozenset[int]:
    """The amounts (cents) the options offered authorise in a message, beside the ledger's."""
    from agent.guard import gate

    return gate.option_amounts(options)


def policy_amounts(bounds: PlanBounds) -> frozenset[int]:
    """The policy's own figures a reason may quote (the minimum instalment)."""
    return frozenset({bounds.min_instalment_cents})


def max_months(bounds: PlanBounds) -> int:
    return min(bounds.max_instalments, duration_cap(bounds, "monthly"))


def missed_rule(rule: MissedRule, lang: str) -> str:
    """The missed-payment rule, plural-correct ("Après 1 échéance impayée")."""
    if rule.break_after_consecutive == 1:
        key = "widget.missed.one_one"
    elif rule.reminder_after == 1:
        key = "widget.missed.one_many"
    else:
        key = "widget.missed.many_many"
    return t(key, lang, reminder=rule.reminder_after, breaks=rule.break_after_consecutive)


def reason_text(code: ReasonCode, bounds: PlanBounds, today: dt.date, lang: str, *, alternatives: bool) -> str:
    """Why a proposal is (not) possible, with the policy's real figures; out of policy: what follows."""
    text = t(f"widget.reason.{code}", lang, min_amount=format_eur(bounds.min_instalment_cents, lang),
             max_instalments=bounds.max_instalments, min_instalments=bounds.min_instalments,
             max_months=bounds.max_duration_months, latest=fmt_date(latest_start(bounds, today), lang))
    if code in ("within_policy", "full_payment"):
        return text
    follow = "widget.reason.follow_up" if alternatives else "widget.reason.follow_up_none"
    return f"{text} {t(follow, lang)}"


def public_bounds(bounds: PlanBounds, today: dt.date) -> PublicBounds:
    return PublicBounds(min_instalment_cents=bounds.min_instalment_cents, min_months=bounds.min_instalments,
                        max_months=max_months(bounds), latest_start=latest_start(bounds, today))


# ---------------------------------------------------------------------------- file
def status_of(file: DebtorFile) -> FileStatus:
    if file.signals.balance_cents <= 0:
        return "settled"
    if file.signals.time_barred:  # no plan, no discount, no demand on a prescribed debt
        return "time_barred"
    if file.status == "on_hold" or file.disputed:
        return "on_hold"
    if file.active_plan is not None:
        return "plan"
    return "open"


def unavailable(file: DebtorFile) -> str | None:
    """The catalogue key explaining why no plan can be chosen, or None."""
    return {"on_hold": "widget.msg.no_plan_on_hold", "plan": "widget.msg.no_plan_active",
            "settled": "widget.msg.no_plan_settled",
            "time_barred": "widget.msg.no_plan_time_barred"}.get(status_of(file))


def public_file(file: DebtorFile, rt: Runtime, lang: str | None = None) -> PublicFile:
    firm, s = rt.firm, file.signals
    lg = lang_for(file, lang)
    en = lg == "en"
    plan = file.active_plan
    activity = firm.activity_en if en else firm.activity_fr
    legal = PublicLegal(
        collector_statement=t("widget.legal.collector", lg, name=firm.name, legal_form=firm.legal_form,
                              address=firm.address, activity=activity),
        creditor_statement=t("widget.legal.creditor", lg, name=file.creditor.name, address=file.creditor.address),
        l111_8_title=t("widget.legal.l111_8_title", lg),
        l111_8_paragraphs=list(firm.l111_8_paragraphs),
        l111_8_explanation=t("widget.legal.l111_8_explanation", lg) if en else None,
        # the firm publishes no IBAN: the bank details are given on request, never "shown" somewhere
        payment_methods=([] if status_of(file) == "time_barred" else  # nothing is asked on a prescribed debt
                         [t("widget.legal.pay_transfer", lg, phone=firm.phone, email=firm.email),
                          t("widget.legal.pay_cheque", lg, address=firm.address)]),
        free_advice=t("widget.legal.free_advice", lg),
        first_letter=(t("widget.legal.first_letter", lg, ref=file.first_letter_ref,
                        date=fmt_date(file.first_letter_date, lg) if file.first_letter_date else "")
                      if file.first_letter_ref else None),
    )
    status = status_of(file)
    return PublicFile(
        reference=file.reference, language=file.language, lang=lg, debtor_name=file.display_name,
        creditor=PublicParty(name=file.creditor.name, address=file.creditor.address),
        collector=PublicCollector(name=firm.name, legal_form=firm.legal_form, address=firm.address,
                                  activity=activity, phone=firm.phone, email=firm.email, website=firm.website),
        amounts=PublicAmounts(principal_cents=s.principal_due_cents, interest_cents=s.interest_due_cents,
                              other_cents=s.other_due_cents, total_cents=s.balance_cents,
                              invoiced_cents=s.total_invoiced_cents, paid_cents=s.total_paid_cents),
        invoices=[PublicInvoice(number=i.number, issue_date=i.issue_date, due_date=i.due_date,
                                description=i.description, principal_cents=i.principal_cents,
                                interest_cents=i.interest_cents, other_cents=i.other_cents,
                                amount_cents=i.total_cents) for i in file.invoices],
        payments=[PublicPayment(date=p.date, amount_cents=p.amount_cents)
                  for p in sorted(file.payments, key=lambda p: p.date)],
        legal=legal, status=status,
        plan=(PublicPlan(reference=plan.reference, status=plan.status, frequency=plan.frequency,
                         total_cents=plan.total_cents, discount_cents=plan.discount_cents,
                         instalments=[PublicInstalment(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents,
                                                       status=i.status) for i in plan.instalments])
              if plan else None),
        can_choose_plan=status == "open",
    )


def get_file(rt: Runtime, debtor_id: str, lang: str | None = None) -> PublicFile:
    with rt.session() as s:
        _, file = load(rt, debtor_id, s)
    return public_file(file, rt, lang)


def file_context(rt: Runtime, debtor_id: str) -> tuple[DebtorFile, PlanBounds]:
    """The file and its plan bounds (for wording an error)."""
    with rt.session() as s:
        _, file = load(rt, debtor_id, s)
    return file, rt.plan_policy.policy_for(file.creditor.plan_profile)


# ---------------------------------------------------------------------------- tasks
def _task(session: Any, debtor_id: str, kind: str, payload: dict[str, Any]) -> m.Task:
    task = m.Task(debtor_id=debtor_id, kind=kind, created_at=clock.current().utcnow(), payload=payload)
    session.add(task)
    session.flush()
    return task


def _open_task(session: Any, debtor_id: str, kind: str, same: dict[str, Any]) -> m.Task | None:
    """An open task of this kind whose payload already holds these values (the same request again)."""
    rows = session.execute(select(m.Task).where(m.Task.debtor_id == debtor_id, m.Task.kind == kind,
                                                m.Task.status == "open")).scalars()
    for task in rows:
        if all((task.payload or {}).get(k) == v for k, v in same.items()):
            return task
    return None


def _ref(prefix: str, n: int) -> str:
    return f"{prefix}-{n:06d}"


def _understand(rt: Runtime, session: Any, row: m.Debtor, file: DebtorFile, text: str, lang: Lang,
                source: str) -> list[str]:
    """Run the debtor's own words through the drafting analysis and apply it; the notices to show."""
    if not text.strip():
        return []
    analysis = rt.drafting.detector.analyse(text, today=rt.clock.today())
    changes = apply_analysis(session, row.id, analysis, now=clock.current().utcnow(), channel="widget")
    if not changes:
        return []
    audit.append(session, "debtor.file_updated_from_message", actor=ACTOR, debtor_id=row.id,
                 payload={"changes": changes, "source": f"widget.{source}"})
    notices: list[str] = []
    stopped = (changes.get("opt_outs") or {}).get("now") or []
    if stopped:
        order = ("phone", "sms", "email", "letter")
        names = ", ".join(t(f"widget.channel.{c}", lang) for c in sorted(stopped, key=order.index))
        notices.append(t("widget.msg.stop_recorded", lang, channels=names))
    if "crisis" in changes:
        helpline = load_helplines(rt.settings.prompts_dir / "intents" / "helplines.yaml").text(file.timezone, lang)
        notices.append(t("widget.msg.crisis", lang, helpline=helpline))
    return [guarded(rt, file, lang, n) for n in notices]


# ---------------------------------------------------------------------------- plans
def _invalid(field: str, key: str, lang: str, kind: str = "value_error", **values: object) -> InputValidationError:
    msg = t(key, lang, **values)
    return InputValidationError(f"{field}: {msg}", detail=[{"loc": ["body", field], "msg": msg, "type": kind}])


def _check_start(start: dt.date | None, bounds: PlanBounds, today: dt.date, lang: str, field: str) -> None:
    """A first payment date from today to the policy's latest start (never says what today is)."""
    if start is not None and start < today:
        raise _invalid(field, "widget.error.start_date", lang, latest=fmt_date(latest_start(bounds, today), lang))


def options(rt: Runtime, debtor_id: str, lang: str | None, capacity: Capacity | None,
            start_date: dt.date | None) -> OptionsOut:
    with rt.session() as s:
        _, file = load(rt, debtor_id, s)
    lg = lang_for(file, lang)
    blocked = unavailable(file)
    if blocked:
        return OptionsOut(available=False, message=guarded(rt, file, lg, t(blocked, lg)), options=[])
    today = rt.clock.today()
    bounds = rt.plan_policy.policy_for(file.creditor.plan_profile)
    if start_date is not None and not today <= start_date <= latest_start(bounds, today):
        raise InputValidationError("start_date: out of range", detail=[
            {"loc": ["query", "start_date"], "type": "value_error",
             "msg": t("widget.error.start_date", lg, latest=fmt_date(latest_start(bounds, today), lg))}])
    found = quote_for_file(file, rt.plan_policy, today=today, capacity=capacity, start_date=start_date)
    return OptionsOut(available=True, message=None, options=found, missed_rule=missed_rule(bounds.missed, lg),
                      bounds=public_bounds(bounds, today))


def proposal(rt: Runtime, debtor_id: str, body: ProposalIn, lang: str | None) -> ProposalOut:
    today = rt.clock.today()
    replayed = False
    with rt.session() as s:
        row, file = load(rt, debtor_id, s)
        lg = lang_for(file, lang)
        blocked = unavailable(file)
        if blocked:
            raise ConflictError(t(blocked, lg))
        bounds = rt.plan_policy.policy_for(file.creditor.plan_profile)
        _check_start(body.start_date, bounds, today, lg, "start_date")
        result = counter_proposal(file.signals.balance_cents, body.to_proposal(), policy=rt.plan_policy,
                                  today=today, profile=file.creditor.plan_profile)
        if result.needs_agent:
            asked = body.model_dump(mode="json")
            if _open_task(s, row.id, "plan_counter_proposal", {"proposal": asked}) is not None:
                replayed = True  # the same proposal again: one request for the agent, not two
            else:
                payload = {"proposal": asked, "reason": result.reason.code,
                           "balance_cents": file.signals.balance_cents}
                task = _task(s, row.id, "plan_counter_proposal", payload)
                audit.append(s, "widget.counter_proposal", actor=ACTOR, debtor_id=row.id,
                             payload={**payload, "task_id": task.id})
    offered = ([result.option] if result.option else []) + result.alternatives
    text = reason_text(result.reason.code, bounds, today, lg, alternatives=bool(result.alternatives))
    msg = guarded(rt, file, lg, text, _amounts(offered) | policy_amounts(bounds))
    return ProposalOut(accepted=result.accepted, reason_code=result.reason.code, message=msg, option=result.option,
                       alternatives=result.alternatives, needs_agent=result.needs_agent, replayed=replayed)


def accept(rt: Runtime, debtor_id: str, body: AcceptIn, idempotency_key: str, lang: str | None) -> AcceptOut:
    today = rt.clock.today()
    with rt.session() as s:
        row, file = load(rt, debtor_id, s)
        lg = lang_for(file, lang)
        bounds = rt.plan_policy.policy_for(file.creditor.plan_profile)
        result = lifecycle.replay(s, row.id, idempotency_key, body.option_id, actor=ACTOR)
        option: PlanOption | None = None
        if result is None:
            blocked = unavailable(file)
            if blocked:
                raise ConflictError(t(blocked, lg))
            if body.proposal is not None:
                _check_start(body.proposal.start_date, bounds, today, lg, "start_date")
                r = counter_proposal(file.signals.balance_cents, body.proposal.to_proposal(), policy=rt.plan_policy,
                                     today=today, profile=file.creditor.plan_profile)
                candidates = ([r.option] if r.option else []) + r.alternatives
            else:
                candidates = quote_for_file(file, rt.plan_policy, today=today,
                                            capacity=body.capacity.to_capacity() if body.capacity else None)
            option = next((o for o in candidates if o.id == body.option_id), None)
            if option is None:
                raise InputValidationError("option_id: not one of the options offered", detail=[
                    {"loc": ["body", "option_id"], "msg": t("widget.error.option", lg), "type": "value_error"}])
            result = lifecycle.accept(s, row.id, option, idempotency_key=idempotency_key, bounds=bounds,
                                      actor=ACTOR, source="widget", lang=lg)
        plan = result.plan
        if option is None:
            option = _option_from_plan(plan)
        out_ref, out_status = plan.reference, plan.status
    msg = guarded(rt, file, lg, t("widget.msg.accepted", lg, ref=out_ref), _amounts([option]))
    return AcceptOut(reference=out_ref, status=out_status, replayed=result.replayed, option=option,
                     missed_rule=missed_rule(bounds.missed, lg), message=msg)


def _option_from_plan(plan: m.Plan) -> PlanOption:
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


# ---------------------------------------------------------------------------- hardship, dispute, contact
def hardship(rt: Runtime, debtor_id: str, body: HardshipIn, lang: str | None) -> AckOut:
    with rt.session() as s:
        row, file = load(rt, debtor_id, s)
        lg = lang_for(file, lang)
        payload = body.model_dump(mode="json")
        existing = _open_task(s, row.id, "hardship", payload)
        notices: list[str] = []
        if existing is not None:
            ref = _ref("HDS", existing.id)
        else:
            row.hardship = True
            if body.situation == "over_indebtedness":
                row.over_indebtedness = True
                row.status = "on_hold"
                row.hold_reason = "over-indebtedness declared by the debtor (widget)"
            task = _task(s, row.id, "hardship", payload)
            audit.append(s, "debtor.hardship_declared", actor=ACTOR, debtor_id=row.id,
                         payload={"situation": body.situation, "task_id": task.id})
            ref = _ref("HDS", task.id)
            notices = _understand(rt, s, row, file, body.message, lg, "hardship")
    advice = rt.firm.free_advice_en if lg == "en" else rt.firm.free_advice_fr
    return AckOut(reference=ref, message=guarded(rt, file, lg, t("widget.msg.hardship", lg, advice=advice)),
                  replayed=existing is not None, notices=notices)


def dispute(rt: Runtime, debtor_id: str, body: DisputeIn, lang: str | None) -> AckOut:
    today = rt.clock.today()
    reason = f"{body.reason}: {body.message}"
    with rt.session() as s:
        row, file = load(rt, debtor_id, s)
        lg = lang_for(file, lang)
        same = s.execute(select(m.Dispute).where(m.Dispute.debtor_id == row.id, m.Dispute.status == "open",
                                                 m.Dispute.reason == reason)).scalars().first()
        notices: list[str] = []
        if same is not None:
            ref = _ref("DSP", same.id)
        else:
            row.status = "on_hold"
            row.hold_reason = f"dispute opened by the debtor (widget): {body.reason}"
            opened = m.Dispute(debtor_id=row.id, opened_on=today, reason=reason, status="open")
            s.add(opened)
            s.flush()
            task = _task(s, row.id, "dispute", {"dispute_id": opened.id, "reason": body.reason,
                                                "message": body.message})
            audit.append(s, "debtor.dispute_opened", actor=ACTOR, debtor_id=row.id,
                         payload={"dispute_id": opened.id, "reason": body.reason, "task_id": task.id,
                                  "status": "on_hold"})
            ref = _ref("DSP", opened.id)
            notices = _understand(rt, s, row, file, body.message, lg, "dispute")
    return AckOut(reference=ref, message=guarded(rt, file, lg, t("widget.msg.dispute", lg, ref=ref)),
                  replayed=same is not None, notices=notices)


def _window_problem(at: dt.datetime, channel: str, now: dt.datetime, rt: Runtime) -> str | None:
    """Why a contact time cannot be kept, as a catalogue key (call hours: Monday-Friday business days,
    in the policy windows of agent.calendar.ContactWindows), or None."""
    if at < now:
        return "widget.error.when_past"
    if at > now + dt.timedelta(days=30):
        return "widget.error.when_far"
    # the debtor's own request: the policy call windows, not the file notes (agent.calendar.ContactWindows)
    why = rt.contact_windows.problem(at, channel, tz=str(at.tzinfo), use_notes=False)
    return None if why is None else "widget.error.when_day" if why == "day" else "widget.error.when_hours"


def contact_request(rt: Runtime, debtor_id: str, body: ContactRequestIn, lang: str | None) -> AckOut:
    with rt.session() as s:
        row, file = load(rt, debtor_id, s)
        lg = lang_for(file, lang)
        try:
            tz = zoneinfo.ZoneInfo(file.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = rt.clock.tz
        at = body.preferred_at if body.preferred_at.tzinfo else body.preferred_at.replace(tzinfo=tz)
        at = at.astimezone(tz)
        now = rt.clock.now().astimezone(tz)
        problem = _window_problem(at, body.channel, now, rt)
        if problem:
            raise _invalid("preferred_at", problem, lg)
        if body.channel in ("phone", "sms") and not (body.phone or file.phone):
            raise _invalid("phone", "widget.error.phone_required", lg, kind="missing")
        payload = {"channel": body.channel, "preferred_at": at.isoformat(), "phone": body.phone, "note": body.note}
        existing = _open_task(s, row.id, "contact_request", payload)
        notices: list[str] = []
        if existing is not None:
            ref = _ref("CTR", existing.id)
        else:
            task = _task(s, row.id, "contact_request", payload)
            audit.append(s, "debtor.contact_requested", actor=ACTOR, debtor_id=row.id,
                         payload={"channel": body.channel, "preferred_at": at.isoformat(), "task_id": task.id})
            ref = _ref("CTR", task.id)
            notices = _understand(rt, s, row, file, body.note, lg, "contact")
    when = t("widget.when", lg, date=fmt_date(at.date(), lg), time=at.strftime("%H:%M"))
    text = t("widget.msg.contact", lg, channel=t(f"widget.channel.{body.channel}", lg), when=when, ref=ref)
    return AckOut(reference=ref, message=guarded(rt, file, lg, text), replayed=existing is not None, notices=notices)
