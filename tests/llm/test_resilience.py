"""Retries, deadlines and the circuit breaker against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading

import openai
import pytest

from agent.llm.client import make_chat_model
from agent.llm.resilience import (
    CircuitBreaker,
    Deadline,
    RetryPolicy,
    UpstreamError,
    call_with_retries,
    retry_after_s,
)
from tests.llm.support import (
    GOOD_FR,
    FakeClock,
    FakeOpenAI,
    Reply,
    cfg,
    completion,
    compose_input,
    composer,
)

OK = Reply(body=completion(tool_args={"text": GOOD_FR, "cited_ids": [], "plan_option_id": None}))


def invoke_with_retries(base_url: str, sleeps: list[float], *, deadline_s: float = 10.0, max_retries: int = 3):  # type: ignore[no-untyped-def]
    model = make_chat_model(cfg(base_url, timeout_s=2.0))
    policy = RetryPolicy(max_retries=max_retries, initial_s=0.01, max_backoff_s=0.02, jitter_s=0.0)
    return call_with_retries(lambda budget: model.invoke("hi", timeout=min(budget, 2.0)), policy=policy,
                             deadline=Deadline(deadline_s), sleep=sleeps.append)


def test_429_with_retry_after_is_honoured_then_succeeds() -> None:
    sleeps: list[float] = []
    with FakeOpenAI([Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0.3"}), OK]) as srv:
        msg = invoke_with_retries(srv.base_url, sleeps)
        assert srv.count == 2
    assert msg.tool_calls and msg.tool_calls[0]["name"] == "LLMDraft"
    assert sleeps == [0.3]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_5xx_and_408_are_retried_with_backoff(status: int) -> None:
    sleeps: list[float] = []
    with FakeOpenAI([Reply(status, {"error": {"message": "boom"}}), Reply(status, "oops", content_type="text/plain"),
                     OK]) as srv:
        invoke_with_retries(srv.base_url, sleeps)
        assert srv.count == 3
    assert len(sleeps) == 2 and sleeps[0] < sleeps[1]  # exponential


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_are_not_retried(status: int) -> None:
    sleeps: list[float] = []
    with FakeOpenAI([Reply(status, {"error": {"message": "no"}})]) as srv:
        with pytest.raises(UpstreamError) as info:
            invoke_with_retries(srv.base_url, sleeps)
        assert srv.count == 1
    assert info.value.status == status and info.value.attempts == 1 and sleeps == []
    assert "sk-test" not in str(info.value)


def test_retries_stop_at_max_retries() -> None:
    sleeps: list[float] = []
    with FakeOpenAI([Reply(503, {"error": {"message": "down"}})]) as srv:
        with pytest.raises(UpstreamError) as info:
            invoke_with_retries(srv.base_url, sleeps, max_retries=2)
        assert srv.count == 3
    assert info.value.attempts == 3 and "503" in str(info.value)


def test_a_retry_after_longer_than_the_deadline_stops_at_once() -> None:
    sleeps: list[float] = []
    with FakeOpenAI([Reply(429, {"error": {"message": "later"}}, {"Retry-After": "120"})]) as srv:
        with pytest.raises(UpstreamError):
            invoke_with_retries(srv.base_url, sleeps, deadline_s=3.0)
        assert srv.count == 1
    assert sleeps == []


def test_retry_after_http_date_and_ms() -> None:
    import httpx

    req = httpx.Request("POST", "http://127.0.0.1/v1")
    resp = httpx.Response(429, headers={"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, request=req)
    err = openai.RateLimitError("x", response=resp, body=None)  # type: ignore[arg-type]
    assert retry_after_s(err, now=1445412480.0) == pytest.approx(10.0)
    resp = httpx.Response(429, headers={"retry-after-ms": "250"}, request=req)
    assert retry_after_s(openai.RateLimitError("x", response=resp, body=None)) == 0.25  # type: ignore[arg-type]


# ------------------------------------------------------------------ the composer with a bad endpoint
@pytest.mark.parametrize(("reply", "reason"), [
    (Reply(200, "<html><body>Bad gateway page</body></html>", content_type="text/html"), "unreadable"),
    (Reply(200, '{"choices": [{"message": ', content_type="application/json"), "unreadable"),
    (Reply(200, {"unexpected": True}), "unreadable"),
    (Reply(401, {"error": {"message": "bad key"}}), "401"),
    (Reply(404, {"detail": "Not Found"}), "404"),
    (Reply(500, {"error": {"message": "internal"}}), "500"),
])
def test_bad_endpoints_give_the_offline_draft_with_the_reason(reply: Reply, reason: str) -> None:
    with FakeOpenAI([reply]) as srv:
        comp = composer(config=cfg(srv.base_url, deadline_s=5.0, max_retries=1)).compose(compose_input())
    assert comp.backend == "offline"
    assert comp.fallback_reason and reason in comp.fallback_reason, comp.fallback_reason
    assert comp.attempts >= 1


def test_a_hanging_endpoint_hits_the_deadline() -> None:
    with FakeOpenAI([Reply(200, completion("late"), delay_s=30.0)]) as srv:
        comp = composer(config=cfg(srv.base_url, timeout_s=0.5, deadline_s=1.2, max_retries=5)).compose(
            compose_input())
    assert comp.backend == "offline"
    assert comp.fallback_reason and ("deadline" in comp.fallback_reason or "timed out" in comp.fallback_reason)


def test_connection_refused_gives_the_offline_draft() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    comp = composer(config=cfg(f"http://127.0.0.1:{port}/v1", max_retries=1)).compose(compose_input())
    assert comp.backend == "offline"
    assert comp.fallback_reason and "cannot connect" in comp.fallback_reason


def test_tool_mode_rejected_by_the_endpoint_falls_back_to_json_mode_and_is_cached() -> None:
    from agent.llm.structured import ModeCache

    modes = ModeCache()
    import json

    body = json.dumps({"text": GOOD_FR})
    with FakeOpenAI([Reply(400, {"error": {"message": "tools are not supported"}}), Reply(body=completion(body))]) as srv:
        c = composer(config=cfg(srv.base_url), modes=modes)
        comp = c.compose(compose_input())
        assert comp.backend == "llm:test-model" and comp.text == GOOD_FR
        assert "tools" in srv.requests[0] and srv.requests[1]["response_format"] == {"type": "json_object"}
        c.compose(compose_input())
        assert "tools" not in srv.requests[2]
    assert modes.get(c.cfg.endpoint_key) == "json"


def test_self_hosted_endpoints_get_max_tokens_and_no_stream_usage() -> None:
    with FakeOpenAI([OK]) as srv:
        composer(config=cfg(srv.base_url)).compose(compose_input())
        req = srv.requests[0]
    assert req["max_tokens"] == 700 and "max_completion_tokens" not in req
    assert "stream_options" not in req


# ------------------------------------------------------------------ circuit breaker
def test_breaker_opens_after_failures_then_probes_and_recovers() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=2, cooldown_s=30.0, clock=clock)
    with FakeOpenAI([Reply(503, {"error": {"message": "down"}}), Reply(503, {"error": {"message": "down"}}), OK]) as srv:
        c = composer(config=cfg(srv.base_url, max_retries=0), breaker=breaker)
        assert c.compose(compose_input()).backend == "offline"
        assert c.compose(compose_input()).backend == "offline"
        assert breaker.state == "open"
        seen = srv.count
        comp = c.compose(compose_input())
        assert comp.fallback_reason and comp.fallback_reason.startswith("circuit open")
        assert srv.count == seen  # not called while open
        clock.advance(31)
        assert breaker.state == "half_open"
        comp = c.compose(compose_input())  # the probe
        assert comp.backend == "llm:test-model"
        assert breaker.state == "closed"


def test_failed_probe_opens_the_circuit_again() -> None:
    clock = FakeClock()
    b = CircuitBreaker(threshold=3, cooldown_s=10.0, clock=clock)
    for _ in range(3):
        b.record_failure()
    assert not b.allow()
    clock.advance(10)
    assert b.allow()
    assert not b.allow()  # one probe at a time
    b.record_failure()
    assert b.state == "open" and not b.allow()
    clock.advance(10)
    assert b.allow()
    b.record_success()
    assert b.state == "closed" and b.allow() and b.allow()


def test_half_open_lets_exactly_one_probe_through_under_concurrency() -> None:
    clock = FakeClock()
    b = CircuitBreaker(threshold=1, cooldown_s=5.0, clock=clock)
    b.record_failure()
    clock.advance(5)
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        ok = b.allow()
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
