"""Read the debtor file from the store as a ``DebtorFile`` snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, String, func, literal, null, select, type_coerce, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, joinedload, selectinload

from agent.db import models as m
from agent.domain import (
    CommissaireView,
    ContactView,
    CreditorView,
    DebtorFile,
    DisputeView,
    InstalmentView,
    InvoiceView,
    PaymentView,
    PlanView,
    PromiseView,
    TitleView,
    compute_signals,
)
from agent.errors import NotFoundError


def get_debtor_row(session: Session, debtor_id: str, *, creditors: frozenset[str] | None = None) -> m.Debtor:
    """The debtor row; ``creditors`` (a caller's scope) makes another creditor's file answer like an unknown one."""
    row = session.execute(
        select(m.Debtor)
        .where(m.Debtor.id == debtor_id)
        .options(  # the creditor joined in the same row; each collection one select-in (no cartesian product)
            joinedload(m.Debtor.creditor),
            selectinload(m.Debtor.invoices),
            selectinload(m.Debtor.payments),
            selectinload(m.Debtor.promises),
            selectinload(m.Debtor.plans).selectinload(m.Plan.instalments),
            selectinload(m.Debtor.contacts),
            selectinload(m.Debtor.disputes),
        )
    ).scalar_one_or_none()
    if row is None or (creditors is not None and row.creditor_id not in creditors):
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")
    return row


def to_file(row: m.Debtor, as_of: dt.date) -> DebtorFile:
    invoices = tuple(
        InvoiceView(number=i.number, issue_date=i.issue_date, due_date=i.due_date, description=i.description,
                    principal_cents=i.principal_cents, interest_cents=i.interest_cents, other_cents=i.other_cents)
        for i in row.invoices
    )
    payments = tuple(PaymentView(date=p.date, amount_cents=p.amount_cents, method=p.method, reference=p.reference)
                     for p in row.payments)
    promises = tuple(PromiseView(made_on=p.made_on, due_date=p.due_date, amount_cents=p.amount_cents,
                                 status=p.status)
                     for p in row.promises)
    contacts = tuple(
        ContactView(at=c.at, channel=c.channel, direction=c.direction, agent=c.agent,
                    summary=c.summary, outcome=c.outcome, kind=c.kind)
        for c in row.contacts
    )
    plans = tuple(
        PlanView(
            id=p.id, reference=p.reference, status=p.status, frequency=p.frequency,
            created_on=p.created_at.date(), total_cents=p.total_cents, discount_cents=p.discount_cents,
            instalments=tuple(InstalmentView(seq=i.seq, due_date=i.due_date, amount_cents=i.amount_cents,
                                             status=i.status, paid_on=i.paid_on)
                              for i in p.instalments),
        )
        for p in row.plans
    )
    disputes = tuple(DisputeView(opened_on=d.opened_on, reason=d.reason, status=d.status)
                     for d in row.disputes)
    title = (TitleView(kind=row.title_kind, date=row.title_date, court=row.title_court or "")
             if row.title_kind and row.title_date else None)
    commissaire = (CommissaireView(name=row.commissaire_name, address=row.commissaire_address or "")
                   if row.commissaire_name else None)
    creditor = CreditorView(id=row.creditor.id, name=row.creditor.name, address=row.creditor.address,
                            sector=row.creditor.sector, kind=row.creditor.kind,
                            mandate_to_sue=row.creditor.mandate_to_sue, plan_profile=row.creditor.plan_profile)
    signals = compute_signals(kind=row.kind,  # type: ignore[arg-type]
                              invoices=invoices, payments=payments,
                              promises=promises, contacts=contacts, title=title,
                              prescription_override=row.prescription_date, as_of=as_of,
                              creditor_kind=row.creditor.kind)
    return DebtorFile(
        id=row.id, reference=row.reference, creditor=creditor, kind=row.kind,
        civility=row.civility, first_name=row.first_name, last_name=row.last_name,
        company_name=row.company_name, language=row.language, address_form=row.register,
        email=row.email, phone=row.phone, address=row.address,
        preferred_channel=row.preferred_channel, opt_outs=tuple(row.opt_outs or ()),
        bad_contacts=tuple(row.bad_contacts or ()),
        timezone=row.timezone, first_letter_ref=row.first_letter_ref, first_letter_date=row.first_letter_date,
        hardship=row.hardship, over_indebtedness=row.over_indebtedness, vulnerable=row.vulnerable,
        title=title, commissaire=commissaire, status=row.status, hold_reason=row.hold_reason,
        notes=row.notes, invoices=invoices, payments=payments, promises=promises, plans=plans,
        contacts=contacts, disputes=disputes, signals=signals, as_of=as_of,
    )


# load_file reads the whole file in ONE statement: the debtor joined with its creditor, LEFT JOINed with
# the UNION ALL of its child rows (invoices, payments, promises, plans, instalments, contacts, disputes)
# laid out in typed slots; rows are then grouped in Python and handed to ``to_file`` as plain objects
# (no ORM identity map, nothing attached to the session). Same result as get_debtor_row + to_file.
_T = {name: getattr(m, name).__table__ for name in
      ("Debtor", "Creditor", "Invoice", "Payment", "Promise", "Plan", "Instalment", "Contact", "Dispute")}
_SLOTS: dict[str, Any] = {  # slot -> SQL type (the union's result processing follows these)
    **{f"s{n}": _T["Contact"].c.summary.type for n in range(1, 7)},
    "d1": _T["Invoice"].c.due_date.type, "d2": _T["Invoice"].c.due_date.type,
    "t1": _T["Contact"].c.at.type,
    **{f"i{n}": _T["Invoice"].c.principal_cents.type for n in range(1, 4)},
}
# tag -> (table, debtor id column, {attribute: slot}, sort attributes)
_CHILDREN: dict[str, tuple[str, str, dict[str, str], tuple[str, ...]]] = {
    "invoices": ("Invoice", "debtor_id", {"number": "s1", "description": "s2", "issue_date": "d1",
                                          "due_date": "d2", "principal_cents": "i1", "interest_cents": "i2",
                                          "other_cents": "i3"}, ("due_date",)),
    "payments": ("Payment", "debtor_id", {"method": "s1", "reference": "s2", "date": "d1", "amount_cents": "i1"},
                 ("date",)),
    "promises": ("Promise", "debtor_id", {"status": "s1", "made_on": "d1", "due_date": "d2", "amount_cents": "i1"},
                 ("made_on",)),
    "plans": ("Plan", "debtor_id", {"id": "s1", "reference": "s2", "status": "s3", "frequency": "s4",
                                    "created_at": "t1", "total_cents": "i1", "discount_cents": "i2"},
              ("created_at",)),
    "instalments": ("Instalment", "", {"plan_id": "s1", "status": "s2", "due_date": "d1", "paid_on": "d2",
                                       "seq": "i1", "amount_cents": "i2"}, ("seq",)),
    "contacts": ("Contact", "debtor_id", {"channel": "s1", "direction": "s2", "agent": "s3", "summary": "s4",
                                          "outcome": "s5", "kind": "s6", "at": "t1"}, ("at",)),
    "disputes": ("Dispute", "debtor_id", {"reason": "s1", "status": "s2", "opened_on": "d1"}, ("opened_on",)),
}


def _children_select(tag: str) -> Select[Any]:
    table, owner, attrs, _ = _CHILDREN[tag]
    t = _T[table]
    by_slot = {slot: attr for attr, slot in attrs.items()}
    # ids are integers except plans' (strings): one string column for every branch (PostgreSQL's UNION is strict)
    cols: list[ColumnElement[Any]] = [literal(tag).label("tag"), sql_cast(t.c.id, String).label("pk")]
    for slot, typ in _SLOTS.items():
        # NULL slots are CAST to the slot type: PostgreSQL types a UNION from its first branch (untyped NULL = text)
        cols.append((type_coerce(t.c[by_slot[slot]], typ) if slot in by_slot else sql_cast(null(), typ)).label(slot))
    if owner:
        return select(t.c[owner].label("owner"), *cols)
    plans = _T["Plan"]  # instalments belong to the debtor through their plan
    return select(plans.c.debtor_id.label("owner"), *cols).join_from(t, plans, t.c.plan_id == plans.c.id)


def _file_statement() -> Select[Any]:
    d, c = _T["Debtor"], _T["Creditor"]
    kids = union_all(*(_children_select(tag) for tag in _CHILDREN)).subquery("kids")
    return (select(*d.c, *(col.label(f"creditor__{col.key}") for col in c.c),
                   *(col.label(f"kid__{col.key}") for col in kids.c))
            .join_from(d, c, d.c.creditor_id == c.c.id)
            .outerjoin(kids, kids.c.owner == d.c.id))


_FILE_SELECT = _file_statement()


def _group(rows: Sequence[Row[Any]]) -> SimpleNamespace:
    first = rows[0]._mapping
    d_cols = [col.key for col in _T["Debtor"].c]
    debtor = SimpleNamespace(**{k: first[k] for k in d_cols})
    debtor.creditor = SimpleNamespace(**{col.key: first[f"creditor__{col.key}"] for col in _T["Creditor"].c})
    kids: dict[str, list[tuple[Any, SimpleNamespace]]] = {tag: [] for tag in _CHILDREN}
    for r in rows:
        mp = r._mapping
        tag = mp["kid__tag"]
        if tag is None:  # the debtor has no child row at all
            continue
        _, _, attrs, order = _CHILDREN[tag]
        obj = SimpleNamespace(**{attr: mp[f"kid__{slot}"] for attr, slot in attrs.items()})
        pk = str(mp["kid__pk"])
        kids[tag].append(((*(getattr(obj, a) for a in order), int(pk) if pk.isdigit() else pk), obj))
    for tag, items in kids.items():
        items.sort(key=lambda kv: kv[0])  # the relationships' order_by, then insertion order (primary key)
        setattr(debtor, tag, [obj for _, obj in items])
    by_plan: dict[str, list[SimpleNamespace]] = {}
    for inst in debtor.instalments:
        by_plan.setdefault(inst.plan_id, []).append(inst)
    for plan in debtor.plans:
        plan.instalments = by_plan.get(plan.id, [])
    return debtor


def load_file(session: Session, debtor_id: str, as_of: dt.date, *, creditors: frozenset[str] | None = None
              ) -> DebtorFile:
    """The debtor file as of ``as_of``, read in one SQL statement (see ``_FILE_SELECT``); ``creditors`` (a
    caller's scope) makes another creditor's file answer like an unknown one."""
    q = _FILE_SELECT.where(_T["Debtor"].c.id == debtor_id)
    if creditors is not None:
        q = q.where(_T["Debtor"].c.creditor_id.in_(sorted(creditors)))
    rows = session.execute(q).all()
    if not rows:
        raise NotFoundError(f"unknown debtor: {debtor_id!r}")
    return to_file(cast(m.Debtor, _group(rows)), as_of)


def list_debtor_ids(session: Session, *, creditors: frozenset[str] | None = None) -> list[str]:
    """Every debtor id, or only those of the ``creditors`` in a caller's scope."""
    q = select(m.Debtor.id).order_by(m.Debtor.id)
    if creditors is not None:
        q = q.where(m.Debtor.creditor_id.in_(sorted(creditors)))
    return list(session.execute(q).scalars())


def debtor_in_scope(session: Session, debtor_id: str, creditors: frozenset[str] | None) -> bool:
    """Whether the debtor exists and its creditor is in the scope (None: every creditor)."""
    creditor = session.execute(select(m.Debtor.creditor_id).where(m.Debtor.id == debtor_id)).scalar_one_or_none()
    return creditor is not None and (creditors is None or creditor in creditors)


def canonical_debtor_id(session: Session, raw: str, *, creditors: frozenset[str] | None = None) -> str:
    """The stored id for what a user typed: exact first, then case-insensitive ("d001" -> "D001").

    Ambiguous spellings (two ids differing only by case) are refused rather than guessed. With
    ``creditors`` (a caller's scope) other creditors' debtors are not seen at all."""
    wanted = raw.strip()
    scoped = select(m.Debtor.id)
    if creditors is not None:
        scoped = scoped.where(m.Debtor.creditor_id.in_(sorted(creditors)))
    if session.execute(scoped.where(m.Debtor.id == wanted)).scalar_one_or_none() is not None:
        return wanted
    matches = list(session.execute(scoped.where(func.lower(m.Debtor.id) == wanted.lower())).scalars())
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFoundError(f"ambiguous debtor id {raw!r}: {', '.join(sorted(matches))}")
    raise NotFoundError(f"unknown debtor: {raw!r}")
