"""Readability: Kandel-Moles (French adaptation of Flesch) for French, Flesch reading ease for English."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score

DATA = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def channel_config() -> dict[str, Any]:
    return dict(yaml.safe_load((DATA / "channels.yaml").read_text(encoding="utf-8")))


def kandel_moles(text: str) -> tuple[float, dict[str, float]]:
    """207 - 1.015 * (words / sentences) - 73.6 * (syllables / words) (Kandel & Moles, 1958)."""
    w = T.words(text)
    s = max(len(T.sentences(text)), 1)
    syl = sum(T.syllables_fr(x) for x in w)
    nw = max(len(w), 1)
    score = 207 - 1.015 * (nw / s) - 73.6 * (syl / nw)
    return score, {"words": len(w), "sentences": s, "syllables": syl}


def flesch(text: str) -> tuple[float, dict[str, float]]:
    """206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words) (Flesch, 1948)."""
    w = T.words(text)
    s = max(len(T.sentences(text)), 1)
    syl = sum(T.syllables_en(x) for x in w)
    nw = max(len(w), 1)
    score = 206.835 - 1.015 * (nw / s) - 84.6 * (syl / nw)
    return score, {"words": len(w), "sentences": s, "syllables": syl}


class ReadabilityEvaluator(Evaluator):
    name = "readability"
    version = "1"
    description = "Kandel-Moles (fr) / Flesch reading ease (en), 0..100 mapped to 0..1"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        if not T.words(output.text):
            return None
        if output.lang == "fr":
            score, stats = kandel_moles(output.text)
            formula = "kandel-moles"
        else:
            score, stats = flesch(output.text)
            formula = "flesch"
        threshold = float(channel_config()["readability"][output.lang]["pass"])
        value = max(0.0, min(100.0, score)) / 100
        return Score(value=round(value, 4), passed=score >= threshold,
                     details={"formula": formula, "score": round(score, 1), "pass_at": threshold, **stats})
