"""The agent chat: conversations, drafts, revisions, edits, approval and sending (+ SSE streaming).

Roles: reading needs agent or qa; everything that writes needs agent. A streamed draft is
recorded only once it is complete: a client that disconnects mid-stream leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from agent import conversations as svc
from agent.domain import Channel, Lang
from agent.drafting.models import Draft, DraftRequest
from agent.drafting.streaming import word_chunks
from agent.errors import AmiableError, UserError
from agent.runtime import Runtime
from api.deps import AgentDep, ReaderDep, RuntimeDep
from api.security import check_conversation, check_debtor, check_draft
from api.streaming import END, draft_events, next_event

log = logging.getLogger("amiable.api.conversations")
router = APIRouter(tags=["conversations"])

MAX_BODY_CHARS = 100_000
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Unchecked = Annotated[bool, Query(description="also stream the model's raw tokens before the guard "
                                              "(``checked: false``; for a reviewing agent only)")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConversationIn(_In):
    debtor_id: str = Field(min_length=1, max_length=64)
    channel: Channel | None = None
    lang: Lang | None = None


class MessageIn(_In):
    # no max_length here: drafting's limit (settings.max_message_chars) and its message apply, as on the CLI
    message: str = Field(description="what the debtor wrote, pasted by the agent (at most "
                                     "AMIABLE_MAX_MESSAGE_CHARS, 20,000 by default)")
    channel: Channel | None = None
    lang: Lang | None = None
    plan_months: int | None = Field(default=None, ge=1, le=400)


class ReviseIn(_In):
    instruction: str = Field(max_length=MAX_BODY_CHARS,
                             description='e.g. "shorter", "offer six months instead", "in English", "more empathetic"')


class EditIn(_In):
    text: str = Field(max_length=MAX_BODY_CHARS)
    version: int | None = Field(default=None, ge=1, description="the draft version you edited (optimistic lock)")


class DecisionIn(_In):
    version: int | None = Field(default=None, ge=1, description="the draft version you reviewed (optimistic lock)")
    text: str | None = Field(default=None, max_length=MAX_BODY_CHARS, description="final text, if edited")


class DraftOut(Draft):
    """A recorded draft: the assistant's draft, its current (possibly edited) text and guard report,
    and its review state (``agent.conversations.DraftView``)."""

    model_config = ConfigDict(extra="allow")  # a draft stored by an older version may carry retired fields
    conversation_id: str | None = None
    parent_id: str | None = None
    generated_text: str = Field(description="the text as the assistant generated it")
    status: str = Field(description="generated, revised, edited, approved or sent")
    version: int = Field(description="optimistic-lock version: send it back with edits and decisions")
    request: dict[str, Any] = Field(description="the draft request that produced it")
    created_by: str
    approved_by: str | None = None
    sent_by: str | None = None
    sent_at: str | None = Field(default=None, description="ISO timestamp of the send")
    instruction_understood: bool = True


class ConversationOut(BaseModel):
    id: str
    debtor_id: str
    created_by: str
    created_at: dt.datetime
    channel: str | None
    lang: str | None
    messages: list[dict[str, Any]] = Field(default_factory=list)
    drafts: list[DraftOut] = Field(default_factory=list)


def _conv_out(rt: Runtime, conv_id: str) -> ConversationOut:
    conv, msgs, drafts = svc.get_conversation(rt, conv_id)
    return ConversationOut(
        id=conv.id, debtor_id=conv.debtor_id, created_by=conv.created_by, created_at=conv.created_at,
        channel=conv.channel, lang=conv.lang,
        messages=[{"id": m.id, "role": m.role, "text": m.text, "draft_id": m.draft_id, "actor": m.actor,
                   "at": m.created_at.isoformat()} for m in msgs],
        drafts=[DraftOut.model_validate(svc.DraftView(d).as_dict()) for d in drafts])


# ---------------------------------------------------------------------------- streaming
def _problem_event(exc: AmiableError) -> dict[str, str]:
    status = exc.http_status if isinstance(exc, UserError) else 500
    detail = exc.message if isinstance(exc, UserError) else "the request could not be completed; it was logged"
    return {"event": "error", "data": json.dumps({"type": "about:blank", "title": exc.title if status != 500 else
                                                  "Internal error", "status": status, "detail": detail})}


def _token(text: str, checked: bool) -> dict[str, str]:
    return {"event": "token", "data": json.dumps({"text": text, "checked": checked}, ensure_ascii=False)}


def sse_draft(rt: Runtime, req: DraftRequest, actor: str,
              persist: Callable[[Draft], svc.DraftRecord], *, unchecked: bool = False) -> EventSourceResponse:
    """Token events then the draft. Unchecked model tokens are sent only when ``unchecked`` (the console's
    opt-in ``?unchecked=true``); otherwise the guarded text is streamed in words once it passed the guard."""
    async def gen() -> AsyncIterator[dict[str, str]]:
        it = draft_events(rt, req, actor)
        held_back = False
        try:
            while True:
                ev = await anyio.to_thread.run_sync(next_event, it)
                if ev is END:
                    break
                assert isinstance(ev, dict)
                if ev.get("type") == "token":
                    checked = bool(ev.get("checked"))
                    if checked or unchecked:
                        yield _token(str(ev.get("text", "")), checked)
                    else:
                        held_back = True
                elif ev.get("type") == "replaced":
                    if unchecked:
                        yield {"event": "replaced", "data": json.dumps({"reason": ev.get("reason", "")},
                                                                       ensure_ascii=False)}
                elif ev.get("type") == "draft":
                    draft = ev["draft"] if isinstance(ev["draft"], Draft) else Draft.model_validate(ev["draft"])
                    # Not cancellable: once started, the record completes (one transaction) or not at all.
                    rec = await anyio.to_thread.run_sync(persist, draft)
                    if held_back:
                        for chunk in word_chunks(rec.text):
                            yield _token(chunk, True)
                    yield {"event": "draft", "data": json.dumps(svc.DraftView(rec).as_dict(), ensure_ascii=False,
                                                                default=str)}
        except AmiableError as exc:
            if not isinstance(exc, UserError):
                log.error("stream failed: %s", exc.message)
            yield _problem_event(exc)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    return EventSourceResponse(gen(), ping=15)


# ---------------------------------------------------------------------------- routes
@router.post("/v1/conversations", status_code=201, response_model=ConversationOut,
             summary="Start a conversation about a debtor file (role: agent)")
def create_conversation(body: ConversationIn, rt: RuntimeDep, who: AgentDep) -> ConversationOut:
    check_debtor(rt, who, body.debtor_id)
    conv = svc.create_conversation(rt, body.debtor_id, actor=who.actor, channel=body.channel, lang=body.lang)
    return _conv_out(rt, conv.id)


@router.get("/v1/conversations/{conv_id}", response_model=ConversationOut,
            summary="A conversation with its messages and drafts (role: agent or qa)")
def get_conversation(conv_id: Id, rt: RuntimeDep, who: ReaderDep) -> ConversationOut:
    check_conversation(rt, who, conv_id)
    return _conv_out(rt, conv_id)


@router.post("/v1/conversations/{conv_id}/messages", status_code=201, response_model=DraftOut,
             summary="Post what the debtor wrote; returns the assistant's structured draft (role: agent)")
def post_message(conv_id: Id, body: MessageIn, rt: RuntimeDep, who: AgentDep) -> dict[str, Any]:
    rt.drafting.validate_message(body.message)  # 422 before 404, as for an unknown conversation
    check_conversation(rt, who, conv_id)
    rec = svc.post_message(rt, conv_id, body.message, actor=who.actor, channel=body.channel, lang=body.lang,
                           plan_months=body.plan_months)
    return svc.DraftView(rec).as_dict()


@router.post("/v1/conversations/{conv_id}/messages/stream",
             summary="Same as /messages, streamed as server-sent events: token..., then draft (role: agent)",
             response_class=EventSourceResponse)
def stream_message(conv_id: Id, body: MessageIn, rt: RuntimeDep, who: AgentDep,
                   unchecked: Unchecked = False) -> EventSourceResponse:
    message = rt.drafting.validate_message(body.message)
    check_conversation(rt, who, conv_id)
    conv, _, _ = svc.get_conversation(rt, conv_id)
    req = svc.request_for_message(conv, message, channel=body.channel, lang=body.lang, plan_months=body.plan_months)
    with rt.session() as s:
        seen = svc.debtor_version(s, conv.debtor_id)

    def persist(draft: Draft) -> svc.DraftRecord:
        with rt.session() as s:
            return svc.record_draft(s, draft, req, actor=who.actor, as_of=rt.clock.today(),
                                    debtor_version_seen=seen, conversation_id=conv.id, parent_id=None,
                                    status="generated", extra_messages=[("debtor", message)])

    return sse_draft(rt, req, who.actor, persist, unchecked=unchecked)


@router.get("/v1/drafts/{draft_id}", response_model=DraftOut, summary="A draft with its status and version (role: agent or qa)")
def get_draft(draft_id: Id, rt: RuntimeDep, who: ReaderDep) -> dict[str, Any]:
    check_draft(rt, who, draft_id)
    return svc.DraftView(svc.get_draft(rt, draft_id)).as_dict()


@router.post("/v1/drafts/{draft_id}/revise", status_code=201, response_model=DraftOut,
             summary="Revise a draft by instruction; returns a new draft (role: agent)")
def revise(draft_id: Id, body: ReviseIn, rt: RuntimeDep, who: AgentDep) -> dict[str, Any]:
    check_draft(rt, who, draft_id)
    return svc.DraftView(svc.revise(rt, draft_id, body.instruction, actor=who.actor)).as_dict()


@router.post("/v1/drafts/{draft_id}/revise/stream", response_class=EventSourceResponse,
             summary="Revise a draft by instruction, streamed as server-sent events (role: agent)")
def revise_stream(draft_id: Id, body: ReviseIn, rt: RuntimeDep, who: AgentDep,
                  unchecked: Unchecked = False) -> EventSourceResponse:
    check_draft(rt, who, draft_id)
    rec, req, understood = svc.revise_request(rt, draft_id, body.instruction)
    with rt.session() as s:
        seen = svc.debtor_version(s, rec.debtor_id)

    def persist(draft: Draft) -> svc.DraftRecord:
        with rt.session() as s:
            return svc.record_draft(s, draft, req, actor=who.actor, as_of=rt.clock.today(),
                                    debtor_version_seen=seen, conversation_id=rec.conversation_id, parent_id=rec.id,
                                    status="revised", understood=understood,
                                    extra_messages=[("instruction", body.instruction.strip())])

    return sse_draft(rt, req, who.actor, persist, unchecked=unchecked)


@router.put("/v1/drafts/{draft_id}/text", response_model=DraftOut, summary="Edit the draft text; the guard re-checks it (role: agent)")
def edit(draft_id: Id, body: EditIn, rt: RuntimeDep, who: AgentDep) -> dict[str, Any]:
    svc.validate_text(rt, body.text)  # 422 before 404, as for an unknown draft
    check_draft(rt, who, draft_id)
    return svc.DraftView(svc.edit(rt, draft_id, body.text, actor=who.actor,
                                  expected_version=body.version)).as_dict()


@router.post("/v1/drafts/{draft_id}/approve", response_model=DraftOut,
             summary="Approve the final text: the guard runs again; blocked text is refused (role: agent)")
def approve(draft_id: Id, body: DecisionIn, rt: RuntimeDep, who: AgentDep) -> dict[str, Any]:
    check_draft(rt, who, draft_id)
    return svc.DraftView(svc.approve(rt, draft_id, actor=who.actor, expected_version=body.version,
                                     text=body.text)).as_dict()


@router.post("/v1/drafts/{draft_id}/send", response_model=DraftOut,
             summary="Send: guard again, record the contact and the audit events atomically; 409 if someone "
                     "else sent on this file meanwhile (role: agent)")
def send(draft_id: Id, body: DecisionIn, rt: RuntimeDep, who: AgentDep) -> dict[str, Any]:
    check_draft(rt, who, draft_id)
    return svc.DraftView(svc.send(rt, draft_id, actor=who.actor, expected_version=body.version,
                                  text=body.text)).as_dict()
