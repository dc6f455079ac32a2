"""CLI commands of the agent service: ``serve``, ``keys create|list|revoke``, ``audit verify|export|replay``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.cli.common import fail, settings

keys_app = typer.Typer(help="Create, list and revoke API keys (roles: agent, qa, admin).", no_args_is_help=True)
def port_free_or_fail(host: str, port: int) -> None:
    """One clear line (exit 4) when the address is taken, before any URL is printed."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is not "in use"
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
            raise fail(f"{host}:{port} {why}: stop the other service or choose another port "
                       "(--port, AMIABLE_PORT=..., or make run PORT=...)", 4) from None


audit_app = typer.Typer(help="Verify, export and replay the hash-chained audit trail.", no_args_is_help=True)


def _runtime():  # type: ignore[no-untyped-def]
    from agent.runtime import Runtime

    return Runtime.start(settings())


def _session():  # type: ignore[no-untyped-def]
    from agent import audit
    from agent.db.session import init_db, session_scope
    from agent.runtime import check_data_dir

    check_data_dir(settings())
    url = settings().effective_database_url
    init_db(url)
    audit.configure(settings())
    return session_scope(url)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", "-n", help="Who or what uses the key, e.g. alice")],
    role: Annotated[str, typer.Option("--role", "-r", help="agent | qa | admin")] = "agent",
    creditor: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045 (typer needs Optional)
        "--creditor", "-c", help="limit the key to this creditor's files (repeatable; default: every creditor)")
    ] = None,
) -> None:
    """Create a key and print it ONCE (only its hash is stored)."""
    import getpass

    from agent.auth import ROLES, create_key

    if role not in ROLES:
        raise fail(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    with _session() as s:
        row, key = create_key(s, name=name, role=role, secret_key=settings().secret.get_secret_value(),
                              actor=f"cli:{getpass.getuser()}", creditors=creditor or None)
        scope = f", creditors {', '.join(row.creditors)}" if row.creditors else ""
        typer.echo(f"created key {row.id} ({row.role}{scope}) for {row.name}")
    typer.echo(key)
    typer.echo("store it now: it is shown once and cannot be recovered", err=True)


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """List keys (id, name, role, prefix, state); never the keys themselves."""
    from agent.auth import list_keys

    with _session() as s:
        rows = [{"id": r.id, "name": r.name, "role": r.role, "prefix": r.prefix,
                 "created_at": r.created_at.isoformat(),
                 "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
                 "creditors": r.creditors} for r in list_keys(s)]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    if not rows:
        typer.echo("no keys: create one with `amiable keys create --name NAME --role agent`")
    for r in rows:
        state = f"revoked {r['revoked_at'][:19]}" if r["revoked_at"] else "active"
        scope = f"  creditors: {', '.join(r['creditors'])}" if r["creditors"] else ""
        typer.echo(f"{r['id']}  amk_{r['prefix']}_…  {r['role']:6} {r['name']:24} {state}{scope}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Key id (see `amiable keys list`)")]) -> None:
    """Revoke a key: it stops working at once."""
    import getpass

    from agent.auth import revoke_key

    with _session() as s:
        row = revoke_key(s, key_id, actor=f"cli:{getpass.getuser()}")
        typer.echo(f"revoked key {row.id} ({row.role}, {row.name})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain: exit 0 if intact, 1 if tampered (prints the first bad seq)."""
    from agent import audit

    with _session() as s:
        res = audit.verify(s)
    if res.ok:
        typer.echo(f"audit chain valid: {res.events} events, head {res.head}")
        return
    typer.echo(f"audit chain BROKEN at seq {res.first_bad_seq}: {res.problem} "
               f"({res.events} events read, last good hash {res.head})", err=True)
    raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="JSONL file (default: stdout)")] = None,  # noqa: UP045
) -> None:
    """Export every event as JSON Lines (with its hashes, so the export can be verified offline)."""
    from agent import audit

    n = 0
    with _session() as s:
        lines = [json.dumps(audit.event_json(e), ensure_ascii=False, default=str) for e in audit.iter_events(s)]
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    try:
        out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from exc
    n = len(lines)
    typer.echo(f"exported {n} events to {out}", err=True)


@audit_app.command("replay")
def audit_replay(seq: Annotated[int, typer.Argument(help="Seq of a draft.generated / draft.revised event")]) -> None:
    """Re-run a recorded draft with its stored request and date; print match or the diff (exit 1 on a diff)."""
    from agent.conversations import replay

    res = replay(_runtime(), seq)
    if res.match:
        typer.echo(f"match: event {seq} ({res.kind}, as of {res.as_of}) replays to the same text")
        return
    typer.echo(f"DIFF: event {seq} ({res.kind}, as of {res.as_of}) replays to a different text:")
    typer.echo(res.diff)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach service commands to the root app."""

    @app.command()
    def serve(
        host: Annotated[Optional[str], typer.Option(help="Bind address (default: settings.host)")] = None,  # noqa: UP045
        port: Annotated[Optional[int], typer.Option(help="Port (default: settings.port)")] = None,  # noqa: UP045
        workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    ) -> None:
        """Run the service: agent console, chat API, OpenAI-compatible facade, widget, metrics."""
        import uvicorn

        s = settings()
        h, p = host or s.host, port or s.port
        _runtime()  # validate every policy before binding (ConfigError stops here)
        port_free_or_fail(h, p)
        base = f"http://{h}:{p}"
        typer.echo(f"agent console   {base}/console/  (create a key: amiable keys create --name you --role agent)")
        typer.echo(f"API docs        {base}/openapi.json" + (f"  (Swagger UI: {base}/docs)" if s.environment == "development" else ""))
        typer.echo(f"OpenAI facade   {base}/v1/chat/completions  (model 'amiable')")
        typer.echo(f"debtor widget   {base}/widget/#t=<token>  (make a link: amiable plan link --debtor D001)")
        typer.echo(f"health          {base}/healthz  {base}/readyz  {base}/metrics (admin key)")
        uvicorn.run("api.app:create_app", factory=True, host=h, port=p, workers=workers, log_level="info")

    app.add_typer(keys_app, name="keys", help="Create, list and revoke API keys.")
    app.add_typer(audit_app, name="audit", help="Verify, export and replay the audit trail.")
