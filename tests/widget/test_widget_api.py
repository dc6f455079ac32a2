"""Widget API: token scoping, public view model, field-level errors, idempotent acceptance, dispute."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agent import audit
from agent.clock import Clock
from agent.db import models as m
from agent.db.session import session_scope
from agent.plans.links import make_token
from tests.conftest import now_ts
from tests.widget.conftest import token_for

INTERNAL_KEYS = {"notes", "hold_reason", "contacts", "agent", "guard", "findings", "verdict", "email_raw",
                 "signals", "promises", "timezone", "opt_outs", "vulnerable", "over_indebtedness", "hardship"}


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


def _count(settings: Any, model: Any, **where: Any) -> int:
    with session_scope(settings.effective_database_url) as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(s.execute(q).scalar_one())


# --- tokens ---------------------------------------------------------------------------------------

def test_bad_tokens_get_identical_401(client: TestClient, wsettings: Any) -> None:
    good = token_for(wsettings, "D001")
    head, body, sig = good.split(".")
    variants = {
        "none": {},
        "garbage": {"Authorization": "Bearer nonsense"},
        "tampered_sig": {"Authorization": f"Bearer {head}.{body}.{sig[:-2]}AA"},
        "tampered_payload": {"Authorization": f"Bearer {head}.{body[:-2]}AA.{sig}"},
        "expired": {"Authorization": "Bearer " + token_for(wsettings, "D001", now=now_ts() - 7200)},
        "foreign_key": {"Authorization": "Bearer " + make_token("D001", secret="another-firm-secret", ttl_hours=1, now=now_ts())},
        "unknown_debtor": {"Authorization": "Bearer " + token_for(wsettings, "D999")},
        "agent_api_key": {"X-API-Key": "agent-key", "Authorization": "ApiKey agent-key"},
    }
    bodies = set()
    for name, headers in variants.items():
        for path in ("/v1/widget/file", "/v1/widget/options"):
            r = client.get(path, headers=headers)
            assert r.status_code == 401, name
            bodies.add(r.content)
    assert len(bodies) == 1
    only = json.loads(bodies.pop())
    assert "D001" not in json.dumps(only) and "D999" not in json.dumps(only)
    assert only["detail"] == "this link is invalid or has expired"


def test_token_scoped_to_one_file_and_alt_header(client: TestClient, wsettings: Any) -> None:
    r = client.get("/v1/widget/file", headers={"X-Widget-Token": token_for(wsettings, "D003")})
    assert r.status_code == 200 and r.json()["reference"] == "CCR-2026-0003"


# --- public model ---------------------------------------------------------------------------------

def test_public_file_has_no_internal_fields(client: TestClient, auth: Any, wsettings: Any) -> None:
    from agent.db.repo import load_file

    for debtor in ("D001", "D006", "D008", "D015"):
        r = client.get("/v1/widget/file", headers=auth(debtor))
        assert r.status_code == 200
        data = r.json()
        assert not (_keys(data) & INTERNAL_KEYS)
        with session_scope(wsettings.effective_database_url) as s:
            f = load_file(s, debtor, Clock.from_settings(wsettings).today())
        text = r.text
        if f.notes:
            assert f.notes[:30] not in text
        if f.hold_reason:
            assert f.hold_reason[:30] not in text
        for c in f.contacts:
            if c.agent:
                assert c.agent not in text
            if len(c.summary) > 20:
                assert c.summary[:40] not in text
        a = data["amounts"]
        assert a["principal_cents"] + a["interest_cents"] + a["other_cents"] == a["total_cents"] == f.signals.balance_cents


def test_file_view_content(client: TestClient, auth: Any) -> None:
    fr = client.get("/v1/widget/file", headers=auth("D001")).json()
    assert fr["creditor"]["name"] == "Hélioval Énergie SAS"
    assert fr["collector"]["name"] == "Cabinet Concorde Recouvrement"
    assert len(fr["legal"]["l111_8_paragraphs"]) == 2 and fr["legal"]["l111_8_explanation"] is None
    assert fr["status"] == "open" and fr["can_choose_plan"] and fr["invoices"][0]["number"]
    en = client.get("/v1/widget/file", headers=auth("D003")).json()
    assert en["language"] == "en" and "creditor" in en["legal"]["l111_8_explanation"]
    assert en["legal"]["l111_8_paragraphs"] == fr["legal"]["l111_8_paragraphs"]  # verbatim French law


def test_widget_headers_csp_and_cors(client: TestClient, auth: Any) -> None:
    r = client.get("/v1/widget/file", headers={**auth("D001"), "Origin": "https://firm.example"})
    assert "frame-ancestors 'self' https://firm.example" in r.headers["content-security-policy"]
    assert r.headers["access-control-allow-origin"] == "https://firm.example"
    assert r.headers["cache-control"] == "no-store"
    pre = client.options("/v1/widget/accept", headers={"Origin": "https://firm.example",
                                                       "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "idempotency-key,authorization"})
    assert pre.status_code == 200 and "idempotency-key" in pre.headers["access-control-allow-headers"].lower()
    evil = client.get("/v1/widget/file", headers={**auth("D001"), "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers
    page = client.get("/widget/")
    assert page.status_code == 200 and "widget.js" in page.text
    assert "frame-ancestors" in page.headers["content-security-policy"]
    assert client.get("/widget/embed.js").status_code == 200


# --- options, proposals, acceptance ---------------------------------------------------------------

def test_options(client: TestClient, auth: Any) -> None:
    r = client.get("/v1/widget/options", headers=auth("D005"))
    data = r.json()
    assert r.status_code == 200 and data["available"] and 2 <= len(data["options"]) <= 4
    assert data["options"][0]["id"] == "full" and "2 échéances impayées consécutives" in data["missed_rule"]
    cap = client.get("/v1/widget/options?monthly_amount_cents=20000", headers=auth("D005")).json()
    assert cap["options"][-1]["kind"] == "capacity"
    bad = client.get("/v1/widget/options?monthly_amount_cents=-5", headers=auth("D005"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "monthly_amount_cents"]


# Files chosen live, undisputed and not time-barred: a prescribed debt gets no plan (issue 13).
def test_accept_idempotent_and_replays(client: TestClient, auth: Any, wsettings: Any) -> None:
    h = auth("D023")
    plans_before = _count(wsettings, m.Plan, debtor_id="D023")  # its history may hold an old plan
    opts = client.get("/v1/widget/options", headers=h).json()["options"]
    oid = opts[1]["id"]
    key = {"Idempotency-Key": "key-D023-000001"}
    r1 = client.post("/v1/widget/accept", headers={**h, **key}, json={"option_id": oid, "consent": True})
    assert r1.status_code == 200, r1.text
    ref = r1.json()["reference"]
    assert r1.json()["status"] == "accepted" and not r1.json()["replayed"] and ref in r1.json()["message"]
    r2 = client.post("/v1/widget/accept", headers={**h, **key}, json={"option_id": oid, "consent": True})
    assert r2.status_code == 200 and r2.json()["reference"] == ref and r2.json()["replayed"]
    assert _count(wsettings, m.Plan, debtor_id="D023") == plans_before + 1
    other = client.post("/v1/widget/accept", headers={**h, "Idempotency-Key": "key-D023-000002"},
                        json={"option_id": oid, "consent": True})
    assert other.status_code == 409
    mismatch = client.post("/v1/widget/accept", headers={**h, **key}, json={"option_id": "full", "consent": True})
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert _count(wsettings, m.Plan, debtor_id="D023") == plans_before + 1
    f = client.get("/v1/widget/file", headers=h).json()
    assert f["status"] == "plan" and f["plan"]["reference"] == ref and not f["can_choose_plan"]
    with session_scope(wsettings.effective_database_url) as s:
        kinds = [e.kind for e in audit.iter_events(s, debtor_id="D023")]
    assert kinds.count("plan.accepted") == 1 and "plan.accept_replayed" in kinds


@pytest.mark.parametrize(("body", "headers", "loc"), [
    ({"option_id": "short-3m", "consent": False}, {"Idempotency-Key": "key-bad-0001"}, ["body", "consent"]),
    ({"option_id": "short-3m"}, {"Idempotency-Key": "key-bad-0002"}, ["body", "consent"]),
    ({"option_id": "short-3m", "consent": True}, {}, ["header", "idempotency-key"]),
    ({"option_id": "short-3m", "consent": True}, {"Idempotency-Key": "short"}, ["header", "idempotency-key"]),
    ({"option_id": "nope-99m", "consent": True}, {"Idempotency-Key": "key-bad-0003"}, ["body", "option_id"]),
    ({"option_id": "short-3m", "consent": True, "admin": 1}, {"Idempotency-Key": "key-bad-0004"}, ["body", "admin"]),
    ({"option_id": "<script>", "consent": True}, {"Idempotency-Key": "key-bad-0005"}, ["body", "option_id"]),
])
def test_accept_bad_input_is_422_and_nothing_stored(client: TestClient, auth: Any, wsettings: Any, body: Any,
                                                    headers: Any, loc: list[str]) -> None:
    before = _count(wsettings, m.Plan)
    r = client.post("/v1/widget/accept", headers={**auth("D007"), **headers}, json=body)
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["errors"]][0][:2] == loc[:2]
    assert [str(x).lower() for x in r.json()["errors"][0]["loc"]] == [x.lower() for x in loc]
    assert _count(wsettings, m.Plan) == before


def test_proposal_in_policy_then_accept(client: TestClient, auth: Any, wsettings: Any) -> None:
    h = auth("D028")
    body = {"months": 4, "frequency": "monthly"}
    r = client.post("/v1/widget/proposal", headers=h, json=body)
    data = r.json()
    assert r.status_code == 200 and data["accepted"] and data["option"]["id"] == "proposal-4m"
    assert data["message"].startswith("Votre proposition respecte")
    acc = client.post("/v1/widget/accept", headers={**h, "Idempotency-Key": "key-D028-000001"},
                      json={"option_id": "proposal-4m", "consent": True, "proposal": body})
    assert acc.status_code == 200 and acc.json()["option"]["count"] == 4
    assert _count(wsettings, m.Task, debtor_id="D028") == 0


def test_proposal_out_of_policy_goes_to_an_agent(client: TestClient, auth: Any, wsettings: Any) -> None:
    h = auth("D014")
    before = _count(wsettings, m.Plan)
    r = client.post("/v1/widget/proposal?lang=en", headers=h, json={"amount_cents": 1000})
    data = r.json()
    assert r.status_code == 200 and not data["accepted"] and data["needs_agent"]
    assert data["reason_code"] == "instalment_too_low" and "adviser" in data["message"]
    assert data["alternatives"] and all(a["kind"] == "proposal" for a in data["alternatives"])
    assert _count(wsettings, m.Task, debtor_id="D014", kind="plan_counter_proposal") == 1
    assert _count(wsettings, m.Plan) == before
    # an alternative can be accepted as is
    alt = data["alternatives"][0]
    acc = client.post("/v1/widget/accept", headers={**h, "Idempotency-Key": "key-D014-000001"},
                      json={"option_id": alt["id"], "consent": True, "proposal": {"amount_cents": 1000}})
    assert acc.status_code == 200 and acc.json()["option"]["instalments"] == alt["instalments"]


@pytest.mark.parametrize(("body", "field"), [
    ({"amount_cents": -100}, "amount_cents"),
    ({"amount_cents": 0}, "amount_cents"),
    ({"amount_cents": "abc"}, "amount_cents"),
    ({"amount_cents": "100"}, "amount_cents"),  # strict: numbers only
    ({"amount_cents": 10**15}, "amount_cents"),
    ({"months": 400}, "months"),
    ({"months": 6, "start_date": "2020-01-01"}, "start_date"),
    ({"months": 6, "start_date": "not-a-date"}, "start_date"),
    ({"months": 6, "frequency": "daily"}, "frequency"),
    ({}, "body"),
    ({"months": 6, "amount_cents": 100}, "body"),
])
def test_proposal_bad_input(client: TestClient, auth: Any, wsettings: Any, body: Any, field: str) -> None:
    before = _count(wsettings, m.Task)
    r = client.post("/v1/widget/proposal", headers=auth("D018"), json=body)
    assert r.status_code == 422, r.text
    locs = [e["loc"] for e in r.json()["errors"]]
    assert any(loc[-1] == field or (field == "body" and loc == ["body"]) for loc in locs), locs
    assert _count(wsettings, m.Task) == before


def test_huge_and_malformed_payloads(client: TestClient, auth: Any) -> None:
    big = {"reason": "other", "message": "x" * 50_000}
    r = client.post("/v1/widget/dispute", headers=auth("D029"), json=big)
    assert r.status_code == 413
    r2 = client.post("/v1/widget/dispute", headers={**auth("D029"), "Content-Type": "application/json"},
                     content=b"{not json")
    assert r2.status_code == 422
    r3 = client.post("/v1/widget/dispute", headers=auth("D029"), json={"reason": "other", "message": "x" * 2001})
    assert r3.status_code == 422 and r3.json()["errors"][0]["loc"] == ["body", "message"]
    f = client.get("/v1/widget/file", headers=auth("D029")).json()
    assert f["status"] == "open"  # nothing stored


# --- dispute, hardship, contact -------------------------------------------------------------------

def test_dispute_puts_file_on_hold_and_tells_the_agent(client: TestClient, auth: Any, wsettings: Any) -> None:
    h = auth("D036")
    disputes_before = _count(wsettings, m.Dispute, debtor_id="D036")  # a resolved dispute may be on file
    r = client.post("/v1/widget/dispute", headers=h, json={"reason": "already_paid", "message": "Payé le 3 octobre."})
    assert r.status_code == 200 and r.json()["reference"].startswith("DSP-")
    assert "suspendons" in r.json()["message"]
    with session_scope(wsettings.effective_database_url) as s:
        row = s.get(m.Debtor, "D036")
        assert row is not None and row.status == "on_hold"
        assert _count(wsettings, m.Dispute, debtor_id="D036") == disputes_before + 1
        tasks = list(s.execute(select(m.Task).where(m.Task.debtor_id == "D036")).scalars())
        assert [t.kind for t in tasks] == ["dispute"]
        kinds = [e.kind for e in audit.iter_events(s, debtor_id="D036")]
        assert kinds == ["portfolio.sync.debtor", "debtor.dispute_opened"]  # the import, then the dispute
    f = client.get("/v1/widget/file", headers=h).json()
    assert f["status"] == "on_hold" and not f["can_choose_plan"] and "dispute" not in json.dumps(f).lower()
    opts = client.get("/v1/widget/options", headers=h).json()
    assert not opts["available"] and opts["options"] == [] and opts["message"]
    acc = client.post("/v1/widget/accept", headers={**h, "Idempotency-Key": "key-D036-000001"},
                      json={"option_id": "full", "consent": True})
    assert acc.status_code == 409


def test_hardship(client: TestClient, auth: Any, wsettings: Any) -> None:
    r = client.post("/v1/widget/hardship?lang=fr", headers=auth("D031"), json={"situation": "job_loss", "message": ""})
    assert r.status_code == 200 and "CRÉSUS" in r.json()["message"]
    with session_scope(wsettings.effective_database_url) as s:
        row = s.get(m.Debtor, "D031")
        assert row is not None and row.hardship and row.status == "active"
    assert _count(wsettings, m.Task, debtor_id="D031", kind="hardship") == 1


@pytest.mark.parametrize(("when", "ok"), [
    ("2026-11-25T11:00:00", True),  # Wednesday 11:00
    ("2026-11-28T11:00:00", False),  # Saturday
    ("2026-11-25T13:30:00", False),  # lunch break
    ("2026-11-25T21:00:00", False),  # too late
    ("2026-12-25T11:00:00", False),  # Christmas
    ("2026-11-01T11:00:00", False),  # past
    ("2027-03-01T11:00:00", False),  # too far
])
def test_contact_request_windows(client: TestClient, auth: Any, when: str, ok: bool) -> None:
    r = client.post("/v1/widget/contact-request", headers=auth("D032"),
                    json={"channel": "phone", "preferred_at": when, "phone": "+33 6 12 34 56 78"})
    if ok:
        assert r.status_code == 200 and r.json()["reference"].startswith("CTR-")
    else:
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "preferred_at"]


def test_email_contact_any_day(client: TestClient, auth: Any) -> None:
    r = client.post("/v1/widget/contact-request?lang=en", headers=auth("D033"),
                    json={"channel": "email", "preferred_at": "2026-11-28T09:00:00+01:00"})
    assert r.status_code == 200 and "email" in r.json()["message"]


def test_guard_replaces_a_blocked_message(wsettings: Any) -> None:
    from agent.db.repo import load_file
    from agent.i18n import t
    from agent.runtime import Runtime
    from api.widget.service import guarded

    rt = Runtime.start(wsettings)
    with session_scope(wsettings.effective_database_url) as s:
        f = load_file(s, "D034", rt.clock.today())
    threat = "Commandement de payer : notre huissier va procéder à la saisie. Réf. DSP-000001"
    assert guarded(rt, f, "fr", threat) == t("widget.msg.fallback", "fr")
    fine = t("widget.msg.dispute", "fr", ref="DSP-000001")
    assert guarded(rt, f, "fr", fine) == fine


# --- agent-facing plan API ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def agent_key(wsettings: Any) -> dict[str, str]:
    from agent.auth import create_key

    with session_scope(wsettings.effective_database_url) as s:
        _, key = create_key(s, name="widget-tests", role="agent", secret_key=wsettings.secret.get_secret_value(),
                            actor="test")
    return {"X-API-Key": key}


def test_widget_token_is_refused_on_agent_routes(client: TestClient, wsettings: Any) -> None:
    r = client.post("/v1/plans/quote", json={"balance_cents": 123456},
                    headers={"Authorization": "Bearer " + token_for(wsettings, "D001")})
    assert r.status_code == 401


def test_agent_api_key_is_refused_on_widget_routes(client: TestClient, agent_key: dict[str, str]) -> None:
    key = agent_key["X-API-Key"]
    for headers in (agent_key, {"Authorization": f"Bearer {key}"}, {"X-Widget-Token": key}):
        assert client.get("/v1/widget/file", headers=headers).status_code == 401


def test_agent_quote_and_counter_proposal(client: TestClient, agent_key: dict[str, str]) -> None:
    client.headers.update(agent_key)
    r = client.post("/v1/plans/quote", json={"balance_cents": 123456})
    assert r.status_code == 200 and [o["id"] for o in r.json()["options"]] == ["full", "short-3m", "standard-12m"]
    r2 = client.post("/v1/plans/quote", json={"debtor_id": "D019", "capacity": {"monthly_amount_cents": 50000}})
    assert r2.status_code == 200 and r2.json()["profile"] == "strict"
    assert r2.json()["options"][0]["discount_cents"] == 0
    r3 = client.post("/v1/plans/counter-proposal", json={"balance_cents": 120000, "proposal": {"months": 36}})
    assert r3.status_code == 200 and r3.json()["needs_agent"] and not r3.json()["accepted"]
    assert client.post("/v1/plans/quote", json={"balance_cents": 1, "debtor_id": "D001"}).status_code == 422
    assert client.post("/v1/plans/quote", json={"balance_cents": -5}).status_code == 422
    assert client.post("/v1/plans/quote", json={"debtor_id": "D999"}).status_code == 404
    for k in agent_key:
        del client.headers[k]


def test_time_barred_file_gets_no_plan_and_a_plain_explanation(client: TestClient, auth: Any, wsettings: Any) -> None:
    from agent.db.repo import list_debtor_ids, load_file
    from tests.conftest import TODAY

    with session_scope(wsettings.effective_database_url) as s:
        barred = [i for i in list_debtor_ids(s) if load_file(s, i, TODAY).signals.time_barred
                  and load_file(s, i, TODAY).signals.balance_cents > 0]
    assert barred, "the sample portfolio holds time-barred files"
    for debtor_id in barred:
        f = client.get("/v1/widget/file", headers=auth(debtor_id)).json()
        assert f["status"] == "time_barred" and f["can_choose_plan"] is False
        o = client.get("/v1/widget/options", headers=auth(debtor_id)).json()
        assert o["available"] is False and o["options"] == []
        assert "aucun échéancier" in o["message"] or "no payment plan" in o["message"]
        r = client.post("/v1/widget/accept", headers={**auth(debtor_id), "Idempotency-Key": f"tb-{debtor_id}"},
                        json={"option_id": "full", "consent": True})
        assert r.status_code in (409, 422)
