"""Every amount, date, percentage and identifier a model writes must come from the code.

The allowed values are those of the compose input: the formatted facts (``inp.values``) and the
plan engine's options. Anything else (an invented discount, another date, another debtor's
e-mail, phone, postcode or file reference) is a mismatch, and the draft is not used.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from agent.drafting.composer import ComposeInput

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
_PERCENT = re.compile(rf"(\d+(?:[.,]\d+)?){_SP}?(?:%|pour{_SP}?cent\b|per{_SP}?cent\b|percent\b)", re.I)
_DATE_DMY = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?{_SP}+({_MONTH_ALT})\.?(?:{_SP}*,?{_SP}*(\d{{4}}))?\b", re.I)
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_MDY = re.compile(rf"\b({_EN_MONTHS}){_SP}+(\d{{1,2}})(?:st|nd|rd|th)?(?:{_SP}*,?{_SP}*(\d{{4}}))?\b")
_DATE_NUM = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[ .-]?)?(?:\(?0\)?[ .-]?)?\d(?:[ .-]?\d{2}){4}(?!\d)")
_POSTCODE = re.compile(r"\b\d{5}\b(?=[ \u00a0]+[A-ZÀ-Ý][\w'-]+)")
_REFERENCE = re.compile(r"\b[A-Z]{2,}[A-Z0-9]*[-/_]?\d[\w/-]*\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b")


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").lower()


def _cents(whole: str, frac: str | None, *, grouping: str) -> list[int]:
    """The amount in cents. Only the full reading counts: "6 150,00 €" is 6 150 euros, even if the
    model meant six instalments of 150 euros (a reader would be misled just the same)."""
    digits = "".join(g for g in re.split(grouping, whole) if g)
    return [int(digits) * 100 + int((frac or "0").ljust(2, "0")[:2])]


def money_values(text: str) -> list[tuple[str, list[int]]]:
    """(matched text, candidate amounts in cents) for every amount in ``text``."""
    found: list[tuple[int, int, str, list[int]]] = []
    for m in _MONEY_EN2.finditer(text):
        found.append((m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=",")))
    for m in _MONEY_FR.finditer(text):
        found.append((m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=rf"{_SP}|\.")))
    for m in _MONEY_EN.finditer(text):
        found.append((m.start(), m.end(), m.group(0), _cents(m.group(1), m.group(2), grouping=",")))
    found.sort()
    out: list[tuple[str, list[int]]] = []
    last_end = -1
    for start, end, raw, cands in found:
        if start < last_end:  # overlapping reading of the same amount
            continue
        out.append((raw, cands))
        last_end = end
    return out


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def date_values(text: str) -> list[tuple[str, set[tuple[int | None, int, int]]]]:
    """(matched text, candidate (year or None, month, day)) for every date in ``text``."""
    out: list[tuple[str, set[tuple[int | None, int, int]]]] = []
    for m in _DATE_DMY.finditer(text):
        month = _MONTHS.get(m.group(2).lower()) or _MONTHS.get(_fold(m.group(2)))
        if month:
            out.append((m.group(0), {(int(m.group(3)) if m.group(3) else None, month, int(m.group(1)))}))
    for m in _DATE_MDY.finditer(text):
        month = _MONTHS[m.group(1).lower()]
        out.append((m.group(0), {(int(m.group(3)) if m.group(3) else None, month, int(m.group(2)))}))
    for m in _DATE_NUM.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        cands: set[tuple[int | None, int, int]] = {(y, mo, d) for d, mo in ((a, b), (b, a))
                                                   if _mk(y, mo, d) is not None}
        out.append((m.group(0), cands or {(y, 0, 0)}))
    for m in _DATE_ISO.finditer(text):
        iso: tuple[int | None, int, int] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        out.append((m.group(0), {iso}))
    return out


def _percent_values(text: str) -> list[tuple[str, float]]:
    return [(m.group(0), float(m.group(1).replace(",", "."))) for m in _PERCENT.finditer(text)]


def _mask(text: str) -> str:
    """The text with e-mails and phone numbers blanked, so their digits are not read as dates."""
    text = _EMAIL.sub(lambda m: " " * len(m.group(0)), text)
    return _PHONE.sub(lambda m: " " * len(m.group(0)), text)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


@dataclass
class Allowed:
    cents: set[int] = field(default_factory=set)
    dates: set[tuple[int, int, int]] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    postcodes: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)  # references, invoice numbers, ids as written
    source_text: str = ""


def allowed_values(inp: ComposeInput) -> Allowed:
    a = Allowed()
    texts = list(inp.values.values())
    texts += [o.id for o in inp.plan_options]
    texts += [c.id for c in inp.citations] + [c.title for c in inp.citations]
    blob = "\n".join(texts)
    a.source_text = blob
    plain = _mask(blob)
    for _, cands in money_values(plain):
        a.cents.add(cands[0])
    for _, dcands in date_values(plain):
        a.dates |= {(y, m, d) for y, m, d in dcands if y is not None}
    a.percents = {v for _, v in _percent_values(plain)}
    for o in inp.plan_options:
        a.cents |= {o.total_cents, o.discount_cents, o.balance_cents, o.instalment_cents}
        a.cents |= {i.amount_cents for i in o.instalments}
        for d in (o.first_due_date, o.last_due_date, *(i.due_date for i in o.instalments)):
            a.dates.add((d.year, d.month, d.day))
    a.emails = {e.lower() for e in _EMAIL.findall(blob)}
    a.phones = {_digits(p)[-9:] for p in _PHONE.findall(blob)}
    a.postcodes = set(re.findall(r"\b\d{5}\b", blob))
    a.tokens = {t.upper() for t in _REFERENCE.findall(blob)}
    return a


def mismatches(text: str, inp: ComposeInput, allowed: Allowed | None = None) -> list[str]:
    """What in ``text`` is not backed by the compose input (empty list: everything checks out)."""
    a = allowed or allowed_values(inp)
    problems: list[str] = []
    plain = _mask(text)
    for raw, cands in money_values(plain):
        if not any(c in a.cents for c in cands):
            problems.append(f"amount {raw.strip()!r} is not in the file or the plan quote")
    for raw, dcands in date_values(plain):
        ok = any((y, m, d) in a.dates if y is not None else any((m, d) == (am, ad) for _, am, ad in a.dates)
                 for y, m, d in dcands)
        if not ok:
            problems.append(f"date {raw.strip()!r} is not in the file or the plan quote")
    for raw, value in _percent_values(plain):
        if value not in a.percents:
            problems.append(f"percentage {raw.strip()!r} is not in the file or the plan quote")
    for e in _EMAIL.findall(text):
        if e.lower() not in a.emails:
            problems.append(f"e-mail address {e!r} is not this file's")
    for p in _PHONE.findall(text):
        if _digits(p)[-9:] not in a.phones:
            problems.append(f"phone number {p.strip()!r} is not this file's")
    for pc in _POSTCODE.findall(text):
        if pc not in a.postcodes:
            problems.append(f"postcode {pc!r} is not this file's")
    for tok in _REFERENCE.findall(text):
        if tok.upper() not in a.tokens and tok.upper() not in a.source_text.upper() and not _IBAN.fullmatch(tok):
            problems.append(f"reference {tok!r} is not this file's")
    for iban in _IBAN.findall(text):
        if iban.replace(" ", "") not in a.source_text.replace(" ", ""):
            problems.append(f"bank account {iban!r} is not this file's")
    return list(dict.fromkeys(problems))


def facts_in(text: str, values: dict[str, str]) -> list[str]:
    """Keys of the facts whose formatted value appears in the text (for the draft's fact list)."""
    keys = []
    for key, value in values.items():
        v = value.strip()
        if len(v) >= 3 and "\n" not in v and v in text:
            keys.append(key)
    return sorted(keys)
