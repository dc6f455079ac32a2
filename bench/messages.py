"""Distinct debtor messages for the benchmarks, combined from the parts in ``bench/data/messages.yaml``."""

from __future__ import annotations

import itertools
import random
import threading
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "messages.yaml"


def distinct_messages(n: int, seed: int = 11) -> list[str]:
    """``n`` different messages (French first, English second), in a seeded random order."""
    parts = yaml.load(DATA.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    for serial in itertools.count():
        lang = "fr" if serial % 4 else "en"
        p = parts[lang]
        text = " ".join(x for x in (rng.choice(p["openings"]), rng.choice(p["situations"]) + ",",
                                    rng.choice(p["requests"])) if x)
        text = text.format(n=rng.randint(2, 24), amount=rng.randint(20, 900), hour=rng.randint(9, 19),
                           ref=f"F{rng.randint(1000, 99999)}")
        if text not in seen:
            seen.add(text)
            out.append(text)
        if len(out) == n or serial > n * 50:
            break
    return out


class Feed:
    """Hands out the next message of a pool, shared by every client thread: each once while the pool lasts
    (cold caches), then cycling over the used ones (warm)."""

    def __init__(self, pool: list[str]) -> None:
        self.pool, self.used, self._lock = pool, 0, threading.Lock()

    def next(self) -> str:
        with self._lock:
            text = self.pool[self.used % len(self.pool)]
            self.used += 1
            return text
