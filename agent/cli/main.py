"""Entry point of the ``amiable`` CLI: sub-command groups are registered here."""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import ClickException, UsageError  # typer vendors click

from agent.cli import core
from agent.errors import AmiableError, ConfigError

app = typer.Typer(
    name="amiable",
    help="Amiable: guarded, grounded drafting for amicable debt recovery (recouvrement amiable).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: "--json  JSON output", "--debtor TEXT", never "<bool>"
)
core.register(app)


def _register_groups() -> None:
    """Attach the sub-command groups owned by each component."""
    from agent.cli import evals, gdpr, guard, intents, letters, outbox, payments, plans, service

    app.add_typer(guard.app, name="guard", help="Check texts against the compliance rules.")
    app.add_typer(plans.app, name="plan", help="Quote payment plans and manage widget links.")
    app.add_typer(payments.app, name="payment", help="Record payments (matched to plan instalments).")
    app.add_typer(evals.app, name="eval", help="Run and compare QA tone evaluations.")
    app.add_typer(letters.app, name="letter", help="Produce first letters and formal notices (PDF, HTML).")
    app.add_typer(outbox.app, name="outbox", help="Send queued email, SMS and postal letters; delivery events.")
    app.add_typer(intents.app, name="intents", help="Retrain and try the debtor-message analyser.")
    app.add_typer(gdpr.app, name="gdpr", help="Personal data: access export, erasure, retention purge.")
    service.register(app)


_register_groups()


def run() -> None:
    """Console-script entry: clear one-line errors and stable exit codes, never a stack trace."""
    try:
        rv = app(standalone_mode=False)
        # In non-standalone mode click returns the code of a typer.Exit instead of raising it.
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, UsageError) else exc.exit_code)
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except AmiableError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    run()
