"""Rule phrases (``prompts/intents/rules.yaml``): one compiled alternation per label, folded text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ConfigError
from agent.understanding.models import Label


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    confidence: dict[str, float]
    labels: dict[Label, dict[str, str]]
    injection: str


def _lines(block: str) -> list[str]:
    return [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("# ")]


@dataclass(frozen=True)
class Hit:
    label: Label
    confidence: float
    evidence: str
    start: int  # folded-text offsets
    end: int


class Rules:
    def __init__(self, data: _RulesFile, origin: str) -> None:
        self.version = data.version
        self._patterns: dict[Label, re.Pattern[str]] = {}
        self._conf: dict[Label, float] = {}
        default = data.confidence.get("default", 0.9)
        for label, by_lang in data.labels.items():
            phrases = [p for block in by_lang.values() for p in _lines(block)]
            try:
                # phrases start at a word start: the look-behind lets the scan skip mid-word positions fast
                self._patterns[label] = re.compile(r"(?<![a-z0-9])(?:" + "|".join(f"(?:{p})" for p in phrases) + ")")
            except re.error as exc:
                raise ConfigError(f"{origin}: label {label}: bad pattern ({exc})") from exc
            self._conf[label] = data.confidence.get(label, default)
        try:
            self._injection = re.compile("|".join(f"(?:{p})" for p in _lines(data.injection)))
        except re.error as exc:
            raise ConfigError(f"{origin}: injection: bad pattern ({exc})") from exc

    @property
    def labels(self) -> tuple[Label, ...]:
        return tuple(self._patterns)

    def hits(self, folded: str) -> list[Hit]:
        out: list[Hit] = []
        for label, pattern in self._patterns.items():
            m = pattern.search(folded)
            if m:
                out.append(Hit(label, self._conf[label], m.group(0), m.start(), m.end()))
        return out

    def injection(self, folded: str) -> bool:
        return self._injection.search(folded) is not None


@lru_cache(maxsize=4)
def load_rules(path: Path) -> Rules:
    try:
        data = _RulesFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"intent rules {path} unusable: {exc}") from exc
    return Rules(data, str(path))
