"""The normaliser as it was before the performance work (per-character offset lists), kept verbatim as
the reference the fast ``agent.guard.normalize`` must agree with (text and offsets)."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import yaml

# the confusables are data shared with the product (the table, not the code)
_CONF: dict[str, str] = {
    c: latin for pairs in yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "agent" / "guard" / "data" / "confusables.yaml").read_text(encoding="utf-8")
    ).values() for c, latin in pairs.items()
}

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


def _map_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    d = unicodedata.normalize("NFKD", c)
    out = "".join(ch for ch in d if not unicodedata.combining(ch))
    if unicodedata.category(c) == "Cf":  # format chars (zero-width, bidi marks)
        return ""
    out = "".join(_CONF.get(ch, ch) for ch in out)
    out = out.casefold()
    return "".join(_SPECIAL.get(ch, ch) for ch in out)


_HTML_RX = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[a-zA-Z/!][^<>]{0,2000}>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});",
    re.S,
)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(br|p|div|li|tr|h\d|ul|ol|table|td|th|title|section|article)\b", re.I)
_INLINE_TAG = re.compile(
    r"<\s*/?\s*(?:b|i|u|s|em|strong|span|font|a|small|big|sub|sup|mark|strike|del|ins|abbr|code|wbr|tt|q|cite|kbd"
    r"|var|bdi|bdo|label|o:p)(?=[\s/>])", re.I)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[^\S\n]*\n\s*(?=[a-z])")
_CLEAN_RX = re.compile(
    r"(?P<ws>\s*\n\s*|\s{2,}|[^\S\n ])"
    r"|(?P<spaced>(?<![a-z0-9'])[a-z](?:[ .\-_*/·+|]{1,3}[a-z](?![a-z0-9])){3,})"
)
_SPACED_SEP = re.compile(r"[ .\-_*/·+|]")
_LEET_HINT = re.compile(r"[a-z][013@$]|[013@$][a-z]")
_LEET_TOKEN = re.compile(r"(?<![0-9])[a-z013@$]*[013@$][a-z013@$]*(?![0-9])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "@": "a", "$": "s"})
_DIGIT_RUN = re.compile(r"[013]{3,}")
_SENT_RX = re.compile(r"[.!?;:\n]+(?=\s|$)|\n|\s[-*•]\s")


def _char_pass(text: str, base_start: list[int] | None, base_end: list[int] | None
               ) -> tuple[str, list[int] | None, list[int] | None]:
    """Per-character normalisation; returns text and offsets (None = same as base)."""
    if text.isascii():
        return text.lower(), base_start, base_end
    for ch in set(text):
        o = ord(ch)
        if o > 127 and o not in _TABLE:
            _TABLE[o] = _map_char(ch)
    out = text.translate(_TABLE)
    if len(out) == len(text) and all(len(_TABLE.get(ord(ch), ch)) == 1 for ch in set(text)):
        return out, base_start, base_end
    starts: list[int] = []
    ends: list[int] = []
    parts: list[str] = []
    for i, ch in enumerate(text):
        o = ord(ch)
        rep = _TABLE.get(o, ch) if o > 127 or 65 <= o <= 90 else ch
        if not rep:
            continue
        parts.append(rep)
        s = base_start[i] if base_start is not None else i
        e = base_end[i] if base_end is not None else i + 1
        starts.extend([s] * len(rep))
        ends.extend([e] * len(rep))
    return "".join(parts), starts, ends


def _strip_html(raw: str) -> tuple[str, list[int], list[int]]:
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _HTML_RX.finditer(raw):
        if m.start() > pos:
            seg = raw[pos:m.start()]
            parts.append(seg)
            starts.extend(range(pos, m.start()))
            ends.extend(range(pos + 1, m.start() + 1))
        tok = m.group(0)
        if tok.startswith("&"):
            rep = html.unescape(tok)
        elif _BLOCK_TAG.match(tok):
            rep = "\n"
        elif tok.startswith("<!--") or _INLINE_TAG.match(tok):
            rep = ""
        else:
            rep = " "
        if rep:
            parts.append(rep)
            starts.extend([m.start()] * len(rep))
            ends.extend([m.end()] * len(rep))
        pos = m.end()
    if pos < len(raw):
        parts.append(raw[pos:])
        starts.extend(range(pos, len(raw)))
        ends.extend(range(pos + 1, len(raw) + 1))
    return "".join(parts), starts, ends


def _join_hyphens(text: str, starts: list[int] | None, ends: list[int] | None
                  ) -> tuple[str, list[int] | None, list[int] | None]:
    """Delete line-break hyphens between letters, per-character offsets."""
    if not _HYPHEN_BREAK.search(text):
        return text, starts, ends
    keep = [True] * len(text)
    for m in _HYPHEN_BREAK.finditer(text):
        for i in range(*m.span()):
            keep[i] = False
    s0 = starts if starts is not None else list(range(len(text)))
    e0 = ends if ends is not None else list(range(1, len(text) + 1))
    idx = [i for i in range(len(text)) if keep[i]]
    return "".join(text[i] for i in idx), [s0[i] for i in idx], [e0[i] for i in idx]


def _clean(text: str, starts: list[int] | None, ends: list[int] | None
           ) -> tuple[str, list[int] | None, list[int] | None]:
    """Collapse whitespace and spaced-out letters, keeping offsets."""
    if not _CLEAN_RX.search(text):
        return text, starts, ends
    out: list[str] = []
    ns: list[int] = []
    ne: list[int] = []

    def s_of(i: int) -> int:
        return starts[i] if starts is not None else i

    def e_of(i: int) -> int:
        return ends[i] if ends is not None else i + 1

    pos = 0
    for m in _CLEAN_RX.finditer(text):
        a, b = m.span()
        if a > pos:
            out.append(text[pos:a])
            if starts is None:
                ns.extend(range(pos, a))
                ne.extend(range(pos + 1, a + 1))
            else:
                assert ends is not None
                ns.extend(starts[pos:a])
                ne.extend(ends[pos:a])
        if m.group("ws") is not None:
            rep = "\n" if "\n" in m.group("ws") else " "
            out.append(rep)
            ns.append(s_of(a))
            ne.append(e_of(b - 1))
        else:
            for i in range(a, b):
                ch = text[i]
                if "a" <= ch <= "z":
                    out.append(ch)
                    ns.append(s_of(i))
                    ne.append(e_of(i))
        pos = b
    if pos < len(text):
        out.append(text[pos:])
        if starts is None:
            ns.extend(range(pos, len(text)))
            ne.extend(range(pos + 1, len(text) + 1))
        else:
            assert ends is not None
            ns.extend(starts[pos:])
            ne.extend(ends[pos:])
    return "".join(out), ns, ne


def _leet_sub(m: re.Match[str]) -> str:
    tok = m.group(0)
    letters = sum(1 for c in tok if "a" <= c <= "z")
    if letters < 3 or _DIGIT_RUN.search(tok):
        return tok
    return tok.translate(_LEET)


def reference_normalize(raw: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Build the normalised view of ``raw`` (one pass per step, offsets preserved)."""
    starts: list[int] | None = None
    ends: list[int] | None = None
    text = raw
    if "<" in raw or "&" in raw:
        stripped, s0, e0 = _strip_html(raw)
        if stripped != raw:
            text, starts, ends = stripped, s0, e0
    text, starts, ends = _char_pass(text, starts, ends)
    text, starts, ends = _join_hyphens(text, starts, ends)
    text, starts, ends = _clean(text, starts, ends)
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_leet_sub, text)  # same length: offsets unchanged
    return text, starts, ends


def reference_range(raw: str, starts: list[int] | None, ends: list[int] | None, start: int, end: int
                    ) -> tuple[int, int]:
    """``Doc.raw_range`` of the reference implementation."""
    if starts is None or ends is None:
        return start, end
    if end <= start:
        pos = starts[start] if start < len(starts) else len(raw)
        return pos, pos
    return starts[start], ends[end - 1]
