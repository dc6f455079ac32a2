"""Details a debtor gives, with spans: offers, promised dates, claimed payments, contact preferences,
third-party roles, over-indebtedness files, identity-theft claims.

Amounts and calendar dates are read by :mod:`agent.claims` (one reader for the product); the cue
lexicons live in ``prompts/intents/details.yaml``. Relative dates ("vendredi", "this Friday", "à
réception de mon salaire") are resolved against the ``today`` passed in, never the wall clock.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent import claims
from agent.errors import ConfigError
from agent.lang import fold
from agent.understanding.models import Detail
from agent.understanding.text import Prepared


class _DetailsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    offer_cues: str
    paid_cues: str
    window: int
    not_offer_cues: str
    first_person: str
    promise_context: str
    frequency: dict[str, str]
    means: dict[str, str]
    reference: str
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    end_of_month: str
    next_month: str
    salary: str
    channels: dict[str, str]
    prefer_cues: str
    time_cues: dict[str, str]
    after_time: str
    before_time: str
    third_party_roles: dict[str, str]
    over_indebtedness: str
    identity_theft: str


def _alt(block: str) -> str:
    return "|".join(f"(?:{ln.strip()})" for ln in block.splitlines() if ln.strip() and not ln.startswith("# "))


class Lexicon:
    def __init__(self, d: _DetailsFile) -> None:
        self.window = d.window
        self.offer = re.compile(_alt(d.offer_cues))
        self.paid = re.compile(_alt(d.paid_cues))
        self.not_offer = re.compile(_alt(d.not_offer_cues))
        self.first_person = re.compile(d.first_person)
        self.promise = re.compile(_alt(d.promise_context))
        self.frequency = [(k, re.compile(rf"^[ ,.]*(?:{v})")) for k, v in d.frequency.items()]  # "$100. a month"
        self.bare_freq = re.compile(r"(?<![\d,.€$£])(\d{1,5}(?:[.,]\d{1,2})?) ?(?:" +
                                    "|".join(f"(?:{v})" for v in d.frequency.values()) + ")")
        self.means = [(k, re.compile(v)) for k, v in d.means.items()]
        self.reference = re.compile(d.reference)
        self.weekday = re.compile(r"\b(?:(this|next|ce|cette) )?(" + "|".join(d.weekdays) + r")\b( prochain| qui vient)?")
        self.weekdays = d.weekdays
        self.relative = [(re.compile(rf"\b(?:{k})\b"), v) for k, v in d.relative_days.items()]
        self.end_of_month = re.compile(d.end_of_month)
        self.next_month = re.compile(d.next_month)
        self.salary = re.compile(d.salary)
        self.channels = [(k, re.compile(v)) for k, v in d.channels.items()]
        self.prefer = re.compile(d.prefer_cues)
        self.time_cues = [(k, re.compile(v)) for k, v in d.time_cues.items()]
        self.after_time = re.compile(d.after_time)
        self.before_time = re.compile(d.before_time)
        self.roles = [(k, re.compile(v)) for k, v in d.third_party_roles.items()]
        self.over_indebtedness = re.compile(d.over_indebtedness)
        self.identity_theft = re.compile(d.identity_theft)
        self.past = re.compile(r"\b(dernier|derniere|passe|last|ago|il y a)\b")
        self.since = re.compile(r"\b(since|depuis|dated|en date du|emise? le|issued( on)?)\s*$")

    def channels_in(self, folded: str) -> list[str]:
        return [name for name, rx in self.channels if rx.search(folded)]


@lru_cache(maxsize=4)
def load_lexicon(path: Path) -> Lexicon:
    try:
        data = _DetailsFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
        return Lexicon(data)
    except (OSError, yaml.YAMLError, ValidationError, re.error) as exc:
        raise ConfigError(f"detail lexicon {path} unusable: {exc}") from exc


def _end_of_month(today: dt.date) -> dt.date:
    nxt = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _resolve(mention: claims.DateMention, today: dt.date) -> dt.date | None:
    """A calendar date; without a year, this year's unless it is over 60 days past, then next year's."""
    if (full := mention.date) is not None:
        return full
    for y, m, d in mention.candidates:
        if y is None:
            for year in (today.year, today.year + 1):
                try:
                    day = dt.date(year, m, d)
                except ValueError:
                    continue
                if day >= today - dt.timedelta(days=60):
                    return day
    return None


class Extractor:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lx = lexicon

    def _ctx_before(self, text: str, start: int) -> str:
        return fold(text[max(0, start - self.lx.window):start])

    def _own_offer(self, before: str, after: str = "") -> bool:
        """An amount with a frequency, in the writer's own words, that is no demand, income or charge."""
        return (self.lx.first_person.search(before) is not None and self.lx.not_offer.search(before) is None
                and self.lx.not_offer.search(after[:15]) is None)

    def _offered(self, before: str) -> bool:
        """An offer cue, and no demand, income or charge spoken of between it and the amount."""
        cues = list(self.lx.offer.finditer(before))
        return bool(cues) and self.lx.not_offer.search(before[cues[-1].end():]) is None

    def _promising(self, folded: str, start: int, end: int) -> bool:
        """A date is a promised one only when a payment or promise is spoken of next to it
        (``folded[start:end]`` is the date; ``start == end == 0`` searches all of ``folded``)."""
        if start == end == 0:
            return self.lx.promise.search(folded) is not None
        return self.lx.promise.search(folded[max(0, start - self.lx.window):min(len(folded), end + 30)]) is not None

    def extract(self, p: Prepared, today: dt.date) -> list[Detail]:
        text, folded, lx = p.text, p.folded, self.lx
        out: list[Detail] = []
        used: list[tuple[int, int]] = []  # original spans already explained (amounts/dates in a payment claim)

        def add(kind: str, a: int, b: int, value: str | None, **attrs: str) -> None:
            out.append(Detail(kind=kind, text=text[a:b], start=a, end=b, value=value, attrs=attrs))

        def covered(a: int, b: int) -> bool:
            return any(a < y and x < b for x, y in used)

        amounts = claims.money(text, other_currencies=True)
        mentions = claims.dates(text)
        # payments the debtor says were made: the cue, then the amount/date/means/reference of its clause
        for m in lx.paid.finditer(folded):
            a, b = p.span(m.start(), m.end())
            clause_end = len(text)
            stop = re.search(r"[.!?\n;]", text[b:b + 120])
            clause_end = b + stop.start() if stop else min(len(text), b + 120)
            attrs: dict[str, str] = {}
            end = b
            amt = next((x for x in amounts if a <= x.start < clause_end), None)
            if amt is not None:
                attrs["amount"] = f"{amt.cents}c"
                end = max(end, amt.end)
                used.append((amt.start, amt.end))
            dm = next((x for x in mentions if a <= x.start < clause_end), None)
            if dm is not None and (day := _resolve(dm, today)) is not None:
                attrs["date"] = day.isoformat()
                end = max(end, dm.end)
                used.append((dm.start, dm.end))
            clause = fold(text[a:clause_end])
            for name, rx in lx.means:
                if rx.search(clause):
                    attrs["means"] = name
                    break
            if ref := lx.reference.search(clause):
                attrs["reference"] = ref.group(1)
            if any(x < end and a < y for x, y in [(d.start, d.end) for d in out if d.kind == "payment_claimed"]):
                continue
            add("payment_claimed", a, end, attrs.get("amount"), **attrs)
        # offers: an amount after an offer cue, or followed by a frequency
        for amt in amounts:
            if covered(amt.start, amt.end):
                continue
            after = fold(text[amt.end:amt.end + 30])
            freq = next(((k, f) for k, rx in lx.frequency if (f := rx.match(after))), None)
            before = self._ctx_before(text, amt.start)
            if lx.paid.search(before):
                continue
            if self._offered(before) or (freq is not None and self._own_offer(before, after[freq[1].end():])):
                end = amt.end + (freq[1].end() if freq else 0)
                add("amount_offered", amt.start, end, f"{amt.cents}c" + (f"/{freq[0]}" if freq else ""))
                used.append((amt.start, end))
        for m in lx.bare_freq.finditer(folded):
            a, b = p.span(m.start(), m.end())
            if covered(a, b):
                continue
            before = self._ctx_before(text, a)
            if not self._offered(before) and not self._own_offer(before, folded[m.end():m.end() + 30]):
                continue
            num = m.group(1).replace(",", ".")
            freq_name = next((k for k, rx in lx.frequency if rx.match(folded[m.end(1):m.end()])), "month")
            add("amount_offered", a, b, f"{round(float(num) * 100)}c/{freq_name}")
            used.append((a, b))
        # promised dates: calendar dates (not in a payment claim, not past) and relative ones
        for dm in mentions:
            if covered(dm.start, dm.end):
                continue
            day = _resolve(dm, today)
            if day is None or day < today or lx.paid.search(self._ctx_before(text, dm.start)) \
                    or lx.since.search(self._ctx_before(text, dm.start)):  # "due since March 9" is no promise
                continue
            if not self._promising(fold(text[max(0, dm.start - self.lx.window):dm.end + 30]), 0, 0):
                continue
            add("promised_date", dm.start, dm.end, day.isoformat())
            used.append((dm.start, dm.end))
        for m in lx.weekday.finditer(folded):
            a, b = p.span(m.start(), m.end())
            around = folded[max(0, m.start() - 40):m.end() + 15]
            if covered(a, b) or lx.past.search(around) or lx.paid.search(folded[max(0, m.start() - 60):m.start()]):
                continue
            if not self._promising(folded, m.start(), m.end()):
                continue
            ahead = (lx.weekdays[m.group(2)] - today.weekday()) % 7 or 7
            # "next Friday" is read as the coming Friday, the common reading
            add("promised_date", a, b, (today + dt.timedelta(days=ahead)).isoformat())
            used.append((a, b))
        for rx, days in lx.relative:
            for m in rx.finditer(folded):
                a, b = p.span(m.start(), m.end())
                if not covered(a, b) and self._promising(folded, m.start(), m.end()):
                    add("promised_date", a, b, (today + dt.timedelta(days=days)).isoformat())
                    used.append((a, b))
        for rx, value, needs_context in ((lx.end_of_month, _end_of_month(today).isoformat(), True),
                                         (lx.next_month, (_end_of_month(today) + dt.timedelta(days=1)).isoformat(), True),
                                         (lx.salary, "on_salary", False)):  # "when I get paid" is a promise itself
            for m in rx.finditer(folded):
                a, b = p.span(m.start(), m.end())
                if not covered(a, b) and (not needs_context or self._promising(folded, m.start(), m.end())):
                    add("promised_date", a, b, value)
                    used.append((a, b))
        # contact preferences
        for m in lx.prefer.finditer(folded):
            tail = folded[m.start():m.end() + 40]  # the cue may name the channel itself ("text me")
            for name, rx in lx.channels:
                if (c := rx.search(tail)) is not None:
                    a, b = p.span(m.start(), max(m.end(), m.start() + c.end()))
                    add("channel_preference", a, b, name)
                    break
        for name, rx in lx.time_cues:
            for m in rx.finditer(folded):
                a, b = p.span(m.start(), m.end())
                add("time_preference", a, b, name)
        for prefix, rx in (("after", lx.after_time), ("before", lx.before_time)):
            for m in rx.finditer(folded):
                hour = int(m.group(1))
                if "pm" in m.group(0) or "p.m" in m.group(0):
                    hour = hour + 12 if hour < 12 else hour
                if hour > 23:
                    continue
                a, b = p.span(m.start(), m.end())
                add("time_preference", a, b, f"{prefix}:{hour:02d}:{m.group(2) or '00'}")
        for role, rx in lx.roles:
            if (hit := rx.search(folded)) is not None:
                a, b = p.span(hit.start(), hit.end())
                add("third_party_role", a, b, role)
        for kind, rx in (("over_indebtedness_file", lx.over_indebtedness), ("identity_theft", lx.identity_theft)):
            if (hit := rx.search(folded)) is not None:
                a, b = p.span(hit.start(), hit.end())
                add(kind, a, b, None)
        out.sort(key=lambda d: (d.start, d.kind))
        return out
