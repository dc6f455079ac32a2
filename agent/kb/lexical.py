"""A small BM25 index over the guideline sections (accent- and case-folded, light FR/EN stemming).

Fused with the dense ranking by reciprocal rank fusion: exact legal terms ("L111-8", "FICP",
"commissaire") are matched lexically, paraphrases semantically.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from agent.lang import fold

_TOKEN = re.compile(r"[a-z0-9]+(?:-[0-9]+)?")
_STOP = frozenset(
    "le la les un une des de du d l et ou a au aux en dans sur pour par avec sans ce cette ces il elle ils elles "
    "on nous vous je j me te se sa son ses leur leurs qui que qu quoi dont est sont etre a ont avoir pas ne n plus "
    "tres tout tous toute toutes si mais comme y c s m t the a an of to in on for with without is are be been "
    "it this that these those i you he she we they do does did not no can could should would will my your our "
    "their what how when why which who".split())
_SUFFIXES = ("issements", "issement", "ements", "ement", "ations", "ation", "ments", "ment", "ances", "ance",
             "ences", "ence", "ities", "ity", "ings", "ing", "ions", "ion", "euses", "euse", "eurs", "eur",
             "ives", "ive", "ies", "es", "s", "e", "ed", "ly")


def stem(word: str) -> str:
    for suf in _SUFFIXES:
        if len(word) - len(suf) >= 4 and word.endswith(suf):
            return word[: -len(suf)]
    return word


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(fold(text)) if t not in _STOP and len(t) > 1]


class BM25:
    def __init__(self, docs: dict[str, str], k1: float = 1.4, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = {key: Counter(tokens(text)) for key, text in docs.items()}
        self.len = {key: sum(c.values()) for key, c in self.tf.items()}
        self.avg = sum(self.len.values()) / max(len(self.len), 1)
        df: Counter[str] = Counter()
        for c in self.tf.values():
            df.update(c.keys())
        n = len(self.tf)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        q = [t for t in tokens(query) if t in self.idf]
        if not q:
            return []
        scores: dict[str, float] = {}
        for key, tf in self.tf.items():
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * self.len[key] / self.avg)
            for t in q:
                f = tf.get(t)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            if s > 0:
                scores[key] = s
        return sorted(scores.items(), key=lambda kv: -kv[1])[:k]
