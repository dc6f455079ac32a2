"""Every amount, date, percentage and identifier a model writes must come from the code.

The allowed values are those of the compose input: the formatted facts (``inp.values``) and the
plan engine's options. Anything else (an invented discount, another date, another debtor's
e-mail, phone, postcode or file reference) is a mismatch, and the draft is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent import claims
from agent.drafting.composer import ComposeInput
from agent.guard import gate

_SP = r"[ \u00a0\u202f\u2009]"
_PERCENT = re.compile(rf"(\d+(?:[.,]\d+)?){_SP}?(?:%|pour{_SP}?cent\b|per{_SP}?cent\b|percent\b)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[ .-]?)?(?:\(?0\)?[ .-]?)?\d(?:[ .-]?\d{2}){4}(?!\d)")
_POSTCODE = re.compile(r"\b\d{5}\b(?=[ \u00a0]+[A-ZÀ-Ý][\w'-]+)")
_REFERENCE = re.compile(r"\b[A-Z]{2,}[A-Z0-9]*[-/_]?\d[\w/-]*\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b")


def money_values(text: str) -> list[tuple[str, list[int]]]:
    """(matched text, amounts in cents) for every amount in ``text``."""
    return [(m.text, [m.cents]) for m in claims.money(text)]


def date_values(text: str) -> list[tuple[str, set[tuple[int | None, int, int]]]]:
    """(matched text, candidate (year or None, month, day)) for every date in ``text``."""
    return [(d.text, set(d.candidates)) for d in claims.dates(text)]


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
    a.cents |= gate.option_amounts(inp.plan_options)  # the same amounts the guard authorises
    for o in inp.plan_options:
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
