"""camt.053 bank statements: strict and safe parsing, matching by file / plan / invoice reference,
all-or-nothing with entry lines, no double booking, and a statement that completes a plan."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent import audit, camt
from agent.db import models as m
from agent.db.repo import load_file
from agent.errors import InputValidationError
from agent.plans import lifecycle
from agent.plans.engine import quote
from agent.plans.policy import load_plan_policy
from agent.settings import REPO_ROOT
from tests.conftest import REPO, TODAY
from tests.service.conftest import Keys, auth, build_data_dir, make_keys

SAMPLE = Path(__file__).parent / "data" / "camt053.xml"
POLICY = load_plan_policy(REPO_ROOT / "knowledge" / "policy" / "plans.yaml")
NS8 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Iterator[tuple[Any, Any, Keys, TestClient]]:
    from api.app import create_app

    s, rt = build_data_dir(tmp_path_factory.mktemp("camt"), ingested_template)
    keys = make_keys(rt)
    with TestClient(create_app(s, rt)) as c:
        yield s, rt, keys, c


def _balance(rt: Any, debtor_id: str) -> int:
    with rt.session() as s:
        return load_file(s, debtor_id, TODAY).signals.balance_cents


def _entry(amount: str, ref: str, text: str, *, ccy: str = "EUR", day: str = TODAY.isoformat(),
           status: str = "BOOK") -> str:
    """One entry in the camt.053.001.08 shape (status as <Sts><Cd>)."""
    return (f"<Ntry><Amt Ccy=\"{ccy}\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>{status}</Cd></Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n")


def _statement(tmp_path: Path, entries: list[str], name: str = "stmt.xml", ns: str = NS8) -> Path:
    p = tmp_path / name
    p.write_text(f"<?xml version=\"1.0\"?>\n<Document xmlns=\"{ns}\"><BkToCstmrStmt><Stmt><Id>S1</Id>\n"
                 + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n", encoding="utf-8")
    return p


def test_the_sample_statement_parses_to_booked_eur_credits() -> None:
    payments, skipped, errors = camt.parse_statement(SAMPLE.read_bytes(), "camt053.xml")
    assert errors == []
    assert skipped == {"debits": 1, "not_booked": 1, "reversals": 0}
    assert [(p.bank_ref, p.amount_cents, p.entry) for p in payments] == [
        ("BQ20261120-000101", 2_500, 1), ("BQ20261120-000102", 4_000, 2),
        ("BQ20261120-000105-A", 3_500, 5), ("BQ20261120-000105-B", 2_500, 5)]
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert all(lines[p.line - 1].strip() == "<Ntry>" for p in payments if p.line)  # entry lines are exact
    assert "CCR-2026-0003" in payments[0].texts and "NOTPROVIDED" not in payments[0].texts


def test_import_matches_by_file_invoice_and_plan_reference_and_never_books_twice(env: Any) -> None:
    _, rt, _, _ = env
    before = {d: _balance(rt, d) for d in ("D001", "D002", "D003", "D020")}
    with rt.session() as s:
        rep = camt.import_statement(s, SAMPLE, actor="test", today=TODAY)
    assert rep.payments == 4 and rep.total_cents == 12_500
    assert {o.debtor_id: o.amount_cents for o in rep.outcomes} == {"D003": 2_500, "D001": 4_000, "D020": 3_500,
                                                                   "D002": 2_500}
    for d, paid in (("D003", 2_500), ("D001", 4_000), ("D020", 3_500), ("D002", 2_500)):
        assert _balance(rt, d) == before[d] - paid, d
    with rt.session() as s:
        matched = {e.debtor_id: e.payload["matched_by"] for e in audit.iter_events(s, kind="payment.bank_entry")}
        assert matched == {"D003": "file reference", "D001": "invoice number", "D020": "file reference",
                           "D002": "plan reference"}
        assert audit.verify(s).ok
    with rt.session() as s:
        again = camt.import_statement(s, SAMPLE, actor="test", today=TODAY)
    assert again.payments == 0 and again.skipped["already_booked"] == 4
    assert _balance(rt, "D003") == before["D003"] - 2_500


@pytest.mark.parametrize(("entry", "needle"), [
    (_entry("10.00", "X-1", "sans reference"), "stmt.xml:4: entry 2: RmtInf: no debtor, plan or invoice reference"),
    (_entry("10.00", "X-2", "CCR-2023-0004", ccy="USD"), "stmt.xml:4: entry 2: Amt: a EUR amount is required"),
    (_entry("10.005", "X-3", "CCR-2023-0004"), "entry 2: Amt: not an amount with at most 2 decimals"),
    (_entry("10.00", "X-4", "CCR-2023-0004", day="2099-01-01"), "entry 2: BookgDt: a payment cannot be in the future"),
    (_entry("10.00", "X-5", "CCR-2023-0004 et CCR-2023-0005"), "file references name several debtors (D004, D005)"),
    (_entry("99999999.00", "X-6", "CCR-2023-0004"), "entry 2: D004: amount: 9999999900 cents exceeds the balance"),
    (_entry("10.00", "X-0", "CCR-2023-0004"), "'X-0' appears twice"),
])
def test_any_bad_entry_and_nothing_is_recorded(env: Any, tmp_path: Path, entry: str, needle: str) -> None:
    _, rt, _, _ = env
    before = _balance(rt, "D004")
    path = _statement(tmp_path, [_entry("10.00", "X-0", "CCR-2023-0004"), entry])
    with pytest.raises(InputValidationError) as err, rt.session() as s:  # the error rolls the session back
        camt.import_statement(s, path, actor="test", today=TODAY)
    assert needle in err.value.message and "nothing was imported" in err.value.message, err.value.message
    assert _balance(rt, "D004") == before


@pytest.mark.parametrize(("text", "needle"), [
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
     f'<Document xmlns="{NS8}">&b;</Document>', "DTDs and entities are not allowed"),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     f'<Document xmlns="{NS8}">&x;</Document>', "DTDs and entities are not allowed"),
    ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>',
     "not a camt.053 statement"),
    ("<Document><BkToCstmrStmt>", "not well-formed XML"),
    (f'<Document xmlns="{NS8}"><BkToCstmrStmt/></Document>', "no BkToCstmrStmt/Stmt"),
])
def test_unsafe_or_foreign_xml_is_refused(text: str, needle: str) -> None:
    with pytest.raises(InputValidationError, match=needle):
        camt.parse_statement(text.encode(), "x.xml")


def test_batch_amounts_must_add_up(tmp_path: Path) -> None:
    bad = SAMPLE.read_text(encoding="utf-8").replace('<Amt Ccy="EUR">35.00</Amt>', '<Amt Ccy="EUR">36.00</Amt>')
    _, _, errors = camt.parse_statement(bad.encode(), "camt053.xml")
    assert len(errors) == 1 and "entry 5: TxDtls: transaction amounts add up to 6100 cents, the entry is 6000" \
        in errors[0]


def test_a_statement_completes_a_plan_and_the_file_leaves_the_queue(env: Any, tmp_path: Path) -> None:
    s_, rt, keys, client = env
    debtor = "D013"
    option = next(o for o in quote(_balance(rt, debtor), policy=POLICY, today=TODAY) if o.id == "short-3m")
    with rt.session() as s:
        res = lifecycle.accept(s, debtor, option, idempotency_key="camt-plan", bounds=POLICY.defaults, actor="debtor")
        plan_ref, amounts = res.plan.reference, [i.amount_cents for i in res.plan.instalments]
    assert debtor in {i["debtor_id"] for i in client.get("/v1/queue?limit=500", headers=auth(keys.agent)).json()}
    entries = [_entry(f"{a // 100}.{a % 100:02d}", f"PLAN-{n}", f"ECHEANCE {n} {plan_ref}")
               for n, a in enumerate(amounts, 1)]
    path = _statement(tmp_path, entries, "plan.xml")
    env_vars = {**os.environ, "AMIABLE_DATA_DIR": str(s_.data_dir), "AMIABLE_TODAY": TODAY.isoformat()}
    cmd = [sys.executable, "-m", "agent.cli.main", "payment", "import", str(path)]
    dry = subprocess.run([*cmd, "--dry-run"], capture_output=True, text=True, env=env_vars, cwd=REPO, timeout=300,
                         check=False)
    assert dry.returncode == 0, dry.stderr
    assert f"would import {len(amounts)} payments" in dry.stdout and f"plans completed: {plan_ref}" in dry.stdout
    assert _balance(rt, debtor) == sum(amounts)  # dry run recorded nothing
    done = subprocess.run(cmd, capture_output=True, text=True, env=env_vars, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"imported {len(amounts)} payments" in done.stdout and f"plans completed: {plan_ref}" in done.stdout
    assert _balance(rt, debtor) == 0
    with rt.session() as s:
        plan = s.query(m.Plan).filter(m.Plan.reference == plan_ref).one()
        assert plan.status == "completed" and all(i.status == "paid" for i in plan.instalments)
        assert audit.verify(s).ok
    assert debtor not in {i["debtor_id"] for i in client.get("/v1/queue?limit=500", headers=auth(keys.agent)).json()}
