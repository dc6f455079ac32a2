"""The evaluator registry: name -> class. ``build(names)`` rejects unknown names before a run starts."""

from __future__ import annotations

from agent.errors import UserError
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan
from agent.qa.evaluators.compliance import ComplianceEvaluator
from agent.qa.evaluators.expectations import ExpectationsEvaluator
from agent.qa.evaluators.grounding import GroundingEvaluator
from agent.qa.evaluators.intent import IntentEvaluator
from agent.qa.evaluators.length import LengthEvaluator
from agent.qa.evaluators.personalisation import PersonalisationEvaluator
from agent.qa.evaluators.plan import PlanEvaluator
from agent.qa.evaluators.readability import ReadabilityEvaluator
from agent.qa.evaluators.tone import ToneEvaluator

REGISTRY: dict[str, type[Evaluator]] = {
    cls.name: cls
    for cls in (ComplianceEvaluator, ToneEvaluator, ReadabilityEvaluator, GroundingEvaluator,
                PersonalisationEvaluator, IntentEvaluator, PlanEvaluator, LengthEvaluator, ExpectationsEvaluator)
}
DEFAULT = tuple(REGISTRY)
OPTIONAL = ("llm_judge",)


class UnknownEvaluatorError(UserError):
    pass


def known_names() -> list[str]:
    return [*REGISTRY, *OPTIONAL]


def build(names: list[str] | None = None, *, judge_runs: int = 3) -> list[Evaluator]:
    wanted = list(names) if names else list(DEFAULT)
    unknown = [n for n in wanted if n not in REGISTRY and n not in OPTIONAL]
    if unknown:
        raise UnknownEvaluatorError(f"unknown evaluator(s): {', '.join(unknown)}; known: {', '.join(known_names())}")
    out: list[Evaluator] = []
    for n in dict.fromkeys(wanted):
        if n == "llm_judge":
            from agent.qa.llm_judge import LlmJudgeEvaluator

            out.append(LlmJudgeEvaluator(runs=judge_runs))
        else:
            out.append(REGISTRY[n]())
    return out


__all__ = ["REGISTRY", "CaseOutput", "EvalCase", "Evaluator", "Score", "ScoreSpan", "build", "known_names"]
