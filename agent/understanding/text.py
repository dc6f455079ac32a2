"""Input clean-up before analysis: HTML removed, length capped, folded text with offsets to the original."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from agent.lang import fold

MAX_CHARS = 20_000  # longer input is analysed on its first MAX_CHARS characters (a warning says so)
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[a-zA-Z/!][^<>]{0,2000}>", re.S | re.I)
_WS = re.compile(r"\s+")
_FOLDED: dict[str, str] = {}  # per-character fold, cached (the alphabet of messages is small)


def _fold_char(ch: str) -> str:
    f = _FOLDED.get(ch)
    if f is None:
        f = " " if ch.isspace() else fold(ch)
        if len(_FOLDED) < 50_000:
            _FOLDED[ch] = f
    return f


@dataclass(frozen=True)
class Prepared:
    text: str  # what spans refer to: the message without HTML, capped
    folded: str  # fold(text) with white space runs collapsed
    offsets: tuple[int, ...] | None  # folded index -> text index (None: identity)
    warnings: tuple[str, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A folded-text span as a span of ``text``."""
        if self.offsets is None:
            return start, end
        last = len(self.text)
        a = self.offsets[start] if start < len(self.offsets) else last
        b = self.offsets[end - 1] + 1 if 0 < end <= len(self.offsets) else last
        return a, b


def prepare(message: str) -> Prepared:
    warnings: list[str] = []
    text = message.replace("\x00", "")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        warnings.append("truncated")
    if "<" in text and _TAG.search(text):
        text = _TAG.sub(" ", text)
        warnings.append("html_stripped")
    if "&" in text:
        text = html.unescape(text)
    folded_chars: list[str] = []
    offsets: list[int] = []
    simple = fold(text)
    if len(simple) == len(text) and not _WS.search(text.replace(" ", "")) and "  " not in text:
        folded, offs = simple, None
    else:
        prev_space = False
        for i, ch in enumerate(text):
            f = _fold_char(ch)
            if f == " ":
                if prev_space:
                    continue
                prev_space = True
            else:
                prev_space = False
            for c in f:
                folded_chars.append(c)
                offsets.append(i)
        folded, offs = "".join(folded_chars), tuple(offsets)
    if not re.search(r"\w", folded):
        warnings.append("no_words")
    return Prepared(text=text, folded=folded, offsets=offs, warnings=tuple(warnings))
