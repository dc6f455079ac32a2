"""`amiable keys ...` and `amiable audit ...` on a fresh data dir, including tamper detection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from agent.cli.main import app


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from agent.settings import get_settings

    monkeypatch.setenv("AMIABLE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_keys_create_list_revoke_and_audit(cli_env: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["keys", "create", "--name", "alice", "--role", "qa"])
    assert r.exit_code == 0, r.output
    key = [line for line in r.output.splitlines() if line.startswith("amk_")][0]
    key_id = r.output.split()[2]
    listed = runner.invoke(app, ["keys", "list", "--json"])
    rows = json.loads(listed.output)
    assert rows[0]["name"] == "alice" and rows[0]["revoked_at"] is None and key not in listed.output
    assert runner.invoke(app, ["keys", "create", "--name", "x", "--role", "root"]).exit_code == 2
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)[0]["revoked_at"]
    v = runner.invoke(app, ["audit", "verify"])
    assert v.exit_code == 0 and "2 events" in v.output
    out = cli_env / "audit.jsonl"
    assert runner.invoke(app, ["audit", "export", "--out", str(out)]).exit_code == 0
    kinds = [json.loads(x)["kind"] for x in out.read_text().splitlines()]
    assert kinds == ["key.created", "key.revoked"]

    # Tamper with the first event: verify names it and exits 1.
    from agent.db.models import AuditEvent
    from agent.db.session import session_scope

    with session_scope(f"sqlite:///{cli_env / 'amiable.db'}") as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(actor="mallory"))
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "seq 1" in bad.output


def test_replay_refuses_non_draft_event(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "create", "--name", "a"]).exit_code == 0
    r = runner.invoke(app, ["audit", "replay", "1"])
    assert r.exit_code != 0
