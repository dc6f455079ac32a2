"""Findings 6-9: rate limits with 429 + Retry-After and audited lockouts, body limits, NUL bytes, strict
types, canonical tokens, security headers, /docs and /metrics, problem+json for unexpected errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent import audit
from agent.plans.links import make_token
from tests.conftest import now_ts
from tests.service.conftest import Keys, auth

PROBLEM = "application/problem+json"


@contextmanager
def app_with(service_rt: Any, **settings: Any) -> Iterator[TestClient]:
    """A fresh app (fresh rate-limit buckets) over the session runtime, with some settings changed."""
    from api.app import create_app

    s = service_rt.settings.model_copy(update=settings)
    with TestClient(create_app(s, service_rt), raise_server_exceptions=False) as c:
        yield c


def _lockouts(service_rt: Any) -> int:
    with service_rt.session() as s:
        return sum(1 for _ in audit.iter_events(s, kind="security.lockout"))


def _until_429(send: Any, attempts: int) -> tuple[int, Any]:
    for i in range(attempts):
        r = send(i)
        if r.status_code == 429:
            return i, r
    return attempts, None


def test_bad_api_keys_are_locked_out_with_retry_after(service_rt: Any, keys: Keys) -> None:
    before = _lockouts(service_rt)
    with app_with(service_rt, rate_limit_auth_failures_per_minute=10) as c:
        n, r = _until_429(lambda i: c.get("/v1/debtors", headers=auth(f"amk_deadbeef_{'x' * 40}{i:03d}")), 300)
        print(f"bad API keys before a 429: {n}")
        assert n == 10 and r is not None
        assert r.headers["content-type"].startswith(PROBLEM) and int(r.headers["Retry-After"]) >= 1
        # the address is locked out even for a good key, until the bucket refills
        assert c.get("/v1/debtors", headers=auth(keys.agent)).status_code == 429
        for _ in range(20):
            c.get("/v1/debtors", headers=auth("amk_deadbeef_" + "y" * 43))
    assert _lockouts(service_rt) == before + 1  # one lockout audited, not one event per refused request


def test_requests_per_key_are_limited(service_rt: Any, keys: Keys) -> None:
    with app_with(service_rt, rate_limit_key_per_minute=25) as c:
        n, r = _until_429(lambda i: c.get("/v1/models", headers=auth(keys.agent2)), 100)
        print(f"requests per key before a 429: {n}")
        assert n == 25 and r is not None and "Retry-After" in r.headers
        assert c.get("/v1/models", headers=auth(keys.agent)).status_code == 200  # another key: its own bucket


def test_bad_widget_signatures_are_locked_out(service_rt: Any) -> None:
    good = make_token("D001", secret=service_rt.settings.secret.get_secret_value(), ttl_hours=1, now=now_ts())
    forged = [make_token("D001", secret=f"forged-secret-{i}-padding-to-32-bytes!!", ttl_hours=1, now=now_ts()) for i in range(300)]
    with app_with(service_rt, rate_limit_auth_failures_per_minute=10) as c:
        n, r = _until_429(lambda i: c.get("/v1/widget/file", headers={"Authorization": f"Bearer {forged[i]}"}),
                          300)
        print(f"bad widget signatures before a 429: {n}")
        assert n == 10 and r is not None and "Retry-After" in r.headers
        assert c.get("/v1/widget/file", headers={"Authorization": f"Bearer {good}"}).status_code == 429


def test_contact_requests_from_one_link_are_limited(service_rt: Any) -> None:
    token = make_token("D032", secret=service_rt.settings.secret.get_secret_value(), ttl_hours=1, now=now_ts())
    body = {"channel": "email", "preferred_at": "2026-11-28T09:00:00+01:00"}
    with app_with(service_rt, rate_limit_link_writes_per_hour=5) as c:
        n, r = _until_429(lambda i: c.post("/v1/widget/contact-request", json=body,
                                           headers={"Authorization": f"Bearer {token}"}), 200)
        print(f"contact requests from one link before a 429: {n}")
        assert n == 5 and r is not None and int(r.headers["Retry-After"]) > 60
        # reading the file with the same link still works (reads have their own, larger budget)
        assert c.get("/v1/widget/file", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_widget_tokens_have_one_spelling(client: TestClient, service_rt: Any) -> None:
    token = make_token("D001", secret=service_rt.settings.secret.get_secret_value(), ttl_hours=1, now=now_ts())
    v, payload, sig = token.split(".")
    assert client.get("/v1/widget/file", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    variants = [f"{v}.{payload}.{sig}=", f"{v}.{payload}.{sig}==", f"{v}.{payload}.{sig[:5]}!{sig[5:]}",
                f"{v}.{payload}=.{sig}", f"{v}.{payload}.{sig[:10]}\n{sig[10:]}", f"{v}.{payload[:4]}*{payload[4:]}.{sig}"]
    accepted = [t for t in variants
                if client.get("/v1/widget/file", headers={"X-Widget-Token": t}).status_code != 401]
    assert accepted == []


def test_consent_must_be_json_true(client: TestClient, service_rt: Any) -> None:
    token = make_token("D005", secret=service_rt.settings.secret.get_secret_value(), ttl_hours=1, now=now_ts())
    h = {"Authorization": f"Bearer {token}", "Idempotency-Key": "consent-test-0001"}
    opts = client.get("/v1/widget/options", headers=h).json()
    option_id = opts["options"][0]["id"]
    for consent in ("true", 1, "yes", "1"):
        r = client.post("/v1/widget/accept", json={"option_id": option_id, "consent": consent}, headers=h)
        assert r.status_code == 422, (consent, r.text)


def test_body_limit_on_agent_routes(service_rt: Any, keys: Keys) -> None:
    with app_with(service_rt, max_body_bytes=64_000) as c:
        big = {"model": "amiable", "metadata": {"debtor_id": "D001"},
               "messages": [{"role": "user", "content": "x" * 100_000}]}
        r = c.post("/v1/chat/completions", json=big, headers=auth(keys.agent))
        assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts the streamed bytes
            for _ in range(100):
                yield b" " * 1000

        r = c.post("/v1/guard/check", content=chunks(), headers={**auth(keys.agent), "Content-Type": "application/json"})
        assert r.status_code == 413


def test_nul_bytes_are_refused(client: TestClient, keys: Keys) -> None:
    r = client.post("/v1/guard/check", json={"text": "Bonjour\x00 Madame"}, headers=auth(keys.agent))
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    r = client.post("/v1/conversations", content=b'{"debtor_id": "D001\x00"}',
                    headers={**auth(keys.agent), "Content-Type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize("path", ["/console/", "/widget/", "/healthz", "/v1/debtors", "/openapi.json", "/nowhere"])
def test_security_headers_on_every_page(client: TestClient, keys: Keys, path: str) -> None:
    r = client.get(path, headers=auth(keys.agent))
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors" in csp and "default-src 'self'" in csp
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") == "no-referrer"
    if path.startswith("/v1/"):
        assert r.headers.get("cache-control") == "no-store"


def test_personal_data_is_never_cached(client: TestClient, keys: Keys, service_rt: Any) -> None:
    token = make_token("D002", secret=service_rt.settings.secret.get_secret_value(), ttl_hours=1, now=now_ts())
    for r in (client.get("/v1/debtors/D001", headers=auth(keys.agent)),
              client.get("/v1/widget/file", headers={"Authorization": f"Bearer {token}"})):
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"


def test_docs_off_outside_development_and_metrics_need_admin(client: TestClient, keys: Keys) -> None:
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200  # the schema itself needs no CDN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(keys.qa)).status_code == 403
    assert client.get("/metrics", headers=auth(keys.admin)).status_code == 200


def test_unexpected_errors_are_problem_json(service_rt: Any, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internal detail D001 Martin")

    with app_with(service_rt) as c:
        monkeypatch.setattr(service_rt.guard, "check", boom)
        r = c.post("/v1/guard/check", json={"text": "Bonjour"}, headers=auth(keys.agent))
    assert r.status_code == 500 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 500 and "Martin" not in r.text and "Traceback" not in r.text


def test_eval_runs_are_bounded_per_key(service_rt: Any, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.qa import runner

    release = threading.Event()

    def slow_run(prep: Any, progress: Any) -> dict[str, Any]:
        release.wait(30)
        return {}

    monkeypatch.setattr(runner, "run_cases", slow_run)
    body = {"datasets": ["scenarios"], "limit": 1, "thresholds": None}
    try:
        with app_with(service_rt, max_eval_runs_per_key=2) as c:
            codes = [c.post("/v1/evals/runs", json=body, headers=auth(keys.qa)).status_code for _ in range(4)]
            assert codes == [202, 202, 429, 429]
            assert c.post("/v1/evals/runs", json=body, headers=auth(keys.admin)).status_code == 202  # another key
    finally:
        release.set()
