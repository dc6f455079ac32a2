"""The crisis helpline of the debtor's country (``prompts/intents/helplines.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ConfigError


class _Country(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezones: list[str]
    fr: str
    en: str


class Helplines(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    default: str
    countries: dict[str, _Country]

    def country_for(self, timezone: str) -> str:
        for code, c in self.countries.items():
            if timezone in c.timezones:
                return code
        if timezone.startswith("America/") and "US" in self.countries:
            return "US"
        return self.default

    def text(self, timezone: str, lang: str) -> str:
        c = self.countries[self.country_for(timezone)]
        return c.fr if lang == "fr" else c.en


@lru_cache(maxsize=4)
def load_helplines(path: Path) -> Helplines:
    try:
        data = Helplines.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"helplines {path} unusable: {exc}") from exc
    if data.default not in data.countries:
        raise ConfigError(f"helplines {path}: default {data.default!r} is not a listed country")
    return data
