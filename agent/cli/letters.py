"""``amiable letter first|notice --debtor D``: the first letter (R124-4) or the formal notice, as PDF,
HTML and text, guarded (blocked = nothing produced, exit 1); ``--send CHANNEL`` queues it in the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import fail, settings

app = typer.Typer(no_args_is_help=True, help="Produce first letters and formal notices.")

SendOpt = Annotated[str | None, typer.Option("--send", help="queue in the outbox: email, sms or letter (postal)")]
LrarOpt = Annotated[bool, typer.Option("--lrar", help="postal letter sent recorded with acknowledgement (LRAR)")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="folder for the PDF/HTML/text (default: data dir)")]


def _run(kind: str, debtor: str, out: Path | None, send: str | None, lrar: bool) -> None:
    from agent.errors import ConfigError, GuardBlockedError, UserError
    from agent.letters.service import produce
    from agent.runtime import Runtime

    s = settings()
    rt = Runtime.start(s)
    now = rt.clock.now()
    try:
        done = produce(rt, debtor, kind, now=now, out_dir=out)  # type: ignore[arg-type]
    except (GuardBlockedError, UserError, ConfigError) as exc:  # one line on stderr, the error's exit code
        raise fail(exc.message, exc.exit_code) from exc
    typer.echo(f"{done.letter.reference}  guard: {done.letter.guard.verdict}")
    typer.echo(f"pdf:  {done.pdf_path}\nhtml: {done.html_path}\ntext: {done.text_path}")
    if send:
        from agent.outbox.service import enqueue_letter

        try:
            with rt.session() as session:
                msg_id = enqueue_letter(session, done, channel=send, lrar=lrar, now=now)
        except UserError as exc:
            raise fail(exc.message, exc.exit_code) from exc
        typer.echo(f"queued in the outbox: {msg_id} ({send}); run 'amiable outbox run' to send")


@app.command("first")
def first_cmd(debtor: Annotated[str, typer.Option("--debtor", help="debtor id")], out: OutOpt = None,
              send: SendOpt = None, lrar: LrarOpt = False) -> None:
    """The collector's first letter with every R124-4 mention; its reference and date go on the file."""
    _run("first", debtor, out, send, lrar)


@app.command("notice")
def notice_cmd(debtor: Annotated[str, typer.Option("--debtor", help="debtor id")], out: OutOpt = None,
               send: SendOpt = None, lrar: LrarOpt = False) -> None:
    """A formal notice (mise en demeure) recalling the first letter's reference and date."""
    _run("notice", debtor, out, send, lrar)
