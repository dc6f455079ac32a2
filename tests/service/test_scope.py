"""Per-creditor scope of API keys: a key limited to cr-telecom sees only cr-telecom's files, and
another creditor's file answers exactly like an unknown one (same status, same problem body with
the id swapped), on every route that takes a debtor, a conversation, a draft or an audit event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.service.conftest import Keys, auth

TELECOM = {"D007", "D008", "D009", "D010", "D011", "D012"}  # the sample portfolio's cr-telecom files
OUTSIDE = "D001"  # cr-energie
UNKNOWN = "D999"


@dataclass
class Scoped:
    agent: str  # agent key limited to cr-telecom
    qa: str  # qa key limited to cr-telecom
    both: str  # agent key limited to cr-telecom and cr-immo


@pytest.fixture(scope="module")
def scoped(service_rt: Any) -> Scoped:
    from agent.auth import create_key

    secret = service_rt.settings.secret.get_secret_value()
    out = {}
    with service_rt.session() as s:
        for name, role, creditors in (("agent", "agent", ["cr-telecom"]), ("qa", "qa", ["cr-telecom"]),
                                      ("both", "agent", ["cr-telecom", "cr-immo", "cr-telecom"])):
            _, out[name] = create_key(s, name=f"scoped-{name}", role=role, secret_key=secret, actor="test",
                                      creditors=creditors)
    return Scoped(**out)


def _same_404(unknown: Any, outside: Any, unknown_id: str, outside_id: str) -> None:
    """The out-of-scope answer is the unknown one with the id swapped: no existence leak."""
    assert unknown.status_code == 404, unknown.text
    assert outside.status_code == 404, outside.text
    assert outside.headers["content-type"] == unknown.headers["content-type"]
    assert outside.text.replace(outside_id, "<ID>") == unknown.text.replace(unknown_id, "<ID>")


def _counts(rt: Any) -> tuple[int, int, int]:
    from agent import audit
    from agent.db.models import Contact, Payment
    from agent.db.service_models import DraftRecord

    with rt.session() as s:
        return (audit.count(s), int(s.execute(select(func.count()).select_from(Contact)).scalar_one())
                + int(s.execute(select(func.count()).select_from(Payment)).scalar_one()),
                int(s.execute(select(func.count()).select_from(DraftRecord)).scalar_one()))


def test_lists_search_and_queue_hold_only_the_scope(client: TestClient, keys: Keys, scoped: Scoped) -> None:
    ids = {d["id"] for d in client.get("/v1/debtors?limit=500", headers=auth(scoped.agent)).json()}
    assert ids == TELECOM
    assert {d["id"] for d in client.get("/v1/debtors?limit=500", headers=auth(scoped.qa)).json()} == TELECOM
    both = {d["id"] for d in client.get("/v1/debtors?limit=500", headers=auth(scoped.both)).json()}
    assert TELECOM < both and all(i in TELECOM or "D025" <= i <= "D029" for i in both)
    assert len({d["id"] for d in client.get("/v1/debtors?limit=500", headers=auth(keys.agent)).json()}) == 36
    assert client.get(f"/v1/debtors?q={OUTSIDE}", headers=auth(scoped.agent)).json() == []
    queue = client.get("/v1/queue?limit=500", headers=auth(scoped.agent)).json()
    assert queue and {q["debtor_id"] for q in queue} <= TELECOM


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/v1/debtors/{id}", None),
    ("get", "/v1/debtors/{id}/history", None),
    ("get", "/v1/debtors/{id}/cadence", None),
    ("post", "/v1/debtors/{id}/payments", {"amount_cents": 1000}),
    ("post", "/v1/conversations", {"debtor_id": "{id}"}),
    ("post", "/v1/plans/quote", {"debtor_id": "{id}"}),
    ("post", "/v1/plans/counter-proposal",
     {"debtor_id": "{id}", "proposal": {"months": 3}}),
    ("post", "/v1/chat/completions", {"model": "amiable", "metadata": {"debtor_id": "{id}"},
                                      "messages": [{"role": "user", "content": "Je ne peux pas payer tout."}]}),
])
def test_out_of_scope_debtor_answers_like_an_unknown_one(client: TestClient, service_rt: Any, scoped: Scoped,
                                                         method: str, path: str, body: Any) -> None:
    def call(debtor: str) -> Any:
        kw: dict[str, Any] = {"headers": auth(scoped.agent)}
        if body is not None:
            kw["json"] = json.loads(json.dumps(body).replace("{id}", debtor))
        return getattr(client, method)(path.replace("{id}", debtor), **kw)

    before = _counts(service_rt)
    _same_404(call(UNKNOWN), call(OUTSIDE), UNKNOWN, OUTSIDE)
    assert _counts(service_rt) == before  # nothing written for the other creditor's file
    assert call("D007").status_code in (200, 201), call("D007").text  # the scope's own file works


def test_conversations_and_drafts_of_other_creditors_are_404(client: TestClient, keys: Keys, service_rt: Any,
                                                             scoped: Scoped) -> None:
    r = client.post("/v1/conversations", json={"debtor_id": OUTSIDE}, headers=auth(keys.agent))
    cid = r.json()["id"]
    r = client.post(f"/v1/conversations/{cid}/messages", json={"message": "Je conteste cette facture."},
                    headers=auth(keys.agent))
    assert r.status_code == 201, r.text
    did, version = r.json()["id"], r.json()["version"]
    before = _counts(service_rt)
    h = auth(scoped.agent)
    cases = [
        ("get", "/v1/conversations/{c}", None, cid, "nocv"),
        ("post", "/v1/conversations/{c}/messages", {"message": "Bonjour"}, cid, "nocv"),
        ("post", "/v1/conversations/{c}/messages/stream", {"message": "Bonjour"}, cid, "nocv"),
        ("get", "/v1/drafts/{c}", None, did, "nodr"),
        ("post", "/v1/drafts/{c}/revise", {"instruction": "plus court"}, did, "nodr"),
        ("post", "/v1/drafts/{c}/revise/stream", {"instruction": "plus court"}, did, "nodr"),
        ("put", "/v1/drafts/{c}/text", {"text": "Bonjour, merci.", "version": version}, did, "nodr"),
        ("post", "/v1/drafts/{c}/approve", {"version": version}, did, "nodr"),
        ("post", "/v1/drafts/{c}/send", {"version": version}, did, "nodr"),
    ]
    for method, path, body, real, fake in cases:
        kw: dict[str, Any] = {"headers": h} if body is None else {"headers": h, "json": body}
        _same_404(getattr(client, method)(path.replace("{c}", fake), **kw),
                  getattr(client, method)(path.replace("{c}", real), **kw), fake, real)
    assert _counts(service_rt) == before
    assert client.get(f"/v1/drafts/{did}", headers=auth(scoped.qa)).status_code == 404
    # the unscoped key still reaches it
    assert client.get(f"/v1/drafts/{did}", headers=auth(keys.agent)).status_code == 200


def test_in_scope_work_goes_through(client: TestClient, scoped: Scoped) -> None:
    r = client.post("/v1/conversations", json={"debtor_id": "D008"}, headers=auth(scoped.agent))
    assert r.status_code == 201, r.text
    r = client.post(f"/v1/conversations/{r.json()['id']}/messages", json={"message": "Je peux payer en 3 fois ?"},
                    headers=auth(scoped.agent))
    assert r.status_code == 201, r.text
    assert client.get(f"/v1/drafts/{r.json()['id']}", headers=auth(scoped.qa)).status_code == 200


def test_audit_events_export_and_replay_follow_the_scope(client: TestClient, keys: Keys, scoped: Scoped) -> None:
    client.post("/v1/debtors/D009/payments", json={"amount_cents": 500}, headers=auth(scoped.agent))
    client.post(f"/v1/debtors/{OUTSIDE}/payments", json={"amount_cents": 500}, headers=auth(keys.agent))
    mine = client.get("/v1/audit/events?limit=1000", headers=auth(scoped.qa)).json()
    assert mine and {e["debtor_id"] for e in mine} <= TELECOM
    everything = client.get("/v1/audit/events?limit=1000", headers=auth(keys.qa)).json()
    assert any(e["debtor_id"] == OUTSIDE for e in everything)
    assert client.get(f"/v1/audit/events?debtor_id={OUTSIDE}", headers=auth(scoped.qa)).json() == []
    lines = [json.loads(x) for x in client.get("/v1/audit/export", headers=auth(scoped.qa)).text.splitlines()]
    assert lines and {e["debtor_id"] for e in lines} <= TELECOM
    outside_seq = next(e["seq"] for e in everything if e["debtor_id"] == OUTSIDE)
    missing_seq = max(e["seq"] for e in everything) + 10_000
    _same_404(client.post(f"/v1/audit/replay/{missing_seq}", headers=auth(scoped.qa)),
              client.post(f"/v1/audit/replay/{outside_seq}", headers=auth(scoped.qa)),
              str(missing_seq), str(outside_seq))


def test_scoped_keys_over_the_admin_api(client: TestClient, keys: Keys) -> None:
    r = client.post("/v1/admin/keys", json={"name": "carol", "role": "agent", "creditors": ["cr-fitness"]},
                    headers=auth(keys.admin))
    assert r.status_code == 201, r.text
    assert r.json()["creditors"] == ["cr-fitness"]
    ids = {d["id"] for d in client.get("/v1/debtors?limit=500", headers=auth(r.json()["key"])).json()}
    assert ids == {"D030", "D031", "D032", "D033", "D034"}
    listed = {k["name"]: k for k in client.get("/v1/admin/keys", headers=auth(keys.admin)).json()}
    assert listed["carol"]["creditors"] == ["cr-fitness"] and listed["test-agent"]["creditors"] is None
    for bad in ({"name": "x", "role": "admin", "creditors": ["cr-fitness"]},
                {"name": "x", "role": "agent", "creditors": ["cr-nope"]},
                {"name": "x", "role": "agent", "creditors": []}):
        r = client.post("/v1/admin/keys", json=bad, headers=auth(keys.admin))
        assert r.status_code == 422, (bad, r.text)


def test_keys_create_with_creditors_on_the_cli(tmp_path: Any, ingested_template: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli.main import app
    from agent.settings import get_settings
    from tests.conftest import copy_template

    monkeypatch.setenv("AMIABLE_DATA_DIR", str(copy_template(ingested_template, tmp_path / "d")))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        r = runner.invoke(app, ["keys", "create", "--name", "dave", "--creditor", "cr-immo",
                                "--creditor", "cr-telecom"])
        assert r.exit_code == 0, r.output
        assert "creditors cr-immo, cr-telecom" in r.output
        rows = json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)
        assert [k["creditors"] for k in rows if k["name"] == "dave"] == [["cr-immo", "cr-telecom"]]
        bad = runner.invoke(app, ["keys", "create", "--name", "eve", "--creditor", "cr-nope"])
        # the CLI's run() turns the InputValidationError into one line and its exit code
        assert bad.exit_code != 0 and "unknown creditor(s): cr-nope" in str(bad.exception)
    finally:
        get_settings.cache_clear()


def test_guard_check_and_eval_runs_follow_the_scope(client: TestClient, keys: Keys, scoped: Scoped) -> None:
    text = {"text": "Bonjour, voici le point sur votre dossier."}
    _same_404(client.post("/v1/guard/check", json={**text, "debtor_id": UNKNOWN}, headers=auth(scoped.agent)),
              client.post("/v1/guard/check", json={**text, "debtor_id": OUTSIDE}, headers=auth(scoped.agent)),
              UNKNOWN, OUTSIDE)
    assert client.post("/v1/guard/check", json={**text, "debtor_id": "D007"},
                       headers=auth(scoped.agent)).status_code == 200
    # evals/scenarios/fr.yaml names D002 first (cr-energie): a telecom-scoped key reads it as unknown
    r = client.post("/v1/evals/runs", json={"datasets": ["scenarios/fr.yaml"]}, headers=auth(scoped.qa))
    assert r.status_code == 400, r.text
    assert "debtor_id: unknown debtor 'D002'" in r.json()["detail"]
