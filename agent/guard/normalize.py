"""Normalised view of a text, built once per check, with an offset map back to the original.

Steps: HTML tags stripped as a browser renders them (inline tags vanish, so "hu<b></b>issier" stays
one word; block tags become a line break) and entities decoded; per character NFKD + accent
stripping + confusable folding (Cyrillic / Greek look-alikes, agent/guard/data/confusables.yaml) +
casefold, ligatures (oe, ae), typographic quotes/apostrophes to ASCII, zero-width characters and soft
hyphens removed; line-break hyphens between letters joined ("huis-\\nsier"); whitespace runs collapsed (a run holding a newline becomes one newline, otherwise one space);
spaced-out or dotted single letters ("h.u.i.s.s.i.e.r", "S A I S I E") glued back; light
leetspeak (0->o, 1->i, 3->e, @->a, $->s) inside words that are clearly words.

Every normalised character keeps the [start, end) range of the original characters it came from,
so a match on the normalised text becomes a Span on the ORIGINAL text. The map is compact: each
step only records the places where it did not copy one character to one character (a tag, an
entity, a ligature, a whitespace run, a glued letter), and a position is resolved on demand.

Performance notes (the guard runs on every outgoing message): every step is a handful of C-level
string or regex calls with a cheap exact pre-check, and the per-document indexes (word prefixes,
sentence bounds, windows) are built lazily, once, and only when a rule needs them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import add, gt, sub
from pathlib import Path

import yaml

from agent.domain import Lang
from agent.guard.base import Span

_SPECIAL: dict[str, str] = {
    "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss",
    "’": "'", "‘": "'", "‚": "'", "‛": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‹": '"', "›": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "…": "...", "€": "€", "°": "°",
}

# Full translation table, grown lazily with every non-ASCII character met (never at import: tiny).
_TABLE: dict[int, str] = {c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
# char -> (replacement, safe): ``safe`` when "replace then str.lower()" gives what the table gives.
_CHAR_INFO: dict[str, tuple[str, bool]] = {}


CONFUSABLES_FILE = Path(__file__).parent / "data" / "confusables.yaml"


@lru_cache(maxsize=1)
def confusables() -> dict[str, str]:
    """Look-alike letter -> Latin letter (agent/guard/data/confusables.yaml), read once on first use."""
    data = yaml.safe_load(CONFUSABLES_FILE.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for script, pairs in data.items():
        for char, latin in pairs.items():
            if len(char) != 1 or not (isinstance(latin, str) and latin.isascii() and latin.islower()):
                raise ValueError(f"{CONFUSABLES_FILE}: {script}: bad entry {char!r}: {latin!r}")
            table[char] = latin
    return table


def _map_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    d = unicodedata.normalize("NFKD", c)
    out = "".join(ch for ch in d if not unicodedata.combining(ch))
    if unicodedata.category(c) == "Cf":  # format chars (zero-width, bidi marks)
        return ""
    conf = confusables()
    out = "".join(conf.get(ch, ch) for ch in out)  # TR39-style skeleton: Cyrillic / Greek look-alikes
    out = out.casefold()
    return "".join(_SPECIAL.get(ch, ch) for ch in out)


def _char_info(c: str) -> tuple[str, bool]:
    got = _CHAR_INFO.get(c)
    if got is None:
        o = ord(c)
        rep = _TABLE.get(o)
        if rep is None:
            rep = _TABLE[o] = _map_char(c)
        # replace-then-lower equals translate when lower() leaves the replacement alone and the
        # replacement holds no non-ASCII character that another replacement would rewrite
        safe = rep.lower() == rep and all(x.isascii() or x == c or _map_char(x) == x for x in rep)
        got = _CHAR_INFO[c] = (rep, safe)
    return got


_HTML_RX = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[a-zA-Z/!][^<>]{0,2000}>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});",
    re.S,
)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(br|p|div|li|tr|h\d|ul|ol|table|td|th|title|section|article)\b", re.I)
# Inline formatting tags render with no space: they vanish, so "hu<b></b>issier" stays one word.
INLINE_TAG = re.compile(
    r"<\s*/?\s*(?:b|i|u|s|em|strong|span|font|a|small|big|sub|sup|mark|strike|del|ins|abbr|code|wbr|tt|q|cite|kbd"
    r"|var|bdi|bdo|label|o:p)(?=[\s/>])", re.I)
# A hyphen at a line end between two letters is a word cut: "huis-\nsier" -> "huissier".
HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[^\S\n]*\n\s*(?=[a-z])")
# Reference form of the whitespace / spaced-letters pass (used as is when spaced letters may occur).
_CLEAN_RX = re.compile(
    r"(?P<ws>\s*\n\s*|\s{2,}|[^\S\n ])"
    r"|(?P<spaced>(?<![a-z0-9'])[a-z](?:[ .\-_*/·+|]{1,3}[a-z](?![a-z0-9])){3,})"
)
# Same matches as the "ws" branch alone: a whitespace run of 2+ characters, or one that is not a space.
_WS_RX = re.compile(r"\s(?:\s+|(?<! ))")
# Necessary condition of the "spaced" branch (three isolated letters in a row after a separator).
_SPACED_HINT = re.compile(
    r"[ .\-_*/·+|][a-z](?![a-z0-9])[ .\-_*/·+|]{1,3}[a-z](?![a-z0-9])[ .\-_*/·+|]{1,3}[a-z](?![a-z0-9])"
)
_OTHER_WS = re.compile(r"[^\S ]")  # whitespace other than the plain space
_SPACED_SEP = re.compile(r"[ .\-_*/·+|]")
_LEET_HINT = re.compile(r"[013@$](?:(?<=[a-z].)|(?=[a-z]))")  # == [a-z][013@$]|[013@$][a-z]
_LEET_TOKEN = re.compile(r"(?<![0-9])[a-z013@$]*[013@$][a-z013@$]*(?![0-9])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "@": "a", "$": "s"})
_DIGIT_RUN = re.compile(r"[013]{3,}")
_SENT_RX = re.compile(r"[.!?;:\n]+(?=\s|$)|\n|\s[-*•]\s")
# _SENT_RX when no " - " style bullet can match: same matches, but starts with a character class.
_SENT_NO_BULLET_RX = re.compile(r"[.!?;:\n](?:[.!?;:\n]*(?=\s|$)|(?<=\n))")
_BULLET_HINT = re.compile(r"[-*•](?<=\s.)(?=\s)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD_RX = re.compile(r"[a-z0-9]+")
_WORD_START = re.compile(r"(?<![a-z0-9])[a-z0-9]")
# Longest context a per-match test reads on each side of the match in a sentence with no punctuation.
CLAUSE_RADIUS = 300
# bytes.translate table: [a-z0-9] kept, every other byte becomes a space (word splitting at C speed)
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))
# word -> its 2..5-letter prefixes, shared by every document (the vocabulary of letters is small)
_PREFIXES_OF: dict[str, tuple[str, ...]] = {}


def _prefixes_of(word: str) -> tuple[str, ...]:
    got = _PREFIXES_OF[word] = tuple(dict.fromkeys(word[:k] for k in (2, 3, 4, 5)))
    return got


class OffsetMap:
    """One normalisation step: output index -> [lo, hi) range of the step's input.

    ``segs`` are (out_start, out_end, in_lo, in_hi) in output order: every output character of
    [out_start, out_end) comes from input [in_lo, in_hi) (an empty output range is a deletion).
    Outside segments characters are copied one to one, shifted by the last segment.
    """

    __slots__ = ("outs", "segs")

    def __init__(self, segs: list[tuple[int, int, int, int]]) -> None:
        self.segs = segs
        self.outs = [s[0] for s in segs]

    def map(self, j: int) -> tuple[int, int]:
        i = bisect_right(self.outs, j) - 1
        if i < 0:
            return j, j + 1
        out_a, out_b, lo, hi = self.segs[i]
        if j < out_b:
            return lo, hi
        k = j - out_b + hi
        return k, k + 1


class Doc:
    """The text a rule sees: original, normalised, offsets, language and cheap indexes."""

    __slots__ = ("raw", "norm", "maps", "lang", "jurisdiction", "protected", "cache", "_bounds", "_prefixes",
                 "_words", "_wordset", "_flat", "_positions",
                 "_windows", "_clauses")

    def __init__(self, raw: str, norm: str, maps: tuple[OffsetMap, ...] = (), lang: Lang = "fr",
                 jurisdiction: str = "FR") -> None:
        self.raw = raw
        self.norm = norm
        self.maps = maps  # normalisation steps, first to last; empty: identity
        self.lang: Lang = lang
        self.jurisdiction = jurisdiction
        self.protected: list[tuple[int, int]] = []
        self.cache: dict[str, object] = {}
        self._bounds: list[int] | None = None
        self._prefixes: frozenset[str] | None = None
        self._words: list[str] | None = None
        self._wordset: set[str] = set()
        self._flat = ""
        self._positions: dict[str, list[int]] = {}
        self._windows: dict[frozenset[str], list[tuple[int, int]]] = {}
        self._clauses: dict[tuple[int, int], dict[str, bool]] = {}

    # -- offsets -------------------------------------------------------------------------
    def _raw_start(self, j: int) -> int:
        for m in reversed(self.maps):
            j = m.map(j)[0]
        return j

    def _raw_end(self, j: int) -> int:
        for m in reversed(self.maps):
            j = m.map(j)[1] - 1
        return j + 1

    def raw_range(self, start: int, end: int) -> tuple[int, int]:
        if not self.maps:
            return start, end
        if end <= start:
            pos = self._raw_start(start) if start < len(self.norm) else len(self.raw)
            return pos, pos
        return self._raw_start(start), self._raw_end(end - 1)

    def span(self, start: int, end: int) -> Span:
        a, b = self.raw_range(start, end)
        return Span(start=a, end=b, text=self.raw[a:b])

    # -- cheap indexes -------------------------------------------------------------------
    def words(self) -> list[str]:
        """Words ([a-z0-9]+ runs) of the normalised text, in text order."""
        got = self._words
        if got is None:
            # one byte per character ("?" for non-ASCII), every byte but [a-z0-9] turned into a space
            flat = self.norm.encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii")
            self._flat = " " + flat
            pieces = flat.split(" ")
            got = self._words = list(compress(pieces, pieces))
        return got

    @property
    def prefixes(self) -> frozenset[str]:
        """Every 2- to 5-letter prefix of a word ([a-z0-9]+) of the text: the trigger test of the rules."""
        got = self._prefixes
        if got is None:
            words = self._wordset = set(self.words())
            found = list(map(_PREFIXES_OF.get, words))
            if None in found:
                if len(_PREFIXES_OF) > 200_000:
                    _PREFIXES_OF.clear()
                found = [f if f is not None else _prefixes_of(w) for f, w in zip(found, words, strict=True)]
            got = self._prefixes = frozenset(chain.from_iterable(found))  # type: ignore[arg-type]
        return got

    def positions(self, stem: str) -> list[int]:
        """Start positions (ascending) of the words beginning with ``stem`` (a prefix or a phrase)."""
        got = self._positions.get(stem)
        if got is None:
            if self._words is None:
                self.words()
            flat = self._flat  # " " + text with every non-[a-z0-9] character as a space
            key = " " + stem
            got = []
            i = flat.find(key)
            while i >= 0:
                got.append(i)  # flat[i] is the space before the word: norm index i
                i = flat.find(key, i + 2)
            self._positions[stem] = got
        return got

    def has_any(self, stems: frozenset[str]) -> bool:
        return not self.prefixes.isdisjoint(stems)

    def windows(self, stems: frozenset[str]) -> list[tuple[int, int]]:
        """Merged sentence windows around every word starting with one of ``stems``.

        The window of a word at ``p`` is its sentence cut to [p - 120, p + 160); windows that touch
        or overlap are merged. Both ends grow with ``p``, so sorting the positions sorts the windows
        and a new merged window starts exactly where a start passes the previous end (C-level maps)."""
        got = self._windows.get(stems)
        if got is not None:
            return got
        present = stems.intersection(self.prefixes)
        merged: list[tuple[int, int]] = []
        if present:
            pos = sorted(chain.from_iterable(map(self.positions, present)))
            b = self._bounds or self.bounds()
            hi = list(map(bisect_right, repeat(b), pos))  # sentence i = hi - 1: [b[i], b[i + 1])
            starts = list(map(max, map(b.__getitem__, map(sub, hi, repeat(1))), map(sub, pos, repeat(120))))
            ends = list(map(min, map(b.__getitem__, hi), map(add, pos, repeat(160))))
            n = len(pos)
            cuts = list(compress(range(1, n), map(gt, starts[1:], ends)))
            merged = list(zip(map(starts.__getitem__, [0, *cuts]), map(ends.__getitem__, [c - 1 for c in cuts] + [n - 1]),
                              strict=True))
        self._windows[stems] = merged
        return merged

    def bounds(self) -> list[int]:
        """Sentence / clause boundaries: 0, the end of every separator, len(norm)."""
        b = self._bounds
        if b is None:
            norm = self.norm
            rx = _SENT_RX if _BULLET_HINT.search(norm) else _SENT_NO_BULLET_RX
            b = self._bounds = [0, *(m.end() for m in rx.finditer(norm)), len(norm)]
        return b

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence / clause around a normalised position.

        A sentence longer than ``2 * CLAUSE_RADIUS`` (a text with no punctuation) is cut to a window on a
        fixed grid holding at least ``CLAUSE_RADIUS`` characters each side of ``pos`` (snapped to word
        boundaries): every per-match context test then costs a bounded time, so a rule's cost is linear in
        the text length, and matches close to each other share the window (and its memo)."""
        b = self._bounds or self.bounds()
        i = bisect_right(b, pos) - 1
        i = max(0, min(i, len(b) - 2))
        a, z = b[i], b[i + 1]
        if z - a <= 3 * CLAUSE_RADIUS:
            return a, z
        k = (pos - a) // CLAUSE_RADIUS
        lo = a + max(0, k - 1) * CLAUSE_RADIUS
        hi = min(z, a + (k + 2) * CLAUSE_RADIUS)
        norm = self.norm
        if lo > a:  # start after a separator, as a real clause does
            m = _WORD_START.search(norm, lo, pos + 1)
            lo = m.start() if m is not None else pos
        if hi < z:
            cut = norm.rfind(" ", pos, hi)
            hi = cut if cut > pos else hi
        return lo, hi

    def sentence_text(self, pos: int) -> str:
        a, b = self.sentence(pos)
        return self.norm[a:b]

    def clause_flags(self, pos: int) -> dict[str, bool]:
        """Per-clause memo for the context tests (negated, informational...): keyed by clause bounds."""
        key = self.sentence(pos)
        got = self._clauses.get(key)
        if got is None:
            got = self._clauses[key] = {}
        return got

    def in_protected(self, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.protected)


def prefix_set(*words: str) -> frozenset[str]:
    """Trigger stems for Doc.has_any (each cut to five characters)."""
    return frozenset(w[:5] for w in words)


@lru_cache(maxsize=64)
def _class_rx(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _char_pass(text: str) -> tuple[str, OffsetMap | None]:
    """Per-character normalisation; the map is None when every character maps to one character."""
    if text.isascii():
        return text.lower(), None
    chars = set("".join(_NON_ASCII.findall(text)))
    safe = True
    resized: list[str] = []
    for c in chars:
        rep, ok = _char_info(c)
        safe = safe and ok
        if len(rep) != 1:
            resized.append(c)
    if safe:
        out = text
        for c in chars:
            rep = _CHAR_INFO[c][0]
            if rep != c:
                out = out.replace(c, rep)
        out = out.lower()
    else:
        out = text.translate(_TABLE)
    if not resized:
        return out, None
    segs: list[tuple[int, int, int, int]] = []
    shift = 0
    for m in _class_rx(frozenset(resized)).finditer(text):
        i = m.start()
        n = len(_CHAR_INFO[text[i]][0])
        j = i + shift
        segs.append((j, j + n, i, i + 1))
        shift += n - 1
    return out, OffsetMap(segs)


def _strip_html(raw: str) -> tuple[str, OffsetMap]:
    parts: list[str] = []
    segs: list[tuple[int, int, int, int]] = []
    pos = 0
    out_len = 0
    for m in _HTML_RX.finditer(raw):
        a, b = m.span()
        if a > pos:
            parts.append(raw[pos:a])
            out_len += a - pos
        tok = m.group(0)
        if tok.startswith("&"):
            rep = html.unescape(tok)
        elif _BLOCK_TAG.match(tok):
            rep = "\n"
        elif tok.startswith("<!--") or INLINE_TAG.match(tok):
            rep = ""
        else:
            rep = " "
        parts.append(rep)
        segs.append((out_len, out_len + len(rep), a, b))
        out_len += len(rep)
        pos = b
    if pos < len(raw):
        parts.append(raw[pos:])
    return "".join(parts), OffsetMap(segs)


def _join_hyphens(text: str) -> tuple[str, OffsetMap | None]:
    """Delete line-break hyphens between letters (with the line break and the next line's indent)."""
    segs: list[tuple[int, int, int, int]] = []
    out: list[str] = []
    pos = 0
    out_len = 0
    for m in HYPHEN_BREAK.finditer(text):
        a, b = m.span()
        out.append(text[pos:a])
        out_len += a - pos
        segs.append((out_len, out_len, a, b))
        pos = b
    if not segs:
        return text, None
    out.append(text[pos:])
    return "".join(out), OffsetMap(segs)


def _clean(text: str) -> tuple[str, OffsetMap | None]:
    """Collapse whitespace and spaced-out letters, keeping offsets."""
    if _SPACED_HINT.search(text):
        rx = _CLEAN_RX
    else:
        # the "spaced" branch cannot match: whitespace runs only, and none when the text has no two
        # whitespace characters in a row (so no "  ") and no whitespace but the plain space
        if "  " not in text and _OTHER_WS.search(text) is None:
            return text, None
        rx = _WS_RX
    out: list[str] = []
    segs: list[tuple[int, int, int, int]] = []
    pos = 0
    out_len = 0
    for m in rx.finditer(text):
        a, b = m.span()
        if a > pos:
            out.append(text[pos:a])
            out_len += a - pos
        if rx is _WS_RX or m.group("ws") is not None:
            out.append("\n" if "\n" in m.group(0) else " ")
            segs.append((out_len, out_len + 1, a, b))
            out_len += 1
        else:
            gap = a  # start of the separators not yet recorded
            for i in range(a, b):
                if "a" <= text[i] <= "z":
                    if gap < i:
                        segs.append((out_len, out_len, gap, i))
                    out.append(text[i])
                    out_len += 1
                    gap = i + 1
            if gap < b:
                segs.append((out_len, out_len, gap, b))
        pos = b
    if not segs:
        return text, None
    if pos < len(text):
        out.append(text[pos:])
    return "".join(out), OffsetMap(segs)


def _leet_sub(m: re.Match[str]) -> str:
    tok = m.group(0)
    letters = sum(1 for c in tok if "a" <= c <= "z")
    if letters < 3 or _DIGIT_RUN.search(tok):
        return tok
    return tok.translate(_LEET)


def normalize(raw: str) -> Doc:
    """Build the normalised view of ``raw`` (one pass per step, offsets preserved)."""
    maps: list[OffsetMap] = []
    text = raw
    if "<" in raw or "&" in raw:
        stripped, html_map = _strip_html(raw)
        if stripped != raw:
            text = stripped
            maps.append(html_map)
    text, char_map = _char_pass(text)
    if char_map is not None:
        maps.append(char_map)
    if "-" in text:
        text, hyphen_map = _join_hyphens(text)
        if hyphen_map is not None:
            maps.append(hyphen_map)
    text, clean_map = _clean(text)
    if clean_map is not None:
        maps.append(clean_map)
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_leet_sub, text)  # same length: offsets unchanged
    return Doc(raw=raw, norm=text, maps=tuple(maps))


@lru_cache(maxsize=1024)
def normalize_fragment(text: str) -> str:
    """Normalised form of a reference string (firm name, L111-8 paragraph...), no offsets."""
    return normalize(text).norm.strip()
