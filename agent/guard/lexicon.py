"""Lexicons as data: ``knowledge/policy/lexicons/<family>.yaml``, validated and compiled once.

Each entry holds its phrases (patterns on the normalised text), the lawful look-alikes that sit next to
them (a lawful phrase in the same clause makes the mention lawful), what a finding says (explanation,
basis, rewording), the debtor-file fact that can make it lawful (``needs``) and labelled examples.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.errors import ConfigError
from agent.firm import load_yaml_model
from agent.settings import REPO_ROOT

LEXICON_DIR = REPO_ROOT / "knowledge" / "policy" / "lexicons"


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a list: a literal space means any whitespace (as ``rules._common.rx``)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns).replace(" ", r"\s"))


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    block: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()


class LexiconEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z]+(?:-[A-Z]+)*\.[a-z0-9-]+$")
    lang: Literal["fr", "en"]
    explanation: str = Field(min_length=10)
    basis: str = Field(min_length=3)
    rewording: str | None = None
    phrases: tuple[str, ...] = Field(min_length=1)
    lawful: tuple[str, ...] = ()
    needs: str | None = None  # debtor-file fact that can make the mention lawful (None: never lawful)
    examples: Examples = Examples()

    @field_validator("phrases", "lawful")
    @classmethod
    def _valid_patterns(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad pattern {p!r}: {exc}") from exc
            if p != p.lower():
                raise ValueError(f"pattern {p!r} must be lowercase (it runs on the normalised text)")
        return v

    def pattern(self) -> re.Pattern[str]:
        got = _compile(self.phrases)
        assert got is not None
        return got

    def lawful_pattern(self) -> re.Pattern[str] | None:
        return _compile(self.lawful)


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    family: str
    entries: tuple[LexiconEntry, ...] = Field(min_length=1)


class CompiledEntry:
    """An entry with its patterns compiled (once per process)."""

    __slots__ = ("entry", "pattern", "lawful")

    def __init__(self, entry: LexiconEntry) -> None:
        self.entry = entry
        self.pattern = entry.pattern()
        self.lawful = entry.lawful_pattern()


@lru_cache(maxsize=16)
def load_lexicon(family: str, directory: Path = LEXICON_DIR) -> tuple[Lexicon, tuple[CompiledEntry, ...]]:
    """The lexicon of a family (file ``<family lowercased>.yaml``) and its compiled entries."""
    path = directory / f"{family.lower()}.yaml"
    lex = load_yaml_model(path, Lexicon, "guard lexicon")
    if lex.family != family:
        raise ConfigError(f"{path}: family is {lex.family!r}, expected {family!r}")
    ids = [e.id for e in lex.entries]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: duplicate entry ids")
    return lex, tuple(CompiledEntry(e) for e in lex.entries)


class LexiconMatcher:
    """Every lexicon phrase of every family compiled once into ONE pattern (plain ``re``, no private modules).

    ``candidates(doc)`` scans the normalised text once and returns the sentence windows touched by any
    phrase match (cached on the doc). An entry's own pattern then runs only from those windows: a match of
    entry B starts either where the scan found a match (its sentence is a candidate) or inside another
    entry's match (whose sentences are candidates too), so nothing is missed, and a text holding no lexicon
    phrase costs one linear scan for all families together."""

    def __init__(self, entries: tuple[CompiledEntry, ...]) -> None:
        self.entries = entries
        self.members = frozenset((c.entry.id, c.pattern.pattern) for c in entries)
        self.pattern: re.Pattern[str] | None = (
            re.compile("|".join(f"(?:{c.pattern.pattern})" for c in entries)) if entries else None)

    def candidates(self, doc: object) -> list[tuple[int, int]]:
        from agent.guard.normalize import Doc

        assert isinstance(doc, Doc)
        got = doc.cache.get("lexicon_windows")
        if got is not None:
            return got  # type: ignore[return-value]
        out: list[tuple[int, int]] = []
        if self.pattern is not None:
            for m in self.pattern.finditer(doc.norm):
                a = doc.sentence(m.start())[0]
                b = doc.sentence(max(m.start(), m.end() - 1))[1]
                if out and a <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], b))
                else:
                    out.append((a, b))
        doc.cache["lexicon_windows"] = out
        return out


@lru_cache(maxsize=4)
def lexicon_matcher(directory: Path = LEXICON_DIR) -> LexiconMatcher:
    """The one matcher over every lexicon file of ``directory`` (compiled once per process)."""
    entries: list[CompiledEntry] = []
    for path in sorted(directory.glob("*.yaml")):
        lex = load_yaml_model(path, Lexicon, "guard lexicon")
        entries.extend(load_lexicon(lex.family, directory)[1])
    return LexiconMatcher(tuple(entries))
