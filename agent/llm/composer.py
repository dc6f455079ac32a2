"""The LLM composer: the model phrases, the code decides facts, amounts, dates and legality.

For each draft: if the endpoint's circuit is open, the offline composer answers at once. Otherwise
the model is asked (structured output, retries within the per-draft deadline). Its text must pass
two checks: every amount, date, percentage and identifier must come from the compose input
(:mod:`agent.llm.verify`), and the guard must not block it. On failure the model is asked again
with the findings, up to ``guard_retries`` times; then the offline composer's draft is returned
with the reason. The pipeline guards the result once more before anything is sendable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable

from agent.drafting import facts as F
from agent.drafting.composer import ComposeInput, Composition, OfflineComposer, fail_closed_check
from agent.drafting.streaming import ComposedEvent, ComposerEvent, TokenEvent
from agent.guard.base import GuardReport
from agent.llm.client import make_chat_model, request_timeout
from agent.llm.config import LLMConfig, resolve
from agent.llm.prompts import PromptTemplate, load_prompt
from agent.llm.resilience import (
    HTTP_ERRORS,
    AttemptTimeout,
    CircuitBreaker,
    Deadline,
    RetryPolicy,
    UpstreamError,
    breaker_for,
    call_with_retries,
    describe,
    draft_deadline,
    is_retryable,
)
from agent.llm.structured import (
    MODE_CACHE,
    MODES,
    OUTPUT_FORMAT,
    LLMDraft,
    Mode,
    ModeCache,
    SchemaError,
    TextFieldStream,
    bind_mode,
    is_mode_rejection,
    parse_message,
)
from agent.llm.verify import Allowed, allowed_values, facts_in, mismatches

if TYPE_CHECKING:
    from agent.settings import Settings

log = logging.getLogger("amiable.llm")

CheckFn = Callable[[str, ComposeInput], GuardReport]
PROMPT_ID = "draft_reply"
#: Errors a model call may raise that mean "no usable answer" rather than a bug in this code.
#: (ValueError/TypeError/KeyError: an SDK or LangChain parser choking on HTML or broken JSON.)
CALL_ERRORS = (openai.OpenAIError, *HTTP_ERRORS, AttemptTimeout, ValueError, TypeError, KeyError)

_LANG = {"fr": "French", "en": "English"}
_LENGTH = {"short": "short: 2 to 4 sentences, no letter layout",
           "long": "a complete e-mail or letter: greeting, body, signature"}


class BadResponse(UpstreamError):
    """The endpoint answered something that is not a chat completion (HTML, broken JSON...)."""


class StreamStopped(UpstreamError):
    """The model stream ended without its end marker (an unexpected error in the reader thread)."""


@dataclass
class _Run:
    deadline: Deadline
    attempts: int = 0

    def count(self) -> None:
        self.attempts += 1


class LLMComposer:
    """Implements the ``Composer`` protocol (``compose``), plus ``stream`` for the agent chat."""

    def __init__(self, cfg: LLMConfig, offline: OfflineComposer, check: CheckFn, *,
                 prompt: PromptTemplate, model: BaseChatModel | None = None,
                 model_factory: Callable[[], BaseChatModel] | None = None,
                 breaker: CircuitBreaker | None = None, modes: ModeCache | None = None,
                 policy: RetryPolicy | None = None) -> None:
        self.cfg = cfg
        self.offline = offline
        self.check = check
        self.prompt = prompt
        self._model = model
        self._factory = model_factory or (lambda: make_chat_model(cfg))
        self._model_lock = threading.Lock()
        self.breaker = breaker or breaker_for(cfg.endpoint_key, threshold=cfg.breaker_threshold,
                                              cooldown_s=cfg.breaker_cooldown_s)
        self.modes = modes or MODE_CACHE
        self.policy = policy or RetryPolicy(max_retries=cfg.max_retries)
        self._pool: ThreadPoolExecutor | None = None

    # ------------------------------------------------------------------ plumbing
    @property
    def backend(self) -> str:
        return f"llm:{self.cfg.model}"

    @property
    def model(self) -> BaseChatModel:
        """The chat model, created on first use (no SDK client before a draft is asked)."""
        if self._model is None:
            with self._model_lock:
                if self._model is None:
                    self._model = self._factory()
        return self._model

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._model_lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=self.cfg.max_concurrency,
                                                    thread_name_prefix="amiable-llm")
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _messages(self, inp: ComposeInput, mode: Mode, feedback: list[str]) -> list[BaseMessage]:
        system, user = self.prompt.render(prompt_values(inp, mode, self.cfg.max_message_chars))
        return [SystemMessage(system), HumanMessage(user), *(HumanMessage(f) for f in feedback)]

    def _invoke(self, bound: Runnable[Any, BaseMessage], messages: list[BaseMessage], budget: float) -> BaseMessage:
        """One HTTP attempt, bounded by ``budget`` seconds even if the server trickles bytes."""
        timeout = request_timeout(self.cfg, budget)
        fut: Future[BaseMessage] = self._executor().submit(bound.invoke, messages, timeout=timeout)
        try:
            return fut.result(timeout=budget + 0.05)
        except FutureTimeout as exc:
            fut.cancel()
            raise AttemptTimeout(f"no answer within {budget:.2f} s") from exc

    def _ask(self, inp: ComposeInput, feedback: list[str], run: _Run) -> LLMDraft:
        """One model answer (with transport retries and mode fallback), parsed."""
        key = self.cfg.endpoint_key
        while True:
            mode = self.modes.get(key)
            bound = bind_mode(self.model, mode)
            messages = self._messages(inp, mode, feedback)

            def retryable(exc: BaseException, mode: Mode = mode) -> bool:
                return is_retryable(exc) and not is_mode_rejection(exc, mode)

            try:
                msg = call_with_retries(lambda budget: self._invoke(bound, messages, budget),  # noqa: B023
                                        policy=self.policy, deadline=run.deadline, on_attempt=run.count,
                                        retryable=retryable)
            except UpstreamError as exc:
                cause = exc.__cause__
                if cause is not None and mode != "text" and is_mode_rejection(cause, mode) \
                        and not run.deadline.expired():
                    new = self.modes.demote(key, mode)
                    log.info("endpoint %s rejected %s mode (%s); now using %s mode", self.cfg.base_url, mode,
                             describe(cause), new)
                    continue
                raise
            except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
                raise SchemaError(f"the answer was cut ({type(exc).__name__})") from exc
            except (ValueError, TypeError, KeyError, openai.OpenAIError) as exc:  # SDK could not read the answer
                raise BadResponse(f"the LLM endpoint sent an unreadable answer ({type(exc).__name__})",
                                  attempts=run.attempts) from exc
            draft, got = parse_message(msg)
            self._note_mode(mode, got)
            return draft

    def _note_mode(self, asked: Mode, got: Mode) -> None:
        if MODES.index(got) > MODES.index(asked):
            new = self.modes.demote(self.cfg.endpoint_key, asked)
            log.info("model at %s ignored %s mode (answered as %s); now using %s mode", self.cfg.base_url,
                     asked, got, new)

    # ------------------------------------------------------------------ compose
    def compose(self, inp: ComposeInput) -> Composition:
        offline = self.offline.compose(inp)
        if not self.breaker.allow():
            return self._fallback(offline, f"circuit open: the LLM endpoint failed repeatedly; retry in "
                                           f"{self.breaker.retry_in_s():.0f} s", 0)
        run = _Run(draft_deadline(self.cfg.deadline_s))
        return self._guard_loop(inp, offline, run, first=None)

    def _guard_loop(self, inp: ComposeInput, offline: Composition, run: _Run,
                    first: LLMDraft | None) -> Composition:
        feedback: list[str] = []
        allowed = allowed_values(inp)
        last_problem = ""
        rounds = self.cfg.guard_retries + 1
        for round_no in range(rounds):
            if round_no == 0 and first is not None:
                draft: LLMDraft | None = first
            else:
                try:
                    draft = self._ask(inp, feedback, run)
                    self.breaker.record_success()
                except UpstreamError as exc:
                    self.breaker.record_failure()
                    return self._fallback(offline, f"LLM unavailable: {exc}", max(run.attempts, exc.attempts))
                except SchemaError as exc:
                    self.breaker.record_success()  # the endpoint works; the model did not follow
                    draft = None
                    last_problem = f"unusable model answer ({exc})"
            if draft is not None:
                problems, report = self._verify(draft.text, inp, allowed)
                if not problems and not report.blocked:
                    return self._composition(inp, draft, offline, run.attempts)
                last_problem = self._summary(problems, report)
                feedback.append(self._feedback(draft.text, problems, report))
            else:
                feedback.append(self.prompt.render_feedback({
                    "previous_draft": "", "problems": "- the answer had no reply text in the requested format"}))
            if run.deadline.expired():
                return self._fallback(offline, f"deadline reached; last LLM draft rejected: {last_problem}",
                                      run.attempts)
        return self._fallback(offline, f"LLM draft rejected after {rounds} round(s): {last_problem}", run.attempts)

    def _verify(self, text: str, inp: ComposeInput, allowed: Allowed) -> tuple[list[str], GuardReport]:
        return mismatches(text, inp, allowed), self.check(text, inp)

    @staticmethod
    def _summary(problems: list[str], report: GuardReport) -> str:
        parts = []
        if problems:
            parts.append("facts not matching the file or the plan quote (" + "; ".join(problems[:3]) + ")")
        blocked = [f.rule_id for f in report.findings if f.severity == "block"]
        if report.blocked:
            parts.append("blocked by the guard (" + ", ".join(blocked or ["block"]) + ")")
        return "; ".join(parts)

    def _feedback(self, text: str, problems: list[str], report: GuardReport) -> str:
        lines = [f"- {p}" for p in problems]
        for f in report.findings:
            if f.severity != "block":
                continue
            line = f"- [{f.rule_id}] {f.explanation}"
            if f.span is not None:
                line += f' (offending text: "{f.span.text[:200]}")'
            if f.rewording:
                line += f' Suggested wording: "{f.rewording[:300]}"'
            lines.append(line)
        return self.prompt.render_feedback({"previous_draft": text, "problems": "\n".join(lines)})

    def _composition(self, inp: ComposeInput, draft: LLMDraft, offline: Composition, attempts: int) -> Composition:
        known = {c.id for c in inp.citations} | set(offline.cited_ids)
        options = {o.id for o in inp.plan_options}
        if inp.chosen is not None:
            chosen: str | None = inp.chosen.id
        else:
            chosen = draft.plan_option_id if draft.plan_option_id in options else None
        return Composition(
            text=draft.text, next_action=offline.next_action, template_id=None,
            cited_ids=[i for i in dict.fromkeys(draft.cited_ids) if i in known],
            placeholders=facts_in(draft.text, inp.values), chosen_option_id=chosen,
            backend=self.backend, attempts=max(1, attempts), prompt_version=self.prompt.ref,
        )

    def _fallback(self, offline: Composition, reason: str, attempts: int) -> Composition:
        log.warning("LLM draft not used, offline composer instead: %s", reason)
        return offline.model_copy(update={"fallback_reason": f"{reason}; offline composer used",
                                          "attempts": attempts})

    # ------------------------------------------------------------------ stream
    def stream(self, inp: ComposeInput) -> Iterator[ComposerEvent]:
        """Model tokens (unchecked) as they arrive, then one ``composed`` event with the result."""
        offline = self.offline.compose(inp)
        if not self.breaker.allow():
            yield ComposedEvent(composition=self._fallback(
                offline, "circuit open: the LLM endpoint failed repeatedly", 0))
            return
        run = _Run(draft_deadline(self.cfg.deadline_s))
        mode = self.modes.get(self.cfg.endpoint_key)
        messages = self._messages(inp, mode, [])
        bound = bind_mode(self.model, mode)
        extractor = TextFieldStream() if mode != "text" else None
        current: list[queue.Queue[tuple[str, object]]] = []

        def produce(out: queue.Queue[tuple[str, object]], budget: float) -> None:
            ended = False
            try:
                for chunk in bound.stream(messages, timeout=request_timeout(self.cfg, budget)):
                    out.put(("chunk", chunk))
                out.put(("end", None))
                ended = True
            except CALL_ERRORS as exc:
                out.put(("error", exc))
                ended = True
            finally:
                if not ended:  # anything else: the consumer must not wait for the deadline
                    out.put(("error", StreamStopped("the model stream stopped unexpectedly")))

        def first_chunk(budget: float) -> tuple[str, object]:
            out: queue.Queue[tuple[str, object]] = queue.Queue()  # a fresh queue: a late producer
            current[:] = [out]  # from an abandoned attempt can never mix into this one
            self._executor().submit(produce, out, budget)
            try:
                kind, item = out.get(timeout=budget)
            except queue.Empty as exc:
                raise AttemptTimeout("no first token in time") from exc
            if kind == "error" and isinstance(item, BaseException):
                raise item
            return kind, item

        try:
            first = call_with_retries(first_chunk, policy=self.policy, deadline=run.deadline, on_attempt=run.count,
                                      retryable=lambda e: is_retryable(e) and not is_mode_rejection(e, mode))
        except UpstreamError as exc:
            cause = exc.__cause__
            if cause is not None and is_mode_rejection(cause, mode):
                self.modes.demote(self.cfg.endpoint_key, mode)
                self.breaker.release()
                yield ComposedEvent(composition=self._guard_loop(inp, offline, run, first=None))
                return
            self.breaker.record_failure()
            yield ComposedEvent(composition=self._fallback(offline, f"LLM unavailable: {exc}", run.attempts))
            return
        except (ValueError, TypeError, KeyError, openai.OpenAIError) as exc:
            self.breaker.record_failure()
            yield ComposedEvent(composition=self._fallback(
                offline, f"LLM unavailable: unreadable answer ({type(exc).__name__})", run.attempts))
            return
        self.breaker.record_success()
        acc: AIMessageChunk | None = None
        chunks = current[0]
        kind, item = first
        while True:
            if kind == "end":
                break
            if kind == "error":
                why = describe(item) if isinstance(item, BaseException) else "unknown error"
                yield ComposedEvent(composition=self._fallback(offline, f"LLM stream interrupted: {why}",
                                                               run.attempts))
                return
            if isinstance(item, AIMessageChunk):
                acc = item if acc is None else acc + item
                delta = _delta_text(item, extractor)
                if delta:
                    yield TokenEvent(text=delta, checked=False)
            remaining = run.deadline.remaining()
            try:
                kind, item = chunks.get(timeout=max(remaining, 0.0) or 0.001)
            except queue.Empty:
                yield ComposedEvent(composition=self._fallback(
                    offline, f"deadline of {self.cfg.deadline_s:g} s reached while streaming", run.attempts))
                return
        try:
            if acc is None:
                raise SchemaError("the stream carried no answer")
            draft, got = parse_message(acc)
        except SchemaError:
            draft = None
            got = "text"
        self._note_mode(mode, got)
        if draft is None:
            yield ComposedEvent(composition=self._guard_loop(inp, offline, run, first=None))
            return
        yield ComposedEvent(composition=self._guard_loop(inp, offline, run, first=draft))


def _delta_text(chunk: AIMessageChunk, extractor: TextFieldStream | None) -> str:
    if extractor is None:
        return chunk.content if isinstance(chunk.content, str) else ""
    out = []
    for tc in chunk.tool_call_chunks:
        args = tc.get("args")
        if isinstance(args, str) and args:
            out.append(extractor.feed(args))
    if isinstance(chunk.content, str) and chunk.content:
        out.append(extractor.feed(chunk.content))
    return "".join(out)


def prompt_values(inp: ComposeInput, mode: Mode, max_chars: int) -> dict[str, str]:
    """The prompt's variables. Facts are formatted by the code; the debtor's text is data."""
    lang = inp.lang
    fact_lines = []
    for key, value in inp.values.items():
        if key in ("plan_options", "plan_offer"):
            continue
        fact_lines.append(f"- {key}: " + value.replace("\n", "\n    "))
    if inp.plan_options:
        plan_lines = []
        for o in inp.plan_options:
            mark = " (offered by the agent: propose this one)" if inp.chosen is not None and o.id == inp.chosen.id else ""
            plan_lines.append(f"- {o.id}: {F.describe_option(o, lang)}{mark}")
        plans = "\n".join(plan_lines)
    else:
        plans = "none: do not offer or mention any payment plan"
    sources = "\n".join(f"- [{c.id}] {c.title}: {c.excerpt[:400]}" for c in inp.citations) or "none"
    history = "\n".join(f"- {h.at} ({h.channel}): {h.excerpt}" for h in inp.history) or "none"
    message = inp.message
    if len(message) > max_chars:
        message = message[:max_chars] + f"\n[... message cut: {len(inp.message) - max_chars} more characters ...]"
    flags = ", ".join(k for k, v in sorted(inp.situation.items()) if v) or "none"
    return {
        "language": _LANG.get(lang, lang), "channel": inp.channel, "length_hint": _LENGTH[inp.length],
        "intent": inp.intent, "situation": flags, "facts": "\n".join(fact_lines), "plan_options": plans,
        "sources": sources, "history": history, "agent_instruction": inp.instruction or "",
        "debtor_message": message, "output_format": OUTPUT_FORMAT[mode],
    }


def guard_check(guard: Any) -> CheckFn:
    """The same fail-closed check as ``DraftingService.check`` (the guarded-send gate), for a guard."""

    def check(text: str, inp: ComposeInput) -> GuardReport:
        return fail_closed_check(guard, text, inp)

    return check


def build_llm_composer(settings: Settings, guard: Any, offline: OfflineComposer, check: CheckFn | None = None, *,
                       breaker: CircuitBreaker | None = None) -> LLMComposer:
    """The composer for the configured endpoint. Creates no SDK client: that happens on first use."""
    cfg = resolve(settings)
    if cfg is None:
        raise ValueError("build_llm_composer needs AMIABLE_LLM_BASE_URL and AMIABLE_LLM_MODEL")
    prompt = load_prompt(settings.prompts_dir / "llm", PROMPT_ID)
    return LLMComposer(cfg, offline, check or guard_check(guard), prompt=prompt, breaker=breaker)
