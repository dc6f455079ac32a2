"""The collection firm's identity and mandatory legal texts (knowledge/policy/firm.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError, validation_problems
from agent.legal import LegalQuote

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
    l111_8: LegalQuote
    free_advice_fr: str
    free_advice_en: str
    # Resolved by load_firm() from the stored text (knowledge/legal/); never written in firm.yaml.
    l111_8_paragraphs: tuple[str, str] = ("", "")
    l111_8_version: str = ""  # ISO date of the version in force that is quoted


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
    firm = load_yaml_model(path, Firm, "firm")
    if firm.l111_8_paragraphs != ("", "") or firm.l111_8_version:
        raise ConfigError(f"firm file {path}: the L111-8 text is read from knowledge/legal/, not written inline")
    if firm.l111_8.paragraphs != (2, 3):
        raise ConfigError(f"firm file {path}: R124-4 requires paragraphs 2 and 3 of L111-8, got {firm.l111_8.paragraphs}")
    text, paras = firm.l111_8.resolve(path.parent)
    return firm.model_copy(update={"l111_8_paragraphs": (paras[0], paras[1]),
                                   "l111_8_version": text.version_date.isoformat()})
