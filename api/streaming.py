"""Streaming helpers shared by the agent chat's SSE routes (``routers/conversations.py``) and the
OpenAI-compatible facade (``routers/facade.py``): the draft's event iterator, pulled one event at a
time from a worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent.drafting.models import DraftRequest
from agent.drafting.streaming import stream_draft
from agent.errors import AmiableError, UserError
from agent.runtime import Runtime

END = object()  # what next_event returns once the iterator is exhausted


def draft_events(rt: Runtime, req: DraftRequest, actor: str) -> Iterator[dict[str, Any]]:
    """Token events then one final {"type": "draft"} event; nothing is recorded here (the caller records)."""
    for ev in stream_draft(rt.drafting, req, actor=actor, record=False):
        out = ev.model_dump()
        if out.get("type") == "error":
            status = int(out.get("status") or 500)
            exc = UserError(str(out.get("message", ""))) if status < 500 else AmiableError("stream failed")
            if status < 500:
                exc.http_status = status
            raise exc
        if out.get("type") == "draft":
            out["draft"] = ev.draft  # type: ignore[union-attr]
        yield out


def next_event(it: Iterator[dict[str, Any]]) -> object:
    """The next event, or ``END`` (for ``anyio.to_thread.run_sync``: StopIteration cannot cross threads)."""
    return next(it, END)
