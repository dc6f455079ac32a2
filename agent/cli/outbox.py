"""``amiable outbox run|list|event``: process the queue, show it, record a delivery event."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from agent.cli.common import settings
from agent.clock import Clock

app = typer.Typer(no_args_is_help=True, help="Send queued messages (email, SMS, postal) and track delivery.")


def _now() -> dt.datetime:
    s = settings()
    return Clock.from_settings(s).now()


@app.command("run")
def run_cmd(as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """Send what may go now (guard, opt-outs, hours, caps checked at this moment); the rest stays queued."""
    from agent.outbox.service import run
    from agent.runtime import Runtime

    report = run(Runtime.start(settings()), now=_now())
    data = {"sent": report.sent, "queued": report.queued, "blocked": report.blocked,
            "suppressed": report.suppressed, "bounced": report.bounced, "failed": report.failed,
            "events": report.events}
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        typer.echo(f"{key:<10} {len(value) if isinstance(value, list | dict) else value}")
    for msg_id, why in report.queued.items():
        typer.echo(f"  queued {msg_id}: {why}")


@app.command("list")
def list_cmd(status: Annotated[str | None, typer.Option("--status", help="only this status")] = None) -> None:
    """The outbox, newest first."""
    from sqlalchemy import select

    from agent.outbox.models import OutboxMessage
    from agent.runtime import Runtime

    rt = Runtime.start(settings())
    with rt.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.created_at.desc())
        if status:
            q = q.where(OutboxMessage.status == status)
        for msg in s.execute(q).scalars():
            typer.echo(f"{msg.id}  {msg.debtor_id:<6} {msg.channel:<6} {msg.status:<10} {msg.letter_ref or msg.kind}"
                       f"  {msg.deferred_reason or msg.last_error}")


@app.command("event")
def event_cmd(
    kind: Annotated[str, typer.Option("--kind", help="delivered, opened, bounced or failed")],
    outbox_id: Annotated[str | None, typer.Option("--id", help="outbox message id")] = None,
    provider_id: Annotated[str | None, typer.Option("--provider-id", help="Message-ID / provider id")] = None,
    detail: Annotated[str, typer.Option("--detail", help="free text (e.g. the DSN status)")] = "",
) -> None:
    """Record a delivery event reported outside the product (a DSN, a mailing-house receipt)."""
    from agent.cli.common import fail
    from agent.errors import UserError
    from agent.outbox.service import record_event
    from agent.runtime import Runtime

    if not (outbox_id or provider_id):
        raise fail("give --id or --provider-id")
    try:
        record_event(Runtime.start(settings()), kind=kind, at=_now(), outbox_id=outbox_id,
                     provider_id=provider_id, detail=detail)
    except UserError as exc:
        raise fail(exc.message, exc.exit_code) from exc
    typer.echo(f"recorded {kind}")
