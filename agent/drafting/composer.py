"""Composers turn a prepared drafting context into text. The offline one picks approved templates."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from agent.domain import Channel, DebtorFile, Lang
from agent.drafting.library import Length, Library, render
from agent.drafting.models import Citation, HistoryRef, Intent, NextActionCode
from agent.drafting.points import Points, PointTexts, call_script, insert_points, load_points
from agent.guard import gate
from agent.guard.base import GuardContext, GuardReport
from agent.plans.models import PlanOption
from agent.settings import REPO_ROOT


class _Checks(Protocol):
    def check(self, text: str, ctx: GuardContext) -> GuardReport: ...

OFFLINE_PROMPT_VERSION = "library"


# account facts a point paragraph may state (listed as the draft's facts when they appear in it)
_POINT_FACTS = ("salutation", "reference", "first_letter_ref", "first_letter_date", "balance", "oldest_due_date", "last_payment_date", "plan_next_due",
                "plan_next_amount", "plan_offer", "debtor_name", "creditor_name")


def _concise(text: str, keep_values: list[str], keep: list[str]) -> str:
    """The same letter, shorter: salutation, the first answer, the proposal and the points, the signature."""
    parts = text.split("\n\n")
    if len(parts) <= 4:
        return text
    body = parts[1:-1]
    kept = [p for i, p in enumerate(body)
            if i < 2 or p in keep or any(v.splitlines()[0] in p for v in keep_values if v != "\0")]
    return "\n\n".join([parts[0], *kept, parts[-1]])


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
    empathetic: bool = False  # revision "plus empathique": warmer wording, the proposal kept
    concise: bool = False  # revision "plus court" on an email or a letter: the same letter, fewer paragraphs
    points: Points = Field(default_factory=Points)  # point-by-point answers to the message (issue 13)


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

    def __init__(self, library: Library, points: PointTexts | None = None) -> None:
        self.library = library
        self.points = points or load_points(REPO_ROOT / "prompts" / "points" / "points.yaml")

    def compose(self, inp: ComposeInput) -> Composition:
        template = self.library.select(inp.intent, inp.lang, inp.length, inp.situation, set(inp.available))
        plan_keys = {"plan_offer", "plan_options"}
        empathy: list[str] = []
        if inp.empathetic and (inp.chosen or inp.plan_options) and not template.placeholders() & plan_keys:
            # the warmer template would drop the proposal: keep the proposal, add the approved empathy line
            plain = self.library.select(inp.intent, inp.lang, inp.length, {**inp.situation, "vulnerable": False},
                                        set(inp.available))
            if plain.placeholders() & plan_keys:
                template, empathy = plain, [self.points.text("empathy", inp.lang)]
        if inp.points.deceased_text is not None:  # the writer is answered: condolences, no demand
            return Composition(text=inp.points.deceased_text, next_action="agent_review",
                               template_id="points.deceased", cited_ids=list(template.cites),
                               placeholders=["debtor_name"],
                               prompt_version=f"{OFFLINE_PROMPT_VERSION}:{self.library.version}")
        text = render(template, inp.values)
        pts = inp.points
        if pts.replace_body and (inp.length == "long" or not pts.amounts_cents):
            text = "\n\n".join([inp.values["salutation"], pts.ack, *pts.paragraphs,
                                inp.values["signature"] if inp.length == "long" else "Cabinet Concorde"])
            used = {k for k in _POINT_FACTS if k in inp.values and inp.values[k].splitlines()[0] in text}
            template_id = f"points[{','.join(pts.ids)}]"
        else:
            paragraphs = [*empathy, *pts.paragraphs]
            if pts.active_plan_text and inp.values.get("plan_next_due", "\0") not in text:
                paragraphs.append(pts.active_plan_text)  # confirm the current schedule, never a new plan
            if inp.length == "long":
                text = insert_points(text, paragraphs)
            if inp.concise:
                text = _concise(text, [inp.values.get(k, "\0") for k in ("plan_offer", "plan_options")], paragraphs)
            used = template.placeholders() | {k for k in _POINT_FACTS if paragraphs and k in inp.values
                                              and inp.values[k].splitlines()[0] in "\n".join(paragraphs)}
            template_id = template.id + (f"+points[{','.join(pts.ids)}]" if paragraphs else "")
        if inp.channel == "phone" and inp.intent != "third_party":  # read on the phone: a short call script
            text = call_script(text, inp.values, pts.paragraphs, inp.lang, self.points)
            template_id += "+call_script"
        return Composition(
            text=text,
            next_action=template.next_action,
            template_id=template_id,
            cited_ids=list(template.cites),
            placeholders=sorted(used),
            chosen_option_id=inp.chosen.id if inp.chosen and "plan_offer" in template.placeholders() else None,
            prompt_version=f"{OFFLINE_PROMPT_VERSION}:{self.library.version}",
        )

    def safe_fallback(self, inp: ComposeInput) -> Composition:
        """The most neutral approved message: used when a draft cannot pass the guard."""
        neutral = inp.model_copy(update={"intent": "other", "length": "short",
                                         "situation": {k: False for k in inp.situation}})
        comp = self.compose(neutral)
        return comp.model_copy(update={"next_action": "agent_review"})


def fail_closed_check(guard: _Checks, text: str, inp: ComposeInput) -> GuardReport:
    """Guard a composed text with the debtor file and the quote's amounts; any guard fault blocks
    (the guarded-send gate, :mod:`agent.guard.gate`)."""
    ctx = gate.context(lang=inp.lang, channel=inp.channel, file=inp.file, intent=inp.intent,
                       amounts=gate.authorised_amounts(options=inp.plan_options, extra=inp.points.amounts_cents))
    return gate.check(guard, text, ctx, reraise_user_errors=False)
