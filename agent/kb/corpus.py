"""Parse the guideline corpus: Markdown pages with front matter and ``## Title {#section-id}`` sections."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from agent.errors import ConfigError, UserError
from agent.yamlio import parse_yaml

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$", re.MULTILINE)
_FRONT = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    lang: str
    page: str
    page_title: str
    title: str
    text: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.lang}:{self.id}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    def excerpt(self, limit: int = 280) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def parse_page(path: Path) -> list[Section]:
    text = path.read_text(encoding="utf-8")
    front = _FRONT.match(text)
    if not front:
        raise ConfigError(f"{path}: missing front matter (---\\npage: ...\\n---)")
    try:
        meta = parse_yaml(front.group("yaml")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid front matter: {exc}") from exc
    for key in ("page", "title", "lang"):
        if key not in meta:
            raise ConfigError(f"{path}: front matter lacks {key!r}")
    body = text[front.end():]
    heads = list(_HEADING.finditer(body))
    if not heads:
        raise ConfigError(f"{path}: no '## Title {{#id}}' section")
    sections = []
    for n, h in enumerate(heads):
        end = heads[n + 1].start() if n + 1 < len(heads) else len(body)
        sections.append(Section(id=h.group("id"), lang=str(meta["lang"]), page=str(meta["page"]),
                                page_title=str(meta["title"]), title=h.group("title").strip(),
                                text=body[h.end():end].strip(), path=str(path)))
    return sections


def load_corpus(root: Path) -> list[Section]:
    """All sections under ``root/<lang>/*.md``; ids unique per language."""
    if not root.is_dir():
        raise UserError(f"knowledge folder not found: {root}")
    sections: list[Section] = []
    seen: dict[str, str] = {}
    for path in sorted(root.glob("*/*.md")):
        for s in parse_page(path):
            if s.key in seen:
                raise ConfigError(f"{path}: duplicate section id {s.id!r} (also in {seen[s.key]})")
            seen[s.key] = str(path)
            sections.append(s)
    if not sections:
        raise UserError(f"knowledge folder {root} holds no guideline page (<lang>/*.md)")
    return sections
