"""Queue, send and track messages. Nothing leaves the product except through ``run``: at the moment
of sending it re-reads the file, skips opted-out or bounced channels, waits for the sending hours and
the contact cap, guards the final text, then hands it to the channel adapter; delivery events update
the message, the contact row, the file (bounce = bad contact, STOP = SMS opt-out) and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import audit
from agent.db import models as m
from agent.db.repo import load_file
from agent.domain import DebtorFile
from agent.errors import NotFoundError, PermanentDeliveryError, TransientDeliveryError, UserError
from agent.guard.base import GuardContext, GuardReport
from agent.lang import fold
from agent.letters.compose import plain_text
from agent.outbox.adapters import EmailAdapter, Outgoing, PostalBatch, SmsAdapter
from agent.outbox.models import DeliveryEvent, OutboxMessage
from agent.runtime import Runtime
from agent.settings import REPO_ROOT, Settings
from agent.yamlio import load_yaml_model

log = logging.getLogger(__name__)
OutChannel = Literal["email", "sms", "letter"]
CHANNELS: tuple[OutChannel, ...] = ("email", "sms", "letter")
DEFER_RULES = {"FR-HARASS.contact-cap"}  # wait: the cap frees up with time
SUPPRESS_RULES = {"FR-HARASS.opted-out"}
RETRY_DELAY = dt.timedelta(minutes=15)
POLICY_FILE = REPO_ROOT / "knowledge" / "policy" / "outbox.yaml"


class OutboxPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    stop_keywords: tuple[str, ...]
    email_footer_fr: str
    sms_footer_fr: str


@lru_cache(maxsize=2)
def load_outbox_policy(path: Path = POLICY_FILE) -> OutboxPolicy:
    return load_yaml_model(path, OutboxPolicy, "outbox policy")


class Adapter(Protocol):
    def send(self, out: Outgoing) -> str: ...


@dataclass
class RunReport:
    sent: list[str] = field(default_factory=list)
    queued: dict[str, str] = field(default_factory=dict)  # id -> why still queued
    blocked: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    bounced: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    events: int = 0


def _utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise UserError("outbox times must be timezone-aware")
    return at.astimezone(dt.UTC)


def _aware(at: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes: they were stored in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


# ------------------------------------------------------------------------------------ queue

def enqueue(session: Session, *, debtor_id: str, channel: str, text: str, now: dt.datetime, subject: str = "",
            html: str = "", kind: str = "message", first_letter: bool = False, letter_ref: str = "",
            pdf_path: str = "", lrar: bool = False, authorised_amounts: tuple[int, ...] = ()) -> str:
    """Queue one message; nothing is sent here (``run`` sends)."""
    if channel not in CHANNELS:
        raise UserError(f"unknown outbox channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if session.get(m.Debtor, debtor_id) is None:
        raise NotFoundError(f"unknown debtor: {debtor_id}")
    if not text.strip():
        raise UserError("empty message")
    if channel == "letter" and not (pdf_path and Path(pdf_path).is_file()):
        raise UserError("a postal message needs its PDF: produce it with 'amiable letter'")
    if lrar and channel != "letter":
        raise UserError("--lrar applies to postal letters only")
    msg = OutboxMessage(id=uuid.uuid4().hex, debtor_id=debtor_id, channel=channel, kind=kind, text=text,
                        subject=subject, html=html, first_letter=first_letter, letter_ref=letter_ref,
                        pdf_path=pdf_path, lrar=lrar, authorised_amounts=list(authorised_amounts),
                        created_at=_utc(now))
    session.add(msg)
    session.flush()
    audit.append(session, "outbox.queued", actor="outbox", debtor_id=debtor_id, at=_utc(now),
                 payload={"outbox_id": msg.id, "channel": channel, "kind": kind, "letter_ref": letter_ref,
                          "sha256": hashlib.sha256(text.encode()).hexdigest()})
    return msg.id


def enqueue_letter(session: Session, produced: Any, *, channel: str, now: dt.datetime, lrar: bool = False) -> str:
    """Queue a produced letter (agent.letters.service.Produced) on email (text + HTML + PDF) or post."""
    letter = produced.letter
    if channel == "sms":
        raise UserError("a letter cannot go by SMS: send it by email or post")
    return enqueue(session, debtor_id=letter.debtor_id, channel=channel, text=letter.text, now=now,
                   subject=letter.subject, html=produced.html, kind=letter.kind,
                   first_letter=letter.kind == "first", letter_ref=letter.reference,
                   pdf_path=str(produced.pdf_path), lrar=lrar,
                   authorised_amounts=letter.authorised_amounts_cents)


# ------------------------------------------------------------------------------------- send

def final_text(msg: OutboxMessage, settings: Settings, policy: OutboxPolicy) -> str:
    """The exact words the debtor receives on this channel (what the guard checks)."""
    if msg.channel == "email":
        body = plain_text(msg.text) if msg.letter_ref else msg.text.rstrip() + "\n"
        footer = policy.email_footer_fr.format(unsubscribe=settings.smtp_unsubscribe_mailto,
                                               reference=msg.letter_ref or msg.id[:12])
        return f"{body}\n--\n{footer}\n"
    if msg.channel == "sms":
        return f"{msg.text.rstrip()} {policy.sms_footer_fr.format(sender=settings.sms_sender)}"
    return msg.text


def in_hours(now: dt.datetime, tz: str, settings: Settings) -> bool:
    local = now.astimezone(ZoneInfo(tz))
    return local.weekday() in settings.outbox_weekdays and \
        settings.outbox_hours_start <= local.hour < settings.outbox_hours_end


def address_for(file: DebtorFile, channel: str) -> str:
    return {"email": file.email, "sms": file.phone, "letter": file.address}.get(channel, "")


def default_adapters(settings: Settings) -> dict[str, Adapter]:
    adapters: dict[str, Adapter] = {"email": EmailAdapter(settings), "letter": PostalBatch(settings)}
    if settings.sms_provider_url:
        adapters["sms"] = SmsAdapter(settings)
    return adapters


def run(rt: Runtime, *, now: dt.datetime, adapters: dict[str, Adapter] | None = None) -> RunReport:
    """Process the queue at ``now`` (# CLOCK: the caller passes the settings clock's now)."""
    now = _utc(now)
    adapters = adapters if adapters is not None else default_adapters(rt.settings)
    policy = load_outbox_policy()
    report = RunReport()
    with rt.session() as s:
        ids = list(s.execute(select(OutboxMessage.id).where(OutboxMessage.status == "queued")
                             .order_by(OutboxMessage.created_at)).scalars())
    for msg_id in ids:
        _process(rt, msg_id, now, adapters, policy, report)
    sms = adapters.get("sms")
    if isinstance(sms, SmsAdapter):
        report.events += poll_sms_events(rt, sms, now=now)
    return report


def _process(rt: Runtime, msg_id: str, now: dt.datetime, adapters: dict[str, Adapter], policy: OutboxPolicy,
             report: RunReport) -> None:
    settings = rt.settings
    with rt.session() as s:
        msg = s.get(OutboxMessage, msg_id)
        if msg is None or msg.status != "queued":
            return
        if msg.next_attempt_at is not None and _aware(msg.next_attempt_at) > now:
            report.queued[msg.id] = msg.deferred_reason or "waiting for the next attempt"
            return
        file = load_file(s, msg.debtor_id, now.date())
        to = address_for(file, msg.channel)
        why = ("the debtor opted out of this channel" if msg.channel in file.opt_outs else
               "this address bounced (bad contact)" if msg.channel in file.bad_contacts else
               "no address for this channel on the file" if not to.strip() else "")
        if why:
            _close(s, msg, "suppressed", why, now)
            report.suppressed.append(msg.id)
            return
        if not msg.first_letter:
            gate = first_letter_gate(s, file)
            if gate.startswith("waiting"):
                _defer(msg, gate, None)
                report.queued[msg.id] = gate
                return
            if gate:
                _close(s, msg, "blocked", gate, now)
                report.blocked.append(msg.id)
                return
        if msg.channel in ("email", "sms") and not in_hours(now, file.timezone, settings):
            _defer(msg, "outside sending hours", None)
            report.queued[msg.id] = msg.deferred_reason
            return
        text = final_text(msg, settings, policy)
        ctx = GuardContext(lang=None, channel=msg.channel, debtor=file, scheduled_at=now, now=now,
                           first_letter=msg.first_letter,
                           authorised_amounts_cents=frozenset(int(a) for a in msg.authorised_amounts))
        guard = rt.guard.check(text, ctx)
        if guard.verdict == "block":
            blocking = {f.rule_id for f in guard.findings if f.severity == "block"}
            if blocking <= DEFER_RULES:
                _defer(msg, "contact cap reached", None)
                report.queued[msg.id] = msg.deferred_reason
            elif blocking & SUPPRESS_RULES:
                _close(s, msg, "suppressed", "opted out (guard)", now, guard)
                report.suppressed.append(msg.id)
            else:
                _close(s, msg, "blocked", "; ".join(sorted(blocking)), now, guard)
                report.blocked.append(msg.id)
            return
        out = Outgoing(outbox_id=msg.id, to=to, subject=msg.subject or f"Dossier {file.reference}", text=text,
                       html=msg.html if msg.channel == "email" else "", reference=msg.letter_ref or msg.id[:12],
                       pdf_path=msg.pdf_path, lrar=msg.lrar, debtor_name=file.display_name,
                       postal_address=file.address, at=now)
        adapter = adapters.get(msg.channel)
        msg.attempts += 1
        msg.to_address = to
        try:
            if adapter is None:
                raise TransientDeliveryError(f"no adapter configured for {msg.channel}")
            provider_id = adapter.send(out)
        except PermanentDeliveryError as exc:
            contact = _contact(s, msg, now, text, "bounced")
            msg.status, msg.last_error, msg.contact_id = "bounced", exc.message, contact.id
            _event(s, msg, "bounced", now, exc.message)
            report.bounced.append(msg.id)
            return
        except TransientDeliveryError as exc:
            msg.last_error = exc.message
            if msg.attempts >= settings.outbox_max_attempts:
                _close(s, msg, "failed", exc.message, now)
                report.failed.append(msg.id)
            else:
                _defer(msg, f"channel unavailable: {exc.message}", now + RETRY_DELAY)
                report.queued[msg.id] = msg.deferred_reason
            return
        contact = _contact(s, msg, now, text, "sent")
        msg.status, msg.sent_at, msg.provider_id, msg.contact_id = "sent", now, provider_id, contact.id
        msg.deferred_reason = msg.last_error = ""
        s.add(DeliveryEvent(outbox_id=msg.id, debtor_id=msg.debtor_id, contact_id=contact.id, kind="sent", at=now,
                            detail=provider_id))
        audit.append(s, "outbox.sent", actor="outbox", debtor_id=msg.debtor_id, at=now,
                     payload={"outbox_id": msg.id, "channel": msg.channel, "provider_id": provider_id,
                              "letter_ref": msg.letter_ref, "lrar": msg.lrar, "contact_id": contact.id,
                              "sha256": hashlib.sha256(text.encode()).hexdigest(),
                              "guard": guard.model_dump(mode="json")})
        report.sent.append(msg.id)


SENT = ("sent", "delivered", "opened")


def first_letter_gate(s: Session, file: DebtorFile) -> str:
    """'' when other contacts may go (CPCE R124-4: the first letter comes first and is recalled later);
    otherwise why not: 'waiting ...' (the first letter is queued) or a blocking reason."""
    if not file.first_letter_ref:
        return ("no first letter (CPCE R124-4) on the file: send it (amiable letter first) before any "
                "other contact")
    statuses = set(s.execute(select(OutboxMessage.status).where(OutboxMessage.debtor_id == file.id,
                                                                OutboxMessage.letter_ref == file.first_letter_ref))
                   .scalars())
    if not statuses or statuses & set(SENT):
        return ""  # sent by the outbox, or recorded outside it (imported files)
    if "queued" in statuses:
        return f"waiting for the first letter {file.first_letter_ref} to be sent"
    return f"the first letter {file.first_letter_ref} did not go out ({', '.join(sorted(statuses))}): resend it"


def _defer(msg: OutboxMessage, why: str, until: dt.datetime | None) -> None:
    msg.deferred_reason = why
    msg.next_attempt_at = until


def _close(s: Session, msg: OutboxMessage, status: str, why: str, now: dt.datetime,
           guard: GuardReport | None = None) -> None:
    msg.status, msg.deferred_reason = status, why
    if msg.contact_id is not None and (logged := s.get(m.Contact, msg.contact_id)) is not None:
        logged.outcome = status  # the console logged it as queued: it did not leave
    payload: dict[str, Any] = {"outbox_id": msg.id, "channel": msg.channel, "reason": why}
    if guard is not None:
        payload["guard"] = guard.model_dump(mode="json")
    audit.append(s, f"outbox.{status}", actor="outbox", debtor_id=msg.debtor_id, at=now, payload=payload)


def _contact(s: Session, msg: OutboxMessage, now: dt.datetime, text: str, outcome: str) -> m.Contact:
    """The message's contact row: the one the console logged when the agent sent it, or a new one."""
    if msg.contact_id is not None:
        logged = s.get(m.Contact, msg.contact_id)
        if logged is not None:
            logged.outcome = outcome
            s.flush()
            return logged
    contact = m.Contact(debtor_id=msg.debtor_id, at=now, channel=msg.channel, direction="out",
                        kind="letter" if msg.channel == "letter" or msg.letter_ref else "message",
                        agent="outbox", summary=text[:2000], outcome=outcome)
    s.add(contact)
    s.flush()
    return contact


# ----------------------------------------------------------------------------------- events

EVENT_STATUS = {"delivered": "delivered", "opened": "opened", "bounced": "bounced", "failed": "bounced"}


def _event(s: Session, msg: OutboxMessage, kind: str, at: dt.datetime, detail: str = "") -> None:
    """Store a delivery event on the message and its contact; a bounce flags the address as bad."""
    s.add(DeliveryEvent(outbox_id=msg.id, debtor_id=msg.debtor_id, contact_id=msg.contact_id, kind=kind, at=at,
                        detail=detail))
    if kind in EVENT_STATUS and not (kind == "delivered" and msg.status == "opened"):
        msg.status = EVENT_STATUS[kind]
    if msg.contact_id is not None:
        contact = s.get(m.Contact, msg.contact_id)
        if contact is not None:
            contact.outcome = EVENT_STATUS.get(kind, contact.outcome)
    if kind in ("bounced", "failed"):
        row = s.get(m.Debtor, msg.debtor_id)
        if row is not None and msg.channel not in (row.bad_contacts or []):
            row.bad_contacts = [*(row.bad_contacts or []), msg.channel]
            row.version += 1
    audit.append(s, f"delivery.{kind}", actor="outbox", debtor_id=msg.debtor_id, at=at,
                 payload={"outbox_id": msg.id, "channel": msg.channel, "detail": detail[:500]})


def record_event(rt: Runtime, *, kind: str, at: dt.datetime, outbox_id: str | None = None,
                 provider_id: str | None = None, detail: str = "") -> None:
    """A delivery event reported by a channel (DSN, provider receipt, read receipt)."""
    if kind not in EVENT_STATUS:
        raise UserError(f"unknown delivery event {kind!r}: use one of {', '.join(EVENT_STATUS)}")
    with rt.session() as s:
        q = select(OutboxMessage).where(OutboxMessage.id == outbox_id if outbox_id
                                        else OutboxMessage.provider_id == (provider_id or ""))
        msg = s.execute(q).scalars().first()
        if msg is None:
            raise NotFoundError(f"no outbox message {outbox_id or provider_id}")
        _event(s, msg, kind, _utc(at), detail)


def _digits(phone: str) -> str:
    d = re.sub(r"\D", "", phone)
    return "33" + d[1:] if d.startswith("0") and len(d) == 10 else d


def is_stop(text: str, policy: OutboxPolicy) -> bool:
    words = " ".join(re.sub(r"[^\w ]", " ", fold(text).lower()).split())
    return words in policy.stop_keywords


def handle_inbound_sms(rt: Runtime, *, sender: str, text: str, at: dt.datetime) -> str | None:
    """An SMS reply: STOP opts the debtor out of SMS (audited). Returns the debtor id it concerned."""
    policy = load_outbox_policy()
    at = _utc(at)
    with rt.session() as s:
        target = _digits(sender)
        row = next((d for d in s.execute(select(m.Debtor)).unique().scalars() if d.phone and _digits(d.phone) == target),
                   None)
        if row is None:
            return None
        s.add(m.Contact(debtor_id=row.id, at=at, channel="sms", direction="in", kind="message", agent="outbox",
                        summary=text[:2000], outcome="received"))
        if is_stop(text, policy):
            if "sms" not in (row.opt_outs or []):
                row.opt_outs = [*(row.opt_outs or []), "sms"]
                row.version += 1
            s.add(DeliveryEvent(outbox_id=None, debtor_id=row.id, kind="stop", at=at, detail=text[:200]))
            audit.append(s, "contact.opt_out", actor="debtor", debtor_id=row.id, at=at,
                         payload={"channel": "sms", "via": "SMS STOP", "text": text[:200]})
        return row.id


def poll_sms_events(rt: Runtime, sms: SmsAdapter, *, now: dt.datetime) -> int:
    """Read the provider's delivery receipts and replies since the last one seen."""
    with rt.session() as s:
        details = s.execute(select(DeliveryEvent.detail).where(DeliveryEvent.detail.like("sms-event:%"))).scalars()
        seen = max((int(d.split(":", 1)[1]) for d in details), default=0)
    events = [ev for ev in sms.events(after=seen) if int(ev.get("seq", 0)) > seen]
    for ev in events:
        seq, kind = int(ev.get("seq", 0)), str(ev.get("type", ""))
        if kind == "inbound":
            debtor_id = handle_inbound_sms(rt, sender=str(ev.get("from", "")), text=str(ev.get("text", "")), at=now)
            with rt.session() as s:
                if debtor_id is not None:
                    s.add(DeliveryEvent(outbox_id=None, debtor_id=debtor_id, kind="received", at=now,
                                        detail=f"sms-event:{seq}"))
        elif kind in ("delivered", "failed"):
            try:
                record_event(rt, kind=kind, at=now, provider_id=str(ev.get("id", "")), detail=f"sms-event:{seq}")
            except NotFoundError:
                log.warning("SMS receipt for an unknown message id %r (event %s) ignored", ev.get("id"), seq)
    return len(events)
