"""Finding 7 and 9: strict money/count types, markup in imported names, readiness on a read-only DB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent.errors import UserError
from agent.portfolio import parse_lines
from tests.conftest import REPO, make_settings

SAMPLE = (REPO / "knowledge" / "portfolio" / "sample_portfolio.jsonl").read_text(encoding="utf-8").splitlines()


def _with_first_debtor(change: Any) -> list[str]:
    lines = list(SAMPLE)
    i = next(n for n, line in enumerate(lines) if json.loads(line)["type"] == "debtor")
    rec = json.loads(lines[i])
    change(rec)
    lines[i] = json.dumps(rec, ensure_ascii=False)
    return lines


def test_the_sample_parses() -> None:
    creditors, debtors = parse_lines(SAMPLE, "sample")
    assert len(debtors) == 36 and creditors


@pytest.mark.parametrize("value", ["500", 500.0, True])
def test_cents_must_be_json_integers(value: object) -> None:
    def change(rec: dict[str, Any]) -> None:
        rec["invoices"][0]["principal_cents"] = value

    with pytest.raises(UserError, match="principal_cents"):
        parse_lines(_with_first_debtor(change), "f.jsonl")


@pytest.mark.parametrize("name", ["<b>Martin</b>", "Martin<script>alert(1)</script>", "Martin &amp; fils",
                                  "<img src=x onerror=alert(1)>"])
def test_markup_in_imported_names_is_refused(name: str) -> None:
    def change(rec: dict[str, Any]) -> None:
        rec["last_name" if rec.get("last_name") else "company_name"] = name

    with pytest.raises(UserError, match="plain text"):
        parse_lines(_with_first_debtor(change), "f.jsonl")


def test_readyz_fails_on_a_read_only_database(tmp_path: Path) -> None:
    from agent.db.session import init_db
    from agent.runtime import Runtime
    from api.app import create_app

    rw = make_settings(tmp_path)
    init_db(rw.effective_database_url)
    ro = make_settings(tmp_path, database_url=f"sqlite:///file:{tmp_path / 'amiable.db'}?mode=ro&uri=true")
    checks = {}
    for name, s in (("rw", rw), ("ro", ro)):
        with TestClient(create_app(s, Runtime.start(s))) as c:
            r = c.get("/readyz")
            checks[name] = r.json()["checks"]["database"]["ok"]
            if name == "ro":
                assert r.status_code == 503
    assert checks == {"rw": True, "ro": False}


def test_readyz_reports_a_disarmed_guard(client: TestClient, service_rt: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(service_rt.guard, "armed", False, raising=False)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["policy"]["ok"] is False


def test_sql_errors_and_logs_never_carry_bound_values(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from agent.db.session import get_engine, init_db

    s = make_settings(tmp_path)
    init_db(s.effective_database_url)
    engine = get_engine(s.effective_database_url)
    secret_message = "Je suis au chômage, Mme Girard 06 12 34 56 78"
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"), pytest.raises(IntegrityError) as err:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
                conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": secret_message})
                conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": secret_message})
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert secret_message not in str(err.value)
    assert "INSERT INTO t" in caplog.text and secret_message not in caplog.text
