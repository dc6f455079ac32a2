"""Point-by-point answers (issue 13): one approved paragraph per detected intent or detail.

The paragraphs are data (``prompts/points/points.yaml``), filled from the debtor file, the extracted
details and the plan engine (``counter_proposal``). Nothing of the debtor's own text is rendered.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent import fmt
from agent.domain import DebtorFile
from agent.drafting.facts import describe_option
from agent.drafting.intent import fold
from agent.errors import InputValidationError
from agent.notes import NoteFlags as NoteFlags  # moved to agent.notes, importable from here
from agent.notes import load_note_flags as load_note_flags
from agent.notes import note_flags as note_flags
from agent.plans.models import PlanOption, Proposal
from agent.plans.policy import PlanPolicy
from agent.understanding.models import Analysis
from agent.yamlio import load_yaml_model


class PointTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    deceased_words: list[str]
    complaint_words: list[str]
    texts: dict[str, dict[str, str]]
    channel_names: dict[str, dict[str, str]]

    def text(self, key: str, lang: str) -> str:
        return self.texts[key][lang]


@lru_cache(maxsize=4)
def load_points(path: Path) -> PointTexts:
    return load_yaml_model(path, PointTexts, "point library")


class Points(BaseModel):
    """What the message's points add to (or change in) the reply."""

    ids: list[str] = Field(default_factory=list)
    paragraphs: list[str] = Field(default_factory=list)
    amounts_cents: set[int] = Field(default_factory=set)  # amounts the paragraphs state (for the guard)
    deceased_text: str | None = None  # replaces the whole reply: addressed to the writer
    no_plan: bool = False  # complaint, identity theft, deceased, stop request, time-barred answer
    accepted: PlanOption | None = None  # the debtor's within-policy counter-offer, accepted
    alternatives: list[PlanOption] = Field(default_factory=list)
    reply_channel: str | None = None  # the channel the debtor asked us to use
    active_plan_text: str | None = None  # the current schedule, when the template does not state it
    replace_body: bool = False  # the points answer the message: salutation, ack, points, signature
    ack: str = ""


_AMOUNT_RE = re.compile(r"(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|eur|euros?|\$|£)?")
_FULL_RE = re.compile(r"\b(totalite|la somme|tout regler|in full|the full|whole|the balance|le solde)\b")


def _has_word(folded: str, words: list[str]) -> bool:
    return any(re.search(r"\b" + re.escape(w) + r"\b", folded) for w in words)


def _promised_amount(message: str, file: DebtorFile, analysis: Analysis) -> int | None:
    """The amount the promise names: the balance ("la totalité") or an amount of the file (e.g. 44.90)."""
    folded = fold(message)
    if _FULL_RE.search(folded):
        return file.signals.balance_cents
    for d in analysis.details:
        if d.kind == "amount_offered" and d.value and "/" not in d.value and d.value.endswith("c"):
            return int(d.value[:-1])
    for m in _AMOUNT_RE.finditer(message):
        raw = m.group(1).replace(",", ".")
        if "." in raw:
            return round(float(raw) * 100)
    return None


_NEGATION_RE = re.compile(r"\b(ne|n|pas|plus|not|no|never|stop|arretez|don t|dont)\b")


def _negated(message: str, start: int) -> bool:
    """A channel named right after a negation or a stop verb (within the 40 characters before it)."""
    before = re.split(r"[,.;:!?\u2026]", message[max(0, start - 40):start])[-1]  # the same clause only
    return bool(_NEGATION_RE.search(fold(before)))


def _monthly_offer(analysis: Analysis) -> int | None:
    for d in analysis.details:
        if d.kind == "amount_offered" and d.value and d.value.endswith("c/month"):
            return int(d.value.split("c/")[0])
    return None


def _start_month(message: str, today: dt.date) -> dt.date | None:
    """'à partir de janvier' / 'from January': the first of that month (next occurrence)."""
    months = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
              "novembre", "decembre"]
    en = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
    m = re.search(r"\b(?:a partir de|des|from|starting(?: in)?)\s+(\w+)", fold(message))
    if not m:
        return None
    word = m.group(1)
    idx = months.index(word) if word in months else en.index(word) if word in en else None
    if idx is None:
        return None
    year = today.year + (1 if idx + 1 <= today.month else 0)
    return dt.date(year, idx + 1, 5)


def compose_points(*, message: str, analysis: Analysis | None, file: DebtorFile, lang: str,
                   values: dict[str, str], policy: PlanPolicy, today: dt.date, library: PointTexts) -> Points:
    from agent.plans.engine import counter_proposal

    out = Points()
    if analysis is None:
        return out
    folded = fold(message)
    names = library.channel_names[lang]
    roles = {d.value for d in analysis.details if d.kind == "third_party_role"}
    t = library.texts

    out.ack = t["ack"][lang]
    if "first_letter_ref" in values and "first_letter_date" in values:
        out.ack = t["ack_first_letter"][lang].format_map(values) + "\n\n" + out.ack

    def add(key: str, **extra: str) -> None:
        out.ids.append(key)
        out.paragraphs.append(t[key][lang].format_map({**values, **extra}))

    # a deceased debtor: all demands stop, the writer is answered (never the debtor)
    if roles & {"deceased", "heir"} or (analysis.ruled("third_party") and _has_word(folded, library.deceased_words)) \
            or (roles and _has_word(folded, library.deceased_words)):
        out.ids.append("deceased")
        out.deceased_text = t["deceased"][lang].format_map(values)
        out.no_plan = True
        return out
    sig = file.signals
    # someone other than the debtor wrote (relative, representative, wrong person): nothing that reveals the
    # debt (dates, amounts) goes into the reply; the third-party template asks the debtor to get in touch
    third_party_writer = bool(roles) or analysis.ruled("third_party") or analysis.primary == "third_party"
    if third_party_writer:
        out.no_plan = True
    if (analysis.ruled("prescription") or analysis.primary == "prescription") and not third_party_writer:
        if sig.time_barred:
            out.no_plan = True
            out.replace_body = True
            add("prescription_barred", oldest_due_date=values.get("oldest_due_date", "—"))
        elif "oldest_due_date" in values:
            out.no_plan = True
            last = ""
            if "last_payment_date" in values:
                last = (f", et votre dernier paiement date du {values['last_payment_date']}" if lang == "fr"
                        else f", and your last payment was made on {values['last_payment_date']}")
            out.replace_body = True
            add("prescription_not_barred", last_event=last)
    if any(d.kind == "identity_theft" for d in analysis.details):
        out.no_plan = True
        out.replace_body = True
        add("identity_theft")
    if analysis.ruled("complaint") or analysis.primary == "complaint" or _has_word(folded, library.complaint_words):
        out.no_plan = True
        out.replace_body = True
        add("complaint")
    if analysis.ruled("stop_contact") or analysis.primary == "stop_contact" or analysis.stop_channels:
        preferred = [d.value for d in analysis.details if d.kind == "channel_preference" and d.value
                     and not _negated(message, d.start)]  # "do not contact me by phone" is no preference
        stopped = [c for c in analysis.stop_channels if c not in preferred]
        out.no_plan = True
        if stopped:
            add("stop_channel", stopped=", ".join(names.get(c, c) for c in stopped))
        if not preferred and stopped:  # the file's channel if still allowed, else e-mail, else post
            allowed: list[str] = [str(c) for c in (file.preferred_channel, "email", "letter")
                       if c not in stopped and c not in file.opt_outs and c != "phone"]
            preferred = allowed[:1]
        if preferred:
            out.reply_channel = preferred[0]
            out.replace_body = True
            add("reply_by", preferred=names.get(preferred[0], preferred[0]))
    blocked = out.no_plan or sig.time_barred or file.disputed or file.status == "on_hold" \
        or file.over_indebtedness or sig.balance_cents <= 0
    promised = [d.value for d in analysis.details if d.kind == "promised_date" and d.value]
    if promised and promised[0] != "on_salary" and not blocked:
        try:
            when = fmt.date(dt.date.fromisoformat(promised[0]), lang)
        except ValueError:
            when = ""
        amount = _promised_amount(message, file, analysis)
        if not when:
            out.ids.append("promise_unreadable_date")
        elif amount is not None and 0 < amount <= sig.balance_cents:
            out.amounts_cents.add(amount)
            add("promise", promise_amount=fmt.money(amount, lang), promise_date=when)
        else:
            add("promise_no_amount", promise_date=when)
    if file.active_plan is not None:
        out.no_plan = True
        if "plan_next_due" in values:
            out.active_plan_text = t["active_plan"][lang].format_map(values)
        return out  # an active plan: confirm the schedule, never a new plan
    monthly = _monthly_offer(analysis)
    if monthly is not None and not blocked:
        try:
            res = counter_proposal(sig.balance_cents, Proposal(amount_cents=monthly,
                                                               start_date=_start_month(message, today)),
                                   policy=policy, today=today, profile=file.creditor.plan_profile)
        except InputValidationError:
            res = None
        if res is not None and res.accepted and res.option is not None:
            opt = res.option
            out.accepted = opt
            out.amounts_cents |= {opt.total_cents, opt.instalment_cents} | {i.amount_cents for i in opt.instalments}
            sched = "\n".join(f"- {fmt.date(i.due_date, lang)} : {fmt.money(i.amount_cents, lang)}" if lang == "fr"
                              else f"- {fmt.date(i.due_date, lang)}: {fmt.money(i.amount_cents, lang)}"
                              for i in opt.instalments)
            out.replace_body = True
            add("counter_accepted", plan_offer=describe_option(opt, lang), schedule=sched)
        elif res is not None:
            out.alternatives = list(res.alternatives)
            for o in res.alternatives:
                out.amounts_cents |= {o.total_cents, o.instalment_cents} | {i.amount_cents for i in o.instalments}
            out.replace_body = True
            add("counter_refused", reason=res.reason.text(lang),
                alternatives="\n".join(f"- {describe_option(o, lang)}" for o in res.alternatives))
    return out


def insert_points(text: str, paragraphs: list[str]) -> str:
    """Place the answers after the acknowledgement ('Merci…'/'Thank you…') and before the rest."""
    if not paragraphs:
        return text
    parts = text.split("\n\n")
    at = next((i + 1 for i, p in enumerate(parts) if p.lstrip().startswith(("Merci", "Thank"))), min(2, len(parts)))
    if "\n" not in text and len(parts) == 1:  # a short text (SMS/chat): append before the signature
        return text
    return "\n\n".join([*parts[:at], *paragraphs, *parts[at:]])


def channel_for(requested: str | None, file: DebtorFile, flags: set[str]) -> str:
    """The reply channel: the agent's choice, else the file's, never one the notes or opt-outs exclude."""
    if requested:
        return requested
    channel: str = file.preferred_channel
    banned = set(file.opt_outs) | ({"phone"} if "no_phone" in flags or "email_only" in flags
                                   or "letter_only" in flags else set())
    if "email_only" in flags:
        return "email"
    if "letter_only" in flags:
        return "letter"
    if channel in banned:
        channel = next(c for c in ("email", "letter", "sms") if c not in banned)
    return channel


def call_script(text: str, values: dict[str, str], paragraphs: list[str], lang: str, library: PointTexts) -> str:
    """A phone draft is a short call script: introduction, identity check, the points, the next step."""
    body = paragraphs or [p for p in text.split("\n\n")[1:-1] if p.strip()][:3]
    name = values["salutation"].removeprefix("Bonjour ").removeprefix("Dear ").rstrip(",")
    points = "\n".join(f"   - {' '.join(p.split())}" for p in body)
    return library.texts["call_script"][lang].format_map({**values, "salutation_name": name, "points": points})
