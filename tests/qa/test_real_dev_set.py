"""The dev eval set of real debtor messages is generated from the corpus's dev split and cannot drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from agent.corpus import load_split
from tests.conftest import REPO


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_real_eval", REPO / "scripts" / "make_real_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_dev_set_matches_the_dev_split(tmp_path: Path) -> None:
    script = _script()
    items = load_split(REPO / "evals" / "corpus" / "debtor" / "dev.jsonl")
    counts = script.write(items, "dev", tmp_path)
    for lang in ("fr", "en"):
        committed = (REPO / "evals" / "scenarios" / "real-dev" / f"{lang}.yaml").read_text(encoding="utf-8")
        assert committed == (tmp_path / f"{lang}.yaml").read_text(encoding="utf-8"), (
            f"evals/scenarios/real-dev/{lang}.yaml is stale: run python scripts/make_real_eval.py --split dev")
    assert counts["fr"] + counts["en"] == sum(1 for i in items if i.translated_from is None)


def test_reviewer_standard_follows_the_gold_labels() -> None:
    script = _script()
    items = {i.id: i for i in load_split(REPO / "evals" / "corpus" / "debtor" / "dev.jsonl")}
    for item in items.values():
        expect = script.expectations(item)
        labels = set(item.labels)
        assert ("plan" in expect) == bool(labels & script.NO_PLAN)
        assert ("prescription" in labels) == any(w in expect.get("must_include", [])
                                                 for w in ("prescription", "limitation"))
        assert expect["sendable"] is True
