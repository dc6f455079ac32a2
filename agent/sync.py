"""Incremental, non-destructive portfolio sync: upsert by creditor + external reference.

A creditor re-exports its portfolio every day; a sync must never lose what the firm produced.

* **Matched** by ``(creditor_id, reference)``. A file's debtor ``id`` is used only when the debtor
  is first created; an existing file keeps its id (so plans, drafts and links stay valid).
* **Creditor-owned data is updated from the file**: the creditor row, identity and address
  fields, language, title, commissaire, notes, invoices (upserted by number; an invoice absent
  from the file is removed) and creditor-side payments (added when new; matched by date, amount,
  method and reference, or by date and amount to a payment the firm already recorded).
* **What the firm produced is never deleted or overwritten**: plans, disputes, promises, contacts,
  tasks, conversations and drafts. History items the file carries (promises, plans, contacts,
  disputes) are only *added* when new (natural key), never modified or removed.
* **Protective flags are sticky**: opt-outs are the union of the file's and the stored ones;
  hardship, over-indebtedness and vulnerability are never cleared by a sync; a status the firm set
  (``on_hold``/``closed``) is kept, except that the file may close a debtor.
* **A debtor absent from a new export** of a creditor the file covers is marked closed by the
  creditor (``status=closed``, ``hold_reason`` starting with :data:`CLOSED_BY_CREDITOR`), never
  deleted; if it comes back in a later export it is reopened with the file's status.
* **Every change is audited** (one ``portfolio.sync.debtor`` event per changed debtor with the
  field changes, one ``portfolio.sync`` summary event per file), inside the caller's transaction:
  the whole file is applied or nothing is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import audit, clock
from agent.db import models as m
from agent.errors import InputValidationError
from agent.records import CreditorRecord, DebtorRecord, debtor_row

CLOSED_BY_CREDITOR = "closed by the creditor: absent from export"
ACTOR = "sync"

# Debtor columns the creditor owns: taken from the file on every sync.
CREDITOR_FIELDS = (
    "kind", "civility", "first_name", "last_name", "company_name", "language", "register", "email", "phone",
    "address", "preferred_channel", "timezone", "first_letter_ref", "first_letter_date", "title_kind",
    "title_date", "title_court", "commissaire_name", "commissaire_address", "prescription_date", "notes",
)
STICKY_FLAGS = ("hardship", "over_indebtedness", "vulnerable")
INVOICE_FIELDS = ("issue_date", "due_date", "description", "principal_cents", "interest_cents", "other_cents")

Action = Literal["added", "updated", "closed", "reopened", "unchanged"]


class DebtorChange(BaseModel):
    debtor_id: str
    reference: str
    creditor_id: str
    action: Action
    changes: dict[str, list[Any]] = Field(default_factory=dict)  # field -> [old, new]


class SyncReport(BaseModel):
    source: str
    dry_run: bool = False
    creditors_added: int = 0
    creditors_updated: int = 0
    added: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    unchanged: int = 0
    invoices: int = 0
    contacts: int = 0
    debtors: list[DebtorChange] = Field(default_factory=list)

    @property
    def changed(self) -> list[DebtorChange]:
        return [d for d in self.debtors if d.action != "unchanged"]


def _jsonish(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def _contact_key(at: dt.datetime, channel: str, direction: str, kind: str) -> tuple[Any, ...]:
    return (at.astimezone(dt.UTC).replace(microsecond=0), channel, direction, kind)


def _sync_creditors(session: Session, creditors: Iterable[CreditorRecord], rep: SyncReport) -> None:
    for c in creditors:
        data = c.model_dump(exclude={"type"})
        row = session.get(m.Creditor, c.id)
        if row is None:
            session.add(m.Creditor(**data))
            rep.creditors_added += 1
            audit.append(session, "portfolio.sync.creditor", actor=ACTOR,
                         payload={"creditor_id": c.id, "action": "added", "source": rep.source})
            continue
        changes = {k: [getattr(row, k), v] for k, v in data.items() if getattr(row, k) != v}
        if changes:
            for k, (_, v) in changes.items():
                setattr(row, k, v)
            rep.creditors_updated += 1
            audit.append(session, "portfolio.sync.creditor", actor=ACTOR,
                         payload={"creditor_id": c.id, "action": "updated", "changes": changes, "source": rep.source})


def _merge_debtor(session: Session, row: m.Debtor, rec: DebtorRecord) -> tuple[dict[str, list[Any]], bool]:
    """Apply one file record to an existing debtor; return the field changes and whether it was reopened.

    A file erased on the person's request (``amiable gdpr erase``) stays erased: the export's identity,
    status and texts (contacts, disputes) are not taken back; accounting (invoices, payments) still syncs."""
    from agent.gdpr import IDENTITY_FIELDS, is_pseudonymised

    new = debtor_row(rec)  # transient: never added to the session
    ch: dict[str, list[Any]] = {}
    erased = is_pseudonymised(row)

    def put(field: str, value: Any) -> None:
        old = getattr(row, field)
        if old != value:
            ch[field] = [_jsonish(old), _jsonish(value)]
            setattr(row, field, value)

    for f in CREDITOR_FIELDS:
        if not (erased and f in IDENTITY_FIELDS):
            put(f, getattr(new, f))
    stored_opt = list(row.opt_outs or [])
    put("opt_outs", stored_opt + [c for c in new.opt_outs if c not in stored_opt])
    for f in STICKY_FLAGS:
        put(f, bool(getattr(row, f)) or bool(getattr(new, f)))
    reopened = False
    if erased:
        pass  # closed for good
    elif row.status == "closed" and row.hold_reason.startswith(CLOSED_BY_CREDITOR):
        put("status", new.status)
        put("hold_reason", new.hold_reason)
        reopened = True
    elif new.status == "closed" or row.status == "active":
        put("status", new.status)
        put("hold_reason", new.hold_reason)
    # else: the firm put the file on hold / closed it; the creditor's status does not override that.

    # Invoices: upserted by number; the creditor's removals apply.
    stored = {i.number: i for i in row.invoices}
    incoming = {i.number: i for i in new.invoices}
    for number, inv in incoming.items():
        cur = stored.get(number)
        if cur is None:
            row.invoices.append(m.Invoice(**{f: getattr(inv, f) for f in ("number", *INVOICE_FIELDS)}))
            ch[f"invoice {number}"] = [None, "added"]
            continue
        for f in INVOICE_FIELDS:
            if getattr(cur, f) != getattr(inv, f):
                ch[f"invoice {number}.{f}"] = [_jsonish(getattr(cur, f)), _jsonish(getattr(inv, f))]
                setattr(cur, f, getattr(inv, f))
    for number, cur in stored.items():
        if number not in incoming:
            ch[f"invoice {number}"] = [{f: _jsonish(getattr(cur, f)) for f in INVOICE_FIELDS}, "removed"]
            row.invoices.remove(cur)

    # Creditor-side payments: added when new; one the firm already booked (same date and amount) is not doubled.
    booked = [(p.date, p.amount_cents, p.method, p.reference) for p in row.payments]
    for p in new.payments:
        exact = (p.date, p.amount_cents, p.method, p.reference)
        same = next((b for b in booked if b == exact), None) or next(
            (b for b in booked if b[:2] == exact[:2]), None)
        if same is not None:
            booked.remove(same)
            continue
        row.payments.append(m.Payment(date=p.date, amount_cents=p.amount_cents, method=p.method, reference=p.reference))
        ch.setdefault("payments added", [None, []])[1].append({"date": p.date.isoformat(), "amount_cents": p.amount_cents})

    # History the file carries: only added when new, never modified or removed.
    have_pr = {(p.made_on, p.due_date, p.amount_cents) for p in row.promises}
    for pr in new.promises:
        if (pr.made_on, pr.due_date, pr.amount_cents) not in have_pr:
            row.promises.append(m.Promise(made_on=pr.made_on, due_date=pr.due_date, amount_cents=pr.amount_cents,
                                          status=pr.status))
            ch.setdefault("promises added", [None, 0])[1] += 1
    have_ct = {_contact_key(c.at, c.channel, c.direction, c.kind) for c in row.contacts}
    for c in () if erased else new.contacts:
        if _contact_key(c.at, c.channel, c.direction, c.kind) not in have_ct:
            row.contacts.append(m.Contact(at=c.at, channel=c.channel, direction=c.direction, kind=c.kind,
                                          agent=c.agent, summary=c.summary, outcome=c.outcome))
            ch.setdefault("contacts added", [None, 0])[1] += 1
    have_dp = {(d.opened_on, d.reason) for d in row.disputes}
    for d in () if erased else new.disputes:
        if (d.opened_on, d.reason) not in have_dp:
            row.disputes.append(m.Dispute(opened_on=d.opened_on, reason=d.reason, status=d.status))
            ch.setdefault("disputes added", [None, 0])[1] += 1
    have_plan = {p.reference for p in row.plans}
    for plan in new.plans:
        if plan.reference in have_plan:
            continue
        if session.scalar(select(m.Plan.id).where(m.Plan.reference == plan.reference)) is not None:
            raise InputValidationError(f"plan reference {plan.reference!r} of {rec.reference} is used by another debtor")
        row.plans.append(m.Plan(
            id=f"{row.id}:{plan.reference}", reference=plan.reference, status=plan.status, frequency=plan.frequency,
            created_at=plan.created_at, accepted_at=plan.accepted_at, total_cents=plan.total_cents, source="import",
            instalments=[m.Instalment(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents, status=i.status,
                                      paid_on=i.paid_on) for i in plan.instalments]))
        ch.setdefault("plans added", [None, []])[1].append(plan.reference)
    return ch, reopened


def sync_records(session: Session, creditors: list[CreditorRecord], debtors: list[DebtorRecord], *,
                 source: str, lines: dict[str, int] | None = None, close_absent: bool = True,
                 dry_run: bool = False, today: dt.date | None = None) -> SyncReport:
    """Upsert one validated file inside the caller's transaction (the caller commits, or rolls back a dry run).

    ``lines`` maps a debtor reference to its line in the file, for line-precise conflict errors.
    Creditors the file covers are those it has creditor records for, plus those its debtors name.
    """
    lines = lines or {}
    today = today or clock.current().today()
    rep = SyncReport(source=source, dry_run=dry_run)
    _sync_creditors(session, creditors, rep)
    session.flush()
    covered = {c.id for c in creditors} | {d.creditor_id for d in debtors}
    errors: list[str] = []
    known_creditors = {i for (i,) in session.execute(select(m.Creditor.id).where(m.Creditor.id.in_(covered)))}
    for d in debtors:
        if d.creditor_id not in known_creditors:
            errors.append(f"{source}:{lines.get(d.reference, 0)}: creditor_id: unknown creditor {d.creditor_id!r}")
    refs = [d.reference for d in debtors]
    by_ref = {r.reference: r for r in session.execute(select(m.Debtor).where(m.Debtor.reference.in_(refs))).scalars()}
    new_ids = [d.id for d in debtors if d.reference not in by_ref]
    taken = {i for (i,) in session.execute(select(m.Debtor.id).where(m.Debtor.id.in_(new_ids)))} if new_ids else set()
    for d in debtors:
        row = by_ref.get(d.reference)
        at = f"{source}:{lines.get(d.reference, 0)}"
        if row is not None and row.creditor_id != d.creditor_id:
            errors.append(f"{at}: reference: {d.reference!r} already belongs to creditor {row.creditor_id!r}")
        elif row is None and d.id in taken:
            errors.append(f"{at}: id: {d.id!r} is already the id of another debtor")
    if errors:
        raise InputValidationError(
            f"{len(errors)} error(s) in {source}; nothing was imported:\n" + "\n".join(errors[:50]), detail=errors)

    for d in debtors:
        row = by_ref.get(d.reference)
        rep.invoices += len(d.invoices)
        rep.contacts += len(d.contacts)
        if row is None:
            session.add(debtor_row(d))
            session.flush()
            change = DebtorChange(debtor_id=d.id, reference=d.reference, creditor_id=d.creditor_id, action="added")
        else:
            ch, reopened = _merge_debtor(session, row, d)
            action: Action = "reopened" if reopened else ("updated" if ch else "unchanged")
            change = DebtorChange(debtor_id=row.id, reference=d.reference, creditor_id=d.creditor_id, action=action,
                                  changes=ch)
        rep.debtors.append(change)

    if close_absent and covered:
        present = set(refs)
        absent = session.execute(select(m.Debtor).where(m.Debtor.creditor_id.in_(covered))
                                 .order_by(m.Debtor.id)).scalars()
        for row in absent:
            if row.reference in present or row.status == "closed":
                continue
            reason = f"{CLOSED_BY_CREDITOR} {PurePath(source).name} ({today.isoformat()})"
            change = DebtorChange(debtor_id=row.id, reference=row.reference, creditor_id=row.creditor_id,
                                  action="closed", changes={"status": [row.status, "closed"],
                                                            "hold_reason": [row.hold_reason, reason]})
            row.status, row.hold_reason = "closed", reason
            rep.debtors.append(change)

    session.flush()
    for change in rep.debtors:
        setattr(rep, change.action, getattr(rep, change.action) + 1)
        if change.action != "unchanged":
            audit.append(session, "portfolio.sync.debtor", actor=ACTOR, debtor_id=change.debtor_id,
                         payload={"source": source, "action": change.action, "reference": change.reference,
                                  "changes": change.changes})
    audit.append(session, "portfolio.sync", actor=ACTOR, payload=rep.model_dump(mode="json", exclude={"debtors"}))
    return rep


def render(rep: SyncReport, *, verbose: bool) -> list[str]:
    head = "would sync" if rep.dry_run else "synced"
    out = [f"{head} {rep.source}: {rep.added} added, {rep.updated} updated, {rep.closed} closed, "
           f"{rep.reopened} reopened, {rep.unchanged} unchanged; creditors {rep.creditors_added} added, "
           f"{rep.creditors_updated} updated"]
    if verbose:
        for d in rep.changed:
            out.append(f"  {d.action:8} {d.debtor_id} ({d.reference}, {d.creditor_id})")
            out.extend(f"    {k}: {old!r} -> {new!r}" for k, (old, new) in d.changes.items())
    return out


def sync_text(session: Session, text: str, *, fmt: Literal["jsonl", "csv", "xlsx"], source: str,
              mapping_file: Any = None, close_absent: bool = True, dry_run: bool = False) -> SyncReport:
    """Parse and sync a file's content (the admin API; XLSX as base64); a dry run rolls the session back."""
    from agent.records import parse_lines

    line_of: dict[str, int] = {}
    creditors: list[CreditorRecord] = []
    if fmt == "csv":
        from agent.csv_import import load_mapping, parse_csv

        debtors, line_of = parse_csv(text, source, load_mapping(mapping_file))
    elif fmt == "xlsx":
        import base64
        import binascii

        from agent.csv_import import load_mapping, parse_xlsx

        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InputValidationError(f"{source}: an XLSX upload must be base64") from None
        debtors, line_of = parse_xlsx(data, source, load_mapping(mapping_file))
    else:
        creditors, debtors = parse_lines(text.splitlines(), source, line_of)
    rep = sync_records(session, creditors, debtors, source=source, lines=line_of, close_absent=close_absent,
                       dry_run=dry_run)
    if dry_run:
        session.rollback()
    return rep
