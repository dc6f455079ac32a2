"""ISO 20022 camt.053 bank statements (BkToCstmrStmt) as payment files.

Parsing is strict and safe: defusedxml with DTDs, entities and external references refused, a size
limit, the camt.053 namespace required (any ``camt.053.001.NN`` version). Only booked (``BOOK``)
credit (``CRDT``) entries in EUR are payments; debits, pending entries and reversals are skipped
and counted. A batch entry's transaction details (``TxDtls``) are one payment each, and their
amounts must add up to the entry's.

Each payment is matched to one debtor file by the references its remittance information carries
(structured creditor reference, unstructured text, end-to-end id): the file's reference first,
then a plan reference, then an invoice number; none or several debtors is an error. Matched
payments go through :func:`agent.payments.record` (plan instalments settled in order, the plan
completes, a paid file leaves the queue). The bank's reference of each payment is audited
(``payment.bank_entry``) and a statement imported twice books nothing twice. All-or-nothing: any
error and nothing is recorded; errors name the file, the entry and its line.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import audit
from agent.db import models as m
from agent.errors import InputValidationError, UserError
from agent.payments import PaymentOutcome, record

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
MAX_BYTES = 20_000_000
_AMOUNT = re.compile(r"^\d{1,13}(\.\d{1,2})?$")
_NTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Ntry[\s>/]")


class BankPayment(BaseModel):
    entry: int  # 1-based position of the Ntry in the file
    line: int | None
    bank_ref: str
    booked_on: dt.date
    amount_cents: int
    texts: list[str]


class CamtReport(BaseModel):
    source: str
    dry_run: bool = False
    payments: int
    total_cents: int
    plans_completed: list[str]
    skipped: dict[str, int]
    outcomes: list[PaymentOutcome]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _find(el: Element | None, path: str) -> Element | None:
    for part in path.split("/"):
        if el is None:
            return None
        kids = _kids(el, part)
        el = kids[0] if kids else None
    return el


def _text(el: Element | None, path: str) -> str:
    got = _find(el, path)
    return (got.text or "").strip() if got is not None else ""


def _cents(raw: str, where: str, errors: list[str]) -> int | None:
    if not _AMOUNT.match(raw):
        errors.append(f"{where}: Amt: not an amount with at most 2 decimals: {raw!r}")
        return None
    return int(Decimal(raw) * 100)


def _remittance(t: Element) -> list[str]:
    """The texts that may carry our references: structured creditor refs and referred documents,
    unstructured lines, the end-to-end id."""
    out: list[str] = []
    for r in _kids(t, "RmtInf"):
        out += [(u.text or "").strip() for u in _kids(r, "Ustrd")]
        for st in _kids(r, "Strd"):
            out += [_text(st, "CdtrRefInf/Ref"), *(_text(d, "Nb") for d in _kids(st, "RfrdDocInf"))]
    out.append(_text(t, "Refs/EndToEndId"))
    return [x for x in out if x and x != "NOTPROVIDED"]


def parse_statement(data: bytes, src: str) -> tuple[list[BankPayment], dict[str, int], list[str]]:
    """The booked EUR credits of a camt.053 file, what was skipped, and the errors (each with its entry)."""
    if len(data) > MAX_BYTES:
        raise InputValidationError(f"{src}: statement larger than {MAX_BYTES // 1_000_000} MB")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputValidationError(f"{src}: refused: {type(exc).__name__} (DTDs and entities are not allowed)") from None
    except ParseError as exc:
        raise InputValidationError(f"{src}: not well-formed XML: {exc}") from None
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "Document" or not ns.startswith(NS_PREFIX):
        raise InputValidationError(f"{src}: not a camt.053 statement (root {root.tag!r}; expected a Document in "
                                   f"{NS_PREFIX}NN)")
    stmts = [s for b in _kids(root, "BkToCstmrStmt") for s in _kids(b, "Stmt")]
    if not stmts:
        raise InputValidationError(f"{src}: no BkToCstmrStmt/Stmt in the statement")
    lines = [data.count(b"\n", 0, mt.start()) + 1 for mt in _NTRY_TAG.finditer(data)]
    entries = [e for s in stmts for e in _kids(s, "Ntry")]
    if len(lines) != len(entries):
        lines = []  # Ntry in comments or CDATA: name entries by number only
    skipped = {"debits": 0, "not_booked": 0, "reversals": 0}
    errors: list[str] = []
    out: list[BankPayment] = []
    for n, e in enumerate(entries, start=1):
        line = lines[n - 1] if lines else None
        where = f"{src}:{line}: entry {n}" if line else f"{src}: entry {n}"
        status = _text(e, "Sts/Cd") or _text(e, "Sts")
        if _text(e, "CdtDbtInd") != "CRDT":
            skipped["debits"] += 1
            continue
        if status != "BOOK":
            skipped["not_booked"] += 1
            continue
        if _text(e, "RvslInd").lower() == "true":
            skipped["reversals"] += 1
            continue
        amt = _find(e, "Amt")
        if amt is None or amt.get("Ccy") != "EUR":
            errors.append(f"{where}: Amt: a EUR amount is required (got {amt.get('Ccy') if amt is not None else None!r})")
            continue
        total = _cents((amt.text or "").strip(), where, errors)
        day = _text(e, "BookgDt/Dt") or _text(e, "BookgDt/DtTm")[:10] or _text(e, "ValDt/Dt")
        try:
            booked = dt.date.fromisoformat(day)
        except ValueError:
            errors.append(f"{where}: BookgDt: not a date: {day!r}")
            continue
        if total is None:
            continue
        entry_ref = _text(e, "AcctSvcrRef") or _text(e, "NtryRef")
        txs = [t for d in _kids(e, "NtryDtls") for t in _kids(d, "TxDtls")]
        parts: list[tuple[Element, int]] | None = [(txs[0] if txs else e, total)]
        if len(txs) > 1:
            parts = []
            for t in txs:
                raw = _text(t, "AmtDtls/TxAmt/Amt") or _text(t, "Amt")
                cents = _cents(raw, where, errors) if raw else None
                if cents is None:
                    if not raw:
                        errors.append(f"{where}: TxDtls: a batch entry needs each transaction's amount")
                    parts = None
                    break
                parts.append((t, cents))
            if parts is not None and sum(c for _, c in parts) != total:
                errors.append(f"{where}: TxDtls: transaction amounts add up to {sum(c for _, c in parts)} cents, "
                              f"the entry is {total}")
                parts = None
        for i, (t, cents) in enumerate(parts or [], start=1):
            ref = _text(t, "Refs/AcctSvcrRef") if t is not e else ""
            ref = ref or (f"{entry_ref}/{i}" if len(parts or []) > 1 else entry_ref)
            if not ref:
                errors.append(f"{where}: AcctSvcrRef: the bank reference is missing (needed against double booking)")
                continue
            out.append(BankPayment(entry=n, line=line, bank_ref=ref[:64], booked_on=booked, amount_cents=cents,
                                   texts=[*_remittance(t), _text(e, "AddtlNtryInf")]))
    return out, skipped, errors


def _bounded(ref: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(ref.lower()) + r"(?![A-Za-z0-9])")


def match_debtors(session: Session, payments: list[BankPayment]) -> list[tuple[BankPayment, str | None, str]]:
    """Each payment's debtor (or None) and why: by file reference, plan reference, then invoice number."""
    refs = {r: d for d, r in session.execute(select(m.Debtor.id, m.Debtor.reference))}
    plans = {r: d for d, r in session.execute(select(m.Plan.debtor_id, m.Plan.reference))}
    invoices: dict[str, set[str]] = {}
    for d, num in session.execute(select(m.Invoice.debtor_id, m.Invoice.number)):
        invoices.setdefault(num, set()).add(d)
    out: list[tuple[BankPayment, str | None, str]] = []
    for p in payments:
        hay = " | ".join(p.texts).lower()
        found: tuple[set[str], str] = (set(), "no debtor, plan or invoice reference in the remittance information")
        for table, label in ((refs, "file reference"), (plans, "plan reference")):
            hits = {d for r, d in table.items() if r and r.lower() in hay and _bounded(r).search(hay)}
            if hits:
                found = (hits, label)
                break
        else:
            hits = {d for num, ds in invoices.items() if num.lower() in hay and _bounded(num).search(hay) for d in ds}
            if hits:
                found = (hits, "invoice number")
        debtors, why = found
        if len(debtors) == 1:
            out.append((p, next(iter(debtors)), why))
        elif debtors:
            out.append((p, None, f"the {why}s name several debtors ({', '.join(sorted(debtors))})"))
        else:
            out.append((p, None, why))
    return out


def booked_bank_refs(session: Session) -> set[str]:
    return {str(ev.payload.get("bank_ref")) for ev in audit.iter_events(session, kind="payment.bank_entry")}


def import_statement(session: Session, path: Path, *, actor: str, today: dt.date) -> CamtReport:
    """Record a camt.053 statement's payments in the caller's transaction (all-or-nothing)."""
    if not path.is_file():
        raise UserError(f"payment file not found: {path}")
    src = str(path)
    payments, skipped, errors = parse_statement(path.read_bytes(), src)
    done = booked_bank_refs(session)
    skipped["already_booked"] = 0
    outcomes: list[PaymentOutcome] = []
    seen: set[str] = set()
    for p, debtor_id, why in match_debtors(session, payments):
        where = f"{src}:{p.line}: entry {p.entry}" if p.line else f"{src}: entry {p.entry}"
        if p.bank_ref in done:
            skipped["already_booked"] += 1
            continue
        if p.bank_ref in seen:
            errors.append(f"{where}: AcctSvcrRef: {p.bank_ref!r} appears twice in the statement")
            continue
        seen.add(p.bank_ref)
        if p.booked_on > today:
            errors.append(f"{where}: BookgDt: a payment cannot be in the future ({p.booked_on})")
            continue
        if debtor_id is None:
            errors.append(f"{where}: RmtInf: {why} ({p.bank_ref})")
            continue
        try:
            out = record(session, debtor_id, p.amount_cents, p.booked_on, actor=actor, method="transfer",
                         reference=p.bank_ref)
        except UserError as exc:
            errors.append(f"{where}: {debtor_id}: {exc.message}")
            continue
        outcomes.append(out)
        audit.append(session, "payment.bank_entry", actor=actor, debtor_id=debtor_id,
                     payload={"bank_ref": p.bank_ref, "source": path.name, "amount_cents": p.amount_cents,
                              "matched_by": why})
    if errors:
        raise InputValidationError(f"{len(errors)} error(s) in {src}; nothing was imported:\n" + "\n".join(errors[:50]),
                                   detail=errors)
    completed = sorted({o.plan_reference for o in outcomes if o.plan_status == "completed" and o.plan_reference})
    return CamtReport(source=src, payments=len(outcomes), total_cents=sum(o.amount_cents for o in outcomes),
                      plans_completed=completed, skipped=skipped, outcomes=outcomes)


def looks_like_camt(path: Path) -> bool:
    if path.suffix.lower() == ".xml":
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith((b"<?xml", b"<Document"))
