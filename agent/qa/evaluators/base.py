"""Evaluator contract: a small class with a name and a version, ``evaluate(case, output) -> Score | None``.

``None`` means "not applicable to this case" (e.g. intent accuracy on an external message with no
expected intent); it is recorded as such and never counted as a pass or a failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from agent.domain import DebtorFile
from agent.guard.base import GuardReport
from agent.plans.models import PlanOption
from agent.plans.policy import PlanBounds
from agent.qa.schema import Expectations


class ScoreSpan(BaseModel):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    note: str = ""
    rewording: str | None = None


class Score(BaseModel):
    value: float = Field(ge=0.0, le=1.0)
    passed: bool
    details: dict[str, Any] = Field(default_factory=dict)
    spans: list[ScoreSpan] = Field(default_factory=list)
    subscores: dict[str, float] = Field(default_factory=dict)  # e.g. tone.politeness


@dataclass(frozen=True)
class EvalCase:
    """What an evaluator knows about the case: a scenario, or an external message's metadata."""

    id: str
    lang: str
    channel: str
    incoming: str = ""  # the debtor's message the text answers ("" for external messages)
    debtor_id: str | None = None
    tags: tuple[str, ...] = ()
    expect: Expectations = field(default_factory=Expectations)
    source: str = "scenario"  # scenario | external


@dataclass
class CaseOutput:
    """The text under evaluation and everything known about where it comes from."""

    text: str
    lang: str
    channel: str
    guard: GuardReport
    intent: str | None = None
    citations: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)  # fact key -> value the text used
    values: dict[str, str] = field(default_factory=dict)  # every fact value the text may state
    plan_options: list[PlanOption] = field(default_factory=list)
    plan_bounds: PlanBounds | None = None
    file: DebtorFile | None = None
    sendable: bool | None = None
    next_action: str | None = None
    next_action_due: dt.date | None = None
    today: dt.date | None = None
    backend: str = ""
    template_id: str | None = None


class Evaluator:
    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    #: deterministic evaluators are run once; the LLM judge is not deterministic
    deterministic: ClassVar[bool] = True

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        raise NotImplementedError

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"
