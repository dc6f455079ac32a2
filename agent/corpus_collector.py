"""The collector-message corpus (issue 12): verbatim public texts written by collectors or creditors.

Each line of `evals/corpus/collector/{train,dev,test}.jsonl` is one `CollectorItem`. The labelling
guide is `evals/corpus/collector/GUIDE.md`, the sources `SOURCES.md`. The test split is frozen
(`test.sha256`) and is never used to choose rules or thresholds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.corpus import parse_jsonl
from agent.errors import ConfigError

CORPUS_DIR = Path(__file__).resolve().parent.parent / "evals" / "corpus" / "collector"
SPLITS: tuple[str, ...] = ("train", "dev", "test")

Family = Literal[
    "threat",
    "impersonation",
    "fake_legal_document",
    "third_party_disclosure",
    "harassment",
    "insult",
    "deceptive_urgency",
    "unlawful_fees",
]
UNLAWFUL_FAMILIES: tuple[str, ...] = get_args(Family)


class Span(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: int = Field(ge=0)
    end: int = Field(gt=0)


class CollectorItem(BaseModel):
    """One verbatim collector (or creditor) message with its label and provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^col-[a-z0-9][a-z0-9-]{0,80}$")
    lang: Literal["fr", "en"]
    text: str = Field(min_length=3)
    label: Literal["lawful", "unlawful"]
    family: str = Field(min_length=1)
    jurisdiction: Literal["FR", "US", "UK"]
    spans: list[Span] = Field(default_factory=list)
    source: str = Field(min_length=5)
    source_group: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,80}$")
    licence: str = Field(min_length=2)
    note: str = ""
    translated_from: str | None = None

    @model_validator(mode="after")
    def _check(self) -> CollectorItem:
        if self.label == "unlawful" and self.family not in UNLAWFUL_FAMILIES:
            raise ValueError(f"unlawful item with unknown family {self.family!r}")
        if self.label == "lawful" and self.family in UNLAWFUL_FAMILIES:
            raise ValueError("a lawful item's family names a look-alike (e.g. 'lawful mise en demeure')")
        for span in self.spans:
            if span.end <= span.start or span.end > len(self.text):
                raise ValueError(f"span {span.start}:{span.end} outside the text")
        return self

    def span_texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.spans]


def split_path(split: str, root: Path | None = None) -> Path:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r} (expected one of {', '.join(SPLITS)})")
    return (root or CORPUS_DIR) / f"{split}.jsonl"


def load_split(split: str, root: Path | None = None) -> list[CollectorItem]:
    """Read one split; a malformed line is a `ConfigError` naming the file and line."""
    path = split_path(split, root)
    with path.open(encoding="utf-8") as fh:
        return parse_jsonl(fh, CollectorItem, origin=str(path), error=ConfigError)


def load_all(root: Path | None = None) -> dict[str, list[CollectorItem]]:
    return {split: load_split(split, root) for split in SPLITS}
