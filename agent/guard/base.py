"""Typed contract of the guard: context in, report out. Implementation lives in the rule modules."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from agent.domain import Channel, DebtorFile, Lang

Severity = Literal["block", "warn"]
Verdict = Literal["pass", "warn", "block"]
Recipient = Literal["debtor", "third_party", "agent"]
Jurisdiction = Literal["FR", "US", "UK"]


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Neighbour(BaseModel):
    """A labelled corpus example near a learned finding: why the learned layer fired."""

    model_config = ConfigDict(frozen=True)
    id: str
    label: str
    family: str
    source: str
    text: str
    similarity: float


class Finding(BaseModel):
    """One problem in a text: always explained, always with its legal basis."""

    rule_id: str  # e.g. "FR-THREAT.seizure-no-title"
    family: str  # e.g. "FR-THREAT"
    severity: Severity
    span: Span | None = None  # None for missing content (e.g. a mandatory mention absent)
    explanation: str  # plain words, for the agent
    legal_basis: str
    rewording: str | None = None  # compliant alternative, same facts
    missing_fact: str | None = None  # when no debtor file: the fact whose absence made it block
    # learned layer only (family LEARNED): the category, the score and the two nearest labelled TRAIN examples
    category: str | None = None
    score: float | None = None
    neighbours: list[Neighbour] = Field(default_factory=list)


class ContactEvent(BaseModel):
    """A planned or logged contact, for harassment checks (calls at 21:30, 5th attempt...)."""

    at: dt.datetime
    channel: Channel
    direction: Literal["in", "out"] = "out"


class GuardContext(BaseModel):
    """Everything the guard may know about where a text is going."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    lang: Lang | None = None  # None: detect
    jurisdiction: Jurisdiction | None = None  # None: the debtor file's, else its creditor's, else the policy's
    channel: Channel | None = None
    recipient: Recipient = "debtor"
    first_letter: bool = False
    debtor: DebtorFile | None = None
    scheduled_at: dt.datetime | None = None  # when the message/call will go out
    authorised_amounts_cents: frozenset[int] = frozenset()  # e.g. amounts of the plan engine's quote
    now: dt.datetime | None = None


class GuardReport(BaseModel):
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)
    lang: Lang
    jurisdiction: Jurisdiction = "FR"
    policy_version: str
    rules_run: int
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"


class Rule(Protocol):
    """One rule family: pure, deterministic, never touches the network or the database."""

    family: str

    def check(self, doc: object, ctx: GuardContext) -> list[Finding]: ...
