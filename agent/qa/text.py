"""Text helpers for the evaluators: length-preserving folding, phrase search, words, sentences, syllables,
and extraction of amounts, dates and references (so that spans point into the original text)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from agent import claims

_APOS = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " ", "\u202f": " ", "\u2011": "-"}


class _FoldTable(dict[int, str]):
    """str.translate table computed lazily, one entry per character seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in _APOS:
            out = _APOS[ch]
        else:
            base = unicodedata.normalize("NFD", ch)[0].lower()
            out = base if len(base) == 1 else ch
        self[code] = out
        return out


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accents removed, typographic quotes and spaces normalised; same length as ``text``."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    phrase: str


@lru_cache(maxsize=512)
def _list_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    bodies = sorted({re.escape(fold(p).strip()).replace(r"\ ", r"\s+") for p in phrases if p.strip()},
                    key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(bodies) + r")(?![\w])") if bodies else re.compile(r"(?!x)x")


def find_phrases(text: str, phrases: Iterable[str], folded: str | None = None) -> list[Hit]:
    """Occurrences of the phrases (case/accent-insensitive, whole words, longest first), sorted by position."""
    f = folded if folded is not None else fold(text)
    return [Hit(m.start(), m.end(), text[m.start():m.end()], m.group(0)) for m in _list_re(tuple(phrases)).finditer(f)]


def contains(text: str, phrase: str) -> bool:
    """``a|b`` alternatives; case/accent-insensitive; whole words."""
    return any(find_phrases(text, [alt]) for alt in phrase.split("|"))


_WORD_RE = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
_SENT_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_RE.findall(text) if _WORD_RE.search(s)]


_VOWELS_EN = "aeiouy"
_VOWELS_FR = "aeiouyàâäéèêëîïôöûùüÿœæ"


def syllables_en(word: str) -> int:
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 1 if any(c.isdigit() for c in word) else 0
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", lambda m: m.group(0)[0], w)
    w = re.sub(r"^y", "", w)
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if word.lower().endswith("le") and len(w) > 2 and w[-1] not in _VOWELS_EN:
        n += 1
    return max(1, n)


def syllables_fr(word: str) -> int:
    w = word.lower().replace("'", "")
    w = re.sub(r"[^a-zàâäéèêëîïôöûùüÿœæç]", "", w)
    if not w:
        return 1 if any(c.isdigit() for c in word) else 0
    groups = re.findall(f"[{_VOWELS_FR}]+", w)
    n = len(groups)
    # mute endings: "table" (e), "tables" (es), "parlent" (ent) count one group less
    if n > 1 and (re.search(r"[^aeiouy]e$", w) or re.search(r"[^aeiouy]es$", w) or
                  (len(w) > 4 and re.search(r"[^aeiouy]ent$", w))):
        n -= 1
    return max(1, n)


# --------------------------------------------------------------------------------------- extraction
_REF = re.compile(r"(?<![\w-])[A-Z]{2,}[A-Z0-9]*(?:[-/][A-Z0-9]+)*[-/][A-Z0-9]*\d[A-Z0-9]*(?:[-/][A-Z0-9]+)*(?![\w-])")


@dataclass(frozen=True)
class Claim:
    kind: str  # amount | date | reference
    start: int
    end: int
    text: str
    amount_cents: int | None = None
    date: dt.date | None = None


def extract_amounts(text: str) -> list[Claim]:
    return [Claim("amount", m.start, m.end, m.text, amount_cents=m.cents) for m in claims.money(text)]


def extract_dates(text: str) -> list[Claim]:
    """Dates with a year (a day and month alone cannot be traced to the file)."""
    return [Claim("date", d.start, d.end, d.text, date=d.date) for d in claims.dates(text)
            if any(y is not None for y, _, _ in d.candidates)]


def extract_references(text: str) -> list[Claim]:
    return [Claim("reference", m.start(), m.end(), m.group(0)) for m in _REF.finditer(text)]


def extract_claims(text: str) -> list[Claim]:
    return sorted(extract_amounts(text) + extract_dates(text) + extract_references(text), key=lambda c: c.start)
