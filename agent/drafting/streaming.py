"""Streaming drafts for the agent chat.

Events, in order: zero or more ``token`` events, then at most one ``replaced`` event, then exactly
one ``draft`` event (or one ``error`` event instead). Model tokens are sent as they arrive with
``checked: false``: they are for the reviewing agent only. The ``draft`` event carries the final
text after the guard; when the guard forced another text (a rewrite or the offline composer), a
``replaced`` event with the reason comes first. Nothing unchecked is ever shown to a debtor: only
the final draft can be sent, and only when ``draft.sendable`` is true.

The offline composer does not stream: its final, guarded text is sent in word chunks
(``checked: true``) right before the draft.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.drafting.composer import Composition
from agent.drafting.models import Draft, DraftRequest
from agent.errors import AmiableError

if TYPE_CHECKING:
    from agent.drafting.pipeline import DraftingService

log = logging.getLogger("amiable.drafting.stream")


class TokenEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["token"] = "token"
    text: str
    checked: bool = False  # false: raw model output, not yet seen by the guard


class ReplacedEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["replaced"] = "replaced"
    reason: str


class DraftEvent(BaseModel):
    type: Literal["draft"] = "draft"
    draft: Draft


class ErrorEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["error"] = "error"
    error: str  # the error class, e.g. "InputValidationError"
    message: str
    status: int = 500


class ComposedEvent(BaseModel):
    """Internal: the composer's final composition. Never forwarded by :func:`stream_draft`."""

    type: Literal["composed"] = "composed"
    composition: Composition


StreamEvent = Annotated[TokenEvent | ReplacedEvent | DraftEvent | ErrorEvent, Field(discriminator="type")]
ComposerEvent = TokenEvent | ComposedEvent

_WORDS = re.compile(r"\S+\s*|\s+")


def word_chunks(text: str) -> Iterator[str]:
    for m in _WORDS.finditer(text):
        yield m.group(0)


def stream_draft(service: DraftingService, req: DraftRequest, *,
                 actor: str = "system", record: bool = True,
                 ) -> Iterator[TokenEvent | ReplacedEvent | DraftEvent | ErrorEvent]:
    """Draft a reply, streaming the model's tokens (unchecked) then the guarded draft.

    ``record=False`` leaves the audit record to the caller (e.g. one transaction with its own rows).
    """
    try:
        inp, detected = service.prepare(req)
    except AmiableError as exc:
        yield ErrorEvent(error=type(exc).__name__, message=exc.message, status=exc.http_status)
        return
    streamed: list[str] = []
    comp: Composition | None = None
    composer = service.composer_for(inp)
    composer_stream = getattr(composer, "stream", None)
    try:
        if callable(composer_stream):
            for ev in composer_stream(inp):
                if isinstance(ev, TokenEvent):
                    streamed.append(ev.text)
                    yield ev
                elif isinstance(ev, ComposedEvent):
                    comp = ev.composition
        if comp is None:
            comp = composer.compose(inp)
        draft = service.finalize(req, inp, detected, comp, actor=actor, record=record)
    except AmiableError as exc:
        log.warning("streamed draft failed: %s", exc.message)
        yield ErrorEvent(error=type(exc).__name__, message=exc.message, status=exc.http_status)
        return
    if streamed:
        if "".join(streamed).strip() != draft.text.strip():
            reason = draft.fallback_reason or "the checked text differs from the streamed text"
            if not draft.sendable:
                reason += "; the draft is not sendable"
            yield ReplacedEvent(reason=reason)
    else:
        for chunk in word_chunks(draft.text):
            yield TokenEvent(text=chunk, checked=True)
    yield DraftEvent(draft=draft)
