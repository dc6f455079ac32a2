"""Structured drafts: what an agent gets back, and what the audit trail records."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.domain import Channel, Lang
from agent.guard.base import GuardReport
from agent.plans.models import PlanOption
from agent.understanding.models import Detail, IntentScore

Intent = Literal[
    "hardship",
    "dispute",
    "promise_to_pay",
    "asks_for_plan",
    "asks_for_details",
    "refuses",
    "stop_contact",
    "already_paid",
    "third_party",
    "crisis",
    "other",
]
INTENTS: tuple[Intent, ...] = (
    "hardship", "dispute", "promise_to_pay", "asks_for_plan", "asks_for_details", "refuses",
    "stop_contact", "already_paid", "third_party", "crisis", "other",
)


class Citation(BaseModel):
    """A guideline passage the draft relied on."""

    id: str  # section id, e.g. "hardship-job-loss"
    lang: Lang
    title: str
    page: str
    excerpt: str
    score: float


class HistoryRef(BaseModel):
    """A past contact of this debtor (never another's) retrieved as context."""

    at: str
    channel: str
    excerpt: str
    score: float


class Fact(BaseModel):
    """An account fact the draft used, as it appears in the text and as raw value."""

    key: str  # e.g. "balance", "oldest_invoice", "first_letter_ref"
    label: str
    value: str  # formatted in the draft's language
    source: str  # where it comes from in the file, e.g. "invoices[FA-2026-001].due_date"


NextActionCode = Literal[
    "send_reply", "wait_for_payment", "follow_up", "suspend_and_verify", "hardship_review",
    "stop_contact", "verify_payment", "escalate_to_litigation_review", "close_file", "agent_review",
]


class NextAction(BaseModel):
    code: NextActionCode
    label: str
    due_date: dt.date | None = None


class DraftRequest(BaseModel):
    debtor_id: str = Field(min_length=1, max_length=64)
    message: str = Field(min_length=1)
    channel: Channel | None = None  # default: the debtor's preferred channel
    lang: Lang | None = None  # default: the debtor's message language, else the file's
    instruction: str | None = Field(default=None, max_length=500)  # e.g. "shorter", "in English"
    plan_months: int | None = Field(default=None, ge=1, le=400)  # agent's "offer six months instead"


class Draft(BaseModel):
    id: str
    debtor_id: str
    text: str
    language: Lang
    channel: Channel
    intent: Intent  # the primary intent (highest priority among `intents`)
    intent_confidence: float
    intents: list[IntentScore] = Field(default_factory=list)  # every intent found, each with its confidence
    details: list[Detail] = Field(default_factory=list)  # offers, dates, payments claimed, preferences (spans)
    injection_suspected: bool = False  # the message tries to instruct the system: agent, beware
    stop_channels: list[str] = Field(default_factory=list)  # channels a stop request names (empty: none named)
    file_changes: dict[str, Any] = Field(default_factory=dict)  # what the message changed (opt-outs, crisis hold)
    citations: list[Citation]
    facts: list[Fact]
    history: list[HistoryRef] = Field(default_factory=list)
    plan_options: list[PlanOption] = Field(default_factory=list)
    chosen_option_id: str | None = None
    next_action: NextAction
    guard: GuardReport
    sendable: bool
    backend: str  # "offline" or "llm:<model>"
    attempts: int = 1
    prompt_version: str
    template_id: str | None = None
    fallback_reason: str | None = None
    created_at: dt.datetime
