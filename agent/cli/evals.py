"""``amiable eval``: run QA evaluations, gate on thresholds, compare runs, score external messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.cli.common import settings
from agent.clock import Clock
from agent.errors import AmiableError

app = typer.Typer(no_args_is_help=True, help="QA tone evaluations: run, compare, score external messages.")


def fail(message: str, code: int = 2) -> SystemExit:
    """One-line error on stderr; SystemExit (not typer.Exit) so the exit code survives standalone_mode=False."""
    typer.echo(f"error: {message}", err=True)
    return SystemExit(code)


def _summary_lines(manifest: dict[str, object]) -> list[str]:
    summary = manifest.get("summary") or {}
    assert isinstance(summary, dict)
    dims = summary.get("dimensions", {})
    lines = [f"{'dimension':24} {'n':>5} {'mean':>7} {'pass':>7}"]
    for name, d in dims.items():
        lines.append(f"{name:24} {d['n']:>5} {d['mean']:>7.3f} {d['pass_rate'] * 100:>6.1f}%")
    t = manifest.get("timings") or {}
    assert isinstance(t, dict)
    lines.append(f"cases {summary.get('cases')} · passed {summary.get('passed')} · sendable {summary.get('sendable')} "
                 f"· errors {summary.get('errors')} · {t.get('seconds')} s scoring + {t.get('prepare_seconds', 0)} s "
                 f"preparation ({t.get('cases_per_s')} cases/s)")
    return lines


@app.command("run")
def run_cmd(
    dataset: Annotated[Optional[list[Path]], typer.Option("--dataset", "-d", help="YAML/JSONL file or folder; repeatable (default: evals/scenarios)")] = None,  # noqa: UP045
    backend: Annotated[str, typer.Option(help="offline|llm")] = "offline",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run folder (results.jsonl, run.json, report.html)")] = None,  # noqa: UP045
    thresholds: Annotated[Optional[Path], typer.Option(help="Thresholds YAML (default: evals/thresholds.yaml)")] = None,  # noqa: UP045
    no_gate: Annotated[bool, typer.Option("--no-gate", help="Do not apply any thresholds")] = False,
    evaluators: Annotated[Optional[str], typer.Option(help="Comma-separated evaluator names (default: all deterministic)")] = None,  # noqa: UP045
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N cases")] = None,  # noqa: UP045
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip cases already scored in --out")] = True,
    judge_runs: Annotated[int, typer.Option(min=1, max=20, help="LLM judge: runs per case")] = 3,
    replay: Annotated[Optional[Path], typer.Option("--replay", help="Run again from this run folder's manifest and debtor snapshot (identical results.jsonl)")] = None,  # noqa: UP045
) -> None:
    """Draft a reply for every scenario, score it, write results.jsonl + report.html (French) and report.en.html;
    exit 1 if the gate fails. Runs draft from a snapshot of the debtor files (snapshot.json), never the live
    database, so --replay reproduces a run byte for byte."""
    from agent.qa import runner
    from agent.runtime import Runtime

    s = settings()
    if backend not in ("offline", "llm"):
        raise fail(f"--backend must be offline or llm, not {backend!r}")
    names = [n.strip() for n in evaluators.split(",") if n.strip()] if evaluators else None
    th = None if no_gate else (thresholds or (s.evals_dir / "thresholds.yaml"))
    if th is not None and thresholds is None and not th.is_file():
        th = None
    out_dir = out or (s.data_dir / "evals" / runner.new_run_id(Clock.from_settings(s)))
    try:
        cfg = runner.RunConfig(datasets=dataset or [s.evals_dir / "scenarios"], backend=backend,
                               out_dir=out_dir, evaluators=names, limit=limit, resume=resume, thresholds=th,
                               judge_runs=judge_runs, replay=replay)
        rt = Runtime.start(s)
        prep = runner.prepare(rt, cfg)
        for n in prep.notices:
            typer.echo(f"note: {n}", err=True)
        manifest = runner.run_cases(prep, show_bar=True)
    except AmiableError as exc:
        raise fail(exc.message, exc.exit_code) from exc
    for line in _summary_lines(manifest):
        typer.echo(line)
    typer.echo(f"report: {out_dir / runner.REPORT}")
    gate = manifest.get("thresholds")
    if isinstance(gate, dict):
        if gate["violations"]:
            for v in gate["violations"]:
                typer.echo(f"threshold failed: {v}", err=True)
            raise SystemExit(1)
        typer.echo(f"thresholds passed ({gate['file']})")


@app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="Baseline run folder")],
    run_b: Annotated[Path, typer.Argument(help="Candidate run folder")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    resamples: Annotated[int, typer.Option(min=100, max=100_000)] = 2000,
) -> None:
    """Per-dimension deltas (B - A) with bootstrap 95 % confidence intervals, and the cases that changed."""
    from agent.qa.compare import compare_runs, format_comparison

    try:
        cmp = compare_runs(run_a, run_b, resamples=resamples)
    except AmiableError as exc:
        raise fail(exc.message, exc.exit_code) from exc
    typer.echo(json.dumps(cmp, ensure_ascii=False, indent=2) if as_json else format_comparison(cmp))


@app.command("score-external")
def score_external_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or JSONL of sent messages (text, optional debtor_id, channel, lang)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder")],
    evaluators: Annotated[Optional[str], typer.Option(help="Comma-separated evaluator names")] = None,  # noqa: UP045
) -> None:
    """Score messages that were not drafted here, with the same evaluators and the same report."""
    from agent.qa.external import score_external
    from agent.runtime import Runtime

    names = [n.strip() for n in evaluators.split(",") if n.strip()] if evaluators else None
    try:
        manifest = score_external(Runtime.start(settings()), file, out, evaluators=names, show_bar=True)
    except AmiableError as exc:
        raise fail(exc.message, exc.exit_code) from exc
    for line in _summary_lines(manifest):
        typer.echo(line)
    typer.echo(f"report: {out / 'report.html'}")


@app.command("schema")
def schema_cmd(
    write: Annotated[bool, typer.Option("--write", help="Write evals/schema/scenario.schema.json")] = False,
) -> None:
    """Print (or write) the scenario JSON Schema."""
    from agent.qa.schema import json_schema_text

    text = json_schema_text()
    if write:
        path = settings().evals_dir / "schema" / "scenario.schema.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {path}")
        return
    typer.echo(text, nl=False)


@app.command("evaluators")
def evaluators_cmd() -> None:
    """List the evaluators with their versions."""
    from agent.qa.evaluators import REGISTRY, Evaluator
    from agent.qa.llm_judge import LlmJudgeEvaluator

    classes: list[type[Evaluator]] = [*REGISTRY.values(), LlmJudgeEvaluator]
    for cls in classes:
        typer.echo(f"{cls.name:16} v{cls.version}  {cls.description}")
