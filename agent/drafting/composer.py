"""Composers turn a prepared drafting context into text. The offline one picks approved templates."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from agent.domain import Channel, DebtorFile, Lang
from agent.drafting.library import Length, Library, render
from agent.drafting.models import Citation, HistoryRef, Intent, NextActionCode
from agent.plans.models import PlanOption

OFFLINE_PROMPT_VERSION = "library"


class ComposeInput(BaseModel):
    """Everything a composer may use. Amounts and dates come only from ``values`` and the options."""

    model_config = ConfigDict(frozen=True)
    file: DebtorFile
    message: str
    lang: Lang
    channel: Channel
    length: Length
    intent: Intent
    citations: list[Citation]
    values: dict[str, str]
    sources: dict[str, str]
    available: frozenset[str]
    situation: dict[str, bool]
    plan_options: list[PlanOption] = Field(default_factory=list)
    chosen: PlanOption | None = None
    instruction: str | None = None
    history: list[HistoryRef] = Field(default_factory=list)


class Composition(BaseModel):
    text: str
    next_action: NextActionCode
    template_id: str | None = None
    cited_ids: list[str] = Field(default_factory=list)
    placeholders: list[str] = Field(default_factory=list)  # facts used (offline: the template's placeholders)
    chosen_option_id: str | None = None
    backend: str = "offline"
    attempts: int = 1
    prompt_version: str = OFFLINE_PROMPT_VERSION
    fallback_reason: str | None = None


class Composer(Protocol):
    def compose(self, inp: ComposeInput) -> Composition: ...


class OfflineComposer:
    """Deterministic: same input, same text. Needs no model and no network."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def compose(self, inp: ComposeInput) -> Composition:
        template = self.library.select(inp.intent, inp.lang, inp.length, inp.situation, set(inp.available))
        return Composition(
            text=render(template, inp.values),
            next_action=template.next_action,
            template_id=template.id,
            cited_ids=list(template.cites),
            placeholders=sorted(template.placeholders()),
            chosen_option_id=inp.chosen.id if inp.chosen and "plan_offer" in template.placeholders() else None,
            prompt_version=f"{OFFLINE_PROMPT_VERSION}:{self.library.version}",
        )

    def safe_fallback(self, inp: ComposeInput) -> Composition:
        """The most neutral approved message: used when a draft cannot pass the guard."""
        neutral = inp.model_copy(update={"intent": "other", "length": "short",
                                         "situation": {k: False for k in inp.situation}})
        comp = self.compose(neutral)
        return comp.model_copy(update={"next_action": "agent_review"})
