"""Incremental, non-destructive sync: a second import keeps what the firm produced and reflects the creditor's changes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from agent import audit
from agent.db import models as m
from agent.db.session import session_scope
from agent.errors import InputValidationError
from agent.plans import lifecycle
from agent.plans.engine import quote
from agent.plans.policy import load_plan_policy
from agent.portfolio import import_portfolio, read_portfolio
from agent.settings import REPO_ROOT
from agent.sync import CLOSED_BY_CREDITOR, sync_records
from tests.conftest import REPO, TODAY

SAMPLE = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
POLICY = load_plan_policy(REPO_ROOT / "knowledge" / "policy" / "plans.yaml")
WORKED, CHANGED, REMOVED = "D001", "D005", "D007"


def _records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _next_export(tmp_path: Path) -> tuple[Path, int]:
    """The creditor's next export: one invoice amount changed, one debtor gone."""
    recs = _records()
    changed = next(r for r in recs if r.get("id") == CHANGED)
    new_amount = int(changed["invoices"][0]["principal_cents"]) + 12_345
    changed["invoices"][0]["principal_cents"] = new_amount
    recs = [r for r in recs if r.get("id") != REMOVED]
    return _write(tmp_path / "export-2.jsonl", recs), new_amount


def _firm_work(url: str) -> dict[str, int]:
    """What the product produces between two syncs: an accepted plan, a dispute, a sent contact, a task, flags."""
    with session_scope(url) as s:
        option = next(o for o in quote(120_000, policy=POLICY, today=TODAY) if o.id == "short-3m")
        res = lifecycle.accept(s, WORKED, option, idempotency_key="sync-test", bounds=POLICY.defaults,
                               actor="debtor")
        row = s.get(m.Debtor, WORKED)
        assert row is not None
        row.disputes.append(m.Dispute(opened_on=TODAY, reason="amount contested (widget)", status="open"))
        row.contacts.append(m.Contact(at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), channel="email",
                                      direction="out", kind="message", agent="agent-1", summary="sent draft"))
        s.add(m.Task(debtor_id=WORKED, kind="dispute", created_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)))
        row.opt_outs = [*row.opt_outs, "sms"]
        row.hardship = True
        row.status, row.hold_reason = "on_hold", "dispute opened by the debtor (widget)"
        s.flush()
        return {"plan": len(res.plan.instalments), "disputes": len(row.disputes), "contacts": len(row.contacts)}


def _count(s: Any, model: type, debtor_id: str) -> int:
    return int(s.execute(select(func.count()).select_from(model).where(model.debtor_id == debtor_id)).scalar_one())


def test_second_sync_keeps_the_firms_work_and_reflects_the_creditors_changes(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        first = import_portfolio(s, SAMPLE)
    assert first.added == first.debtors == 36
    before = _firm_work(url)
    export, new_amount = _next_export(tmp_path)
    with session_scope(url) as s:
        second = import_portfolio(s, export)
    assert (second.added, second.closed) == (0, 1)
    assert second.updated == 1 and second.unchanged == 34  # D005's invoice; nothing else changed for the creditor
    with session_scope(url) as s:
        row = s.get(m.Debtor, WORKED)
        assert row is not None
        plans = [p for p in row.plans if p.source != "import"]
        assert len(plans) == 1 and plans[0].status == "accepted" and len(plans[0].instalments) == before["plan"]
        assert len(row.disputes) == before["disputes"] and len(row.contacts) == before["contacts"]
        assert any(d.reason == "amount contested (widget)" for d in row.disputes)
        assert _count(s, m.Task, WORKED) == 1
        assert "sms" in row.opt_outs and row.hardship
        assert (row.status, row.hold_reason) == ("on_hold", "dispute opened by the debtor (widget)")
        changed = s.get(m.Debtor, CHANGED)
        assert changed is not None and changed.invoices[0].principal_cents == new_amount
        removed = s.get(m.Debtor, REMOVED)
        assert removed is not None and removed.status == "closed"
        assert removed.hold_reason.startswith(CLOSED_BY_CREDITOR) and removed.invoices
        assert audit.verify(s).ok
        events = {e.debtor_id: e.payload for e in audit.iter_events(s, kind="portfolio.sync.debtor")
                  if e.payload["source"] == str(export)}
        assert set(events) == {CHANGED, REMOVED}
        assert events[REMOVED]["action"] == "closed"
        assert any(k.endswith(".principal_cents") for k in events[CHANGED]["changes"])


def test_a_debtor_back_in_a_later_export_is_reopened(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        import_portfolio(s, SAMPLE)
    export, _ = _next_export(tmp_path)
    with session_scope(url) as s:
        import_portfolio(s, export)
    with session_scope(url) as s:
        again = import_portfolio(s, SAMPLE)
        row = s.get(m.Debtor, REMOVED)
        assert row is not None and row.status != "closed"
    assert again.closed == 0 and again.updated == 2  # D007 reopened, D005's amount back


def test_dry_run_reports_changes_and_writes_nothing(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        import_portfolio(s, SAMPLE)
        n_events = audit.count(s)
    export, new_amount = _next_export(tmp_path)
    creditors, debtors = read_portfolio(export)
    with session_scope(url) as s:
        rep = sync_records(s, creditors, debtors, source=str(export), dry_run=True)
        s.rollback()
    assert (rep.updated, rep.closed, rep.added) == (1, 1, 0)
    change = next(d for d in rep.debtors if d.debtor_id == CHANGED)
    assert [v[1] for k, v in change.changes.items() if k.endswith("principal_cents")] == [new_amount]
    with session_scope(url) as s:
        assert audit.count(s) == n_events
        row = s.get(m.Debtor, REMOVED)
        assert row is not None and row.status != "closed"


def test_reference_of_another_creditor_is_a_line_precise_error(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        import_portfolio(s, SAMPLE)
    recs = _records()
    creditors = [r for r in recs if r["type"] == "creditor"]
    victim = next(r for r in recs if r.get("id") == "D001")
    other = next(c["id"] for c in creditors if c["id"] != victim["creditor_id"])
    clash = {**victim, "id": "X001", "creditor_id": other}
    path = _write(tmp_path / "clash.jsonl", [*creditors, clash])
    with session_scope(url) as s, pytest.raises(InputValidationError) as err:
        import_portfolio(s, path)
    assert f"clash.jsonl:{len(creditors) + 1}: reference:" in err.value.message
    with session_scope(url) as s:
        assert s.get(m.Debtor, "X001") is None
        assert all(r.status != "closed" or not r.hold_reason.startswith(CLOSED_BY_CREDITOR)
                   for r in s.execute(select(m.Debtor)).scalars())


def test_cli_dry_run_prints_counts_and_field_changes(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        import_portfolio(s, SAMPLE)
    export, new_amount = _next_export(tmp_path)
    env = {**os.environ, "AMIABLE_DATA_DIR": str(settings.data_dir), "AMIABLE_TODAY": TODAY.isoformat()}
    r = subprocess.run([sys.executable, "-m", "agent.cli.main", "import", str(export), "--dry-run"],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert "would sync" in r.stdout and "0 added, 1 updated, 1 closed, 0 reopened, 34 unchanged" in r.stdout
    assert f"-> {new_amount}" in r.stdout and f"closed   {REMOVED}" in r.stdout
    with session_scope(url) as s:
        row = s.get(m.Debtor, REMOVED)
        assert row is not None and row.status != "closed"
