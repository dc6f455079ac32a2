"""Cadence: the next recommended contact per debtor, and the agents' work queue.

Inputs: the debtor file (contact log, promises, plans, flags, opt-outs), the cadence policy
(knowledge/policy/cadence.yaml: sequence, intervals, escalation delay) and the guard policy's call
windows, public holidays and contact caps (knowledge/policy/guard.yaml), so the recommendation never
contradicts the guard. Files on hold, disputed, time-barred or under an over-indebtedness procedure
get no automatic contact: they go to agent review. An escalation to the litigation team is only
ever an internal suggestion.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, model_validator

from agent.calendar import ContactWindows
from agent.domain import Channel, DebtorFile
from agent.errors import ConfigError
from agent.guard.policy import GuardPolicy
from agent.i18n import t

if TYPE_CHECKING:
    from agent.runtime import Runtime
from agent.yamlio import Strict as _Strict
from agent.yamlio import load_yaml_model

MessageType = Literal["first_reminder", "reminder", "call", "formal_notice", "follow_up", "reply",
                      "promise_check", "plan_check", "agent_review", "none"]


class Step(_Strict):
    type: Literal["first_reminder", "reminder", "call", "formal_notice", "follow_up"]
    channel: Literal["preferred", "email", "sms", "letter", "phone"]


class CadencePolicy(_Strict):
    version: str = Field(min_length=1)
    sequence: tuple[Step, ...] = Field(min_length=1)
    interval_days: tuple[int, ...] = Field(min_length=1)
    reply_within_days: int = Field(default=1, ge=0, le=30)
    promise_grace_days: int = Field(default=2, ge=0, le=60)
    plan_grace_days: int = Field(default=3, ge=0, le=60)
    fallback_channels: tuple[Literal["email", "sms", "letter", "phone"], ...] = Field(min_length=1)
    escalation_after_days: int = Field(default=45, ge=1, le=365)
    escalation_min_contacts: int = Field(default=3, ge=1, le=50)

    @model_validator(mode="after")
    def _intervals(self) -> CadencePolicy:
        if any(d < 0 or d > 365 for d in self.interval_days):
            raise ValueError("interval_days must be between 0 and 365")
        return self


def load_cadence_policy(path: Path) -> CadencePolicy:
    """Validated cadence policy; ConfigError naming file and field on any problem."""
    return load_yaml_model(Path(path), CadencePolicy, "cadence policy")


class Reason(BaseModel):
    """A reason as a catalogue key (``cadence.reason.<code>``) with its values, rendered per user language."""

    code: str
    values: dict[str, str | int] = Field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        shown = {k: t(f"cadence.{_CODED[k]}.{v}", lang) if k in _CODED else v for k, v in self.values.items()}
        return t(f"cadence.reason.{self.code}", lang, **shown)


_CODED = {"channel": "channel", "fallback": "channel", "message_type": "type"}  # values that are codes


def _why(code: str, **values: str | int) -> Reason:
    return Reason(code=code, values=values)


class Escalation(BaseModel):
    suggested: bool
    reason: str  # English text of ``reason_code`` (kept for API clients); UIs render ``reason_code``
    reason_code: Reason | None = None
    internal: bool = True  # never shown or said to the debtor
    days_without_answer: int = 0
    creditor_mandate_to_sue: bool = False


class Recommendation(BaseModel):
    debtor_id: str
    action: Literal["contact", "agent_review", "none"]
    date: dt.date | None = None
    earliest_at: dt.datetime | None = None  # first allowed moment (call window start for calls)
    channel: Channel | None = None
    message_type: MessageType
    reasons: list[str] = Field(default_factory=list)  # English texts of ``reason_codes`` (kept for API clients)
    reason_codes: list[Reason] = Field(default_factory=list)
    escalation: Escalation | None = None
    policy_version: str

    @model_validator(mode="after")
    def _texts(self) -> Recommendation:
        if self.reason_codes and not self.reasons:
            self.reasons = [r.text("en") for r in self.reason_codes]
        return self


class Planner:
    """Next-contact recommendations from the cadence policy and the guard policy's rules of contact."""

    def __init__(self, cadence: CadencePolicy, guard: GuardPolicy, windows: ContactWindows | None = None) -> None:
        self.cadence = cadence
        self.guard = guard
        self.windows = windows or ContactWindows.from_policy(guard)

    # -------------------------------------------------------------- calendar
    def is_holiday(self, d: dt.date) -> bool:
        return self.windows.calendar.is_holiday(d)

    def contact_day(self, d: dt.date) -> bool:
        """A day on which the firm contacts debtors: allowed weekday and not a public holiday."""
        return self.windows.contact_day(d)

    def next_contact_day(self, d: dt.date) -> dt.date:
        try:
            return self.windows.next_contact_day(d)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    # -------------------------------------------------------------- main
    def recommend(self, file: DebtorFile) -> Recommendation:
        c = self.cadence
        today = file.as_of
        base = {"debtor_id": file.id, "policy_version": c.version}
        sig = file.signals
        if file.status == "closed":
            return Recommendation(**base, action="none", message_type="none", reason_codes=[_why("closed")])
        if sig.balance_cents <= 0:
            return Recommendation(**base, action="none", message_type="none", reason_codes=[_why("nothing_owed")])
        review: list[Reason] = []
        if file.status == "on_hold":
            review.append(_why("on_hold_reason", reason=file.hold_reason) if file.hold_reason else _why("on_hold"))
        if file.disputed:
            review.append(_why("disputed"))
        if sig.time_barred:
            review.append(_why("time_barred"))
        if file.over_indebtedness:
            review.append(_why("over_indebtedness"))
        notes = self.windows.restrictions(file)  # "ne plus appeler le domicile", "e-mail uniquement"...
        allowed = [ch for ch in (file.preferred_channel, *c.fallback_channels)
                   if ch not in file.opt_outs and ch not in ("widget", "chat") and notes.channel_allowed(ch)]
        allowed = list(dict.fromkeys(allowed))
        if not allowed:
            review.append(_why("all_opted_out"))
        if review:
            return Recommendation(**base, action="agent_review", date=self.next_contact_day(today),
                                  message_type="agent_review", reason_codes=review)

        reasons: list[Reason] = []
        outbound = sorted((x for x in file.contacts if x.direction == "out" and x.at.date() <= today),
                          key=lambda x: x.at)
        last_out = outbound[-1].at.date() if outbound else None
        last_in = sig.last_inbound_at.date() if sig.last_inbound_at else None
        mtype: MessageType
        step = c.sequence[min(len(outbound), len(c.sequence) - 1)]
        pending = [p for p in file.promises if p.status == "pending"]
        plan = file.active_plan
        if last_in is not None and (last_out is None or last_in > last_out):
            mtype, date, channel = "reply", last_in + dt.timedelta(days=c.reply_within_days), file.preferred_channel
            reasons.append(_why("reply", date=last_in.isoformat()))
        elif pending:
            due = min(p.due_date for p in pending)
            mtype, date, channel = "promise_check", due + dt.timedelta(days=c.promise_grace_days), file.preferred_channel
            reasons.append(_why("promise_check", date=due.isoformat()))
        elif plan is not None:
            nxt = [i.due_date for i in plan.instalments if i.status == "due"]
            missed = [i for i in plan.instalments if i.status == "missed"]
            if missed:
                mtype, date = "plan_check", today
                reasons.append(_why("plan_missed", plan=plan.reference, count=len(missed)))
            elif nxt:
                mtype, date = "plan_check", min(nxt) + dt.timedelta(days=c.plan_grace_days)
                reasons.append(_why("plan_check", plan=plan.reference, date=min(nxt).isoformat()))
            else:
                mtype, date = "follow_up", today
                reasons.append(_why("plan_done", plan=plan.reference))
            channel = file.preferred_channel
        else:
            mtype = step.type
            channel = file.preferred_channel if step.channel == "preferred" else step.channel
            gap = c.interval_days[min(len(outbound), len(c.interval_days) - 1)]
            date = (last_out + dt.timedelta(days=gap)) if last_out else today
            reasons.append(_why("step_after", step=len(outbound) + 1, message_type=mtype, days=gap) if last_out
                           else _why("step", step=len(outbound) + 1, message_type=mtype))
        if channel not in allowed:
            reasons.append(_why("opted_out", channel=str(channel), fallback=allowed[0]))
            channel = allowed[0]
        date = max(date, today)

        # Caps, counted from the contact log over rolling windows ending on the planned day.
        caps = self.guard.contact_caps
        for _ in range(90):
            date = self.next_contact_day(date)
            calls = [x for x in outbound if x.channel == "phone" and (date - x.at.date()).days < 30]
            week = [x for x in outbound if (date - x.at.date()).days < 7]
            if channel == "phone" and len(calls) >= caps.calls_per_30d:
                written = [ch for ch in allowed if ch != "phone"]
                if written:
                    reasons.append(_why("call_cap_switch", cap=caps.calls_per_30d, fallback=written[0]))
                    channel = written[0]
                    continue
                date = min(x.at.date() for x in calls) + dt.timedelta(days=30)
                reasons.append(_why("call_cap_postponed", cap=caps.calls_per_30d))
                continue
            if len(week) >= caps.contacts_per_7d:
                date = min(x.at.date() for x in week) + dt.timedelta(days=7)
                reasons.append(_why("contact_cap_postponed", cap=caps.contacts_per_7d))
                continue
            break
        earliest = self._earliest(date, channel, file)
        return Recommendation(**base, action="contact", date=date, earliest_at=earliest,
                              channel=channel,
                              message_type=mtype, reason_codes=reasons, escalation=self.escalation(file, outbound))

    def _earliest(self, d: dt.date, channel: str, file: DebtorFile) -> dt.datetime:
        return self.windows.first_slot(d, channel, file=file)

    def escalation(self, file: DebtorFile, outbound: list) -> Escalation:
        c = self.cadence
        today = file.as_of
        # real silence: a payment, a promise or a conversation (a call answered) is an answer too
        signs = [file.signals.last_inbound_at.date()] if file.signals.last_inbound_at else []
        signs += [p.date for p in file.payments if p.date <= today]
        signs += [p.made_on for p in file.promises if p.made_on <= today]
        signs += [x.at.date() for x in file.contacts if x.kind == "conversation" and x.at.date() <= today]
        last_in = max(signs) if signs else None
        unanswered = [x for x in outbound if last_in is None or x.at.date() > last_in]
        if len(unanswered) < c.escalation_min_contacts:
            why = _why("escalation_few_contacts", count=len(unanswered), needed=c.escalation_min_contacts)
            return Escalation(suggested=False, reason=why.text(), reason_code=why,
                              creditor_mandate_to_sue=file.creditor.mandate_to_sue)
        days = (today - unanswered[0].at.date()).days
        if days < c.escalation_after_days:
            return Escalation(suggested=False, days_without_answer=days,
                              reason=(why := _why("escalation_waiting", days=days,
                                                  threshold=c.escalation_after_days)).text(), reason_code=why,
                              creditor_mandate_to_sue=file.creditor.mandate_to_sue)
        if file.hardship or file.vulnerable:
            return Escalation(suggested=False, days_without_answer=days,
                              reason=(why := _why("escalation_vulnerable")).text(), reason_code=why,
                              creditor_mandate_to_sue=file.creditor.mandate_to_sue)
        why = _why("escalation_suggested" if file.creditor.mandate_to_sue else "escalation_suggested_no_mandate",
                   days=days, count=len(unanswered))
        return Escalation(suggested=True, days_without_answer=days, reason=why.text(), reason_code=why,
                          creditor_mandate_to_sue=file.creditor.mandate_to_sue)


_ORDER = {"agent_review": 0, "contact": 1, "none": 2}


class QueueItem(BaseModel):
    debtor_id: str
    name: str
    creditor: str
    balance_cents: int
    days_past_due: int
    recommendation: Recommendation
    overdue: bool


def work_queue(planner: Planner, files: list[DebtorFile], *, include_future: bool = True,
               limit: int = 100) -> list[QueueItem]:
    """Debtors ordered by the next recommended contact: due first (reviews, then oldest date,
    then larger balance); files with nothing to do are left out."""
    items = []
    for f in files:
        rec = planner.recommend(f)
        if rec.action == "none":
            continue
        overdue = rec.date is not None and rec.date <= f.as_of
        if not include_future and not overdue:
            continue
        items.append(QueueItem(debtor_id=f.id, name=f.display_name, creditor=f.creditor.name,
                               balance_cents=f.signals.balance_cents, days_past_due=f.signals.days_past_due,
                               recommendation=rec, overdue=overdue))
    items.sort(key=lambda i: (i.recommendation.date or dt.date.max, _ORDER[i.recommendation.action],
                              -int(bool(i.recommendation.escalation and i.recommendation.escalation.suggested)),
                              -i.balance_cents, i.debtor_id))
    return items[:limit]


def planner_for(rt: Runtime) -> Planner:
    """The planner of a runtime (built by the runtime: cadence policy + the guard policy's windows)."""
    return rt.planner
