"""The OpenAI-compatible facade, exercised by real clients (openai SDK, LangChain) over a real server."""

from __future__ import annotations

import httpx
import openai
import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from tests.service.conftest import Keys, LiveServer, auth

MSG = "Bonjour, j'ai perdu mon emploi et je ne peux pas tout payer. Est-il possible d'étaler ?"


@pytest.fixture(scope="module")
def sdk(live_service: LiveServer, keys: Keys) -> openai.OpenAI:
    return openai.OpenAI(base_url=live_service.url + "/v1", api_key=keys.agent, timeout=60, max_retries=0)


def test_models_list(sdk: openai.OpenAI) -> None:
    assert [m.id for m in sdk.models.list()] == ["amiable"]


def test_sdk_completion_with_metadata(sdk: openai.OpenAI) -> None:
    r = sdk.chat.completions.create(model="amiable", messages=[{"role": "user", "content": MSG}],
                                    metadata={"debtor_id": "D001"})
    text = r.choices[0].message.content
    assert r.choices[0].finish_reason == "stop" and text and "Girard" in text
    ext = r.model_extra["amiable"]  # type: ignore[index]
    assert ext["debtor_id"] == "D001" and ext["verdict"] in ("pass", "warn") and ext["sendable"] is True
    assert ext["citations"] and ext["draft_id"] and r.id == f"chatcmpl-{ext['draft_id']}"


def test_sdk_instructions_as_later_user_messages(sdk: openai.OpenAI) -> None:
    r = sdk.chat.completions.create(
        model="amiable", extra_headers={"X-Amiable-Debtor": "D001"},
        messages=[{"role": "user", "content": MSG}, {"role": "assistant", "content": "(draft)"},
                  {"role": "user", "content": "in English"}])
    assert r.model_extra["amiable"]["language"] == "en"  # type: ignore[index]
    assert "Dear" in (r.choices[0].message.content or "")


def test_sdk_streaming_ends_with_guard_verdict(sdk: openai.OpenAI) -> None:
    stream = sdk.chat.completions.create(model="amiable", stream=True, metadata={"debtor_id": "D001"},
                                         messages=[{"role": "user", "content": MSG}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    ext = last.model_extra["amiable"]  # type: ignore[index]
    assert ext["verdict"] in ("pass", "warn") and text.strip() == ext["text"].strip()


def test_sdk_errors(sdk: openai.OpenAI, live_service: LiveServer) -> None:
    with pytest.raises(openai.UnprocessableEntityError):
        sdk.chat.completions.create(model="amiable", messages=[{"role": "user", "content": MSG}])
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="amiable", messages=[{"role": "user", "content": MSG}],
                                    metadata={"debtor_id": "D999"})
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": MSG}],
                                    metadata={"debtor_id": "D001"})
    bad = openai.OpenAI(base_url=live_service.url + "/v1", api_key="amk_00000000_" + "y" * 43, max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_langchain_chatopenai_invoke_and_stream(live_service: LiveServer, keys: Keys) -> None:
    llm = ChatOpenAI(base_url=live_service.url + "/v1", api_key=keys.agent, model="amiable",  # type: ignore[arg-type]
                     timeout=60, max_retries=0)
    msgs = [SystemMessage("debtor_id: D009"),
            HumanMessage("Hello, could you tell me exactly what this amount is for?")]
    out = llm.invoke(msgs)
    assert isinstance(out.content, str) and out.content.strip()
    streamed = "".join(str(c.content) for c in llm.stream(msgs))
    assert streamed.strip() == out.content.strip()  # offline composer: deterministic
    llm_h = ChatOpenAI(base_url=live_service.url + "/v1", api_key=keys.agent, model="amiable",  # type: ignore[arg-type]
                       default_headers={"X-Amiable-Debtor": "D001"}, max_retries=0, timeout=60)
    assert "Girard" in str(llm_h.invoke(MSG).content)


def test_stream_disconnect_leaves_nothing_half_recorded(live_service: LiveServer, keys: Keys,
                                                        client: TestClient) -> None:
    r = client.post("/v1/conversations", json={"debtor_id": "D007"}, headers=auth(keys.agent))
    cid = r.json()["id"]
    with httpx.stream("POST", f"{live_service.url}/v1/conversations/{cid}/messages/stream",
                      json={"message": MSG}, headers=auth(keys.agent), timeout=60) as resp:
        assert resp.status_code == 200
        for line in resp.iter_lines():
            if line.startswith("data:"):
                break  # the client goes away after the first event
    conv = client.get(f"/v1/conversations/{cid}", headers=auth(keys.agent)).json()
    events = client.get("/v1/audit/events", params={"kind": "draft.generated", "debtor_id": "D007"},
                        headers=auth(keys.qa)).json()
    recorded = [e for e in events if e["payload"].get("conversation_id") == cid]
    assistant = [m for m in conv["messages"] if m["role"] == "assistant"]
    # Either the whole draft was recorded (draft + messages + event) or nothing at all.
    assert len(conv["drafts"]) == len(recorded) == len(assistant) <= 1
    assert len([m for m in conv["messages"] if m["role"] == "debtor"]) == len(recorded)
    assert client.get("/v1/audit/verify", headers=auth(keys.qa)).json()["ok"] is True
