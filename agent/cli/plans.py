"""``amiable plan``: quote payment plans and create signed widget links."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from agent.cli.common import fail, settings
from agent.clock import Clock
from agent.errors import ConfigError, NotFoundError, UserError

app = typer.Typer(no_args_is_help=True, help="Quote payment plans and create widget links.")


def parse_eur(value: str, what: str) -> int:
    """'1234.56', '1 234,56' or '1234' euros -> integer cents; exit 2 on anything else."""
    text = value.strip().replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise fail(f"{what}: not an amount in euros: {value!r}") from exc
    if not amount.is_finite() or amount <= 0:
        raise fail(f"{what}: must be a positive amount in euros")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise fail(f"{what}: at most 2 decimals")
    if cents > 10_000_000_000:
        raise fail(f"{what}: too large")
    return int(cents)


def _table(options: list[dict[str, object]]) -> str:
    from agent.plans.engine import format_eur

    lines = []
    for o in options:
        count = int(str(o["count"]))
        inst = o["instalments"]
        assert isinstance(inst, list)
        head = (f"{o['id']:<16} {count:>3} x {format_eur(int(str(o['instalment_cents'])), 'en'):>12}  "
                f"total {format_eur(int(str(o['total_cents'])), 'en')}")
        if o["discount_cents"]:
            head += f" (discount {format_eur(int(str(o['discount_cents'])), 'en')})"
        head += f"  {o['first_due_date']} .. {o['last_due_date']}"
        lines.append(head)
    return "\n".join(lines)


@app.command("quote")
def quote_cmd(
    debtor: Annotated[str | None, typer.Option("--debtor", help="debtor id: quote on the file's balance")] = None,
    balance: Annotated[str | None, typer.Option("--balance", help="balance in EUR (no debtor)")] = None,
    capacity: Annotated[str | None, typer.Option("--capacity", help="monthly amount the debtor can pay, EUR")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="creditor plan profile (with --balance)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Quote 2 to 4 in-policy options with their full schedule."""
    from agent.plans.engine import quote, quote_for_file
    from agent.plans.models import Capacity
    from agent.plans.policy import load_plan_policy

    if (debtor is None) == (balance is None):
        raise fail("give --debtor ID or --balance EUR (exactly one)")
    s = settings()
    try:
        policy = load_plan_policy(s.plan_policy_file)
    except ConfigError as exc:
        raise fail(exc.message, exc.exit_code) from exc
    cap = Capacity(monthly_amount_cents=parse_eur(capacity, "--capacity")) if capacity else None
    today = Clock.from_settings(s).today()
    try:
        if debtor is not None:
            from agent.db.repo import load_file
            from agent.db.session import session_scope

            with session_scope(s.effective_database_url) as session:
                file = load_file(session, debtor, today)
            options = quote_for_file(file, policy, today=today, capacity=cap)
            if not options:
                typer.echo(f"nothing is owed on {debtor}: no plan to quote")
                return
        else:
            options = quote(parse_eur(balance or "", "--balance"), policy=policy, today=today, profile=profile,
                            capacity=cap)
    except NotFoundError as exc:
        raise fail(f"unknown debtor: {debtor}", 3) from exc
    except UserError as exc:
        raise fail(exc.message, 2) from exc
    data = [o.model_dump(mode="json") for o in options]
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else _table(data))


@app.command("link")
def link_cmd(
    debtor: Annotated[str, typer.Option("--debtor", help="debtor id the link gives access to")],
    ttl_hours: Annotated[int | None, typer.Option("--ttl-hours", help="validity (default: settings)")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="public URL of the API")] = None,
) -> None:
    """Print a signed, expiring widget link scoped to one debtor file."""
    from agent.db.repo import get_debtor_row
    from agent.db.session import session_scope
    from agent.plans.links import MAX_TTL_HOURS, make_token, widget_url

    s = settings()
    ttl = s.token_ttl_hours if ttl_hours is None else ttl_hours
    if not 1 <= ttl <= MAX_TTL_HOURS:
        raise fail(f"--ttl-hours must be between 1 and {MAX_TTL_HOURS}")
    base = base_url or f"http://{s.host}:{s.port}"
    if not base.startswith(("http://", "https://")):
        raise fail("--base-url must start with http:// or https://")
    try:
        with session_scope(s.effective_database_url) as session:
            get_debtor_row(session, debtor)
    except NotFoundError as exc:
        raise fail(f"unknown debtor: {debtor}", 3) from exc
    token = make_token(debtor, secret=s.secret.get_secret_value(), ttl_hours=ttl, now=Clock.from_settings(s).timestamp())
    typer.echo(widget_url(base, token))
