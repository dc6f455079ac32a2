"""Debtor files built in code for the guard tests (no database, no sample data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from agent.domain import (
    CommissaireView,
    ContactView,
    CreditorView,
    DebtorFile,
    DisputeView,
    InvoiceView,
    TitleView,
    compute_signals,
)

TODAY = dt.date(2026, 11, 23)
PARIS = dt.timezone(dt.timedelta(hours=1))


def make_file(
    *,
    kind: str = "consumer",
    mandate_to_sue: bool = True,
    title: TitleView | None = None,
    commissaire: CommissaireView | None = None,
    disputes: tuple[DisputeView, ...] = (),
    hardship: bool = False,
    over_indebtedness: bool = False,
    vulnerable: bool = False,
    due: dt.date = dt.date(2026, 6, 1),
    calls_30d: int = 0,
    spacing_hours: int = 72,
    contacts: tuple[ContactView, ...] = (),
    opt_outs: tuple[str, ...] = (),
    first_letter_ref: str | None = None,
    timezone: str = "Europe/Paris",
    language: str = "fr",
) -> DebtorFile:
    invoices = (
        InvoiceView(number="F-2026-001", issue_date=due - dt.timedelta(days=30), due_date=due,
                    principal_cents=120000, interest_cents=3456, other_cents=0),
        InvoiceView(number="F-2026-002", issue_date=due - dt.timedelta(days=20), due_date=due + dt.timedelta(days=10),
                    principal_cents=24500, interest_cents=0, other_cents=0),
    )
    calls = tuple(
        ContactView(at=dt.datetime.combine(TODAY, dt.time(11), tzinfo=PARIS) - dt.timedelta(hours=spacing_hours * (i + 1)),
                    channel="phone", direction="out", kind="attempt")
        for i in range(calls_30d)
    )
    all_contacts = calls + contacts
    signals = compute_signals(kind=kind, invoices=invoices, payments=(), promises=(),  # type: ignore[arg-type]
                              contacts=all_contacts, title=title, prescription_override=None, as_of=TODAY)
    creditor = CreditorView(id="cr-1", name="Lumen Énergie", address="5 avenue Jean Jaurès, 69007 Lyon",
                            mandate_to_sue=mandate_to_sue)
    return DebtorFile(
        id="D-TEST", reference="REF-TEST-1", creditor=creditor, kind=kind,  # type: ignore[arg-type]
        civility="Mme", first_name="Claire", last_name="Martin", company_name="Atelier Martin SARL" if kind == "business" else "",
        language=language,  # type: ignore[arg-type]
        opt_outs=opt_outs,  # type: ignore[arg-type]
        timezone=timezone, first_letter_ref=first_letter_ref,
        first_letter_date=dt.date(2026, 9, 1) if first_letter_ref else None,
        hardship=hardship, over_indebtedness=over_indebtedness, vulnerable=vulnerable, title=title,
        commissaire=commissaire, invoices=invoices, contacts=all_contacts, disputes=disputes, signals=signals, as_of=TODAY,
    )


JUDGMENT = TitleView(kind="jugement", date=dt.date(2026, 3, 1), court="Tribunal judiciaire de Lyon")
INJONCTION = TitleView(kind="ordonnance d'injonction de payer", date=dt.date(2026, 2, 1), court="Tribunal judiciaire de Lyon")
COMMISSAIRE = CommissaireView(name="Maître Sophie Durand", address="3 quai Saint-Antoine, 69002 Lyon")

FACTORIES: dict[str, Callable[..., DebtorFile]] = {
    "consumer": lambda **kw: make_file(**kw),
    "business": lambda **kw: make_file(kind="business", **kw),
    "no_mandate": lambda **kw: make_file(mandate_to_sue=False, **kw),
    "titled": lambda **kw: make_file(title=JUDGMENT, **kw),
    "titled_commissaire": lambda **kw: make_file(title=JUDGMENT, commissaire=COMMISSAIRE, **kw),
    "injonction_title": lambda **kw: make_file(title=INJONCTION, commissaire=COMMISSAIRE, **kw),
    "time_barred": lambda **kw: make_file(due=dt.date(2023, 1, 10), **kw),
    "disputed": lambda **kw: make_file(disputes=(DisputeView(opened_on=dt.date(2026, 11, 1), reason="montant contesté"),), **kw),
    "hardship": lambda **kw: make_file(hardship=True, **kw),
    "over_indebted": lambda **kw: make_file(over_indebtedness=True, **kw),
    "calls_4": lambda **kw: make_file(calls_30d=4, **kw),
    "calls_2": lambda **kw: make_file(calls_30d=2, **kw),
    "opt_out_phone": lambda **kw: make_file(opt_outs=("phone",), **kw),
    "later_letter": lambda **kw: make_file(first_letter_ref="CCR-2026-0042", **kw),
    "us_consumer": lambda **kw: make_file(timezone="America/New_York", language="en", **kw),
    "us_time_barred": lambda **kw: make_file(timezone="America/New_York", language="en", due=dt.date(2019, 1, 10), **kw),
}


def build(name: str | None, **overrides: Any) -> DebtorFile | None:
    if name is None:
        return None
    return FACTORIES[name](**overrides)
