"""Structured output: what the model must return, how it is asked, and how its answer is parsed.

Modes, best first: ``tool`` (a forced function call ``LLMDraft``), ``json`` (``response_format``
``json_object``) and ``text`` (plain text, parsed). ``json_schema`` is never used: llama.cpp's
server answers HTTP 500 to it. The mode an endpoint supports is detected on the fly and cached
per endpoint: a request rejected because of the mode (HTTP 400/422/501, or a 500 that names
``tools`` / ``response_format``) moves that endpoint to the next mode; an answer that ignores
the asked format is salvaged by the parsers of the later modes, and the endpoint is moved too.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Literal

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.drafting.models import INTENTS, Intent

Mode = Literal["tool", "json", "text"]
MODES: tuple[Mode, ...] = ("tool", "json", "text")
TOOL_NAME = "LLMDraft"


class LLMDraft(BaseModel):
    """A reply drafted by the model. Only ``text`` is required; the code checks everything else."""

    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=20_000,
                      description="The reply to send to the debtor, in the requested language.")
    intent: Intent | None = Field(default=None, description="What the debtor's message is about.")
    cited_ids: list[str] = Field(default_factory=list, max_length=20,
                                 description="Ids of the SOURCES passages the reply relies on.")
    plan_option_id: str | None = Field(default=None,
                                       description="Id of the PLAN OPTIONS entry offered, or null.")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("empty text")
        return v

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, v: object) -> object:
        return v if isinstance(v, str) and v in INTENTS else None

    @field_validator("cited_ids", mode="before")
    @classmethod
    def _ids(cls, v: object) -> object:
        if isinstance(v, str):
            v = [p for p in re.split(r"[,\s]+", v) if p]
        if not isinstance(v, list):
            return []
        return [str(x)[:120] for x in v if isinstance(x, (str, int))][:20]

    @field_validator("plan_option_id", mode="before")
    @classmethod
    def _plan(cls, v: object) -> object:
        if v in ("", "null", "none", "None"):
            return None
        return str(v)[:120] if isinstance(v, (str, int)) else None


class SchemaError(ValueError):
    """The model's answer has no usable reply text."""


def tool_spec() -> dict[str, Any]:
    """The ``LLMDraft`` function, with a lean JSON schema written by hand.

    Not ``convert_to_openai_tool(LLMDraft)``: servers compile the schema into a grammar, and
    llama.cpp's server process dies on ``maxLength: 20000`` (measured). Lengths, ``anyOf``/null and
    item limits are checked here by pydantic instead.
    """
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": "The reply drafted for the debtor, with the sources and the plan option it uses.",
            "parameters": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "The reply, in the requested language."},
                    "intent": {"type": "string", "enum": list(INTENTS),
                               "description": "What the debtor's message is about."},
                    "cited_ids": {"type": "array", "items": {"type": "string"},
                                  "description": "Ids of the SOURCES passages the reply relies on."},
                    "plan_option_id": {"type": "string",
                                       "description": "Id of the PLAN OPTIONS entry offered, or empty."},
                },
                "required": ["text"],
            },
        },
    }


OUTPUT_FORMAT: dict[Mode, str] = {
    "tool": f"call the function {TOOL_NAME} once, with the reply in `text`, the cited source ids in "
            "`cited_ids` and the chosen plan option id (or null) in `plan_option_id`.",
    "json": 'a single JSON object and nothing else: {"text": "<the reply>", "intent": "<intent>", '
            '"cited_ids": ["<source id>"], "plan_option_id": "<plan option id or null>"}.',
    "text": "the reply text only. Optionally, after the reply, one line `PLAN: <plan option id>` and "
            "one line `SOURCES: <id>, <id>`.",
}


def bind_mode(model: BaseChatModel, mode: Mode) -> Runnable[Any, BaseMessage]:
    """The model with the request options of a mode (works on any BaseChatModel)."""
    if mode == "tool":
        return model.bind(tools=[tool_spec()],
                          tool_choice={"type": "function", "function": {"name": TOOL_NAME}})
    if mode == "json":
        return model.bind(response_format={"type": "json_object"})
    return model


def is_mode_rejection(exc: BaseException, mode: Mode) -> bool:
    """Did the endpoint refuse the request because of the structured-output option?"""
    if mode == "text" or not isinstance(exc, openai.APIStatusError):
        return False
    if exc.status_code in (400, 422, 501):
        return True
    if exc.status_code == 500:
        body = (exc.message or "") + " " + _body_text(exc)
        needles = ("tool", "function") if mode == "tool" else ("response_format", "json_object")
        return any(n in body for n in needles)
    return False


def _body_text(exc: openai.APIStatusError) -> str:
    try:
        return exc.response.text[:2000]
    except (AttributeError, UnicodeDecodeError, RuntimeError):
        return ""


class ModeCache:
    """The structured-output mode that works, per endpoint. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._modes: dict[str, Mode] = {}

    def get(self, key: str) -> Mode:
        with self._lock:
            return self._modes.get(key, "tool")

    def demote(self, key: str, from_mode: Mode) -> Mode:
        """Move the endpoint past ``from_mode`` (never back up); returns the new mode."""
        with self._lock:
            current = self._modes.get(key, "tool")
            nxt = MODES[min(len(MODES) - 1, max(MODES.index(current), MODES.index(from_mode) + 1))]
            self._modes[key] = nxt
            return nxt

    def set(self, key: str, mode: Mode) -> None:
        with self._lock:
            self._modes[key] = mode

    def clear(self) -> None:
        with self._lock:
            self._modes.clear()


MODE_CACHE = ModeCache()

_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)
_PLAN_LINE = re.compile(r"^\s*PLAN\s*:\s*(\S+)\s*$", re.I | re.M)
_SOURCES_LINE = re.compile(r"^\s*SOURCES\s*:\s*(.+?)\s*$", re.I | re.M)


def parse_message(message: BaseMessage) -> tuple[LLMDraft, Mode]:
    """The draft in a model answer, and the form it came in (tool call, JSON, or plain text)."""
    if isinstance(message, AIMessage):
        for call in message.tool_calls:
            if call.get("name") == TOOL_NAME:
                try:
                    return LLMDraft.model_validate(call.get("args") or {}), "tool"
                except ValidationError:
                    break
        for bad in message.invalid_tool_calls:
            if bad.get("name") == TOOL_NAME and isinstance(bad.get("args"), str):
                found = _json_draft(str(bad.get("args")))
                if found is not None:
                    return found, "tool"
    content = message.content if isinstance(message.content, str) else _join_content(message.content)
    found = _json_draft(content)
    if found is not None:
        return found, "json"
    return parse_text(content), "text"


def _join_content(parts: list[Any]) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, dict) and isinstance(p.get("text"), str):
            out.append(p["text"])
    return "".join(out)


def _json_draft(text: str) -> LLMDraft | None:
    text = text.strip()
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    if "{" in text and "}" in text:
        candidates.append(text[text.index("{"): text.rindex("}") + 1])
    for cand in candidates:
        try:
            data = json.loads(cand)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(data, dict):
            try:
                return LLMDraft.model_validate(data)
            except ValidationError:
                continue
    return None


def parse_text(content: str) -> LLMDraft:
    """Plain text: the reply, with optional ``PLAN:`` / ``SOURCES:`` trailer lines."""
    plan = _PLAN_LINE.search(content)
    sources = _SOURCES_LINE.search(content)
    text = _SOURCES_LINE.sub("", _PLAN_LINE.sub("", content)).strip()
    if text.startswith("{") or text.startswith("```"):
        raise SchemaError("the answer looks like broken JSON, not a reply")
    if not text:
        raise SchemaError("the answer has no reply text")
    try:
        return LLMDraft.model_validate({"text": text, "plan_option_id": plan.group(1) if plan else None,
                                        "cited_ids": sources.group(1) if sources else []})
    except ValidationError as exc:
        raise SchemaError(f"the answer is not a usable reply ({exc.error_count()} error(s))") from exc


class TextFieldStream:
    """Extracts the ``"text"`` string value from streamed JSON (tool arguments or JSON mode) as it
    arrives, so that reply tokens can be forwarded before the JSON is complete."""

    _START = re.compile(r'"text"\s*:\s*"')

    def __init__(self) -> None:
        self.buf = ""
        self.start: int | None = None
        self.pos = 0  # next unread index in buf, inside the string
        self.done = False

    def feed(self, chunk: str) -> str:
        """Add raw JSON text; return the newly decoded part of the reply text."""
        self.buf += chunk
        if self.done:
            return ""
        if self.start is None:
            m = self._START.search(self.buf)
            if m is None:
                return ""
            self.start = self.pos = m.end()
        out: list[str] = []
        i = self.pos
        buf = self.buf
        while i < len(buf):
            ch = buf[i]
            if ch == '"':
                self.done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(buf):
                    break
                esc = buf[i + 1]
                if esc == "u":
                    if i + 6 > len(buf):
                        break
                    try:
                        code = int(buf[i + 2:i + 6], 16)
                    except ValueError:
                        code = 0x3F  # "?"
                    if 0xD800 <= code < 0xDC00:  # a surrogate pair: wait for its second half
                        if i + 12 > len(buf):
                            break
                        try:
                            low = int(buf[i + 8:i + 12], 16) if buf[i + 6:i + 8] == "\\u" else 0
                        except ValueError:
                            low = 0
                        if 0xDC00 <= low < 0xE000:
                            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                            i += 12
                            continue
                        code = 0xFFFD
                    out.append(chr(code) if not 0xDC00 <= code < 0xE000 else "\ufffd")
                    i += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(esc, esc))
                i += 2
                continue
            out.append(ch)
            i += 1
        self.pos = i
        return "".join(out)
