"""Length per channel: an SMS is short, a letter may be long (bounds in agent/qa/data/channels.yaml)."""

from __future__ import annotations

from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score
from agent.qa.evaluators.readability import channel_config


class LengthEvaluator(Evaluator):
    name = "length"
    version = "1"
    description = "characters within the channel's bounds (sms <= 320, email 150-3500, letter 300-7000, ...)"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score:
        bounds = channel_config()["length"].get(output.channel, {"min": 1, "max": 5000})
        lo, hi = int(bounds["min"]), int(bounds["max"])
        n = len(output.text.strip())
        if n > hi:
            value = hi / n
        elif n < lo:
            value = n / lo
        else:
            value = 1.0
        return Score(value=round(value, 4), passed=lo <= n <= hi,
                     details={"chars": n, "min": lo, "max": hi, "channel": output.channel})
