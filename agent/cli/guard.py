"""``amiable guard check``: check one text (or a JSONL batch) against the compliance rules.

Exit codes: 0 pass / warn, 1 block, 2 usage error (bad input, text longer than the policy's max_chars,
unknown debtor, unknown language or jurisdiction).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from agent.cli.common import fail, read_text_arg, settings
from agent.clock import Clock
from agent.domain import DebtorFile
from agent.errors import AmiableError, NotFoundError
from agent.guard import Guard, GuardContext, GuardReport

app = typer.Typer(no_args_is_help=True, help="Check texts against the compliance rules.")

LANGS = ("fr", "en")
JURISDICTIONS = ("FR", "US", "UK")
CHANNELS = ("email", "sms", "letter", "phone", "chat", "widget")


def _guard(policy: str | None, learned: bool = True) -> Guard:
    from agent.firm import load_firm
    from agent.guard import build_guard
    from agent.guard.policy import load_guard_policy

    s = settings()
    return build_guard(load_guard_policy(Path(policy) if policy else s.guard_policy_file), load_firm(s.firm_file),
                       learned=learned)


class _Debtors:
    """Loads debtor files on demand (one DB session for the whole batch)."""

    def __init__(self) -> None:
        self._cache: dict[str, DebtorFile] = {}

    def get(self, debtor_id: str) -> DebtorFile:
        if debtor_id not in self._cache:
            from agent.db.repo import load_file
            from agent.db.session import session_scope

            s = settings()
            with session_scope(s.effective_database_url) as session:
                self._cache[debtor_id] = load_file(session, debtor_id, Clock.from_settings(s).today())
        return self._cache[debtor_id]


def _human(report: GuardReport, text: str) -> str:
    lines = [f"verdict: {report.verdict.upper()}  (lang {report.lang}, policy {report.policy_version}, "
             f"{len(report.findings)} finding(s))"]
    for f in report.findings:
        where = f"[{f.span.start}:{f.span.end}] \"{f.span.text}\"" if f.span else "(whole text)"
        lines.append(f"- {f.severity.upper()} {f.rule_id} {where}")
        lines.append(f"    why: {f.explanation}")
        lines.append(f"    basis: {f.legal_basis}")
        if f.missing_fact:
            lines.append(f"    missing fact: {f.missing_fact}")
        if f.rewording:
            lines.append(f"    rewording: {f.rewording}")
        for n in f.neighbours:
            lines.append(f"    near: {n.id} ({n.label}, {n.family}, sim {n.similarity:.2f}) {n.source}")
    return "\n".join(lines)


def _context(lang: str | None, channel: str | None, first_letter: bool, scheduled_at: str | None,
             debtor: DebtorFile | None, recipient: str = "debtor", jurisdiction: str | None = None) -> GuardContext:
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use fr or en)")
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r} (use FR, US or UK)")
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (use one of {', '.join(CHANNELS)})")
    when = None
    if scheduled_at:
        try:
            when = dt.datetime.fromisoformat(scheduled_at)
        except ValueError as exc:
            raise ValueError(f"--scheduled-at is not an ISO date-time: {scheduled_at!r}") from exc
    return GuardContext.model_validate({"lang": lang, "channel": channel, "first_letter": first_letter,
                                        "scheduled_at": when, "debtor": debtor, "recipient": recipient,
                                        "jurisdiction": jurisdiction})


@app.callback()
def _group() -> None:
    """Check texts against the compliance rules."""


@app.command("train")
def train_cmd(
    corpus: Path = typer.Option(None, "--corpus", help="collector corpus folder (default evals/corpus/collector)."),
    out: Path = typer.Option(None, "--out", help="weights file (default knowledge/policy/guard-learned/model.npz)."),
    policy: str = typer.Option(None, "--policy", help="Guard policy YAML the DEV items are judged with."),
) -> None:
    """Retrain the learned layer: fit on TRAIN, choose thresholds on DEV (TEST is never read)."""
    from agent.corpus_collector import CORPUS_DIR
    from agent.firm import load_firm
    from agent.guard.learned import MODEL_FILE
    from agent.guard.policy import GuardPolicy, load_guard_policy
    from agent.guard.train import train
    from agent.kb.embeddings import get_embeddings

    s = settings()
    folder = corpus or CORPUS_DIR
    if not (folder / "train.jsonl").is_file() or not (folder / "dev.jsonl").is_file():
        raise fail(f"no train.jsonl / dev.jsonl in {folder}")
    base = load_guard_policy(Path(policy) if policy else s.guard_policy_file)
    firm = load_firm(s.firm_file)
    guards: dict[str, Guard] = {}

    def guard_for(jurisdiction: str, layer: Any) -> Guard:
        if jurisdiction not in guards:
            pol = GuardPolicy.model_validate({**base.model_dump(), "jurisdiction": jurisdiction})
            guards[jurisdiction] = Guard(pol, firm=firm, learned=layer)
        guards[jurisdiction].learned = layer
        return guards[jurisdiction]

    try:
        model, dev = train(folder, get_embeddings("use", threads=s.embedding_threads), out or MODEL_FILE, guard_for)
    except AmiableError as exc:
        raise fail(exc.message, 4) from exc
    summary = {k: v for k, v in model.manifest.items() if k != "examples"}
    typer.echo(json.dumps({"model": str(out or MODEL_FILE), **summary, "block_threshold": model.block_threshold,
                           "warn_threshold": model.warn_threshold}, indent=2))


@app.command("check")
def check_cmd(
    file: str = typer.Option(None, "--file", "-f", help="Read the text from FILE ('-' for stdin)."),
    text: str = typer.Option(None, "--text", "-t", help="The text to check."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    jsonl: str = typer.Option(None, "--jsonl", help="Batch: JSONL file of {id, text, lang?, jurisdiction?, debtor_id?, channel?, first_letter?}."),
    lang: str = typer.Option(None, "--lang", help="fr or en (default: detect)."),
    jurisdiction: str = typer.Option(None, "--jurisdiction", help="FR, US or UK (default: the debtor file's, else the policy's)."),
    debtor: str = typer.Option(None, "--debtor", help="Debtor id whose file gives the context."),
    channel: str = typer.Option(None, "--channel", help="email, sms, letter, phone, chat or widget."),
    first_letter: bool = typer.Option(False, "--first-letter", help="The text is the first letter (R124-4 mentions)."),
    scheduled_at: str = typer.Option(None, "--scheduled-at", help="ISO date-time the message / call goes out."),
    policy: str = typer.Option(None, "--policy", help="Guard policy YAML (default: settings)."),
    rules_only: bool = typer.Option(False, "--rules-only", help="Skip the learned layer (rules alone)."),
) -> None:
    """Check one text (--file, --text or stdin) or a JSONL batch (--jsonl)."""
    if lang is not None and lang not in LANGS:
        raise fail(f"unknown --lang {lang!r}: use fr or en")
    if jurisdiction is not None and jurisdiction.upper() not in JURISDICTIONS:
        raise fail(f"unknown --jurisdiction {jurisdiction!r}: use FR, US or UK")
    guard = _guard(policy, learned=not rules_only)
    if jsonl is not None:
        if file is not None or text is not None:
            raise fail("--jsonl cannot be combined with --file or --text")
        raise typer.Exit(_batch(guard, jsonl))
    raw = read_text_arg(text, file)
    debtor_file = None
    if debtor:
        try:
            debtor_file = _Debtors().get(debtor)
        except NotFoundError as exc:
            raise fail(exc.message) from exc
    try:
        ctx = _context(lang, channel, first_letter, scheduled_at, debtor_file,
                       jurisdiction=jurisdiction.upper() if jurisdiction else None)
        report = guard.check(raw, ctx)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    except AmiableError as exc:
        raise fail(exc.message) from exc
    typer.echo(report.model_dump_json(indent=2) if as_json else _human(report, raw))
    raise typer.Exit(1 if report.verdict == "block" else 0)


def _batch(guard: Guard, path: str) -> int:
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from exc
    debtors = _Debtors()
    worst = 0
    with handle:
        for lineno, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            out = _batch_line(guard, debtors, raw_line, lineno)
            if out.get("verdict") == "block":
                worst = 1
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return worst


def _batch_line(guard: Guard, debtors: _Debtors, raw_line: bytes, lineno: int) -> dict[str, Any]:
    item_id: Any = f"line-{lineno}"
    try:
        line = raw_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"id": item_id, "error": f"line {lineno} is not valid UTF-8 (byte {exc.start})"}
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": item_id, "error": f"line {lineno} is not valid JSON: {exc.msg}"}
    if not isinstance(item, dict):
        return {"id": item_id, "error": f"line {lineno} must be a JSON object"}
    item_id = item.get("id", item_id)
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": item_id, "error": "missing or non-string 'text'"}
    try:
        debtor = debtors.get(str(item["debtor_id"])) if item.get("debtor_id") else None
        ctx = _context(item.get("lang"), item.get("channel"), bool(item.get("first_letter", False)),
                       item.get("scheduled_at"), debtor, item.get("recipient", "debtor"), item.get("jurisdiction"))
        report = guard.check(text, ctx)
    except AmiableError as exc:
        return {"id": item_id, "error": exc.message}
    except ValueError as exc:
        return {"id": item_id, "error": str(exc).splitlines()[0]}
    return {"id": item_id, "verdict": report.verdict,
            "findings": [f.model_dump(mode="json") for f in report.findings]}
