"""``amiable gdpr``: access export, erasure and the retention purge of debtors' personal data."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.cli.common import settings

app = typer.Typer(no_args_is_help=True, help="Personal data: export, erase, purge (knowledge/policy/retention.yaml).")


def _runtime():  # type: ignore[no-untyped-def]
    from agent.runtime import Runtime

    return Runtime.start(settings())  # loads and validates the retention policy with the others


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _debtor(session, raw: str) -> str:  # type: ignore[no-untyped-def]
    from agent.db.repo import canonical_debtor_id

    return canonical_debtor_id(session, raw)


@app.command("export")
def export_cmd(
    debtor: Annotated[str, typer.Option("--debtor", "-d", help="Debtor id, e.g. D001")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the JSON here (default: stdout)")  # noqa: UP045
                   ] = None,
) -> None:
    """Everything stored about the person (GDPR art. 15/20) as one JSON document; the export is audited."""
    from agent import gdpr

    rt = _runtime()
    with rt.session() as s:
        data = gdpr.export_person(s, _debtor(s, debtor), actor=_actor())
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out} ({sum(len(v) for v in data.values() if isinstance(v, list))} records)", err=True)


@app.command("erase")
def erase_cmd(
    debtor: Annotated[str, typer.Option("--debtor", "-d", help="Debtor id, e.g. D001")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be erased; change nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Erase or pseudonymise the person's data by the retention policy's on_erase (GDPR art. 17).

    Identity pseudonymised, texts emptied, audit texts replaced by their keyed digest (the audit
    chain still verifies), accounting records kept (legal obligation); the file is closed."""
    from agent import gdpr

    rt = _runtime()
    with rt.session() as s:
        rep = gdpr.erase_person(s, _debtor(s, debtor), rt.retention, actor=_actor(), dry_run=dry_run)
    deleted = gdpr.after_commit(rt, rep)  # history index and letter files, once the erasure committed
    if as_json:
        typer.echo(rep.model_dump_json(indent=2))
        return
    verb = "would erase" if dry_run else "erased"
    typer.echo(f"{rep.debtor_id}: {verb} identity fields {', '.join(rep.identity_fields) or '(none left)'}")
    for what, n in sorted(rep.texts.items()):
        typer.echo(f"  {what}: {n}")
    typer.echo(f"  audit: {rep.audit_texts_hashed} text(s) in {rep.audit_events_changed} event(s) replaced by "
               f"digests; {rep.audit_events_legacy} older event(s) left")
    if deleted:
        typer.echo(f"  letter files deleted: {deleted}")
    typer.echo(f"  kept (legal obligation): {', '.join(rep.kept) or 'nothing'}")


@app.command("purge")
def purge_cmd(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be purged; change nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Apply the retention policy: what is older than each kind's duration is erased, hashed or pseudonymised."""
    from agent import gdpr

    rt = _runtime()
    with rt.session() as s:
        rep = gdpr.purge(s, rt.retention, now=rt.clock.utcnow(), actor=_actor(), dry_run=dry_run)
    gdpr.after_commit(rt, rep)
    if as_json:
        typer.echo(rep.model_dump_json(indent=2))
        return
    typer.echo(f"retention purge{' (dry run: nothing changed)' if dry_run else ''}, today {rep.today}")
    for k in rep.kinds:
        counts = ", ".join(f"{n} {w}" for w, n in sorted(k.counts.items())) or "nothing"
        typer.echo(f"  {k.kind:15} {k.action:12} before {k.cutoff}: {counts}")
