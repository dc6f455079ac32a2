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
