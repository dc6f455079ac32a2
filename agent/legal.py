"""Statutory texts quoted by the product, stored once, verbatim, in knowledge/legal/*.yaml.

Each file carries the text's paragraphs (alinéas, numbered from 1), its source and the date of the
version quoted. Other files (firm.yaml) refer to a text and paragraph numbers instead of copying it;
knowledge/legal/official/ keeps the official wording the stored copy is tested against.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.errors import ConfigError


class LegalText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    version_date: dt.date
    version_note: str
    source_url: str = Field(pattern=r"^https://")
    licence: str
    paragraphs: tuple[str, ...] = Field(min_length=1)

    def paragraph(self, number: int) -> str:
        """The alinéa ``number`` (1-based), verbatim."""
        if not 1 <= number <= len(self.paragraphs):
            raise ConfigError(f"{self.title} has {len(self.paragraphs)} paragraph(s); paragraph {number} asked")
        return self.paragraphs[number - 1]


class LegalQuote(BaseModel):
    """A reference to paragraphs of a stored text: ``{file: ../legal/l111_8.yaml, paragraphs: [2, 3]}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(min_length=1)
    paragraphs: tuple[int, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> LegalQuote:
        if any(n < 1 for n in self.paragraphs):
            raise ValueError("paragraph numbers start at 1")
        return self

    def resolve(self, base: Path) -> tuple[LegalText, tuple[str, ...]]:
        text = load_legal_text((base / self.file).resolve())
        return text, tuple(text.paragraph(n) for n in self.paragraphs)


@lru_cache(maxsize=16)
def load_legal_text(path: Path) -> LegalText:
    from agent.yamlio import load_yaml_model  # one strict YAML loader for every config file

    return load_yaml_model(path, LegalText, "legal text")


def read_official(path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """An official wording file: ``# key: value`` header lines, then paragraphs separated by blank lines."""
    if not path.is_file():
        raise ConfigError(f"official legal text not found: {path}")
    header: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not body and line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
        else:
            body.append(line)
    paras = tuple(p.strip() for p in "\n".join(body).split("\n\n") if p.strip())
    return header, paras
