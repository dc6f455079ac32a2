"""``amiable payment``: record a payment the debtor made (matched to the open plan's instalments)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.cli.common import fail, settings
from agent.cli.plans import parse_eur
from agent.clock import Clock

app = typer.Typer(no_args_is_help=True, help="Record payments.")


@app.command("record")
def record_cmd(
    debtor: Annotated[str, typer.Option("--debtor", "-d", help="Debtor id, e.g. D001")],
    amount: Annotated[str, typer.Option(help="Amount in euros, e.g. 50.00 or 1 234,56")],
    date: Annotated[Optional[str], typer.Option(help="Payment date YYYY-MM-DD (default: today)")] = None,  # noqa: UP045
    method: Annotated[str, typer.Option(help="transfer, card, cheque, cash, direct_debit...")] = "transfer",
    reference: Annotated[str, typer.Option(help="Bank or receipt reference")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Record a payment: settles the open plan's instalments in order; the last one completes the plan."""
    from agent import payments
    from agent.db.session import session_scope

    s = settings()
    cents = parse_eur(amount, "--amount")
    try:
        paid_on = dt.date.fromisoformat(date) if date else Clock.from_settings(s).today()
    except ValueError as exc:
        raise fail(f"--date: not a date (YYYY-MM-DD): {date!r}") from exc
    if paid_on > Clock.from_settings(s).today():
        raise fail("--date: a payment cannot be in the future")
    with session_scope(s.effective_database_url) as session:
        out = payments.record(session, debtor, cents, paid_on, actor="cli", method=method, reference=reference)
    if as_json:
        typer.echo(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
        return
    plan = (f"plan {out.plan_reference}: instalment(s) {', '.join(map(str, out.instalments_paid)) or 'none'} paid, "
            f"plan {out.plan_status}" if out.plan_reference else "no open plan")
    typer.echo(f"recorded {out.amount_cents / 100:.2f} EUR for {out.debtor_id} on {out.paid_on}; {plan}; "
               f"unallocated {out.unallocated_cents / 100:.2f} EUR; balance {out.balance_cents / 100:.2f} EUR")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV: debtor_id or reference, amount (euros), date, [method], "
                                              "[payment_reference]; or an ISO 20022 camt.053 statement (.xml)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Match and report; record nothing")] = False,
) -> None:
    """Import a payment file (CSV, or a camt.053 bank statement): every payment recorded as by `payment record`;
    all-or-nothing, line-precise errors; a statement imported twice books nothing twice."""
    from agent import camt, payments
    from agent.db.session import session_scope

    s = settings()
    with session_scope(s.effective_database_url) as session:
        if camt.looks_like_camt(file):
            rep: payments.PaymentFileReport | camt.CamtReport = camt.import_statement(
                session, file, actor="cli", today=Clock.from_settings(s).today())
        else:
            rep = payments.import_payment_file(session, file, actor="cli", today=Clock.from_settings(s).today())
        if dry_run:
            session.rollback()
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb} {rep.payments} payments ({rep.total_cents / 100:.2f} EUR) from {rep.source}; "
               f"plans completed: {', '.join(rep.plans_completed) or 'none'}")
    if isinstance(rep, camt.CamtReport):
        typer.echo("skipped: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in rep.skipped.items()))
        for o in rep.outcomes:
            typer.echo(f"  {o.debtor_id}: {o.amount_cents / 100:.2f} EUR on {o.paid_on}, balance "
                       f"{o.balance_cents / 100:.2f} EUR" + (f", plan {o.plan_reference} {o.plan_status}"
                                                             if o.plan_reference else ""))
