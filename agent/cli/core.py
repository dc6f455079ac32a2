"""Core commands: import, ingest, debtors, draft, init, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from tqdm import tqdm

from agent.cli.common import fail, settings
from agent.clock import Clock
from agent.errors import UserError

DEMO_CASES = (
    ("D002", "Bonjour, j'ai perdu mon emploi le mois dernier et je ne peux pas tout payer d'un coup. "
             "Est-il possible d'étaler ?"),
    ("D029", "Bonjour, pouvez-vous m'envoyer le détail de ce que je dois exactement ?"),
    ("D003", "Hello, could I pay this in monthly instalments? I can't pay it all at once."),
)


def do_import(path: Path | None) -> str:
    from agent.db.session import session_scope
    from agent.portfolio import import_portfolio

    s = settings()
    target = path or s.portfolio_file
    with session_scope(s.effective_database_url) as session:
        rep = import_portfolio(session, target)
    return (f"imported {rep.debtors} debtors ({rep.replaced} replaced), {rep.creditors} creditors, "
            f"{rep.invoices} invoices, {rep.contacts} contacts from {target}; sync: {rep.added} added, "
            f"{rep.updated} updated, {rep.closed} closed, {rep.unchanged} unchanged")


def do_sync(path: Path, *, dry_run: bool, close_absent: bool, verbose: bool,
            mapping: Path | None = None) -> list[str]:
    """Sync one file (JSONL, or CSV through a column mapping); a dry run computes every change in a
    transaction that is then rolled back."""
    from agent.db.session import session_scope
    from agent.portfolio import CreditorRecord, read_portfolio
    from agent.sync import render, sync_records

    s = settings()
    line_of: dict[str, int] = {}
    creditors: list[CreditorRecord] = []
    if path.suffix.lower() in (".csv", ".xlsx"):
        from agent.csv_import import load_mapping, read_csv, read_xlsx

        default = s.portfolio_file.parent / "csv_mapping.yaml"
        read = read_xlsx if path.suffix.lower() == ".xlsx" else read_csv
        debtors, line_of = read(path, load_mapping(mapping or default))
    else:
        creditors, debtors = read_portfolio(path, line_of)
    with session_scope(s.effective_database_url) as session:
        rep = sync_records(session, creditors, debtors, source=str(path), lines=line_of,
                           close_absent=close_absent, dry_run=dry_run)
        if dry_run:
            session.rollback()
    return render(rep, verbose=verbose)


def do_ingest() -> list[str]:
    from agent.db.repo import list_debtor_ids, load_file
    from agent.db.session import session_scope
    from agent.runtime import Runtime

    s = settings()
    rt = Runtime.start(s)
    index = rt.index
    lines = []
    load_s = index.warm_up()  # the model load is reported apart, never counted in the ingest rates
    if load_s >= 0.05:
        lines.append(f"embedding model {index.embeddings.name} loaded in {load_s:.1f}s (not counted in the rates)")
    chunks = index.guideline_chunks()
    with tqdm(total=len(chunks), desc="guidelines", unit="chunk", leave=False) as bar:
        g = index.ingest_guidelines(progress=bar.update)
    lines.append(f"guidelines: {g.total} sections ({g.added} added, {g.updated} updated, {g.unchanged} unchanged, "
                 f"{g.deleted} removed) in {g.seconds:.1f}s" + (f", {g.chunks_per_s:.0f} chunks/s" if g.chunks_per_s else ""))
    today = Clock.from_settings(s).today()
    with session_scope(s.effective_database_url) as session:
        files = [load_file(session, i, today) for i in list_debtor_ids(session)]
    total = sum(len(index.history_chunks(f)) for f in files)
    with tqdm(total=total, desc="debtor history", unit="chunk", leave=False) as bar:
        h = index.ingest_history(files, progress=bar.update)
    lines.append(f"history: {h.total} notes of {len(files)} debtors ({h.added} added, {h.updated} updated, "
                 f"{h.unchanged} unchanged, {h.deleted} removed) in {h.seconds:.1f}s"
                 + (f", {h.chunks_per_s:.0f} chunks/s" if h.chunks_per_s else ""))
    return lines


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        file: Annotated[Optional[Path], typer.Argument(help="Portfolio JSONL (default: the sample portfolio)")] = None,  # noqa: UP045
        schema: Annotated[bool, typer.Option("--schema", help="Print the record JSON Schema and exit")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would change; write nothing")] = False,
        changes: Annotated[bool, typer.Option("--changes", help="Also list each debtor's field changes")] = False,
        keep_absent: Annotated[bool, typer.Option(
            "--keep-absent", help="Do not close debtors of the file's creditors that the file no longer lists")] = False,
        mapping: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            help="CSV/XLSX column mapping (YAML); default knowledge/portfolio/csv_mapping.yaml")] = None,
    ) -> None:
        """Sync a portfolio (JSONL, or CSV / XLSX with a column mapping): upsert by creditor + reference, nothing the firm produced is lost,
        absent debtors closed; all-or-nothing, line-precise errors."""
        if schema:
            from agent.portfolio import json_schema

            typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
            return
        if dry_run or changes or keep_absent or mapping or (file is not None
                                                            and file.suffix.lower() in (".csv", ".xlsx")):
            lines = do_sync(file or settings().portfolio_file, dry_run=dry_run, close_absent=not keep_absent,
                            verbose=dry_run or changes, mapping=mapping)
            for line in lines:
                typer.echo(line)
            return
        typer.echo(do_import(file))

    @app.command()
    def ingest() -> None:
        """Index the guidelines and each debtor's free-text history (idempotent; only changes are embedded)."""
        for line in do_ingest():
            typer.echo(line)

    @app.command()
    def init() -> None:
        """Import the sample portfolio and build the index: everything the demo and the service need."""
        typer.echo(do_import(None))
        for line in do_ingest():
            typer.echo(line)

    @app.command()
    def debtors(as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
        """List debtor files with their derived signals."""
        from agent import fmt
        from agent.db.repo import list_debtor_ids, load_file
        from agent.db.session import session_scope

        s = settings()
        with session_scope(s.effective_database_url) as session:
            files = [load_file(session, i, Clock.from_settings(s).today()) for i in list_debtor_ids(session)]
        if not files:
            raise fail("no debtor files: run `amiable import` first", 3)
        if as_json:
            typer.echo(json.dumps([{"id": f.id, "name": f.display_name, "creditor": f.creditor.name,
                                    **f.signals.model_dump(mode="json")} for f in files], ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False, header_style="bold", pad_edge=False)
        for col, justify in (("id", "left"), ("name", "left"), ("creditor", "left"), ("balance", "right"),
                             ("days past due", "right"), ("broken promises", "right"), ("contacts 30 d", "right"),
                             ("flags", "left")):
            table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for f in files:
            sig = f.signals
            flags = ", ".join(k for k, v in (("title", f.has_title), ("disputed", f.disputed),
                                             ("time-barred", sig.time_barred), ("hardship", f.hardship),
                                             ("surendettement", f.over_indebtedness)) if v)
            table.add_row(f.id, f.display_name, f.creditor.name, fmt.money(sig.balance_cents, "fr"),
                          str(sig.days_past_due), str(sig.broken_promises), str(sig.contacts_30d), flags)
        Console(width=200 if not sys.stdout.isatty() else None, highlight=False).print(table)

    @app.command()
    def draft(
        debtor: Annotated[str, typer.Option("--debtor", "-d", help="Debtor id, e.g. D001 (any case)")],
        message: Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--message", "-m", help="What the debtor wrote; '-' reads it from standard input")] = None,
        file: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "--file", "-f", help="Read the debtor's message from this UTF-8 text file")] = None,
        channel: Annotated[Optional[str], typer.Option(help="email|sms|letter|phone|chat|widget")] = None,  # noqa: UP045
        lang: Annotated[Optional[str], typer.Option(help="fr|en (default: the message's language)")] = None,  # noqa: UP045
        instruction: Annotated[Optional[str], typer.Option(help='e.g. "shorter", "in English", "6 months"')] = None,  # noqa: UP045
        as_json: Annotated[bool, typer.Option("--json", help="Print the structured draft as JSON")] = False,
    ) -> None:
        """Draft a grounded, guarded reply to a debtor's message (--message TEXT, --message - or --file)."""
        from pydantic import ValidationError

        from agent.db.repo import canonical_debtor_id
        from agent.db.session import session_scope
        from agent.drafting.models import DraftRequest
        from agent.runtime import Runtime

        s = settings()
        text = read_message(message, file, limit=s.max_message_chars)
        with session_scope(s.effective_database_url) as session:
            debtor = canonical_debtor_id(session, debtor)
        try:
            req = DraftRequest(debtor_id=debtor, message=text, channel=channel, lang=lang,
                               instruction=instruction)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
        rt = Runtime.start(s)
        d = rt.drafting.draft(req, actor="cli")
        if as_json:
            typer.echo(d.model_dump_json(indent=2))
            return
        typer.echo(render_draft(d))

    @app.command("retrieval-eval")
    def retrieval_eval(
        embedding: Annotated[str, typer.Option(help="use, e5 or both")] = "both",
        queries: Annotated[Optional[Path], typer.Option(help="Query set YAML")] = None,  # noqa: UP045
        k: Annotated[int, typer.Option(min=1, max=20, help="Cut-off for recall@k and MRR")] = 5,
        show_misses: Annotated[bool, typer.Option("--misses", help="List queries not answered at rank 1")] = False,
    ) -> None:
        """Measure retrieval (top-1, MRR, ingest chunks/s, query p50/p95) for each embedding."""
        from agent.kb.evaluation import evaluate, load_queries

        s = settings()
        qs = load_queries(queries or s.evals_dir / "retrieval" / "queries.yaml")
        kinds = ["use", "e5"] if embedding == "both" else [embedding]
        if any(kd not in ("use", "e5") for kd in kinds):
            raise fail("--embedding must be use, e5 or both")
        typer.echo(f"{'embedding':10} {'top1':>6} {'MRR':>6} {'R@' + str(k):>6} {'ingest/s':>9} {'p50 ms':>7} "
                   f"{'p95 ms':>7}  by group (top1/MRR)")
        for kd in kinds:
            r = evaluate(s, kd, qs, k=k)  # type: ignore[arg-type]
            groups = "  ".join(f"{g}: {v['top1']:.2f}/{v['mrr']:.2f} (n={int(v['n'])})" for g, v in r.by_group.items())
            typer.echo(f"{kd:10} {r.top1:6.3f} {r.mrr:6.3f} {r.recall_at_k:6.3f} {r.ingest_chunks_per_s:9.1f} "
                       f"{r.query_p50_ms:7.1f} {r.query_p95_ms:7.1f}  {groups}")
            if show_misses:
                for line in r.misses:
                    typer.echo(f"    miss {line}")

    @app.command()
    def demo() -> None:
        """Import the sample data, build the index and show three drafts (FR and EN)."""
        typer.echo(do_import(None))
        for line in do_ingest():
            typer.echo(line)
        from agent.drafting.models import DraftRequest
        from agent.runtime import Runtime

        rt = Runtime.start(settings())
        for debtor_id, message in DEMO_CASES:
            try:
                d = rt.drafting.draft(DraftRequest(debtor_id=debtor_id, message=message), actor="demo")
            except UserError as exc:
                typer.echo(f"[{debtor_id}] skipped: {exc.message}")
                continue
            typer.echo("\n" + "=" * 78 + f"\n[{debtor_id}] « {message} »\n" + "-" * 78)
            typer.echo(render_draft(d))


def read_message(message: str | None, file: Path | None, *, limit: int) -> str:
    """The debtor's message from exactly one source: --message TEXT, --message - (stdin) or --file."""
    if (message is None) == (file is None):
        raise fail("give the debtor's message with exactly one of --message TEXT, --message - (stdin) or --file PATH")
    if file is not None:
        if not file.is_file():
            raise fail(f"--file: no such file: {file}")
        raw = file.read_bytes()
        source = str(file)
    elif message == "-":
        raw = sys.stdin.buffer.read()
        source = "standard input"
    else:
        return message or ""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"{source} is not UTF-8 text (byte {exc.start})") from exc
    if len(text) > limit:
        # the drafting pipeline's wording (and limit), so the CLI and the API say the same thing
        raise fail(f"message is too long ({len(text)} characters; the limit is {limit})")
    return text.strip()


def render_draft(d: object) -> str:
    from agent.drafting.models import Draft

    assert isinstance(d, Draft)
    out = [d.text, "", f"intent: {d.intent} ({d.intent_confidence:.2f})   language: {d.language}   channel: "
           f"{d.channel}   backend: {d.backend}   template: {d.template_id}"]
    out.append(f"guard: {d.guard.verdict.upper()}   sendable: {'yes' if d.sendable else 'NO'}")
    for f in d.guard.findings:
        where = f" «{f.span.text}»" if f.span else ""
        out.append(f"  - [{f.severity}] {f.rule_id}{where}: {f.explanation}")
    if d.fallback_reason:
        out.append(f"fallback: {d.fallback_reason}")
    out.append("citations:")
    out.extend(f"  - [{c.id}] ({c.lang}) {c.title} — score {c.score:.2f}" for c in d.citations)
    out.append("facts:")
    out.extend(f"  - {f.label}: {f.value.splitlines()[0]}{' …' if chr(10) in f.value else ''}  <{f.source}>"
               for f in d.facts)
    if d.plan_options:
        out.append("plan options: " + ", ".join(o.id for o in d.plan_options))
    due = f" (by {d.next_action.due_date.isoformat()})" if d.next_action.due_date else ""
    out.append(f"next action: {d.next_action.label}{due}")
    return "\n".join(out)
