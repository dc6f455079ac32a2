"""The collection firm's identity and mandatory legal texts (knowledge/policy/firm.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError, validation_problems

T = TypeVar("T", bound=BaseModel)


class Firm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    name: str = Field(min_length=1)
    legal_form: str
    address: str = Field(min_length=1)
    activity_fr: str
    activity_en: str
    phone: str
    email: str
    website: str
    payment_methods_fr: tuple[str, ...] = Field(min_length=1)
    payment_methods_en: tuple[str, ...] = Field(min_length=1)
    l111_8_paragraphs: tuple[str, str]
    free_advice_fr: str
    free_advice_en: str


def load_yaml_model(path: Path, model: type[T], what: str) -> T:
    """Load a YAML file into a strict model; any problem is a ConfigError naming file and field."""
    if not path.is_file():
        raise ConfigError(f"{what} file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path} must be a mapping at top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc.errors())
        raise ConfigError(f"{what} file {path} is invalid: {problems}") from exc


@lru_cache(maxsize=4)
def load_firm(path: Path) -> Firm:
    return load_yaml_model(path, Firm, "firm")
