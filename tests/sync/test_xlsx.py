"""XLSX import with the same column mapping as CSV: typed cells (dates, numbers) read like their CSV
text, the same records, line-precise errors (sheet rows), all-or-nothing, --dry-run on the CLI."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from agent.csv_import import ColumnMapping, read_csv, read_xlsx
from agent.db import models as m
from agent.db.session import session_scope
from agent.errors import InputValidationError
from agent.sync import sync_records, sync_text
from tests.sync.test_csv import HEADER, MAPPING, ROWS, _csv, url  # noqa: F401 (url: the fixture)

MAPPING_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "portfolio" / "csv_mapping.yaml"
# The CSV rows of test_csv as a spreadsheet holds them: dates as dates, amounts as numbers.
CELLS: list[list[Any]] = [
    ["cr-fitness", "FIT-1", "Durand", "Léa", "lea@example.org", "F-100", dt.date(2026, 3, 1), dt.date(2026, 3, 31),
     1234.56, 40, None, None],
    ["cr-fitness", "FIT-1", "Durand", "Léa", "lea@example.org", "F-101", dt.datetime(2026, 4, 1),
     dt.datetime(2026, 4, 30), 89.9, None, dt.date(2026, 5, 10), 50.0],
    ["cr-fitness", "FIT-2", "Moreau", "Paul", None, "F-200", "2026-02-01", "2026-02-28", 300, None, None, None],
]


def _xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "export.xlsx", *, first_sheet: str | None = None,
          header: list[str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if first_sheet is not None:  # a notes sheet before the data sheet
        ws.title = first_sheet
        ws.append(["this sheet is not the export"])
        ws = wb.create_sheet("Export")
    ws.append(header or HEADER.split(","))
    for r in rows:
        ws.append(r)
    ws.append([None] * 12)  # a blank trailing row, as spreadsheets leave
    p = tmp_path / name
    wb.save(p)
    return p


def test_xlsx_gives_the_same_records_as_the_csv(tmp_path: Path) -> None:
    from_csv, lines_csv = read_csv(_csv(tmp_path, ROWS), MAPPING)
    from_xlsx, lines_xlsx = read_xlsx(_xlsx(tmp_path, CELLS), MAPPING)
    assert [r.model_dump() for r in from_xlsx] == [r.model_dump() for r in from_csv]
    assert lines_xlsx == lines_csv == {"FIT-1": 2, "FIT-2": 4}
    fit1 = from_xlsx[0]
    assert [(i.principal_cents, i.other_cents) for i in fit1.invoices] == [(123_456, 4_000), (8_990, 0)]
    assert [(p.date, p.amount_cents) for p in fit1.payments] == [(dt.date(2026, 5, 10), 5_000)]


@pytest.mark.parametrize(("row", "expected"), [
    (["cr-fitness", "FIT-2", "Moreau", "Paul", None, "F-200", dt.date(2026, 2, 1), dt.date(2026, 1, 28), 300],
     "export.xlsx:4: invoices.0: Value error, due_date is before issue_date"),
    (["cr-fitness", "FIT-2", "Moreau", "Paul", None, "F-200", "2026-02-01", "2026-02-28", 12.345],
     "export.xlsx:4: principal: not an amount"),
    (["cr-fitness", "FIT-1", "Dupont", "Léa", "lea@example.org", "F-102", "2026-04-01", "2026-04-30", 10],
     "export.xlsx:4: last_name: 'Dupont' differs from line 2"),
    (["cr-nowhere", "FIT-3", "Roy", "Ana", None, "F-300", "2026-02-01", "2026-02-28", 10],
     "export.xlsx:4: creditor_id: unknown creditor 'cr-nowhere'"),
    (["cr-fitness", "FIT-2", "Moreau", "Paul", None, "F-200", "2026-02-01", "2026-02-28", 300, None, None, None,
      "stray"], "export.xlsx:4: column 13: a value under an empty header"),
])
def test_errors_name_the_sheet_row_and_nothing_is_written(url: str, tmp_path: Path,  # noqa: F811
                                                          row: list[Any], expected: str) -> None:
    path = _xlsx(tmp_path, [*CELLS[:2], row])
    with pytest.raises(InputValidationError) as err:
        debtors, lines = read_xlsx(path, MAPPING)
        with session_scope(url) as s:
            sync_records(s, [], debtors, source=str(path), lines=lines)
    assert expected in err.value.message and "nothing was imported" in err.value.message
    with session_scope(url) as s:
        assert s.get(m.Debtor, "FIT-1") is None


def test_not_a_workbook_unmapped_header_and_sheet_choice(tmp_path: Path) -> None:
    fake = tmp_path / "renamed.xlsx"
    fake.write_text(HEADER + "\n" + ROWS[0] + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError, match=r"renamed.xlsx: not an XLSX workbook"):
        read_xlsx(fake, MAPPING)
    bad = _xlsx(tmp_path, [], "bad.xlsx", header=["reference", "colour"])
    with pytest.raises(InputValidationError, match=r"bad.xlsx:1: header: unmapped column\(s\) 'colour'"):
        read_xlsx(bad, MAPPING)
    two = _xlsx(tmp_path, CELLS, "two.xlsx", first_sheet="Notes")
    with pytest.raises(InputValidationError, match="unmapped column"):
        read_xlsx(two, MAPPING)  # the first sheet is the notes
    on_sheet = ColumnMapping.model_validate({**MAPPING.model_dump(), "sheet": "Export"})
    assert [r.reference for r in read_xlsx(two, on_sheet)[0]] == ["FIT-1", "FIT-2"]
    missing = ColumnMapping.model_validate({**MAPPING.model_dump(), "sheet": "Feuil9"})
    with pytest.raises(InputValidationError, match="no sheet 'Feuil9'"):
        read_xlsx(two, missing)


def test_admin_sync_text_takes_base64_xlsx(url: str, tmp_path: Path) -> None:  # noqa: F811
    data = base64.b64encode(_xlsx(tmp_path, CELLS).read_bytes()).decode("ascii")
    with session_scope(url) as s:
        dry = sync_text(s, data, fmt="xlsx", source="upload.xlsx", mapping_file=MAPPING_FILE, dry_run=True)
    assert dry.added == 2 and dry.dry_run
    with session_scope(url) as s:
        assert s.get(m.Debtor, "FIT-1") is None
        rep = sync_text(s, data, fmt="xlsx", source="upload.xlsx", mapping_file=MAPPING_FILE)
    assert rep.added == 2
    with session_scope(url) as s:
        d = s.get(m.Debtor, "FIT-1")
        assert d is not None and [i.principal_cents for i in d.invoices] == [123_456, 8_990]
        with pytest.raises(InputValidationError, match="must be base64"):
            sync_text(s, "not base64 at all!", fmt="xlsx", source="upload.xlsx", mapping_file=MAPPING_FILE)


def test_cli_import_xlsx_dry_run_then_for_real(url: str, tmp_path: Path, settings: Any,  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli.main import app
    from agent.settings import get_settings

    path = _xlsx(tmp_path, CELLS)
    monkeypatch.setenv("AMIABLE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        r = runner.invoke(app, ["import", str(path), "--dry-run", "--keep-absent"])
        assert r.exit_code == 0, r.output
        assert "2 added" in r.output and "FIT-1" in r.output
        with session_scope(url) as s:
            assert s.get(m.Debtor, "FIT-1") is None  # dry run: nothing written
        r = runner.invoke(app, ["import", str(path), "--keep-absent"])
        assert r.exit_code == 0 and "2 added" in r.output, r.output
        with session_scope(url) as s:
            assert s.get(m.Debtor, "FIT-2") is not None
    finally:
        get_settings.cache_clear()
