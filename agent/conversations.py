"""Service layer of the agent chat: conversations, drafts, revisions, edits, approval and sending.

Every state change happens in one transaction with its audit events, so nothing is ever
half-recorded. Drafting (slow) runs before the transaction opens; the transaction then starts
with conditional UPDATEs (optimistic locking on ``DraftRecord.version`` and ``Debtor.version``)
so that of two agents sending on the same file at once exactly one wins and the other gets 409.
The guard runs again on the final text before approval and sending: blocked text is refused
with its findings and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent import audit, clock
from agent.db import models as m
from agent.db.repo import load_file
from agent.db.service_models import Conversation, ConversationMessage, DraftRecord
from agent.domain import DebtorFile
from agent.drafting.models import Draft, DraftRequest
from agent.errors import ConflictError, InputValidationError, NotFoundError, UserError
from agent.guard import gate
from agent.guard.base import GuardReport
from agent.understanding.effects import apply_draft

if TYPE_CHECKING:
    from agent.runtime import Runtime

log = logging.getLogger("amiable.conversations")

SENDABLE_FROM = ("generated", "revised", "edited", "approved")


class GuardBlockedError(UserError):
    """The final text is blocked by the guard: refused, nothing recorded."""

    http_status = 422
    title = "Blocked by the compliance guard"

    def __init__(self, report: GuardReport) -> None:
        ids = ", ".join(f.rule_id for f in report.findings if f.severity == "block")
        super().__init__(f"the text is blocked by the guard ({ids}); reword it and try again")
        self.report = report


# ---------------------------------------------------------------------------- helpers
def _now() -> dt.datetime:
    return clock.current().utcnow()


OUTBOX_CHANNELS = ("email", "sms")  # what the console's "send" hands to the outbox (letters: `amiable letter`)


def _new_id() -> str:
    return uuid.uuid4().hex


def debtor_version(session: Session, debtor_id: str) -> int:
    v = session.execute(select(m.Debtor.version).where(m.Debtor.id == debtor_id)).scalar_one_or_none()
    if v is None:
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")
    return int(v)


def load_debtor(rt: Runtime, debtor_id: str) -> DebtorFile:
    with rt.session() as s:
        return load_file(s, debtor_id, rt.clock.today())


def draft_amounts(draft: dict[str, Any] | None) -> frozenset[int]:
    """The amounts (cents) a stored draft's plan quote authorises, beside the ledger's."""
    return gate.option_amounts((draft or {}).get("plan_options") or [])


def guard_text(rt: Runtime, text: str, *, file: DebtorFile, draft: dict[str, Any] | None = None,
               lang: str | None = None, channel: str | None = None) -> GuardReport:
    """Run the guard on a final text with the debtor file as context; a guard fault blocks."""
    d = draft or {}
    ctx = gate.context(lang=lang or d.get("language"), channel=channel or d.get("channel"), file=file,
                       intent=d.get("intent"), amounts=draft_amounts(draft), now=_now())
    return gate.check(rt.guard, text, ctx)


def validate_text(rt: Runtime, text: str) -> str:
    cleaned = text.replace("\x00", "").strip()
    if not cleaned:
        raise InputValidationError("text is empty")
    if len(cleaned) > rt.settings.max_message_chars:
        raise InputValidationError(f"text is too long ({len(cleaned)} characters; the limit is "
                                   f"{rt.settings.max_message_chars})")
    return cleaned


# ---------------------------------------------------------------------------- views
@dataclass
class DraftView:
    record: DraftRecord

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        out = dict(r.draft)
        out.update({"id": r.id, "conversation_id": r.conversation_id, "parent_id": r.parent_id,
                    "generated_text": r.draft.get("text", ""), "text": r.text, "guard": r.guard,
                    "sendable": r.guard.get("verdict") != "block", "status": r.status, "version": r.version,
                    "request": r.request, "created_by": r.created_by, "approved_by": r.approved_by,
                    "sent_by": r.sent_by, "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                    "instruction_understood": r.request.get("_understood", True)})
        return out


# ---------------------------------------------------------------------------- instructions
_STYLE_WORDS = {("length", "short"): "shorter", ("length", "long"): "longer", ("empathetic", True): "more empathetic"}


def apply_instruction(base: DraftRequest, instruction: str) -> tuple[DraftRequest, bool]:
    """Fold an agent's revision request into the previous request.

    Language and plan length become explicit request fields; style (length, empathy) is carried
    forward as canonical words, so "in English" then "shorter" stays in English, and "six months"
    then "twelve months" means twelve. Returns the new request and whether anything was understood.
    """
    from agent.drafting.pipeline import parse_instruction

    instruction = instruction.strip()
    if not instruction:
        raise InputValidationError("instruction is empty")
    if len(instruction) > 300:
        raise InputValidationError("instruction is too long (300 characters at most)")
    prior = parse_instruction(base.instruction)
    new = parse_instruction(instruction)
    style = {k: v for k, v in prior.items() if k in ("length", "empathetic")}
    style.update({k: v for k, v in new.items() if k in ("length", "empathetic")})
    words = [_STYLE_WORDS[(k, v)] for k, v in style.items() if (k, v) in _STYLE_WORDS]
    lang = new.get("lang") or base.lang or prior.get("lang")
    months = new.get("plan_months") or base.plan_months or prior.get("plan_months")
    # Keep only the canonical style words and the new wording (consistent with lang/months above).
    text = "; ".join([*[w for w in words if w not in instruction.lower()], instruction])[:500]
    req = base.model_copy(update={"instruction": text, "lang": lang, "plan_months": months})
    return req, bool(new)


# ---------------------------------------------------------------------------- persistence
def record_draft(session: Session, draft: Draft, req: DraftRequest, *, actor: str, as_of: dt.date,
                 debtor_version_seen: int, conversation_id: str | None, parent_id: str | None,
                 status: str, understood: bool = True, extra_messages: Sequence[tuple[str, str]] = ()) -> DraftRecord:
    """Insert the draft, its chat messages and its audit event (inside the caller's transaction)."""
    d = draft.model_dump(mode="json")
    request = req.model_dump(mode="json")
    rec = DraftRecord(id=draft.id, conversation_id=conversation_id, debtor_id=draft.debtor_id, parent_id=parent_id,
                      request={**request, "_understood": understood}, draft=d, text=draft.text,
                      guard=d["guard"], status=status, version=1, debtor_version=debtor_version_seen,
                      created_by=actor, created_at=_now(), updated_at=_now())
    session.add(rec)
    apply_draft(session, draft, actor=actor, now=_now())  # opt-outs, crisis hold and task (agent.understanding)
    if conversation_id:
        for role, text in extra_messages:
            session.add(ConversationMessage(conversation_id=conversation_id, role=role, text=text, actor=actor,
                                            created_at=_now()))
        session.add(ConversationMessage(conversation_id=conversation_id, role="assistant", text=draft.text,
                                        draft_id=draft.id, actor="assistant", created_at=_now()))
    session.flush()
    kind = "draft.generated" if parent_id is None else "draft.revised"
    audit.append(session, kind, actor=actor, debtor_id=draft.debtor_id,
                 payload={"request": request, "as_of": as_of.isoformat(), "draft": d, "draft_id": draft.id,
                          "conversation_id": conversation_id, "parent_id": parent_id})
    return rec


def make_draft(rt: Runtime, req: DraftRequest, *, actor: str, conversation_id: str | None = None,
               parent_id: str | None = None, understood: bool = True,
               extra_messages: Sequence[tuple[str, str]] = (), draft: Draft | None = None) -> DraftRecord:
    """Draft (unless already drafted, e.g. streamed) then record everything in one transaction."""
    with rt.session() as s:
        seen = debtor_version(s, req.debtor_id)
    if draft is None:
        draft = rt.drafting.draft(req, actor=actor, record=False)
    with rt.session() as s:
        return record_draft(s, draft, req, actor=actor, as_of=rt.clock.today(),
                            debtor_version_seen=seen, conversation_id=conversation_id, parent_id=parent_id,
                            status="generated" if parent_id is None else "revised", understood=understood,
                            extra_messages=extra_messages)


# ---------------------------------------------------------------------------- conversations
def create_conversation(rt: Runtime, debtor_id: str, *, actor: str, channel: str | None = None,
                        lang: str | None = None) -> Conversation:
    with rt.session() as s:
        debtor_version(s, debtor_id)  # 404 on an unknown debtor
        conv = Conversation(id=_new_id(), debtor_id=debtor_id, created_by=actor, created_at=_now(),
                            channel=channel, lang=lang)
        s.add(conv)
        s.flush()
        audit.append(s, "conversation.created", actor=actor, debtor_id=debtor_id,
                     payload={"conversation_id": conv.id, "channel": channel, "lang": lang})
        return conv


def conversation_row(rt: Runtime, conv_id: str) -> Conversation:
    """The conversation alone (not its messages and drafts, which grow with every post)."""
    with rt.session() as s:
        conv = s.get(Conversation, conv_id)
        if conv is None:
            raise NotFoundError(f"unknown conversation: {conv_id!r}")
        return conv


def get_conversation(rt: Runtime, conv_id: str) -> tuple[Conversation, list[ConversationMessage], list[DraftRecord]]:
    with rt.session() as s:
        conv = s.get(Conversation, conv_id)
        if conv is None:
            raise NotFoundError(f"unknown conversation: {conv_id!r}")
        msgs = list(s.execute(select(ConversationMessage).where(ConversationMessage.conversation_id == conv_id)
                              .order_by(ConversationMessage.id)).scalars())
        drafts = list(s.execute(select(DraftRecord).where(DraftRecord.conversation_id == conv_id)
                                .order_by(DraftRecord.created_at)).scalars())
        return conv, msgs, drafts


def request_for_message(conv: Conversation, message: str, *, channel: str | None = None, lang: str | None = None,
                        plan_months: int | None = None) -> DraftRequest:
    return DraftRequest(debtor_id=conv.debtor_id, message=message,
                        channel=channel or conv.channel, lang=lang or conv.lang,
                        plan_months=plan_months)


def post_message(rt: Runtime, conv_id: str, message: str, *, actor: str, channel: str | None = None,
                 lang: str | None = None, plan_months: int | None = None) -> DraftRecord:
    message = rt.drafting.validate_message(message)
    conv = conversation_row(rt, conv_id)
    req = request_for_message(conv, message, channel=channel, lang=lang, plan_months=plan_months)
    return make_draft(rt, req, actor=actor, conversation_id=conv.id, extra_messages=[("debtor", req.message)])


def get_draft(rt: Runtime, draft_id: str) -> DraftRecord:
    with rt.session() as s:
        rec = s.get(DraftRecord, draft_id)
        if rec is None:
            raise NotFoundError(f"unknown draft: {draft_id!r}")
        return rec


def revise_request(rt: Runtime, draft_id: str, instruction: str) -> tuple[DraftRecord, DraftRequest, bool]:
    rec = get_draft(rt, draft_id)
    if rec.status == "sent":
        raise ConflictError("this draft was already sent; start from a new message")
    base = DraftRequest.model_validate({k: v for k, v in rec.request.items() if not k.startswith("_")})
    req, understood = apply_instruction(base, instruction)
    return rec, req, understood


def revise(rt: Runtime, draft_id: str, instruction: str, *, actor: str) -> DraftRecord:
    rec, req, understood = revise_request(rt, draft_id, instruction)
    return make_draft(rt, req, actor=actor, conversation_id=rec.conversation_id, parent_id=rec.id,
                      understood=understood, extra_messages=[("instruction", instruction.strip())])


def _check_version(rec: DraftRecord, expected: int | None) -> None:
    if expected is not None and expected != rec.version:
        raise ConflictError(f"draft {rec.id} is at version {rec.version}, not {expected}: "
                            "someone changed it; reload it")


def _bump(s: Session, rec: DraftRecord, **values: Any) -> None:
    """Conditional update on (id, version): the first statement of the transaction (takes the lock)."""
    res = s.execute(update(DraftRecord).where(DraftRecord.id == rec.id, DraftRecord.version == rec.version,
                                              DraftRecord.status != "sent")
                    .values(version=rec.version + 1, updated_at=_now(), **values))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"draft {rec.id} was changed or sent by someone else meanwhile; reload it")


def edit(rt: Runtime, draft_id: str, text: str, *, actor: str, expected_version: int | None = None) -> DraftRecord:
    text = validate_text(rt, text)
    rec = get_draft(rt, draft_id)
    if rec.status == "sent":
        raise ConflictError("this draft was already sent")
    _check_version(rec, expected_version)
    file = load_debtor(rt, rec.debtor_id)
    report = guard_text(rt, text, file=file, draft=rec.draft)
    with rt.session() as s:
        _bump(s, rec, text=text, status="edited", guard=report.model_dump(mode="json"), approved_by=None)
        audit.append(s, "draft.edited", actor=actor, debtor_id=rec.debtor_id,
                     payload={"draft_id": rec.id, "previous_text": rec.text, "text": text,
                              "guard": report.model_dump(mode="json")})
    return get_draft(rt, draft_id)


def _final(rt: Runtime, rec: DraftRecord, text: str | None) -> tuple[str, GuardReport, DebtorFile]:
    final = validate_text(rt, text) if text is not None else rec.text
    file = load_debtor(rt, rec.debtor_id)
    report = guard_text(rt, final, file=file, draft=rec.draft)
    if report.blocked:
        raise GuardBlockedError(report)
    return final, report, file


def approve(rt: Runtime, draft_id: str, *, actor: str, expected_version: int | None = None,
            text: str | None = None) -> DraftRecord:
    rec = get_draft(rt, draft_id)
    if rec.status == "sent":
        raise ConflictError("this draft was already sent")
    _check_version(rec, expected_version)
    final, report, _ = _final(rt, rec, text)
    with rt.session() as s:
        _bump(s, rec, text=final, status="approved", guard=report.model_dump(mode="json"), approved_by=actor)
        if final != rec.text:
            audit.append(s, "draft.edited", actor=actor, debtor_id=rec.debtor_id,
                         payload={"draft_id": rec.id, "previous_text": rec.text, "text": final,
                                  "guard": report.model_dump(mode="json")})
        audit.append(s, "draft.approved", actor=actor, debtor_id=rec.debtor_id,
                     payload={"draft_id": rec.id, "text": final, "guard": report.model_dump(mode="json")})
    return get_draft(rt, draft_id)


def send(rt: Runtime, draft_id: str, *, actor: str, expected_version: int | None = None,
         text: str | None = None) -> DraftRecord:
    """Guard the final text, then in ONE transaction: mark sent, bump the file's version, log the
    contact and the audit events. A concurrent send on the same draft or file gets 409."""
    rec = get_draft(rt, draft_id)
    if rec.status == "sent":
        raise ConflictError("this draft was already sent")
    _check_version(rec, expected_version)
    final, report, file = _final(rt, rec, text)
    at = _now()
    channel = rec.draft.get("channel") or file.preferred_channel
    with rt.session() as s:
        _bump(s, rec, text=final, status="sent", guard=report.model_dump(mode="json"), sent_by=actor, sent_at=at,
              approved_by=rec.approved_by or actor)
        res = s.execute(update(m.Debtor).where(m.Debtor.id == rec.debtor_id, m.Debtor.version == rec.debtor_version)
                        .values(version=m.Debtor.version + 1))
        if res.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError("the debtor file changed since this draft was made (another message was sent or "
                                "the file was updated); review the file and revise the draft before sending")
        # Contacts are kept in the firm's local time, as the portfolio's are (call windows read them so).
        contact = m.Contact(debtor_id=rec.debtor_id, at=rt.clock.local(at), channel=channel, direction="out",
                            kind="conversation" if channel == "phone" else "message", agent=actor,
                            summary=final[:2000], outcome="sent")
        s.add(contact)
        s.flush()
        if channel in OUTBOX_CHANNELS:
            # Nothing leaves the product but through the outbox: it re-checks opt-outs, hours, caps and the
            # guard at the moment of sending, and turns this contact's outcome into sent / bounced.
            from agent.outbox.models import OutboxMessage
            from agent.outbox.service import enqueue

            outbox_id = enqueue(s, debtor_id=rec.debtor_id, channel=channel, text=final, now=at,
                                authorised_amounts=tuple(sorted(draft_amounts(rec.draft))))
            queued = s.get(OutboxMessage, outbox_id)
            assert queued is not None
            queued.contact_id = contact.id
            contact.outcome = "queued"
        s.execute(update(DraftRecord).where(DraftRecord.id == rec.id).values(contact_id=contact.id))
        guard_json = report.model_dump(mode="json")
        if final != rec.text:
            audit.append(s, "draft.edited", actor=actor, debtor_id=rec.debtor_id,
                         payload={"draft_id": rec.id, "previous_text": rec.text, "text": final, "guard": guard_json})
        if rec.status != "approved":
            audit.append(s, "draft.approved", actor=actor, debtor_id=rec.debtor_id,
                         payload={"draft_id": rec.id, "text": final, "guard": guard_json})
        audit.append(s, "draft.sent", actor=actor, debtor_id=rec.debtor_id,
                     payload={"draft_id": rec.id, "text": final, "channel": channel, "contact_id": contact.id,
                              "guard": guard_json, "sent_at": at.isoformat()})
        options = rec.draft.get("plan_options") or []
        if options and rec.draft.get("chosen_option_id") or (options and rec.draft.get("intent") == "asks_for_plan"):
            audit.append(s, "plan.proposed", actor=actor, debtor_id=rec.debtor_id,
                         payload={"draft_id": rec.id, "chosen_option_id": rec.draft.get("chosen_option_id"),
                                  "options": options})
    return get_draft(rt, draft_id)


def iter_drafts(rt: Runtime, debtor_id: str) -> Iterator[DraftRecord]:
    with rt.session() as s:
        yield from s.execute(select(DraftRecord).where(DraftRecord.debtor_id == debtor_id)
                             .order_by(DraftRecord.created_at)).scalars()


# ---------------------------------------------------------------------------- replay
@dataclass
class ReplayResult:
    seq: int
    kind: str
    as_of: str
    match: bool
    original: str
    replayed: str
    diff: str


def replay(rt: Runtime, seq: int) -> ReplayResult:
    """Re-run the draft stored in a draft.generated / draft.revised event, as of its stored date."""
    import difflib

    from agent.clock import Clock
    from agent.db.models import AuditEvent

    with rt.session() as s:
        ev = s.get(AuditEvent, seq)
        if ev is None:
            raise NotFoundError(f"no audit event with seq {seq}")
        kind, payload = ev.kind, dict(ev.payload)
    if kind not in ("draft.generated", "draft.revised") or "request" not in payload:
        raise UserError(f"event {seq} is a {kind} event; only draft.generated / draft.revised can be replayed")
    as_of = dt.date.fromisoformat(str(payload.get("as_of") or rt.clock.today().isoformat()))
    req = DraftRequest.model_validate({k: v for k, v in payload["request"].items() if not k.startswith("_")})
    # A runtime frozen at the stored date, sharing the loaded policies, the index and the composer.
    frozen = rt.with_clock(Clock(tz=rt.clock.tz, fixed_today=as_of))
    draft = frozen.drafting.draft(req, actor="replay", record=False)
    original = str(payload.get("draft", {}).get("text", ""))
    diff = "\n".join(difflib.unified_diff(original.splitlines(), draft.text.splitlines(), "recorded", "replayed",
                                          lineterm=""))
    return ReplayResult(seq=seq, kind=kind, as_of=as_of.isoformat(), match=original == draft.text,
                        original=original, replayed=draft.text, diff=diff)
