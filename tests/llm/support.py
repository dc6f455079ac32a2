"""Test helpers: a synthetic compose input, a tiny message library, scripted chat models and a
fake OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import SecretStr

from agent.domain import CreditorView, DebtorFile, InvoiceView, Signals
from agent.drafting import facts as F
from agent.drafting.composer import ComposeInput, OfflineComposer
from agent.drafting.library import Library, Template
from agent.drafting.models import INTENTS, Citation
from agent.firm import load_firm
from agent.guard.base import Finding, GuardReport, Span
from agent.llm.composer import LLMComposer
from agent.llm.config import LLMConfig
from agent.llm.prompts import load_prompt
from agent.llm.resilience import CircuitBreaker, RetryPolicy
from agent.llm.structured import ModeCache
from agent.plans.models import PlanOption, ScheduledInstalment
from agent.settings import REPO_ROOT

TODAY = dt.date(2026, 11, 23)
PROMPTS = REPO_ROOT / "prompts" / "llm"
OFFLINE_TEXT = "Bonjour Madame Martin,\nVotre solde est de {balance}. {widget_hint}\n{signature}"


def plan(pid: str, count: int, total: int, first: dt.date) -> PlanOption:
    per = total // count
    amounts = [per] * (count - 1) + [total - per * (count - 1)]
    inst = tuple(ScheduledInstalment(seq=i + 1, due_date=first + dt.timedelta(days=30 * i), amount_cents=a)
                 for i, a in enumerate(amounts))
    return PlanOption(id=pid, kind="full" if count == 1 else "standard", frequency="once" if count == 1 else "monthly",
                      count=count, balance_cents=total, total_cents=total, instalment_cents=per,
                      first_due_date=inst[0].due_date, last_due_date=inst[-1].due_date, instalments=inst)


def debtor_file(**over: Any) -> DebtorFile:
    inv = InvoiceView(number="FA-2026-001", issue_date=dt.date(2026, 8, 1), due_date=dt.date(2026, 8, 31),
                      principal_cents=123456)
    signals = Signals(balance_cents=123456, principal_due_cents=123456, interest_due_cents=0, other_due_cents=0,
                      total_invoiced_cents=123456, total_paid_cents=0, oldest_due_date=dt.date(2026, 8, 31),
                      days_past_due=84, broken_promises=0, kept_promises=0, contacts_7d=0, contacts_30d=0,
                      call_attempts_30d=0, last_contact_at=None, last_inbound_at=None, prescription_date=None,
                      time_barred=False)
    data: dict[str, Any] = dict(
        id="T001", reference="CCR-2026-9001",
        creditor=CreditorView(id="cr", name="Hélioval Énergie SAS", address="1 rue A, 69003 Lyon"),
        kind="consumer", civility="Mme", first_name="Claire", last_name="Martin", email="claire.martin@example.fr",
        phone="+33 6 11 22 33 44", address="5 rue B, 75011 Paris", invoices=(inv,), signals=signals, as_of=TODAY)
    data.update(over)
    return DebtorFile(**data)


def library() -> Library:
    templates = {i: [Template(id=f"{i}-fr", lang="fr", length="long", next_action="send_reply",
                              cites=["tone-basics"], text=OFFLINE_TEXT),
                     Template(id=f"{i}-en", lang="en", length="long", next_action="send_reply",
                              text="Dear Ms Martin,\nYour balance is {balance}.\n{signature}")]
                 for i in INTENTS}
    return Library(version="test", templates=templates)


def compose_input(message: str = "Je peux payer en plusieurs fois ?", *, lang: str = "fr",
                  chosen: bool = False) -> ComposeInput:
    file = debtor_file()
    options = [plan("full", 1, 123456, dt.date(2026, 11, 30)), plan("standard-3m", 3, 123456, dt.date(2026, 11, 30))]
    pick = options[1] if chosen else None
    firm = load_firm(REPO_ROOT / "knowledge" / "policy" / "firm.yaml")
    values, sources = F.build_values(file, firm, lang, options, pick)
    cites = [Citation(id="tone-basics", lang="fr", title="Ton", page="01-tone.md", excerpt="Restez courtois.", score=0.9),
             Citation(id="plans-basics", lang="fr", title="Échéanciers", page="06-plans.md", excerpt="Proposez.",
                      score=0.8)]
    return ComposeInput(file=file, message=message, lang=lang, channel="email", length="long", intent="asks_for_plan",  # type: ignore[arg-type]
                        citations=cites, values=values, sources=sources,
                        available=frozenset(F.available(values, file)), situation=F.situation(file),
                        plan_options=options, chosen=pick)


GOOD_FR = ("Bonjour Madame Martin,\nVotre solde est de 1 234,56 €. Nous pouvons vous proposer 3 mensualités "
           "à partir du 30 novembre 2026. Quel créneau vous conviendrait pour en parler ?\nBien cordialement")


def tool_msg(text: str, **extra: Any) -> AIMessage:
    args = {"text": text, "intent": "asks_for_plan", "cited_ids": ["plans-basics"], "plan_option_id": "standard-3m"}
    args.update(extra)
    return AIMessage(content="", tool_calls=[{"name": "LLMDraft", "args": args, "id": "call_1"}])


BANNED = ("saisie", "huissier", "seizure")


def fake_check(text: str, inp: ComposeInput) -> GuardReport:
    """A stand-in guard for unit tests: blocks seizure / bailiff wording."""
    low = text.lower()
    findings = []
    for word in BANNED:
        i = low.find(word)
        if i >= 0:
            findings.append(Finding(rule_id="FR-THREAT.test", family="FR-THREAT", severity="block",
                                    span=Span(start=i, end=i + len(word), text=text[i:i + len(word)]),
                                    explanation="threat of an action that is not available",
                                    legal_basis="C. consom. L121-2", rewording="trouvons ensemble une solution"))
    return GuardReport(verdict="block" if findings else "pass", findings=findings, lang=inp.lang,
                       policy_version="test", rules_run=1)


def cfg(base_url: str = "http://127.0.0.1:9/v1", **over: Any) -> LLMConfig:
    values: dict[str, Any] = dict(base_url=base_url, model="test-model", api_key=SecretStr("sk-test"),
                                  timeout_s=2.0, deadline_s=5.0, max_retries=2, guard_retries=2)
    values.update(over)
    return LLMConfig(**values)


def composer(model: BaseChatModel | None = None, *, check: Callable[..., GuardReport] = fake_check,
             config: LLMConfig | None = None, breaker: CircuitBreaker | None = None,
             modes: ModeCache | None = None, policy: RetryPolicy | None = None) -> LLMComposer:
    c = config or cfg()
    return LLMComposer(c, OfflineComposer(library()), check, prompt=load_prompt(PROMPTS, "draft_reply"),
                       model=model, breaker=breaker or CircuitBreaker(3, 30.0), modes=modes or ModeCache(),
                       policy=policy or RetryPolicy(max_retries=c.max_retries, initial_s=0.01, max_backoff_s=0.05,
                                                    jitter_s=0.01))


class RecordingFake(FakeMessagesListChatModel):
    """LangChain's FakeMessagesListChatModel that also records what it was asked (messages, options)."""

    calls: list[tuple[list[BaseMessage], dict[str, Any]]] = []

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.calls.append((list(messages), dict(kwargs)))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def recording(*responses: BaseMessage) -> RecordingFake:
    return RecordingFake(responses=list(responses), calls=[])


class StreamingToolFake(BaseChatModel):
    """Streams a forced tool call the way OpenAI-compatible servers do: argument JSON in pieces."""

    text: str
    piece: int = 7
    fail_after: int | None = None  # raise a connection error after this many chunks

    @property
    def _llm_type(self) -> str:
        return "streaming-tool-fake"

    def _args(self) -> str:
        return json.dumps({"text": self.text, "cited_ids": ["plans-basics"], "plan_option_id": "full"})

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        msg = AIMessage(content="", tool_calls=[{"name": "LLMDraft", "args": json.loads(self._args()), "id": "c1"}])
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        import httpx
        import openai

        args = self._args()
        for n, i in enumerate(range(0, len(args), self.piece)):
            if self.fail_after is not None and n >= self.fail_after:
                raise openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1/v1"))
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[
                {"name": "LLMDraft" if i == 0 else None, "args": args[i:i + self.piece], "id": "c1" if i == 0 else None,
                 "index": 0}]))


# ---------------------------------------------------------------- fake OpenAI-compatible server
def completion(content: str | None = None, *, tool_args: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_args is not None:
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": "LLMDraft", "arguments": json.dumps(tool_args)}}]
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (a hanging endpoint)
    content_type: str = "application/json"


class FakeOpenAI:
    """A threaded HTTP server on 127.0.0.1 answering /v1/chat/completions from a script.

    Replies are used in order; the last one repeats. Request bodies are recorded.
    """

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                with owner._lock:
                    try:
                        owner.requests.append(json.loads(raw or b"{}"))
                    except json.JSONDecodeError:
                        owner.requests.append({"raw": raw.decode("utf-8", "replace")})
                    reply = owner.replies.pop(0) if len(owner.replies) > 1 else owner.replies[0]
                if reply.delay_s:
                    owner._stop.wait(reply.delay_s)
                body = reply.body
                if isinstance(body, dict):
                    body = json.dumps(body)
                data = body.encode() if isinstance(body, str) else body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, s: float) -> None:
        self.now += s


def wait_until(pred: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()
