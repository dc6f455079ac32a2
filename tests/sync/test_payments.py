"""Recording payments: matched to the open plan's instalments, the plan completes, a paid-off file leaves the queue."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent import audit
from agent.db import models as m
from agent.db.repo import load_file
from agent.plans import lifecycle
from agent.plans.engine import quote
from agent.plans.policy import load_plan_policy
from agent.settings import REPO_ROOT
from tests.conftest import REPO, TODAY
from tests.service.conftest import Keys, auth, build_data_dir, make_keys

POLICY = load_plan_policy(REPO_ROOT / "knowledge" / "policy" / "plans.yaml")
DEBTOR = "D001"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Iterator[tuple[Any, Any, Keys, TestClient]]:
    from api.app import create_app

    s, rt = build_data_dir(tmp_path_factory.mktemp("payments"), ingested_template)
    keys = make_keys(rt)
    with TestClient(create_app(s, rt)) as c:
        yield s, rt, keys, c


def _balance(rt: Any, debtor_id: str = DEBTOR) -> int:
    with rt.session() as s:
        return load_file(s, debtor_id, TODAY).signals.balance_cents


def _accept(rt: Any) -> list[int]:
    balance = _balance(rt)
    option = next(o for o in quote(balance, policy=POLICY, today=TODAY) if o.id == "short-3m")
    assert option.total_cents == balance
    with rt.session() as s:
        res = lifecycle.accept(s, DEBTOR, option, idempotency_key="pay-test", bounds=POLICY.defaults, actor="debtor")
        return [i.amount_cents for i in res.plan.instalments]


def test_payments_complete_the_plan_and_the_file_leaves_the_queue(env: Any) -> None:
    _, rt, keys, client = env
    assert DEBTOR in {i["debtor_id"] for i in client.get("/v1/queue", headers=auth(keys.agent)).json()}
    amounts = _accept(rt)
    first = client.post(f"/v1/debtors/{DEBTOR}/payments", headers=auth(keys.agent),
                        json={"amount_cents": amounts[0], "paid_on": TODAY.isoformat(), "reference": "VIR-1"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["instalments_paid"] == [1] and body["plan_status"] == "active" and body["unallocated_cents"] == 0
    assert body["balance_cents"] == sum(amounts[1:])
    rest = client.post(f"/v1/debtors/{DEBTOR}/payments", headers=auth(keys.admin),
                       json={"amount_cents": sum(amounts[1:])}).json()
    assert rest["instalments_paid"] == list(range(2, len(amounts) + 1)) and rest["plan_status"] == "completed"
    assert rest["balance_cents"] == 0
    assert DEBTOR not in {i["debtor_id"] for i in client.get("/v1/queue", headers=auth(keys.agent)).json()}
    cadence = client.get(f"/v1/debtors/{DEBTOR}/cadence", headers=auth(keys.agent)).json()
    assert cadence["action"] == "none"
    with rt.session() as s:
        plan = s.query(m.Plan).filter(m.Plan.idempotency_key == lifecycle.scoped_key(DEBTOR, "pay-test")).one()
        assert plan.status == "completed" and all(i.status == "paid" for i in plan.instalments)
        assert audit.verify(s).ok
        kinds = [e.kind for e in audit.iter_events(s, debtor_id=DEBTOR)]
        assert kinds.count("payment.recorded") == 2 and "plan.completed" in kinds


@pytest.mark.parametrize(("key", "body", "status", "needle"), [
    ("qa", {"amount_cents": 100}, 403, "role agent"),
    ("agent", {"amount_cents": 10_000_000}, 422, "exceeds the balance"),
    ("agent", {"amount_cents": 100, "paid_on": "2099-01-01"}, 422, "future"),
    ("agent", {"amount_cents": "50.00"}, 422, "amount_cents"),
])
def test_refused_payments_change_nothing(env: Any, key: str, body: dict[str, Any], status: int, needle: str) -> None:
    _, rt, keys, client = env
    before = _balance(rt, "D003")
    r = client.post("/v1/debtors/D003/payments", headers=auth(getattr(keys, key)), json=body)
    assert r.status_code == status and needle in r.text
    assert _balance(rt, "D003") == before


def test_partial_payment_without_plan_lowers_the_balance(env: Any) -> None:
    _, rt, keys, client = env
    before = _balance(rt, "D004")
    r = client.post("/v1/debtors/D004/payments", headers=auth(keys.agent), json={"amount_cents": 1_000}).json()
    assert r["plan_reference"] is None and r["instalments_paid"] == [] and r["balance_cents"] == before - 1_000
    assert _balance(rt, "D004") == before - 1_000


def test_cli_records_a_payment(env: Any) -> None:
    s, rt, _, _ = env
    before = _balance(rt, "D009")
    cmd = [sys.executable, "-m", "agent.cli.main", "payment", "record", "--debtor", "D009", "--amount", "12,50",
           "--date", TODAY.isoformat()]
    e = {**os.environ, "AMIABLE_DATA_DIR": str(s.data_dir), "AMIABLE_TODAY": TODAY.isoformat()}
    r = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=REPO, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert "recorded 12.50 EUR for D009" in r.stdout
    assert _balance(rt, "D009") == before - 1_250
    bad = subprocess.run([*cmd[:-4], "--amount", "-3"], capture_output=True, text=True, env=e, cwd=REPO,
                         timeout=300, check=False)
    assert bad.returncode == 2 and "--amount" in bad.stderr


def _accept_for(rt: Any, debtor_id: str, key: str) -> tuple[str, list[int]]:
    balance = _balance(rt, debtor_id)
    option = next(o for o in quote(balance, policy=POLICY, today=TODAY) if o.id == "short-3m")
    with rt.session() as s:
        res = lifecycle.accept(s, debtor_id, option, idempotency_key=key, bounds=POLICY.defaults, actor="debtor")
        return res.plan.reference, [i.amount_cents for i in res.plan.instalments]


def _eur(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def test_a_payment_file_completes_a_plan_and_empties_the_queue(env: Any, tmp_path: Path) -> None:
    from agent.payments import import_payment_file

    _, rt, keys, client = env
    plan_ref, amounts = _accept_for(rt, "D005", "file-test")
    with rt.session() as s:
        reference = s.get(m.Debtor, "D005").reference  # type: ignore[union-attr]
    csv_path = tmp_path / "payments.csv"
    csv_path.write_text("reference,amount,date,method,payment_reference\n" + "".join(
        f'{reference},"{_eur(a)}",{TODAY.isoformat()},transfer,VIR-{n}\n' for n, a in enumerate(amounts, 1)),
        encoding="utf-8")
    with rt.session() as s:
        rep = import_payment_file(s, csv_path, actor="test", today=TODAY)
    assert rep.payments == len(amounts) and rep.plans_completed == [plan_ref]
    assert _balance(rt, "D005") == 0
    assert "D005" not in {i["debtor_id"] for i in client.get("/v1/queue", headers=auth(keys.agent)).json()}


def test_a_bad_payment_file_names_the_line_and_records_nothing(env: Any, tmp_path: Path) -> None:
    from agent.errors import InputValidationError
    from agent.payments import import_payment_file

    _, rt, _, _ = env
    before = _balance(rt, "D010")
    p = tmp_path / "bad.csv"
    p.write_text(f"debtor_id,amount,date\nD010,10.00,{TODAY.isoformat()}\nD010,abc,{TODAY.isoformat()}\n"
                 f"NOPE,1.00,{TODAY.isoformat()}\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as err, rt.session() as s:
        import_payment_file(s, p, actor="test", today=TODAY)
    assert "bad.csv:3: amount: not an amount" in err.value.message
    assert "bad.csv:4: unknown debtor: 'NOPE'" in err.value.message
    assert _balance(rt, "D010") == before
