"""Family id -> rule class, in the order the pipeline runs them."""

from __future__ import annotations

from agent.guard.rules._common import BaseRule
from agent.guard.rules.amounts import AmountRule, UsAmountRule
from agent.guard.rules.fr_advice import AdviceRule
from agent.guard.rules.fr_fees import FeesRule
from agent.guard.rules.fr_harass import HarassRule
from agent.guard.rules.fr_mentions import MentionsRule
from agent.guard.rules.fr_officer import OfficerRule
from agent.guard.rules.fr_prescription import PrescriptionRule
from agent.guard.rules.fr_threat import ThreatRule
from agent.guard.rules.fr_vulnerable import VulnerableRule
from agent.guard.rules.third_party import ThirdPartyRule, UsThirdRule
from agent.guard.rules.tone import ToneRule
from agent.guard.rules.uk_conc import UkConcRule
from agent.guard.rules.us_harass import UsHarassRule
from agent.guard.rules.us_mislead import UsMisleadRule
from agent.guard.rules.us_timebar import UsTimebarRule

REGISTRY: dict[str, type[BaseRule]] = {
    "FR-MENTIONS": MentionsRule,
    "FR-FEES": FeesRule,
    "FR-OFFICER": OfficerRule,
    "FR-THREAT": ThreatRule,
    "FR-HARASS": HarassRule,
    "FR-PRESCRIPTION": PrescriptionRule,
    "FR-ADVICE": AdviceRule,
    "FR-VULNERABLE": VulnerableRule,
    "THIRD-PARTY": ThirdPartyRule,
    "AMOUNT": AmountRule,
    "US-MISLEAD": UsMisleadRule,
    "US-HARASS": UsHarassRule,
    "US-THIRD": UsThirdRule,
    "US-AMOUNT": UsAmountRule,
    "US-TIMEBAR": UsTimebarRule,
    "UK-CONC": UkConcRule,
    "TONE": ToneRule,
}
