"""CSV import through the default column mapping: grouping by reference, euro amounts, line-precise errors, re-sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.csv_import import load_mapping, read_csv
from agent.db import models as m
from agent.db.session import session_scope
from agent.errors import ConfigError, InputValidationError
from agent.portfolio import import_portfolio
from agent.settings import REPO_ROOT
from agent.sync import SyncReport, sync_records

SAMPLE = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
MAPPING = load_mapping(REPO_ROOT / "knowledge" / "portfolio" / "csv_mapping.yaml")
HEADER = "creditor_id,reference,last_name,first_name,email,invoice_number,issue_date,due_date,principal,fees,paid_on,paid_amount"
ROWS = [
    'cr-fitness,FIT-1,Durand,Léa,lea@example.org,F-100,2026-03-01,2026-03-31,"1 234,56",40,,',
    "cr-fitness,FIT-1,Durand,Léa,lea@example.org,F-101,2026-04-01,2026-04-30,89.90,,2026-05-10,50",
    "cr-fitness,FIT-2,Moreau,Paul,,F-200,2026-02-01,2026-02-28,300,,,",
]


def _csv(tmp_path: Path, rows: list[str], name: str = "export.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def url(settings, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A database holding the sample's creditors only (a CSV export names an existing creditor)."""
    creditors = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines()
                 if line.strip() and json.loads(line)["type"] == "creditor"]
    path = tmp_path / "creditors.jsonl"
    path.write_text("\n".join(creditors) + "\n", encoding="utf-8")
    u: str = settings.effective_database_url
    with session_scope(u) as s:
        import_portfolio(s, path)
    return u


def _sync(url: str, path: Path) -> SyncReport:
    debtors, lines = read_csv(path, MAPPING)
    with session_scope(url) as s:
        return sync_records(s, [], debtors, source=str(path), lines=lines)


def test_rows_become_debtor_files_with_cents(url: str, tmp_path: Path) -> None:
    rep = _sync(url, _csv(tmp_path, ROWS))
    assert rep.added == 2
    with session_scope(url) as s:
        d = s.get(m.Debtor, "FIT-1")
        assert d is not None and d.creditor_id == "cr-fitness" and d.kind == "consumer"
        assert [(i.number, i.principal_cents, i.other_cents) for i in d.invoices] == [("F-100", 123_456, 4_000),
                                                                                      ("F-101", 8_990, 0)]
        assert [(p.date.isoformat(), p.amount_cents) for p in d.payments] == [("2026-05-10", 5_000)]


def test_a_changed_row_updates_and_a_missing_debtor_is_closed(url: str, tmp_path: Path) -> None:
    _sync(url, _csv(tmp_path, ROWS))
    changed = [ROWS[0].replace('"1 234,56"', "1300.00"), ROWS[1]]
    rep = _sync(url, _csv(tmp_path, changed, "export-2.csv"))
    assert (rep.updated, rep.closed) == (1, 1)
    with session_scope(url) as s:
        d1, d2 = s.get(m.Debtor, "FIT-1"), s.get(m.Debtor, "FIT-2")
        assert d1 is not None and d1.invoices[0].principal_cents == 130_000 and len(d1.payments) == 1
        assert d2 is not None and d2.status == "closed"


@pytest.mark.parametrize(("row", "expected"), [
    ("cr-fitness,FIT-2,Moreau,Paul,,F-200,2026-02-01,2026-01-28,300,,,", "export.csv:4: invoices.0: Value error, due_date is before issue_date"),
    ("cr-fitness,FIT-2,Moreau,Paul,,F-200,2026-02-01,2026-02-28,12.345,,,", "export.csv:4: principal: not an amount"),
    ("cr-fitness,FIT-1,Dupont,Léa,lea@example.org,F-102,2026-04-01,2026-04-30,10,,,", "export.csv:4: last_name: 'Dupont' differs from line 2"),
    ("cr-nowhere,FIT-3,Roy,Ana,,F-300,2026-02-01,2026-02-28,10,,,", "export.csv:4: creditor_id: unknown creditor 'cr-nowhere'"),
])
def test_errors_name_the_csv_line_and_nothing_is_written(url: str, tmp_path: Path, row: str, expected: str) -> None:
    path = _csv(tmp_path, [*ROWS[:2], row])
    with pytest.raises(InputValidationError) as err:
        _sync(url, path)
    assert expected in err.value.message and "nothing was imported" in err.value.message
    with session_scope(url) as s:
        assert s.get(m.Debtor, "FIT-1") is None


def test_unmapped_column_and_broken_mapping(url: str, tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("reference,colour\nR1,blue\n", encoding="utf-8")
    with pytest.raises(InputValidationError, match=r"x.csv:1: header: unmapped column\(s\) 'colour'"):
        read_csv(p, MAPPING)
    bad = tmp_path / "map.yaml"
    bad.write_text("columns: {a: shipment.weight}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown field"):
        load_mapping(bad)
