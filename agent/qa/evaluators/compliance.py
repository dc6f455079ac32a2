"""Compliance: the guard's verdict on the final text (block = 0, warnings lower the score)."""

from __future__ import annotations

from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan


class ComplianceEvaluator(Evaluator):
    name = "compliance"
    version = "1"
    description = "guard verdict: pass 1.0, each warning -0.1 (floor 0.5), any block 0.0 and failed"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score:
        g = output.guard
        blocks = [f for f in g.findings if f.severity == "block"]
        warns = [f for f in g.findings if f.severity == "warn"]
        value = 0.0 if blocks else max(0.5, 1.0 - 0.1 * len(warns))
        spans = [ScoreSpan(start=f.span.start, end=f.span.end, text=f.span.text,
                           note=f"{f.severity} {f.rule_id}: {f.explanation}", rewording=f.rewording)
                 for f in g.findings if f.span is not None]
        findings = [{"rule_id": f.rule_id, "severity": f.severity, "explanation": f.explanation,
                     "legal_basis": f.legal_basis, "rewording": f.rewording,
                     "span": f.span.text if f.span else None} for f in g.findings]
        return Score(value=value, passed=not blocks, spans=spans,
                     details={"verdict": g.verdict, "policy_version": g.policy_version, "findings": findings})
