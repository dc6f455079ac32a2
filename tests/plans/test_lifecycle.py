"""Plan lifecycle: transactional, idempotent acceptance, payments, the missed-payment rule, audit."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from agent import audit
from agent.db import models as m
from agent.db.session import session_scope
from agent.errors import AmiableError, ConflictError, InputValidationError
from agent.plans import lifecycle
from agent.plans.engine import quote
from agent.plans.models import PlanOption
from agent.plans.policy import load_plan_policy
from agent.settings import REPO_ROOT
from tests.conftest import TODAY

POLICY = load_plan_policy(REPO_ROOT / "knowledge" / "policy" / "plans.yaml")
BOUNDS = POLICY.defaults


@pytest.fixture
def db(settings: Any) -> str:
    url: str = settings.effective_database_url
    with session_scope(url) as s:
        s.add(m.Creditor(id="cred", name="Creditor SA", address="1 rue A, Paris"))
        for did in ("d1", "d2"):
            s.add(m.Debtor(id=did, reference=f"REF-{did}", creditor_id="cred", kind="consumer", last_name="Martin",
                           invoices=[m.Invoice(number=f"F-{did}", issue_date=dt.date(2026, 5, 1),
                                               due_date=dt.date(2026, 6, 1), principal_cents=120_000)]))
    return url


def _option(oid: str = "short-3m") -> PlanOption:
    return next(o for o in quote(120_000, policy=POLICY, today=TODAY) if o.id == oid)


def _plans(url: str, debtor_id: str = "d1") -> list[m.Plan]:
    with session_scope(url) as s:
        return list(s.execute(select(m.Plan).where(m.Plan.debtor_id == debtor_id)).scalars())


def _audit_kinds(url: str) -> list[str]:
    with session_scope(url) as s:
        assert audit.verify(s).ok
        return [e.kind for e in audit.iter_events(s)]


def test_accept_is_idempotent(db: str) -> None:
    with session_scope(db) as s:
        r1 = lifecycle.accept(s, "d1", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
        ref = r1.plan.reference
        assert not r1.replayed and r1.plan.status == "accepted" and len(r1.plan.instalments) == 3
        assert "2 échéances impayées consécutives" in r1.plan.missed_rule
    with session_scope(db) as s:
        r2 = lifecycle.accept(s, "d1", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
        assert r2.replayed and r2.plan.reference == ref
    assert len(_plans(db)) == 1
    assert _audit_kinds(db) == ["plan.accepted", "plan.accept_replayed"]


def test_second_plan_with_other_key_conflicts(db: str) -> None:
    with session_scope(db) as s:
        lifecycle.accept(s, "d1", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
    with pytest.raises(ConflictError, match="already in place"), session_scope(db) as s:
        lifecycle.accept(s, "d1", _option("full"), idempotency_key="key-2", bounds=BOUNDS, actor="debtor")
    assert len(_plans(db)) == 1


def test_same_key_different_option_is_rejected_and_nothing_stored(db: str) -> None:
    with session_scope(db) as s:
        lifecycle.accept(s, "d1", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
    before = _audit_kinds(db)
    with pytest.raises(InputValidationError), session_scope(db) as s:
        lifecycle.accept(s, "d1", _option("full"), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
    assert _audit_kinds(db) == before


def test_idempotency_keys_are_scoped_per_debtor(db: str) -> None:
    """Reusing another file's key is a fresh key: no 409 that would reveal the key was used (finding 9)."""
    with session_scope(db) as s:
        first = lifecycle.accept(s, "d1", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
    with session_scope(db) as s:
        other = lifecycle.accept(s, "d2", _option(), idempotency_key="key-1", bounds=BOUNDS, actor="debtor")
    assert not other.replayed and other.plan.id != first.plan.id and len(_plans(db, "d2")) == 1


def test_concurrent_double_accept_gives_one_plan(db: str) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            with session_scope(db) as s:
                r = lifecycle.accept(s, "d1", _option(), idempotency_key="same-key", bounds=BOUNDS, actor="debtor")
                results.append(r.plan.reference)
        except (AmiableError, SQLAlchemyError) as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1
    assert len(_plans(db)) == 1
    assert _audit_kinds(db).count("plan.accepted") == 1


def test_concurrent_accepts_with_different_keys_one_wins(db: str) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(3)

    def worker(key: str) -> None:
        barrier.wait()
        try:
            with session_scope(db) as s:
                lifecycle.accept(s, "d1", _option(), idempotency_key=key, bounds=BOUNDS, actor="debtor")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker, args=(f"k{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "ok"]
    assert len(_plans(db)) == 1


def test_payments_activate_and_complete(db: str) -> None:
    with session_scope(db) as s:
        plan_id = lifecycle.accept(s, "d1", _option(), idempotency_key="k", bounds=BOUNDS, actor="debtor").plan.id
    with session_scope(db) as s:
        for seq in (1, 2, 3):
            plan = lifecycle.record_payment(s, plan_id, seq, paid_on=TODAY, actor="agent:ops")
        assert plan.status == "completed"
        paid = s.execute(select(func.sum(m.Payment.amount_cents)).where(m.Payment.debtor_id == "d1")).scalar_one()
        assert paid == 120_000
    with pytest.raises(ConflictError), session_scope(db) as s:
        lifecycle.record_payment(s, plan_id, 1, paid_on=TODAY, actor="agent:ops")
    kinds = _audit_kinds(db)
    assert kinds == ["plan.accepted", "plan.activated", "plan.instalment_paid", "plan.instalment_paid",
                     "plan.instalment_paid", "plan.completed"]


def test_missed_rule_reminder_then_broken(db: str) -> None:
    opt = _option("standard-12m")
    with session_scope(db) as s:
        plan_id = lifecycle.accept(s, "d1", opt, idempotency_key="k", bounds=BOUNDS, actor="debtor").plan.id
    with session_scope(db) as s:
        lifecycle.record_payment(s, plan_id, 1, paid_on=TODAY, actor="ops")
        assert lifecycle.mark_missed(s, plan_id, 2, actor="ops", bounds=BOUNDS) == "reminder"
    with session_scope(db) as s:
        assert lifecycle.mark_missed(s, plan_id, 3, actor="ops", bounds=BOUNDS) == "broken"
        assert lifecycle.get_plan(s, plan_id).status == "broken"
        tasks = [t.kind for t in s.execute(select(m.Task).where(m.Task.debtor_id == "d1")).scalars()]
        assert tasks == ["plan_missed_reminder", "plan_broken"]
    kinds = _audit_kinds(db)
    assert kinds[-3:] == ["plan.reminder_due", "plan.instalment_missed", "plan.broken"]
    # a broken plan frees the file for a new plan
    with session_scope(db) as s:
        assert lifecycle.open_plan(s, "d1") is None


def test_payment_resets_consecutive_count(db: str) -> None:
    with session_scope(db) as s:
        plan_id = lifecycle.accept(s, "d1", _option(), idempotency_key="k", bounds=BOUNDS, actor="debtor").plan.id
        assert lifecycle.mark_missed(s, plan_id, 1, actor="ops", bounds=BOUNDS) == "reminder"
        lifecycle.record_payment(s, plan_id, 2, paid_on=TODAY, actor="ops")
        assert lifecycle.mark_missed(s, plan_id, 3, actor="ops", bounds=BOUNDS) == "reminder"
        assert lifecycle.get_plan(s, plan_id).status == "active"


def test_propose_then_accept_promotes_the_proposed_plan(db: str) -> None:
    with session_scope(db) as s:
        proposed = lifecycle.propose(s, "d1", _option(), actor="agent:alice")
        assert proposed.status == "proposed"
    with session_scope(db) as s:
        r = lifecycle.accept(s, "d1", _option(), idempotency_key="k", bounds=BOUNDS, actor="debtor")
        assert r.plan.id == proposed.id and r.plan.status == "accepted"
    assert _audit_kinds(db) == ["plan.proposed", "plan.accepted"]


def test_failed_step_rolls_back_with_its_audit(db: str) -> None:
    with session_scope(db) as s:
        plan_id = lifecycle.accept(s, "d1", _option(), idempotency_key="k", bounds=BOUNDS, actor="debtor").plan.id
    with pytest.raises(RuntimeError), session_scope(db) as s:
        lifecycle.record_payment(s, plan_id, 1, paid_on=TODAY, actor="ops")
        raise RuntimeError("crash after the step")
    with session_scope(db) as s:
        assert lifecycle.get_plan(s, plan_id).status == "accepted"
    assert _audit_kinds(db) == ["plan.accepted"]
