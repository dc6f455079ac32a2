"""CLI (typer CliRunner against the real guard app), HTTP (TestClient) and sample-portfolio integration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.guard import app
from agent.settings import REPO_ROOT

runner = CliRunner()
PORTFOLIO = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
PLANS = REPO_ROOT / "knowledge" / "policy" / "plans.yaml"


def test_cli_pass_exit_0() -> None:
    r = runner.invoke(app, ["check", "--text", "Bonjour, quel créneau vous convient pour un rappel ?"])
    assert r.exit_code == 0, r.output
    assert "verdict: PASS" in r.output


def test_cli_block_exit_1_with_json(tmp_path: Path) -> None:
    p = tmp_path / "t.txt"
    p.write_text("Notre huissier passera demain.", encoding="utf-8")
    r = runner.invoke(app, ["check", "--file", str(p), "--json"])
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["verdict"] == "block" and data["findings"][0]["rule_id"] == "FR-OFFICER.officer-claim"


def test_cli_human_output_lists_findings() -> None:
    r = runner.invoke(app, ["check", "--text", "Vous serez inscrit au fichier de la Banque de France."])
    assert r.exit_code == 1
    assert "FR-THREAT.banque-de-france" in r.output and "rewording:" in r.output and '"Banque de France"' in r.output


def test_cli_stdin() -> None:
    r = runner.invoke(app, ["check"], input="Merci pour votre paiement.")
    assert r.exit_code == 0


@pytest.mark.parametrize("args, stdin", [
    (["check", "--text", ""], None),
    (["check", "--text", "bonjour", "--lang", "de"], None),
    (["check", "--file", "/nonexistent/file.txt"], None),
    (["check", "--text", "x" * 100_001], None),
    (["check", "--text", "bonjour", "--jurisdiction", "DE"], None),
    (["check", "--text", "hi", "--scheduled-at", "tomorrow"], None),
])
def test_cli_usage_errors_exit_2(args: list[str], stdin: str | None) -> None:
    r = runner.invoke(app, args, input=stdin)
    assert r.exit_code == 2, r.output


def test_cli_jurisdiction_chooses_the_rules() -> None:
    text = "Our bailiffs will visit your address this week."
    uk = runner.invoke(app, ["check", "--text", text, "--lang", "en", "--jurisdiction", "UK", "--json"])
    assert uk.exit_code == 1
    data = json.loads(uk.stdout)
    assert data["jurisdiction"] == "UK" and {f["family"] for f in data["findings"]} == {"UK-CONC"}
    too_long = runner.invoke(app, ["check", "--text", "x" * 100_001])
    assert too_long.exit_code == 2 and "too long" in too_long.output


def test_cli_invalid_utf8_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(b"caf\xe9 \xff\xfe")
    r = runner.invoke(app, ["check", "--file", str(p)])
    assert r.exit_code == 2
    assert "UTF-8" in r.output


def test_cli_jsonl_batch_keeps_order_and_survives_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "batch.jsonl"
    p.write_bytes(b"\n".join([
        json.dumps({"id": "a", "text": "Bonjour, quel créneau vous convient ?"}).encode(),
        b"{not json",
        json.dumps({"id": "b", "text": "Notre huissier passera demain.", "lang": "fr"}).encode(),
        json.dumps({"id": "c", "text": ""}).encode(),
        json.dumps({"id": "d", "text": "hello", "lang": "de"}).encode(),
        b"\xff\xfe",
        json.dumps({"id": "e", "text": "You could be arrested.", "lang": "en", "channel": "sms"}).encode(),
        json.dumps({"id": "f", "text": "Sell your car and pay us by Friday.", "lang": "en", "jurisdiction": "UK"}).encode(),
        json.dumps({"id": "g", "text": "Sell your car and pay us by Friday.", "lang": "en", "jurisdiction": "XX"}).encode(),
    ]))
    r = runner.invoke(app, ["check", "--jsonl", str(p)])
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "line-2", "b", "c", "d", "line-6", "e", "f", "g"]
    assert lines[7]["verdict"] == "block" and lines[7]["findings"][0]["rule_id"] == "UK-CONC.pressure-borrow-sell"
    assert "jurisdiction" in lines[8]["error"]
    assert lines[0]["verdict"] == "pass"
    assert "error" in lines[1] and "error" in lines[3] and "error" in lines[4] and "error" in lines[5]
    assert lines[2]["verdict"] == "block" and lines[6]["verdict"] == "block"
    assert r.exit_code == 1


def _sample_debtor_ids(n: int = 50) -> list[str]:
    ids = []
    for line in PORTFOLIO.read_text(encoding="utf-8").splitlines()[:n]:
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and item.get("type") == "debtor" and isinstance(item.get("id"), str):
            ids.append(item["id"])
    return ids


@pytest.mark.skipif(not PORTFOLIO.exists(), reason="sample portfolio not written yet (knowledge/portfolio)")
def test_integration_with_sample_files(loaded_settings) -> None:  # type: ignore[no-untyped-def]
    from agent.guard import GuardContext
    from tests.conftest import load_debtor
    from tests.guard.conftest import guard_for

    guard = guard_for("FR")
    ids = _sample_debtor_ids()
    assert ids, "no debtor ids found in the sample portfolio"
    seizure = "Dernier avis avant saisie de vos biens."
    for debtor_id in ids:
        debtor = load_debtor(loaded_settings, debtor_id)
        report = guard.check(seizure, GuardContext(debtor=debtor))
        assert report.verdict == "block"  # a 'last notice before seizure' deadline is always a threat
        polite = guard.check("Bonjour, quel créneau vous convient pour en parler ?", GuardContext(debtor=debtor))
        assert polite.verdict != "block" or debtor.over_indebtedness, polite.findings


@pytest.mark.skipif(not PLANS.exists(), reason="knowledge/policy/plans.yaml not written yet: the app cannot start")
def test_http_check(loaded_settings) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from agent.auth import create_key
    from agent.db.session import session_scope
    from api.app import create_app

    client = TestClient(create_app(loaded_settings))
    with session_scope(loaded_settings.effective_database_url) as session:
        _, token = create_key(session, name="guard-test", role="agent",
                              secret_key=loaded_settings.secret.get_secret_value(), actor="tests")
    client.headers["Authorization"] = f"Bearer {token}"
    r = client.post("/v1/guard/check", json={"text": "Notre huissier passera demain."})
    assert r.status_code == 200
    assert r.json()["verdict"] == "block"
    ok = client.post("/v1/guard/check", json={"text": "Bonjour, quel créneau vous convient ?", "lang": "fr"})
    assert ok.status_code == 200 and ok.json()["verdict"] == "pass"
    empty = client.post("/v1/guard/check", json={"text": ""})
    assert empty.status_code == 422
    blank = client.post("/v1/guard/check", json={"text": "   "})
    assert blank.status_code == 422
    unknown = client.post("/v1/guard/check", json={"text": "Bonjour", "debtor_id": "NOPE-404"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    bad_lang = client.post("/v1/guard/check", json={"text": "Bonjour", "lang": "de"})
    assert bad_lang.status_code == 422
    uk = client.post("/v1/guard/check", json={"text": "We will inform your employer about this debt.", "lang": "en",
                                                "jurisdiction": "UK"})
    assert uk.status_code == 200 and uk.json()["jurisdiction"] == "UK"
    assert uk.json()["findings"][0]["rule_id"] == "UK-CONC.third-party-awareness"
    too_long = client.post("/v1/guard/check", json={"text": "x" * 100_001})
    assert too_long.status_code == 413
    assert too_long.headers["content-type"].startswith("application/problem+json")
