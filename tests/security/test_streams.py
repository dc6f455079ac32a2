"""Finding 2: no unchecked model token reaches a stream client unless it explicitly asks (console)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from agent.llm.composer import LLMComposer
from agent.llm.prompts import load_prompt
from agent.llm.resilience import CircuitBreaker, RetryPolicy
from agent.llm.structured import ModeCache
from tests.llm.support import PROMPTS, StreamingToolFake, cfg
from tests.service.conftest import Keys, auth

THREAT = "Sans paiement sous 48 h, notre huissier procédera à la saisie de vos biens."


@contextmanager
def threatening_llm(rt: Any) -> Iterator[None]:
    """The runtime drafts with an LLM that streams a threat the guard blocks."""
    service = rt.drafting
    c = cfg()
    composer = LLMComposer(c, service.offline, service.check, prompt=load_prompt(PROMPTS, "draft_reply"),
                           model=StreamingToolFake(text=THREAT), breaker=CircuitBreaker(3, 30.0), modes=ModeCache(),
                           policy=RetryPolicy(max_retries=0, initial_s=0.01, max_backoff_s=0.05))
    saved = service.composer
    service.composer = composer
    try:
        yield
    finally:
        service.composer = saved
        composer.close()


def _sse(raw: str) -> list[tuple[str, Any]]:
    out = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        event, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data and data != ["[DONE]"]:
            out.append((event, json.loads("\n".join(data))))
    return out


def test_facade_stream_sends_only_the_guarded_text(client: TestClient, keys: Keys, service_rt: Any) -> None:
    body = {"model": "amiable", "stream": True, "metadata": {"debtor_id": "D001"},
            "messages": [{"role": "user", "content": "Je peux payer en plusieurs fois ?"}]}
    with threatening_llm(service_rt), client.stream("POST", "/v1/chat/completions", json=body,
                                                    headers=auth(keys.agent)) as r:
        assert r.status_code == 200
        chunks = [d for _, d in _sse(r.read().decode())]
    assembled = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    final = chunks[-1]["amiable"]
    unchecked = sum(1 for w in ("huissier", "saisie") if w in assembled)
    print(f"unchecked tokens streamed (facade): {unchecked}")
    assert unchecked == 0
    assert final["backend"] == "offline" and assembled == final["text"]


def _conv(client: TestClient, keys: Keys) -> str:
    r = client.post("/v1/conversations", json={"debtor_id": "D001"}, headers=auth(keys.agent))
    assert r.status_code == 201
    return str(r.json()["id"])


def test_conversation_stream_hides_unchecked_tokens_by_default(client: TestClient, keys: Keys,
                                                                service_rt: Any) -> None:
    cid = _conv(client, keys)
    with threatening_llm(service_rt), client.stream("POST", f"/v1/conversations/{cid}/messages/stream",
                                                    json={"message": "Je peux payer en plusieurs fois ?"},
                                                    headers=auth(keys.agent)) as r:
        events = _sse(r.read().decode())
    tokens = [d for e, d in events if e == "token"]
    assert tokens and all(t["checked"] for t in tokens)
    streamed = "".join(t["text"] for t in tokens)
    assert "huissier" not in streamed and streamed == events[-1][1]["text"]
    assert "replaced" not in [e for e, _ in events]


def test_conversation_stream_unchecked_tokens_only_on_request(client: TestClient, keys: Keys,
                                                              service_rt: Any) -> None:
    cid = _conv(client, keys)
    with threatening_llm(service_rt), client.stream("POST", f"/v1/conversations/{cid}/messages/stream",
                                                    params={"unchecked": "true"},
                                                    json={"message": "Je peux payer en plusieurs fois ?"},
                                                    headers=auth(keys.agent)) as r:
        events = _sse(r.read().decode())
    raw = "".join(d["text"] for e, d in events if e == "token" and not d["checked"])
    assert raw == THREAT  # the reviewing agent asked for them, marked unchecked
    assert [e for e, _ in events][-2:] == ["replaced", "draft"] and "saisie" not in events[-1][1]["text"]
