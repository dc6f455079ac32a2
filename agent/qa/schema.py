"""The scenario schema: one QA evaluation case, as data (YAML or JSONL).

A scenario names a sample-portfolio debtor (``debtor_id``) or describes an inline debtor
situation (``situation``), gives the debtor's incoming message, the channel and language of
the reply, and what a good reply must (and must not) contain. ``evals/schema/scenario.schema.json``
is generated from these models (``amiable eval schema``); a test keeps it in sync.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.domain import Channel, Lang
from agent.drafting.models import Intent, NextActionCode

SCHEMA_VERSION = "1"

Tag = Literal[
    "abusive", "distressed", "dispute", "vulnerability", "third_party", "prompt_injection", "time_barred",
    "b2b", "plan", "promise", "details", "refusal", "stop_contact", "already_paid", "other", "first_contact",
    "sms", "title", "disorder", "english", "french",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvoiceSpec(_Strict):
    number: str = Field(min_length=1, max_length=40)
    issue_date: dt.date
    due_date: dt.date
    principal_cents: int = Field(gt=0)
    interest_cents: int = Field(default=0, ge=0)
    other_cents: int = Field(default=0, ge=0)
    description: str = ""


class PaymentSpec(_Strict):
    date: dt.date
    amount_cents: int = Field(gt=0)


class FirstLetterSpec(_Strict):
    reference: str = Field(min_length=1)
    date: dt.date


class CreditorSpec(_Strict):
    name: str = "Créancier Exemple SAS"
    address: str = "1 rue de l'Exemple, 75001 Paris"
    sector: str = ""
    kind: Literal["business", "public"] = "business"
    mandate_to_sue: bool = False


class TitleSpec(_Strict):
    kind: str
    date: dt.date
    court: str = ""


class Situation(_Strict):
    """An inline debtor file, for cases the sample portfolio does not cover."""

    reference: str = Field(min_length=1, max_length=64)
    kind: Literal["consumer", "business"] = "consumer"
    civility: str = ""
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    language: Lang = "fr"
    address_form: Literal["vous", "tu"] = "vous"
    preferred_channel: Channel = "email"
    creditor: CreditorSpec = CreditorSpec()
    invoices: list[InvoiceSpec] = Field(min_length=1)
    payments: list[PaymentSpec] = Field(default_factory=list)
    first_letter: FirstLetterSpec | None = None
    hardship: bool = False
    over_indebtedness: bool = False
    vulnerable: bool = False
    dispute: str | None = Field(default=None, description="reason of an open dispute")
    enforceable_title: TitleSpec | None = None
    prescription_date: dt.date | None = None

    @model_validator(mode="after")
    def _names(self) -> Situation:
        if self.kind == "business" and not self.company_name:
            raise ValueError("business situations need company_name")
        if self.kind == "consumer" and not self.last_name:
            raise ValueError("consumer situations need last_name")
        return self


class PlanExpect(_Strict):
    """Bounds on the plan options a reply offers."""

    none: bool = Field(default=False, description="no plan may be offered (dispute, time-barred, ...)")
    min_options: int | None = Field(default=None, ge=0)
    max_options: int | None = Field(default=None, ge=0)
    max_count: int | None = Field(default=None, ge=1, description="most instalments in any option")
    min_instalment_cents: int | None = Field(default=None, ge=1)
    max_duration_months: int | None = Field(default=None, ge=1, le=24)


class Expectations(_Strict):
    intent: Intent | list[Intent] | None = Field(default=None, description="the intent (or acceptable intents)")
    cite_any: list[str] = Field(default_factory=list, description="guideline section ids; at least one cited")
    cite_all: list[str] = Field(default_factory=list, description="guideline section ids that must all be cited")
    facts: list[str] = Field(default_factory=list,
                             description="fact keys (balance, reference, ...) whose value must appear in the text")
    must_include: list[str] = Field(default_factory=list,
                                    description="phrases that must appear (case and accent insensitive); "
                                                "'a|b' means a or b")
    must_not_include: list[str] = Field(default_factory=list,
                                        description="phrases that must not appear (case and accent insensitive)")
    plan: PlanExpect | None = None
    sendable: bool | None = None
    next_action: list[NextActionCode] = Field(default_factory=list, description="acceptable next actions")

    @property
    def intents(self) -> list[str]:
        if self.intent is None:
            return []
        return [self.intent] if isinstance(self.intent, str) else list(self.intent)


class Scenario(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
    title: str = Field(default="", max_length=200)
    lang: Lang
    channel: Channel
    debtor_id: str | None = Field(default=None, min_length=1, max_length=64)
    situation: Situation | None = None
    message: str = Field(min_length=1, max_length=20_000, description="the debtor's (or third party's) message")
    instruction: str | None = Field(default=None, max_length=500)
    plan_months: int | None = Field(default=None, ge=1, le=400)
    tags: list[Tag] = Field(default_factory=list)
    expect: Expectations = Expectations()

    @model_validator(mode="after")
    def _one_debtor(self) -> Scenario:
        if (self.debtor_id is None) == (self.situation is None):
            raise ValueError("give exactly one of debtor_id or situation")
        return self

    @property
    def inline_debtor_id(self) -> str:
        return f"EVAL-{self.id}"

    @property
    def effective_debtor_id(self) -> str:
        return self.debtor_id if self.debtor_id is not None else self.inline_debtor_id


class DatasetFile(_Strict):
    """A YAML dataset: a version, an optional description and the scenarios."""

    version: Literal[1] = 1
    description: str = ""
    scenarios: list[Scenario] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://amiable.local/evals/schema/scenario.schema.json"
    schema["description"] = (
        "One QA evaluation scenario (schema version " + SCHEMA_VERSION + "). YAML datasets hold "
        "{version: 1, description, scenarios: [Scenario, ...]}; JSONL datasets hold one Scenario per line."
    )
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
