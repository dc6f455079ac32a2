"""What a debtor's message says: every intent with a confidence, details with spans, input warnings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Label = Literal[
    "hardship", "dispute", "already_paid", "promise_to_pay", "asks_for_plan", "asks_for_details", "refuses",
    "stop_contact", "prescription", "third_party", "complaint", "crisis", "other",
]
LABELS: tuple[Label, ...] = (
    "hardship", "dispute", "already_paid", "promise_to_pay", "asks_for_plan", "asks_for_details", "refuses",
    "stop_contact", "prescription", "third_party", "complaint", "crisis", "other",
)
# The primary label (the draft's single `intent`) is the first present in this order: safety first.
PRIORITY: tuple[Label, ...] = (
    "crisis", "third_party", "stop_contact", "dispute", "prescription", "already_paid", "hardship", "refuses",
    "promise_to_pay", "asks_for_plan", "asks_for_details", "complaint", "other",
)
DetailKind = Literal[
    "amount_offered", "promised_date", "payment_claimed", "channel_preference", "time_preference",
    "third_party_role", "over_indebtedness_file", "identity_theft",
]
DETAIL_KINDS: tuple[DetailKind, ...] = (
    "amount_offered", "promised_date", "payment_claimed", "channel_preference", "time_preference",
    "third_party_role", "over_indebtedness_file", "identity_theft",
)
Method = Literal["rule", "classifier", "rule+classifier", "knn", "fallback"]


class IntentScore(BaseModel):
    label: Label
    confidence: float = Field(ge=0.0, le=1.0)
    method: Method
    evidence: str = ""  # the rule's matched text, when a rule fired


class Detail(BaseModel):
    """A span of the (original) message text carrying one detail; ``value`` is normalised.

    Values: amounts "12345c" plus "/month" etc. (e.g. "8000c/month"); dates ISO (or "on_salary" when the
    promise is tied to the pay day); channels "email|sms|phone|letter"; times e.g. "not_at_work", "after:18:00".
    """

    kind: DetailKind
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: str | None = None
    attrs: dict[str, str] = Field(default_factory=dict)  # e.g. payment_claimed: amount, date, means, reference


class Analysis(BaseModel):
    intents: list[IntentScore]  # every label present (never empty; "other" alone when nothing applies)
    # the draft's single label: the highest-priority label a rule found; the classifier's labels decide
    # only when no rule fired (they stay listed, with their confidence, for the agent)
    primary: Label
    details: list[Detail] = Field(default_factory=list)
    injection_suspected: bool = False
    warnings: list[str] = Field(default_factory=list)  # e.g. "html_stripped", "truncated", "no_words"
    learned: bool = False  # whether the trained classifier took part
    stop_channels: list[str] = Field(default_factory=list)  # channels a stop request names (empty: all)

    def has(self, label: Label) -> bool:
        return any(i.label == label for i in self.intents)

    def ruled(self, label: Label) -> bool:
        """A rule phrase (not the classifier alone) found this label."""
        return any(i.label == label and i.method.startswith("rule") for i in self.intents)

    def confidence(self, label: Label) -> float:
        return next((i.confidence for i in self.intents if i.label == label), 0.0)
