"""Optional LLM judge through the OpenAI-compatible endpoint (settings llm_base_url / llm_model).

Judges drift between runs: each case is judged ``runs`` times and the mean and the spread (standard
deviation) of every dimension are reported. The judge never gates a run on its own: the deterministic
evaluators do. Without an endpoint configured the evaluator is skipped with a clear message.
"""

from __future__ import annotations

import json
import re
import statistics
from typing import Any

from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score
from agent.settings import Settings, get_settings

DIMENSIONS = ("politeness", "empathy", "firmness", "clarity", "lawfulness")
PROMPT = (
    "You review a debt-collection message for a French amicable recovery firm. Rate it from 1 (poor) to 5 "
    "(excellent) on: politeness, empathy, firmness (a clear, fair ask), clarity, lawfulness (no threats, no fees "
    "charged to the debtor, no imitation of a bailiff or court). Answer with JSON only, e.g. "
    '{"politeness": 4, "empathy": 3, "firmness": 4, "clarity": 5, "lawfulness": 5}.\n\n'
    "Language: %s. Channel: %s. The debtor wrote:\n<<<%s>>>\n\nThe message to rate:\n<<<%s>>>"
)
_JSON = re.compile(r"\{[^{}]*\}", re.S)


def parse_ratings(raw: str) -> dict[str, float] | None:
    m = _JSON.search(raw)
    if not m:
        return None
    try:
        data = json.loads(m.group(0))
    except json.JSONDecodeError:
        return None
    out = {}
    for d in DIMENSIONS:
        v = data.get(d)
        if isinstance(v, int | float) and 1 <= v <= 5:
            out[d] = float(v)
    return out or None


class LlmJudgeEvaluator(Evaluator):
    name = "llm_judge"
    version = "1"
    description = "optional: an LLM rates 5 dimensions 1-5, N runs per case, mean and stdev reported"
    deterministic = False

    def __init__(self, runs: int = 3, settings: Settings | None = None, llm: Any = None) -> None:
        self.runs = max(1, runs)
        self._settings = settings
        self._llm = llm

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    def skip_reason(self) -> str | None:
        if self._llm is not None:
            return None
        s = self.settings
        if not (s.llm_base_url and s.llm_model):
            return ("llm_judge skipped: no LLM endpoint configured (set AMIABLE_LLM_BASE_URL and "
                    "AMIABLE_LLM_MODEL)")
        return None

    def llm(self) -> Any:
        if self._llm is None:
            from langchain_openai import ChatOpenAI

            s = self.settings
            key = s.llm_api_key.get_secret_value() if s.llm_api_key else "not-needed"
            self._llm = ChatOpenAI(base_url=s.llm_base_url, model=s.llm_model or "", api_key=key,
                                   timeout=s.llm_timeout_s, max_retries=1, temperature=0.7)
        return self._llm

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        if self.skip_reason():
            return None
        prompt = PROMPT % (output.lang, output.channel, case.incoming[:2000], output.text[:6000])
        runs: list[dict[str, float]] = []
        errors = 0
        for _ in range(self.runs):
            try:
                msg = self.llm().invoke(prompt)
            except Exception as exc:  # noqa: BLE001 - a judge failure is reported, never fatal
                errors += 1
                last_error = f"{type(exc).__name__}: {exc}"[:200]
                continue
            content = getattr(msg, "content", msg)
            parsed = parse_ratings(content if isinstance(content, str) else str(content))
            if parsed is None:
                errors += 1
                last_error = "unparseable judge answer"
                continue
            runs.append(parsed)
        if not runs:
            return Score(value=0.0, passed=False, details={"error": last_error, "runs": self.runs, "failed_runs": errors})
        stats: dict[str, dict[str, float]] = {}
        for d in DIMENSIONS:
            vals = [r[d] for r in runs if d in r]
            if vals:
                stats[d] = {"mean": round(statistics.fmean(vals), 3),
                            "stdev": round(statistics.stdev(vals), 3) if len(vals) > 1 else 0.0}
        means = [v["mean"] for v in stats.values()]
        value = (statistics.fmean(means) - 1) / 4 if means else 0.0
        spread = max((v["stdev"] for v in stats.values()), default=0.0)
        return Score(value=round(max(0.0, min(1.0, value)), 4), passed=value >= 0.6,
                     subscores={d: round((v["mean"] - 1) / 4, 4) for d, v in stats.items()},
                     details={"runs": self.runs, "failed_runs": errors, "stats": stats, "max_stdev": spread})
