"""CSV and XLSX portfolio import through a column-mapping file (YAML: column header -> record field).

The default mapping (``knowledge/portfolio/csv_mapping.yaml``) reads a flat table with one row per
invoice: rows sharing a ``reference`` become one debtor record, validated by the same
:class:`agent.portfolio.DebtorRecord` model as JSONL, then synced by :mod:`agent.sync`. Errors name
the line (``FILE:LINE: field: message``; for XLSX the sheet's row number) and, if there is any,
nothing is written. An XLSX workbook is read with openpyxl (values, not formulas; openpyxl parses
its XML through defusedxml when installed, which it is): the mapping's ``sheet`` or the first sheet,
headers on row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ConfigError, InputValidationError, UserError
from agent.records import DebtorRecord
from agent.yamlio import load_yaml

MONEY_FIELDS = {"principal_cents", "interest_cents", "other_cents", "amount_cents"}


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delimiter: str = ","
    amounts: Literal["euros", "cents"] = "euros"
    creditor_id: str | None = None
    columns: dict[str, str]
    ignore: list[str] = []
    sheet: str | None = None  # XLSX: the worksheet to read (default: the first one)


def load_mapping(path: Path) -> ColumnMapping:
    try:
        data = load_yaml(path)
        mapping = ColumnMapping.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"column mapping {path}: {exc}") from exc
    for field in mapping.columns.values():
        group, _, name = field.rpartition(".")
        if group not in ("", "invoice", "payment") or not name:
            raise ConfigError(f"column mapping {path}: unknown field {field!r}")
    return mapping


def parse_amount(raw: str, amounts: str) -> int:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if amounts == "cents":
        return int(text)
    if "," in text and "." in text:
        text = text.replace(".", "") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    value = Decimal(text.replace(",", "."))
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{raw!r} has more than 2 decimals")
    return int(cents)


def read_csv(path: Path, mapping: ColumnMapping) -> tuple[list[DebtorRecord], dict[str, int]]:
    """Group the rows into debtor records; return them and each reference's first line."""
    if not path.is_file():
        raise UserError(f"portfolio file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputValidationError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    return parse_csv(text, str(path), mapping)


def parse_csv(text: str, src: str, mapping: ColumnMapping) -> tuple[list[DebtorRecord], dict[str, int]]:
    """Group CSV text's rows into debtor records (errors name ``src`` and the line)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)

    def rows() -> Iterator[tuple[int, dict[str | None, str | None]]]:
        for row in reader:
            yield reader.line_num, dict(row)

    return group_rows(list(reader.fieldnames or []), rows(), src, mapping)


MAX_XLSX_BYTES = 50_000_000


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export would hold (dates ISO, whole numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(path: Path, mapping: ColumnMapping) -> tuple[list[DebtorRecord], dict[str, int]]:
    """Group an XLSX sheet's rows into debtor records; errors name the file and the sheet row."""
    if not path.is_file():
        raise UserError(f"portfolio file not found: {path}")
    return parse_xlsx(path.read_bytes(), str(path), mapping)


def parse_xlsx(data: bytes, src: str, mapping: ColumnMapping) -> tuple[list[DebtorRecord], dict[str, int]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if len(data) > MAX_XLSX_BYTES:
        raise InputValidationError(f"{src}: workbook larger than {MAX_XLSX_BYTES // 1_000_000} MB")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputValidationError(f"{src}: not an XLSX workbook ({type(exc).__name__})") from None
    try:
        if mapping.sheet is not None and mapping.sheet not in wb.sheetnames:
            raise InputValidationError(f"{src}: no sheet {mapping.sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[mapping.sheet] if mapping.sheet is not None else wb.worksheets[0]
        table = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not table:
        raise InputValidationError(f"{src}: the sheet {ws.title!r} is empty")
    headers = [h.strip() for h in table[0]]
    errors: list[str] = []

    def rows() -> Iterator[tuple[int, dict[str | None, str | None]]]:
        for lineno, cells in enumerate(table[1:], start=2):
            if not any(c.strip() for c in cells):
                continue  # blank (formatted) rows
            row: dict[str | None, str | None] = {}
            for i, value in enumerate(cells):
                header = headers[i] if i < len(headers) else ""
                if not header:
                    if value.strip():
                        errors.append(f"{src}:{lineno}: column {i + 1}: a value under an empty header")
                    continue
                row[header] = value
            yield lineno, row

    named = [h for h in headers if h]
    records, first = group_rows(named, rows(), src, mapping, errors=errors)
    return records, first


def group_rows(headers: list[str], rows: Iterable[tuple[int, dict[str | None, str | None]]], src: str,
               mapping: ColumnMapping, *, errors: list[str] | None = None
               ) -> tuple[list[DebtorRecord], dict[str, int]]:
    """Rows (line number, header -> text) grouped into debtor records; every error names its line."""
    errors = errors if errors is not None else []
    unknown = [h for h in headers if h not in mapping.columns and h not in mapping.ignore]
    if unknown:
        errors.append(f"{src}:1: header: unmapped column(s) {', '.join(repr(h) for h in unknown)}")
    if "reference" not in {mapping.columns.get(h) for h in headers}:
        errors.append(f"{src}:1: header: no column is mapped to reference")
    if errors:
        raise InputValidationError(f"{len(errors)} error(s) in {src}; nothing was imported:\n" + "\n".join(errors),
                                   detail=errors)
    groups: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    inv_lines: dict[str, list[int]] = {}
    for lineno, row in rows:
        debtor: dict[str, Any] = {}
        invoice: dict[str, Any] = {}
        payment: dict[str, Any] = {}
        for header, raw in row.items():
            field = mapping.columns.get(header or "")
            if field is None or raw is None or raw.strip() == "":
                continue
            group, _, name = field.rpartition(".")
            value: Any = raw.strip()
            if name in MONEY_FIELDS:
                try:
                    value = parse_amount(raw, mapping.amounts)
                except (InvalidOperation, ValueError) as exc:
                    errors.append(f"{src}:{lineno}: {header}: not an amount: {exc}")
                    continue
            {"": debtor, "invoice": invoice, "payment": payment}[group][name] = value
        ref = debtor.get("reference")
        if not ref:
            errors.append(f"{src}:{lineno}: reference: missing")
            continue
        if mapping.creditor_id:
            debtor["creditor_id"] = mapping.creditor_id
        current = groups.get(ref)
        if current is None:
            debtor.setdefault("id", ref)
            debtor.setdefault("kind", "business" if debtor.get("company_name") else "consumer")
            current = groups[ref] = {"type": "debtor", **debtor, "invoices": [], "payments": []}
            first_line[ref] = lineno
            inv_lines[ref] = []
        else:
            for k, v in debtor.items():
                if k in current and current[k] != v:
                    errors.append(f"{src}:{lineno}: {k}: {v!r} differs from line {first_line[ref]} ({current[k]!r})")
        if invoice:
            current["invoices"].append(invoice)
            inv_lines[ref].append(lineno)
        if payment:
            current["payments"].append(payment)
    records: list[DebtorRecord] = []
    for ref, obj in groups.items():
        try:
            records.append(DebtorRecord.model_validate(obj))
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(p) for p in err["loc"]]
                line = first_line[ref]
                if len(loc) >= 2 and loc[0] == "invoices" and loc[1].isdigit() and int(loc[1]) < len(inv_lines[ref]):
                    line = inv_lines[ref][int(loc[1])]
                errors.append(f"{src}:{line}: {'.'.join(loc) or 'record'}: {err['msg']}")
    if errors:
        shown = errors[:50]
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        raise InputValidationError(f"{len(errors)} error(s) in {src}; nothing was imported:\n" + "\n".join(shown) + more,
                                   detail=errors)
    return records, first_line
