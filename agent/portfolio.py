"""Portfolio import: a JSONL file of creditor and debtor records, validated, loaded all-or-nothing.

Schema (one JSON object per line; blank lines and lines starting with ``//`` are ignored):

* ``{"type": "creditor", ...}`` -> :class:`CreditorRecord`
* ``{"type": "debtor", ...}``   -> :class:`DebtorRecord`

The published JSON Schema is written by ``amiable import --schema``. A re-import is an
incremental, non-destructive sync (see :mod:`agent.sync`): records are upserted by creditor +
reference, what the firm produced is kept, debtors absent from the export are closed; errors are
reported as ``FILE:LINE: field: message`` and, if there is any, nothing at all is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.records import MAX_LINE_BYTES as MAX_LINE_BYTES

# The record models and the parser live in agent.records (agent.sync uses them without importing this module).
from agent.records import CommissaireRecord as CommissaireRecord
from agent.records import ContactRecord as ContactRecord
from agent.records import CreditorRecord as CreditorRecord
from agent.records import DebtorRecord as DebtorRecord
from agent.records import DisputeRecord as DisputeRecord
from agent.records import ImportReport as ImportReport
from agent.records import InstalmentRecord as InstalmentRecord
from agent.records import InvoiceRecord as InvoiceRecord
from agent.records import PaymentRecord as PaymentRecord
from agent.records import PlanRecord as PlanRecord
from agent.records import PromiseRecord as PromiseRecord
from agent.records import TitleRecord as TitleRecord
from agent.records import json_schema as json_schema
from agent.records import parse_lines as parse_lines
from agent.records import read_portfolio as read_portfolio


def load_records(session: Session, creditors: list[CreditorRecord], debtors: list[DebtorRecord], *,
                 source: str = "records", line_of: dict[str, int] | None = None,
                 close_absent: bool = True) -> ImportReport:
    """Sync creditors and debtors (upsert, non-destructive; see agent.sync) inside the caller's transaction."""
    from agent.sync import sync_records

    rep = sync_records(session, creditors, debtors, source=source, lines=line_of, close_absent=close_absent)
    return report_of(rep, creditors)


def report_of(rep: Any, creditors: list[CreditorRecord]) -> ImportReport:
    return ImportReport(
        creditors=len(creditors), debtors=rep.added + rep.updated + rep.reopened + rep.unchanged,
        invoices=rep.invoices, contacts=rep.contacts, replaced=rep.updated + rep.reopened + rep.unchanged,
        added=rep.added, updated=rep.updated + rep.reopened, closed=rep.closed, unchanged=rep.unchanged,
    )


def import_portfolio(session: Session, path: Path) -> ImportReport:
    line_of: dict[str, int] = {}
    creditors, debtors = read_portfolio(path, line_of)
    return load_records(session, creditors, debtors, source=str(path), line_of=line_of)
