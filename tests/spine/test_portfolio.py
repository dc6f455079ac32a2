"""Portfolio import: validation with line-precise errors, all-or-nothing loading, idempotent re-import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.db import models as m
from agent.db.repo import load_file
from agent.db.session import session_scope
from agent.errors import InputValidationError, NotFoundError
from agent.portfolio import import_portfolio, read_portfolio
from tests.conftest import TODAY

SAMPLE = Path(__file__).resolve().parents[2] / "knowledge" / "portfolio" / "sample_portfolio.jsonl"


def _lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def _count(url: str, model: type) -> int:
    with session_scope(url) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_sample_portfolio_is_rich_enough() -> None:
    creditors, debtors = read_portfolio(SAMPLE)
    assert len(creditors) >= 5
    assert len(debtors) >= 30
    assert sum(1 for d in debtors if d.enforceable_title) >= 2
    assert sum(1 for d in debtors if d.language == "en") >= 5
    assert sum(1 for d in debtors if d.kind == "business") >= 5
    assert any(d.disputes for d in debtors) and any(d.hardship for d in debtors)
    assert any(p.status == "broken" for d in debtors for p in d.promises)
    assert any(p.status == "kept" for d in debtors for p in d.promises)


def test_import_then_reimport_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    url = settings.effective_database_url
    with session_scope(url) as s:
        first = import_portfolio(s, SAMPLE)
    n_debtors, n_invoices = _count(url, m.Debtor), _count(url, m.Invoice)
    with session_scope(url) as s:
        second = import_portfolio(s, SAMPLE)
    assert first.replaced == 0 and second.replaced == first.debtors
    assert (_count(url, m.Debtor), _count(url, m.Invoice)) == (n_debtors, n_invoices)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(invoices=[{**d["invoices"][0], "principal_cents": -5}]), "invoices.0.principal_cents"),
        (lambda d: d.update(creditor_id="nope"), "creditor_id: unknown creditor"),
        (lambda d: d.update(kind="alien"), "kind"),
        (lambda d: d.update(unknown_field=1), "unknown_field"),
        (lambda d: d["invoices"][0].update(principal_cents=12.5), "invoices.0.principal_cents"),
        (lambda d: d["contacts"].append({"at": "2026-10-01T10:00:00", "channel": "email", "direction": "out"}),
         "timezone offset"),
    ],
)
def test_bad_record_is_reported_with_its_line_and_nothing_is_loaded(settings, tmp_path, mutate, expected) -> None:  # type: ignore[no-untyped-def]
    lines = _lines()
    idx = next(i for i, line in enumerate(lines) if '"type": "debtor"' in line or '"type":"debtor"' in line)
    idx += 3  # a debtor a few lines into the file
    record = json.loads(lines[idx])
    mutate(record)
    lines[idx] = json.dumps(record, ensure_ascii=False)
    bad = _write(tmp_path, lines)
    with pytest.raises(InputValidationError) as err, session_scope(settings.effective_database_url) as s:
        import_portfolio(s, bad)
    assert f"bad.jsonl:{idx + 1}:" in err.value.message
    assert expected in err.value.message
    assert _count(settings.effective_database_url, m.Debtor) == 0


def test_invalid_json_and_duplicates_are_all_listed(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = _lines()
    debtor_line = next(line for line in lines if '"type": "debtor"' in line)
    bad = _write(tmp_path, [*lines, "{not json", debtor_line])
    with pytest.raises(InputValidationError) as err, session_scope(settings.effective_database_url) as s:
        import_portfolio(s, bad)
    msg = err.value.message
    assert f":{len(lines) + 1}: invalid JSON" in msg
    assert f":{len(lines) + 2}: id: duplicate debtor id" in msg
    assert _count(settings.effective_database_url, m.Debtor) == 0


def test_not_utf8_and_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "bin.jsonl"
    p.write_bytes(b'{"type": "creditor", "id": "\xff"}\n')
    with pytest.raises(InputValidationError, match="not valid UTF-8"):
        read_portfolio(p)
    with pytest.raises(Exception, match="not found"):
        read_portfolio(tmp_path / "absent.jsonl")


def test_signals_are_derived_from_the_ledger(loaded_settings) -> None:  # type: ignore[no-untyped-def]
    with session_scope(loaded_settings.effective_database_url) as s:
        files = {i: load_file(s, i, TODAY) for i in ("D004", "D017", "D018", "D013", "D005")}
        with pytest.raises(NotFoundError):
            load_file(s, "D999", TODAY)
    for f in files.values():
        sig = f.signals
        assert sig.balance_cents == sig.principal_due_cents + sig.interest_due_cents + sig.other_due_cents
        assert sig.balance_cents == sig.total_invoiced_cents - sig.total_paid_cents
    assert files["D004"].signals.time_barred  # consumer, 2-year prescription passed
    assert not files["D005"].signals.time_barred  # business: 5 years
    assert files["D017"].signals.balance_cents == 0 and files["D017"].signals.days_past_due == 0
    assert files["D018"].signals.call_attempts_30d == 4
    assert files["D013"].has_title and files["D013"].commissaire is not None
    assert files["D013"].signals.prescription_date is not None
    assert files["D013"].signals.prescription_date.year >= TODAY.year + 5  # title: 10 years
