"""Tone: politeness, empathy, firmness, positivity and clarity, from FR/EN lexicons (agent/qa/data)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan

DATA = Path(__file__).resolve().parent.parent / "data"
LISTS = ("politeness", "empathy", "firmness", "positivity", "negative", "insults", "urgency", "jargon")
SENSITIVE_TAGS = {"distressed", "vulnerability", "abusive", "dispute", "third_party"}
SENSITIVE_INTENTS = {"hardship", "dispute", "refuses", "stop_contact", "third_party"}
NO_DEMAND_INTENTS = {"stop_contact", "third_party", "dispute", "already_paid"}


@lru_cache(maxsize=4)
def lexicon(lang: str) -> dict[str, Any]:
    path = DATA / f"tone_{'fr' if lang == 'fr' else 'en'}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name in LISTS:
        if not isinstance(data.get(name), list):
            raise ValueError(f"{path}: list {name!r} missing")
    return dict(data)


def _sat(hits: int, target: int) -> float:
    return min(1.0, hits / target) if target > 0 else 1.0


class ToneEvaluator(Evaluator):
    name = "tone"
    version = "1"
    description = ("politeness, empathy, firmness, positivity, clarity (0..1 each) from FR/EN lexicons; "
                   "insults or shaming fail the case")

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score:
        lex = lexicon(output.lang)
        text = output.text
        folded = T.fold(text)
        hits = {name: T.find_phrases(text, lex[name], folded) for name in LISTS}
        n = {k: len({(h.start, h.end) for h in v}) for k, v in hits.items()}
        intent = output.intent or (case.expect.intents[0] if case.expect.intents else None)
        sensitive = bool(SENSITIVE_TAGS & set(case.tags)) or intent in SENSITIVE_INTENTS
        demand = intent not in NO_DEMAND_INTENTS and "third_party" not in case.tags
        short = output.channel in ("sms", "chat", "widget")

        politeness = _sat(n["politeness"], 1 if short else 2)
        if n["insults"]:
            politeness = 0.0
        empathy = _sat(n["empathy"], 2 if sensitive else 1)
        if not sensitive and n["empathy"] == 0:
            empathy = 0.6  # not required, but nice
        firmness = _sat(n["firmness"], (1 if short else 2) if demand else 1)
        if not demand:
            firmness = max(firmness, 0.8)
        over = n["urgency"] + n["negative"] // 2
        firmness = max(0.0, firmness - 0.25 * over)
        positivity = (n["positivity"] + 1) / (n["positivity"] + n["negative"] + n["urgency"] + n["insults"] * 3 + 2)
        positivity = min(1.0, positivity * 1.25)
        sents = T.sentences(text)
        wc = len(T.words(text))
        avg = wc / max(len(sents), 1)
        clarity = 1.0 - max(0.0, (avg - 20) * 0.03) - 0.15 * n["jargon"]
        clarity = max(0.0, min(1.0, clarity))
        subs = {"politeness": round(politeness, 4), "empathy": round(empathy, 4), "firmness": round(firmness, 4),
                "positivity": round(positivity, 4), "clarity": round(clarity, 4)}
        value = sum(subs.values()) / len(subs)
        spans = []
        for name, note in (("insults", "insult or shaming"), ("urgency", "false urgency"),
                           ("negative", "negative wording"), ("jargon", "jargon")):
            for h in hits[name]:
                spans.append(ScoreSpan(start=h.start, end=h.end, text=h.text, note=f"tone: {note}"))
        passed = n["insults"] == 0 and min(subs.values()) >= 0.4 and value >= 0.6
        return Score(value=round(value, 4), passed=passed, subscores=subs, spans=sorted(spans, key=lambda s: s.start),
                     details={"counts": n, "sensitive": sensitive, "demand_expected": demand,
                              "avg_sentence_words": round(avg, 1)})
