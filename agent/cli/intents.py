"""``amiable intents``: retrain and try the debtor-message analyser (agent/understanding)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import fail, settings
from agent.clock import Clock
from agent.understanding.corpus_io import DEFAULT_CORPUS

app = typer.Typer(no_args_is_help=True, help="Retrain and try the debtor-message analyser.")


@app.command("train")
def train_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="corpus folder (train/dev splits)")] = DEFAULT_CORPUS,
    out: Annotated[Path | None, typer.Option("--out", help="weights file (default prompts/intents/model.npz)")] = None,
) -> None:
    """Fit the classifier on TRAIN, calibrate thresholds on DEV (TEST is never read); write weights + manifest."""
    from agent.kb.embeddings import get_embeddings
    from agent.understanding.train import train

    s = settings()
    if not corpus.is_dir():
        raise fail(f"no corpus folder at {corpus}")
    target = out or s.prompts_dir / "intents" / "model.npz"
    clf = train(corpus, get_embeddings("use", threads=s.embedding_threads), target)
    typer.echo(json.dumps({"model": str(target), **clf.manifest}, indent=2))


@app.command("analyse")
def analyse_cmd(text: Annotated[str, typer.Argument(help="the debtor's message")]) -> None:
    """Print the analysis of one message (intents, details, warnings) as JSON."""
    from agent.kb.embeddings import get_embeddings
    from agent.understanding.analyzer import Analyzer

    s = settings()
    analyzer = Analyzer(s.prompts_dir / "intents", get_embeddings("use", threads=s.embedding_threads))
    today: dt.date = Clock.from_settings(s).today()
    typer.echo(analyzer.analyse(text, today=today).model_dump_json(indent=2))
