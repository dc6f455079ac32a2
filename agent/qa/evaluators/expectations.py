"""Scenario expectations: cited passages, facts that must appear, phrases required or forbidden,
sendability and next action."""

from __future__ import annotations

from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan


class ExpectationsEvaluator(Evaluator):
    name = "expectations"
    version = "1"
    description = "citations, required facts and phrases, forbidden phrases, sendable, next action"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        e = case.expect
        checks: list[tuple[str, bool]] = []
        spans: list[ScoreSpan] = []
        cited = set(output.citations)
        if e.cite_any:
            checks.append((f"cites one of {e.cite_any}", bool(cited & set(e.cite_any))))
        for sid in e.cite_all:
            checks.append((f"cites {sid}", sid in cited))
        for key in e.facts:
            value = output.values.get(key)
            ok = bool(value) and all(line.strip() in output.text for line in (value or "").splitlines() if line.strip())
            checks.append((f"states fact {key}", ok))
        for phrase in e.must_include:
            checks.append((f"says '{phrase}'", T.contains(output.text, phrase)))
        for phrase in e.must_not_include:
            hits = [h for alt in phrase.split("|") for h in T.find_phrases(output.text, [alt])]
            for h in hits:
                spans.append(ScoreSpan(start=h.start, end=h.end, text=h.text, note=f"forbidden phrase '{h.phrase}'"))
            checks.append((f"never says '{phrase}'", not hits))
        if e.sendable is not None and output.sendable is not None:
            checks.append((f"sendable is {e.sendable}", output.sendable == e.sendable))
        if e.next_action and output.next_action is not None:
            checks.append((f"next action in {e.next_action}", output.next_action in e.next_action))
        if not checks:
            return None
        failed = [name for name, ok in checks if not ok]
        return Score(value=round(1 - len(failed) / len(checks), 4), passed=not failed, spans=spans,
                     details={"checks": len(checks), "failed": failed, "cited": sorted(cited)})
