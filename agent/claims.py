"""Amounts and dates mentioned in a text, with their spans: one reader for every component.

Used by the LLM fact check (every amount and date a model writes must come from the file or the
quote) and by the QA grounding evaluators. Handles French and English writing: "1 234,56 €",
"1.234,56 EUR", "€1,234.56", "90 euros"; "1er mars 2026", "3 March 2026", "March 3, 2026",
"03/01/2026" (day first, then month first), ISO dates; narrow and non-breaking spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from agent.lang import fold

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12, "février": 2, "août": 8, "décembre": 12, "déc": 12, "févr": 2,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SP = r"[ \u00a0\u202f\u2009]"

# 1 234,56 € / 1234,56 EUR / 1.234,56 euros / 90 €
_MONEY_FR = re.compile(rf"(?<![\d,.])(\d{{1,3}}(?:(?:{_SP}|\.)\d{{3}})+|\d+)(?:,(\d{{1,2}}))?{_SP}?(?:€|eur\b|euros?\b)",
                       re.I)
# €1,234.56 / € 90 / EUR 90
_MONEY_EN = re.compile(rf"(?:€|\beur{_SP}?){_SP}?(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d{{1,2}}))?(?![\d])", re.I)
# 1,234.56 euros / 90.50 EUR
_MONEY_EN2 = re.compile(rf"(?<![\d,.])(\d{{1,3}}(?:,\d{{3}})+|\d+)\.(\d{{1,2}}){_SP}?(?:€|eur\b|euros?\b)", re.I)
# $1,234.56 / £50 / US$ 90 / 50 dollars / 20 pounds (read only when asked: money(..., other_currencies=True))
_MONEY_USD_GBP = re.compile(rf"(?:(?:us)?\$|£|\bgbp{_SP}?|\busd{_SP}?){_SP}?(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d{{1,2}}))?(?![\d])",
                            re.I)
_MONEY_WORDS = re.compile(rf"(?<![\d,.])(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d{{1,2}}))?{_SP}?(?:dollars?|bucks|pounds?|quid)\b", re.I)
_DATE_DMY = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?{_SP}+({_MONTH_ALT})\.?(?:{_SP}*,?{_SP}*(\d{{4}}))?\b", re.I)
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_MDY = re.compile(rf"\b({_EN_MONTHS}){_SP}+(\d{{1,2}})(?:st|nd|rd|th)?(?:{_SP}*,?{_SP}*(\d{{4}}))?\b")
_DATE_NUM = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

YMD = tuple[int | None, int, int]  # (year or None when the text gives none, month, day)


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    text: str
    cents: int


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    candidates: tuple[YMD, ...]  # readings, day-first first; ambiguous numeric dates have two

    @property
    def date(self) -> dt.date | None:
        """The first complete reading (with a year) that is a real date."""
        for y, m, d in self.candidates:
            if y is not None and (day := _mk(y, m, d)) is not None:
                return day
        return None


def _cents(whole: str, frac: str | None, *, grouping: str) -> int:
    """The full reading only: "6 150,00 €" is 6,150 euros, whatever the writer meant."""
    digits = "".join(g for g in re.split(grouping, whole) if g)
    return int(digits) * 100 + int((frac or "0").ljust(2, "0")[:2])


def money(text: str, *, other_currencies: bool = False) -> list[Money]:
    """Every amount of money in ``text``, in order; overlapping readings of one amount count once.

    Euros only by default (the product's files are in euros); ``other_currencies`` also reads dollars
    and pounds, for what debtors write.
    """
    found: list[Money] = []
    if other_currencies:
        for rx in (_MONEY_USD_GBP, _MONEY_WORDS):
            for m in rx.finditer(text):
                found.append(Money(m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=",")))
    for m in _MONEY_EN2.finditer(text):
        found.append(Money(m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=",")))
    for m in _MONEY_FR.finditer(text):
        found.append(Money(m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=rf"{_SP}|\.")))
    for m in _MONEY_EN.finditer(text):
        found.append(Money(m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=",")))
    found.sort(key=lambda x: (x.start, x.end))
    out: list[Money] = []
    last_end = -1
    for item in found:
        if item.start < last_end:
            continue
        out.append(item)
        last_end = item.end
    return out


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def dates(text: str) -> list[DateMention]:
    """Every date in ``text`` with its possible readings, in order of position."""
    out: list[DateMention] = []
    for m in _DATE_DMY.finditer(text):
        month = _MONTHS.get(m.group(2).lower()) or _MONTHS.get(fold(m.group(2)))
        if month:
            out.append(DateMention(m.start(), m.end(), m.group(0),
                                   ((int(m.group(3)) if m.group(3) else None, month, int(m.group(1))),)))
    for m in _DATE_MDY.finditer(text):
        out.append(DateMention(m.start(), m.end(), m.group(0),
                               ((int(m.group(3)) if m.group(3) else None, _MONTHS[m.group(1).lower()],
                                 int(m.group(2))),)))
    for m in _DATE_NUM.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        cands = tuple((y, mo, d) for d, mo in dict.fromkeys(((a, b), (b, a))) if _mk(y, mo, d) is not None)
        out.append(DateMention(m.start(), m.end(), m.group(0), cands or ((y, 0, 0),)))
    for m in _DATE_ISO.finditer(text):
        out.append(DateMention(m.start(), m.end(), m.group(0), ((int(m.group(1)), int(m.group(2)), int(m.group(3))),)))
    return sorted(out, key=lambda x: x.start)
