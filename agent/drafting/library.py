"""The approved message library (``prompts/library/*.yaml``): strict loading, selection and rendering.

Templates are data written and approved by compliance. Rendering fills ``{placeholders}`` with
facts computed from the debtor file only; the debtor's own text is never rendered as a template.
A missing placeholder value raises: a draft with a hole in it is never produced.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.drafting.models import INTENTS, Intent, NextActionCode
from agent.errors import ConfigError
from agent.yamlio import load_yaml

Situation = Literal["time_barred", "disputed", "vulnerable", "over_indebtedness", "hardship_flag",
                    "has_active_plan", "business", "first_letter_sent", "has_payments", "zero_balance"]
Length = Literal["long", "short"]


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    lang: Literal["fr", "en"]
    length: Length
    when: dict[Situation, bool] = Field(default_factory=dict)
    requires: list[str] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)
    next_action: NextActionCode
    text: str = Field(min_length=1)

    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.text) if name}


class LibraryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    intent: Intent
    templates: list[Template] = Field(min_length=1)


class Library(BaseModel):
    version: str
    templates: dict[Intent, list[Template]]

    def select(self, intent: Intent, lang: str, length: Length, situation: dict[str, bool],
               available: set[str]) -> Template:
        """Most specific template whose conditions hold and whose required facts exist."""
        for want_length in (length, "long") if length == "short" else (length,):
            candidates = [
                t for t in self.templates.get(intent, [])
                if t.lang == lang and t.length == want_length
                and all(situation.get(k, False) == v for k, v in t.when.items())
                and set(t.requires) <= available
            ]
            if candidates:
                return max(candidates, key=lambda t: len(t.when))  # max keeps the first among equals
        raise ConfigError(f"message library has no template for intent={intent} lang={lang} length={length}")


ALLOWED_PLACEHOLDERS = frozenset({
    "salutation", "debtor_name", "creditor_name", "reference", "balance", "principal", "interest", "other_sums",
    "invoice_count", "invoice_list", "oldest_invoice_number", "oldest_due_date", "last_payment_amount",
    "last_payment_date", "first_letter_ref", "first_letter_date", "plan_options", "plan_offer", "plan_next_due",
    "plan_next_amount", "widget_hint", "free_advice", "firm_name", "firm_phone", "firm_email", "signature",
    "callback_hint", "helpline",
})


@lru_cache(maxsize=4)
def load_library(folder: Path) -> Library:
    if not folder.is_dir():
        raise ConfigError(f"message library folder not found: {folder}")
    by_intent: dict[Intent, list[Template]] = {}
    versions = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = LibraryFile.model_validate(load_yaml(path))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"message library file {path} is invalid: {exc}") from exc
        for t in data.templates:
            if t.id in seen:
                raise ConfigError(f"{path}: duplicate template id {t.id!r}")
            seen.add(t.id)
            unknown = t.placeholders() - ALLOWED_PLACEHOLDERS
            if unknown:
                raise ConfigError(f"{path}: template {t.id} uses unknown placeholders {sorted(unknown)}")
        by_intent.setdefault(data.intent, []).extend(data.templates)
        versions.append(f"{path.stem}@{data.version}")
    missing = [i for i in INTENTS if i not in by_intent]
    if missing:
        raise ConfigError(f"message library {folder} lacks intents: {', '.join(missing)}")
    return Library(version="+".join(versions), templates=by_intent)


def render(template: Template, values: dict[str, str]) -> str:
    missing = template.placeholders() - values.keys()
    if missing:
        raise ConfigError(f"template {template.id} needs facts that are not available: {sorted(missing)}")
    # format_map never re-parses substituted values: braces in facts cannot inject template code.
    return template.text.format_map(values).strip()
