"""OpenAI-compatible facade: ``POST /v1/chat/completions`` and ``GET /v1/models`` (role: agent).

Use any chat client with ``base_url=<server>/v1``, ``model="amiable"`` and an API key.

Passing the debtor id (first match wins):

1. ``metadata: {"debtor_id": "D001"}`` in the request body (OpenAI SDK: ``metadata=...``;
   LangChain: ``ChatOpenAI(extra_body={"metadata": {...}})`` or ``model_kwargs``);
2. the header ``X-Amiable-Debtor: D001`` (SDK ``default_headers`` / ``extra_headers``);
3. a system message line ``debtor_id: D001``.

Messages: the first user message is what the debtor wrote; each later user message is an
agent instruction ("shorter", "offer six months instead", "in English", "more empathetic")
applied cumulatively. The reply is the draft text; the ``amiable`` extension object carries the
guard verdict, findings, citations, sendable flag and the draft id (approve/send it through
``/v1/drafts/{id}/...``). Streaming follows OpenAI's chunk format, ends with ``data: [DONE]``, and
the last chunk before it carries the ``amiable`` extension. Only text that passed the guard is
streamed: the model's raw tokens are never sent; the final, guarded text is sent in word chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from agent import conversations as svc
from agent.drafting.models import Draft, DraftRequest
from agent.drafting.streaming import word_chunks
from agent.errors import AmiableError, InputValidationError, NotFoundError, UserError
from agent.runtime import Runtime
from api.deps import AgentDep, RuntimeDep
from api.security import check_debtor
from api.streaming import END, draft_events, next_event

router = APIRouter(tags=["openai-compatible"])
MODEL_ID = "amiable"
CREATED = 1_763_856_000  # fixed: the model's "created" timestamp
_DEBTOR_LINE = re.compile(r"^\s*debtor[_ ]id\s*[:=]\s*([A-Za-z0-9_.-]{1,64})\s*$", re.IGNORECASE | re.MULTILINE)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p, n... are accepted and ignored
    model: str = Field(min_length=1, max_length=100)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    metadata: dict[str, Any] | None = None


def _text(msg: ChatMessage) -> str:
    if msg.content is None:
        return ""
    if isinstance(msg.content, str):
        return msg.content
    return "".join(str(p.get("text", "")) for p in msg.content if p.get("type") in ("text", "input_text"))


def resolve_debtor(body: ChatRequest, header: str | None) -> str:
    meta = (body.metadata or {}).get("debtor_id")
    if isinstance(meta, str) and meta.strip():
        return meta.strip()
    if header and header.strip():
        return header.strip()
    for msg in body.messages:
        if msg.role in ("system", "developer"):
            m = _DEBTOR_LINE.search(_text(msg))
            if m:
                return m.group(1)
    raise InputValidationError('no debtor id: pass metadata {"debtor_id": "D001"}, the header X-Amiable-Debtor, '
                               'or a system message line "debtor_id: D001"')


def build_request(body: ChatRequest, debtor_id: str) -> DraftRequest:
    users = [_text(m) for m in body.messages if m.role == "user"]
    if not users or not users[0].strip():
        raise InputValidationError("the first user message (what the debtor wrote) is missing or empty")
    message = users[0].replace("\x00", "").strip()
    req = DraftRequest(debtor_id=debtor_id, message=message)
    for instr in users[1:]:
        if instr.strip():
            req, _ = svc.apply_instruction(req, instr)
    return req


def extension(rec: svc.DraftRecord) -> dict[str, Any]:
    d = rec.draft
    return {"draft_id": rec.id, "debtor_id": rec.debtor_id, "text": rec.text, "verdict": rec.guard.get("verdict"),
            "sendable": rec.guard.get("verdict") != "block", "findings": rec.guard.get("findings", []),
            "citations": d.get("citations", []), "facts": d.get("facts", []), "next_action": d.get("next_action"),
            "plan_options": d.get("plan_options", []), "intent": d.get("intent"), "language": d.get("language"),
            "channel": d.get("channel"), "backend": d.get("backend"), "prompt_version": d.get("prompt_version"),
            "policy_version": rec.guard.get("policy_version")}


def _usage(req: DraftRequest, text: str) -> dict[str, int]:
    p, c = len(req.message.split()), len(text.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


class ModelInfo(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelInfo]


@router.get("/v1/models", response_model=ModelList, summary="OpenAI-compatible model list (role: agent)")
def list_models(_: AgentDep) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": CREATED,
                                        "owned_by": "amiable"}]}


@router.post("/v1/chat/completions", summary="OpenAI-compatible chat completion returning a guarded draft "
                                             "(role: agent)", response_model=None)
def chat_completions(body: ChatRequest, rt: RuntimeDep, who: AgentDep,
                     x_amiable_debtor: Annotated[str | None, Header(max_length=64)] = None
                     ) -> dict[str, Any] | StreamingResponse:
    if body.model != MODEL_ID:
        raise NotFoundError(f"unknown model {body.model!r}; use {MODEL_ID!r}")
    debtor_id = resolve_debtor(body, x_amiable_debtor)
    req = build_request(body, debtor_id)
    rt.drafting.validate_message(req.message)
    check_debtor(rt, who, debtor_id)  # another creditor's file: the same 404 as an unknown one
    with rt.session() as s:
        seen = svc.debtor_version(s, debtor_id)  # 404 before anything streams

    def persist(draft: Draft) -> svc.DraftRecord:
        with rt.session() as s:
            return svc.record_draft(s, draft, req, actor=who.actor, as_of=rt.clock.today(),
                                    debtor_version_seen=seen, conversation_id=None, parent_id=None,
                                    status="generated")

    if body.stream:
        return StreamingResponse(_stream(rt, req, who.actor, persist), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    rec = persist(rt.drafting.draft(req, actor=who.actor, record=False))
    return {"id": f"chatcmpl-{rec.id}", "object": "chat.completion", "created": int(rt.clock.timestamp()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": rec.text},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": _usage(req, rec.text), "amiable": extension(rec)}


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False, default=str)}\n\n"


async def _stream(rt: Runtime, req: DraftRequest, actor: str, persist: Any) -> AsyncIterator[str]:
    created = int(rt.clock.timestamp())
    cid = "chatcmpl-pending"
    it = draft_events(rt, req, actor)
    try:
        yield _chunk(cid, created, {"role": "assistant", "content": ""})
        while True:
            ev = await anyio.to_thread.run_sync(next_event, it)
            if ev is END:
                break
            assert isinstance(ev, dict)
            # token events (checked or not) are not forwarded: only the guarded final text is streamed
            if ev.get("type") == "draft":
                draft = ev["draft"] if isinstance(ev["draft"], Draft) else Draft.model_validate(ev["draft"])
                rec = await anyio.to_thread.run_sync(persist, draft)
                cid = f"chatcmpl-{rec.id}"
                for piece in word_chunks(rec.text):
                    yield _chunk(cid, created, {"content": piece})
                ext = {**extension(rec), "streamed_text_replaced": False}
                yield _chunk(cid, created, {}, "stop", usage=_usage(req, rec.text), amiable=ext)
        yield "data: [DONE]\n\n"
    except AmiableError as exc:
        status = exc.http_status if isinstance(exc, UserError) else 500
        msg = exc.message if isinstance(exc, UserError) else "internal error"
        yield f"data: {json.dumps({'error': {'message': msg, 'type': 'amiable_error', 'code': status}})}\n\n"
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
