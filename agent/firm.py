"""The collection firm's identity and mandatory legal texts (knowledge/policy/firm.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import ConfigError
from agent.legal import LegalQuote
from agent.yamlio import load_yaml_model

__all__ = ["Firm", "load_firm", "load_yaml_model"]  # load_yaml_model: kept importable from here


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
