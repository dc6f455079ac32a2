"""The shipped weights (prompts/intents/model.npz) were trained on the corpus in the repo, as it is now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.understanding.corpus_io import DEFAULT_CORPUS, split_digest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "prompts" / "intents" / "model.npz"
CORPUS = ROOT / DEFAULT_CORPUS


def _has_corpus() -> bool:
    return (CORPUS / "train.jsonl").is_file() or (CORPUS / "items.jsonl").is_file()


def test_shipped_weights_match_the_corpus_they_were_trained_on() -> None:
    if not _has_corpus():
        pytest.skip(f"no corpus at {DEFAULT_CORPUS} in this checkout (it is merged from its own branch)")
    assert MODEL.is_file(), "the corpus exists but no model was trained: run `amiable intents train`"
    manifest = json.loads(MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["train_sha256"] == split_digest(CORPUS, "train"), "train split changed: retrain"
    assert manifest["dev_sha256"] == split_digest(CORPUS, "dev"), "dev split changed: recalibrate"
    assert manifest["embedding"] == "use"
