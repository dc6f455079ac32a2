"""Intent accuracy: the detected intent against the scenario's expected intent(s)."""

from __future__ import annotations

from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score


class IntentEvaluator(Evaluator):
    name = "intent"
    version = "1"
    description = "detected intent is one of the expected intents (1 or 0); n/a without expectation"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        expected = case.expect.intents
        if not expected or output.intent is None:
            return None
        ok = output.intent in expected
        return Score(value=1.0 if ok else 0.0, passed=ok, details={"expected": expected, "got": output.intent})
