"""The drafting pipeline: file -> intent -> retrieval -> plan quote -> composition -> guard -> audit.

The composer only phrases. Amounts and dates come from the file and the plan engine; legality
is decided by the guard, which sees every draft with the debtor file as context. A draft that
the guard blocks is replaced by the safest approved message, or returned as not sendable.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from agent import audit
from agent.clock import draft_clock
from agent.db.repo import load_file
from agent.domain import DebtorFile
from agent.drafting import facts as F
from agent.drafting.composer import ComposeInput, Composer, Composition, OfflineComposer
from agent.drafting.composer import fail_closed_check as fail_closed_check  # importable from here
from agent.drafting.intent import IntentDetector, IntentResult, fold
from agent.drafting.library import Length
from agent.drafting.models import Citation, Draft, DraftRequest, HistoryRef, NextAction
from agent.drafting.points import channel_for, compose_points, load_note_flags, load_points, note_flags
from agent.errors import IndexMissingError, InputValidationError
from agent.guard.base import GuardReport
from agent.lang import resolve as resolve_lang
from agent.plans.models import PlanOption
from agent.understanding.effects import apply_draft
from agent.understanding.helplines import load_helplines

if TYPE_CHECKING:
    from agent.plans.calendar import BusinessCalendar
    from agent.runtime import Runtime

log = logging.getLogger("amiable.drafting")

NEXT_LABELS: dict[str, tuple[str, str, int | None]] = {
    "send_reply": ("Relire et envoyer la réponse", "Review and send the reply", None),
    "wait_for_payment": ("Attendre le paiement promis puis vérifier", "Wait for the promised payment, then check", 7),
    "follow_up": ("Relancer avec bienveillance si pas de réponse", "Follow up kindly if no answer", 10),
    "suspend_and_verify": ("Suspendre les relances et vérifier auprès du créancier",
                           "Suspend reminders and verify with the creditor", 15),
    "hardship_review": ("Étudier la situation et proposer un plan adapté", "Review the situation, offer a suitable plan", 7),
    "stop_contact": ("Enregistrer l'opposition et cesser les contacts sur ce canal",
                     "Record the opt-out and stop contact on that channel", None),
    "verify_payment": ("Vérifier le paiement déclaré", "Check the reported payment", 5),
    "escalate_to_litigation_review": ("Proposer le dossier au créancier pour décision (interne)",
                                      "Refer the file to the creditor for a decision (internal)", None),
    "close_file": ("Clore le dossier", "Close the file", None),
    "agent_review": ("Revue par un agent avant tout envoi", "Agent review before anything is sent", 2),
}

_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
            "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "dix-huit": 18, "vingt-quatre": 24, "one": 1, "two": 2,
            "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24}
_MONTHS_RE = re.compile(r"\b(\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) +
                        r")\s*(mois|mensualites?|months?|monthly instal?ments?|instal?ments?)\b")


def parse_instruction(instruction: str | None) -> dict[str, Any]:
    """Agent revision requests -> overrides. Unknown wording changes nothing (and is reported)."""
    out: dict[str, Any] = {}
    if not instruction:
        return out
    t = fold(instruction)
    if re.search(r"\b(in english|en anglais|english)\b", t):
        out["lang"] = "en"
    if re.search(r"\b(in french|en francais|french|francais)\b", t):
        out["lang"] = "fr"
    if re.search(r"\b(shorter|short|plus court|plus courte|raccourci|concis|brief)", t):
        out["length"] = "short"
    if re.search(r"\b(longer|more detail|plus long|plus detaille|detaille)", t):
        out["length"] = "long"
    if re.search(r"(empath|bienveill|gentle|douce|doux|kinder|softer)", t):
        out["empathetic"] = True
    m = _MONTHS_RE.search(t)
    if m:
        n = m.group(1)
        out["plan_months"] = int(n) if n.isdigit() else _NUMBERS[n]
    return out


def _length_for(channel: str) -> Length:
    return "short" if channel in ("sms", "chat") else "long"


class DraftingService:
    def __init__(self, rt: Runtime, composer: Composer | None = None) -> None:
        self.rt = rt
        self.settings = rt.settings
        self.offline: OfflineComposer = rt.components.offline_composer
        self.library = self.offline.library
        self.composer: Composer = composer or self._default_composer()
        self._detector: IntentDetector | None = None
        self._index_ready = False

    def _default_composer(self) -> Composer:
        """The runtime's composer (built by the composition root: LLM when configured, else offline)."""
        return self.rt.composer

    @property
    def detector(self) -> IntentDetector:
        if self._detector is None:
            self._detector = self.rt.detector
        return self._detector

    # ------------------------------------------------------------------ steps
    def validate_message(self, message: str) -> str:
        text = message.replace("\x00", "").strip()
        if not text:
            raise InputValidationError("message is empty")
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise InputValidationError(f"message is too long ({len(text)} characters; the limit is {limit})")
        return text

    def load(self, debtor_id: str) -> DebtorFile:
        with self.rt.session() as s:
            return load_file(s, debtor_id, self.rt.clock.today())

    def quote(self, file: DebtorFile) -> list[PlanOption]:
        from agent.plans.engine import quote_for_file

        sit = F.situation(file)
        if sit["time_barred"] or sit["disputed"] or sit["zero_balance"] or file.over_indebtedness \
                or file.active_plan is not None:  # an active plan is confirmed, never replaced unasked
            return []
        return quote_for_file(file, self.rt.plan_policy, today=self.rt.clock.today())

    def chosen_for_months(self, file: DebtorFile, months: int) -> PlanOption:
        from agent.plans.engine import plan_for_months

        return plan_for_months(file.signals.balance_cents, months, policy=self.rt.plan_policy,
                               today=self.rt.clock.today(), profile=file.creditor.plan_profile)

    def retrieve(self, query: str, lang: str, vector: np.ndarray | list[float] | None = None) -> list[Citation]:
        hits = self.rt.index.search_guidelines(query, lang=lang, k=self.settings.retrieval_k, vector=vector)
        return [Citation(id=h.id, lang=h.lang, title=h.title, page=h.page,
                         excerpt=self.rt.index.sections[f"{h.lang}:{h.id}"].excerpt(), score=h.score)
                for h in hits]

    def merge_citations(self, retrieved: list[Citation], lang: str, cited_ids: list[str]) -> list[Citation]:
        """The passages the message applies first, then the retrieved ones (each section once)."""
        by_id = {c.id: c for c in retrieved}
        out: list[Citation] = []
        for sid in dict.fromkeys(cited_ids):
            if sid in by_id:
                out.append(by_id[sid])
                continue
            section = self.rt.index.sections.get(f"{lang}:{sid}") or self.rt.index.sections.get(f"fr:{sid}")
            if section is not None:
                out.append(Citation(id=sid, lang=section.lang, title=section.title, page=section.page,
                                    excerpt=section.excerpt(), score=0.0))
        out.extend(c for c in retrieved if c.id not in {o.id for o in out})
        return out

    def require_index(self) -> None:
        """Refuse to draft on a missing or empty index (a draft must cite the guidelines it used)."""
        if self._index_ready:
            return
        if int(self.rt.index.counts().get("guidelines", 0)) == 0:
            where = self.settings.chroma_host or self.settings.effective_chroma_path
            raise IndexMissingError(f"the knowledge index at {where} holds no guidelines: run `amiable init` "
                                    "(or `amiable ingest`) before drafting")
        self._index_ready = True

    def prepare(self, req: DraftRequest) -> tuple[ComposeInput, IntentResult]:
        message = self.validate_message(req.message)
        self.require_index()
        file = self.load(req.debtor_id)
        overrides = parse_instruction(req.instruction)
        lang = overrides.get("lang") or req.lang or resolve_lang(message, file.language)
        flags = note_flags(file.notes, load_note_flags(self.settings.prompts_dir / "points" / "notes_flags.yaml"))
        channel = channel_for(req.channel, file, flags)  # notes and opt-outs exclude channels
        length: Length = overrides.get("length") or _length_for(channel)
        concise = length == "short" and channel not in ("sms", "chat")  # "plus court" on an email stays an email
        if concise:
            length = "long"
        vector = self.rt.index.embed_query(message[:2000])  # one embedding serves intent, guidelines, history
        today = self.rt.clock.today()
        analysis = self.detector.analyse(message, today=today, vector=vector)
        detected = self.detector.detect(message, vector=vector, analysis=analysis)
        crisis = analysis.primary == "crisis"  # a possible crisis (classifier alone, beside rules) opens a task
        options = [] if crisis else self.quote(file)  # a crisis message never gets a payment demand
        months = overrides.get("plan_months") or req.plan_months
        chosen = self.chosen_for_months(file, months) if months and options else None
        if chosen is not None and all(o.id != chosen.id for o in options):
            options = [*options, chosen]
        values, sources = F.build_values(file, self.rt.firm, lang, options, chosen)
        points = compose_points(message=message, analysis=analysis, file=file, lang=lang, values=values,
                                policy=self.rt.plan_policy, today=today,
                                library=load_points(self.settings.prompts_dir / "points" / "points.yaml"))
        if points.no_plan or points.deceased_text is not None:
            options, chosen = [], None  # no plan next to a complaint, a stop request, a death, a prescription
            values, sources = F.build_values(file, self.rt.firm, lang, options, chosen)
        elif points.accepted is not None:
            options, chosen = [points.accepted], points.accepted  # the debtor's own offer, accepted
        if points.reply_channel is not None and req.channel is None:
            channel = points.reply_channel
            length = _length_for(channel)
        values["helpline"] = load_helplines(self.settings.prompts_dir / "intents" / "helplines.yaml").text(
            file.timezone, lang)
        sources["helpline"] = "prompts/intents/helplines.yaml"
        sit = F.situation(file)
        if overrides.get("empathetic"):
            sit["vulnerable"] = True
        intent = detected.intent
        if chosen is not None and intent not in ("dispute", "stop_contact", "third_party", "already_paid", "crisis"):
            intent = "asks_for_plan"
        if crisis:
            intent = "crisis"
        hist = [HistoryRef(at=h.at, channel=h.channel, excerpt=h.text[:240], score=h.score)
                for h in self.rt.index.search_history(file.id, message, k=2, vector=vector)]
        citations = self.retrieve(message[:2000], lang, vector=vector)
        inp = ComposeInput(file=file, message=message, lang=lang, channel=channel, length=length, intent=intent,
                           citations=citations, values=values, sources=sources,
                           available=frozenset(F.available(values, file)), situation=sit, plan_options=options,
                           chosen=chosen, instruction=req.instruction, history=hist, points=points,
                           empathetic=bool(overrides.get("empathetic")), concise=concise)
        return inp, detected

    def composer_for(self, inp: ComposeInput) -> Composer:
        """A crisis reply is the approved one only (no model phrasing next to a helpline)."""
        return self.offline if inp.intent == "crisis" else self.composer

    def check(self, text: str, inp: ComposeInput) -> GuardReport:
        """The last gate. If the guard itself fails, the verdict is block: it never fails open."""
        return fail_closed_check(self.rt.guard, text, inp)

    # ------------------------------------------------------------------ main
    def draft(self, req: DraftRequest, *, actor: str = "system", record: bool = True) -> Draft:
        with draft_clock():  # the LLM's per-draft deadline counts from here, retrieval included
            inp, detected = self.prepare(req)
            comp = self.composer_for(inp).compose(inp)
        return self.finalize(req, inp, detected, comp, actor=actor, record=record)

    def finalize(self, req: DraftRequest, inp: ComposeInput, detected: IntentResult, comp: Composition, *,
                 actor: str = "system", record: bool = True) -> Draft:
        """Guard a composition (falling back when it is blocked), assemble the draft, audit it."""
        report = self.check(comp.text, inp)
        if report.blocked and comp.backend != "offline":
            offline = self.offline.compose(inp)
            offline_report = self.check(offline.text, inp)
            reason = f"{comp.backend} draft blocked by the guard ({', '.join(f.rule_id for f in report.findings if f.severity == 'block')}); offline composer used"
            comp, report = offline.model_copy(update={"fallback_reason": reason, "attempts": comp.attempts}), offline_report
        if report.blocked:
            safe = self.offline.safe_fallback(inp)
            safe_report = self.check(safe.text, inp)
            blocked_ids = ", ".join(f.rule_id for f in report.findings if f.severity == "block")
            if not safe_report.blocked:
                comp = safe.model_copy(update={"fallback_reason": f"draft blocked ({blocked_ids}); neutral approved "
                                               "message used instead", "attempts": comp.attempts})
                report = safe_report
        draft = self._assemble(req, inp, detected, comp, report)
        if record:
            with self.rt.session() as s:
                changes = apply_draft(s, draft, actor=actor, now=self.rt.clock.utcnow())
            draft = draft.model_copy(update={"file_changes": changes})
        if record:
            with self.rt.session() as s:
                audit.append(s, "draft.generated", actor=actor, debtor_id=draft.debtor_id,
                             payload={"request": req.model_dump(mode="json"), "as_of": inp.file.as_of.isoformat(),
                                      "draft": draft.model_dump(mode="json")})
        return draft

    def calendar(self, file: DebtorFile) -> BusinessCalendar:
        """The plan policy's business calendar (weekends and public holidays) for this creditor."""
        from agent.plans.engine import calendar_for

        return calendar_for(self.rt.plan_policy.policy_for(file.creditor.plan_profile))

    def _assemble(self, req: DraftRequest, inp: ComposeInput, detected: IntentResult, comp: Composition,
                  report: GuardReport) -> Draft:
        cited = self.merge_citations(inp.citations, inp.lang, comp.cited_ids)
        facts = F.facts_used(set(comp.placeholders), inp.values, inp.sources, inp.lang)
        label_fr, label_en, days = NEXT_LABELS[comp.next_action]
        today = self.rt.clock.today()
        due = self.calendar(inp.file).next_business_day(today + dt.timedelta(days=days)) if days else None
        analysis = detected.analysis
        return Draft(
            id=uuid.uuid4().hex, debtor_id=inp.file.id, text=comp.text, language=inp.lang, channel=inp.channel,
            intent=inp.intent, intent_confidence=detected.confidence,
            intents=analysis.intents if analysis else [], details=analysis.details if analysis else [],
            injection_suspected=analysis.injection_suspected if analysis else False,
            stop_channels=analysis.stop_channels if analysis else [], citations=cited, facts=facts,
            history=inp.history, plan_options=inp.plan_options, chosen_option_id=comp.chosen_option_id,
            next_action=NextAction(code=comp.next_action, label=label_fr if inp.lang == "fr" else label_en,
                                   due_date=due),
            guard=report, sendable=not report.blocked, backend=comp.backend, attempts=comp.attempts,
            prompt_version=comp.prompt_version, template_id=comp.template_id,
            fallback_reason=comp.fallback_reason, created_at=self.rt.clock.utcnow(),
        )
