"""US-MISLEAD: FDCPA 1692e: no arrest / criminal threats, no garnishment without judgment, no court or attorney
imitation, no action not intended."""

from __future__ import annotations

from typing import Literal

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import DEADLINE_RX, BaseRule, Meta, allowed_context, first_valid, rx
from agent.guard.rules.detectors import (
    CASE_NO_RX,
    JUDICIAL_RX,
    OFFICER_ACT_RX,
    OFFICIAL_RX,
    deadline_pressure_hits,
    legal_hits,
    other_threat_hits,
    seizure_hits,
)

BASIS = "FDCPA 15 U.S.C. 1692e"
ATTORNEY_RX = rx(r"\b(?:our|my) (?:attorneys?|lawyers?|law firm|legal counsel)\b|\battorney at law\b|\besq\.")

ARREST = Meta("US-MISLEAD.arrest", "Threatening arrest, jail or police for a debt is false and misleading.", BASIS + "(4)",
              None, "We'd like to work with you to resolve this balance.")
CRIMINAL = Meta("US-MISLEAD.criminal", "Implying non-payment is a crime or threatening prosecution is false.", BASIS + "(7)",
                None, "We'd like to work with you to resolve this balance.")
GARNISH = Meta("US-MISLEAD.garnish-no-judgment", "Garnishment, levy or seizure is threatened without a judgment in the file.",
               BASIS + "(4), (5)", None, "Let's find a payment arrangement that works for you.")
SEIZE_DEADLINE = Meta("US-MISLEAD.seizure-deadline", "Seizure or garnishment announced with a short deadline is abusive.",
                      BASIS + "(5); 1692d", None, "Let's agree on a realistic payment date together.")
COURT = Meta("US-MISLEAD.court-impersonation", "The text imitates a court, an officer or a legal document.", BASIS + "(9), (13)",
             None, "This is a communication from a debt collector.")
ATTORNEY = Meta("US-MISLEAD.attorney", "The text implies an attorney is involved; no attorney is instructed in the file.",
                BASIS + "(3)", None, "This is a communication from a debt collector.")
NOT_INTENDED = Meta("US-MISLEAD.action-not-intended", "Legal action is threatened but the creditor has not authorised suit.",
                    BASIS + "(5)", None, "Let's find a way to resolve this balance together.")
UNVERIFIED = Meta("US-MISLEAD.legal-action-unverified",
                  "Legal action is threatened; without a file the guard cannot check the debt is not time-barred and suit is intended.",
                  BASIS + "(5); Reg F 1006.26(b)", None, "Let's find a way to resolve this balance together.")
CREDIT = Meta("US-MISLEAD.blacklist", "Threatening a 'blacklist' or similar listing misrepresents credit reporting.",
              BASIS + "(8)", None, "Let's find a payment arrangement that works for you.")
GUARDIAN = Meta("US-MISLEAD.family-threat", "Threats about guardianship, children or social services are abusive and false.",
                BASIS + "(5); 1692d", None, "Let's find a payment arrangement that works for you.")


DEADLINE_PRESSURE = Meta(
    "US-MISLEAD.deadline-pressure",
    "A very short deadline ('within 24 hours', 'final notice') is tied to a consequence ('or else', 'before legal "
    "action'): false urgency to force payment is a false or misleading representation.",
    "FDCPA 15 U.S.C. 1692e(5), 1692e(10), 1692f; Reg F 12 CFR 1006.18",
    None,
    "Please let us know by [date] which payment option works for you.",
)


@register(order=110)
class UsMisleadRule(BaseRule):
    family = "US-MISLEAD"
    scope = "us"

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        debtor = ctx.debtor
        for hit in seizure_hits(doc)[:1]:
            if DEADLINE_RX.search(hit.detail):
                out.append(self.make(doc, SEIZE_DEADLINE, hit.start, hit.end))
            if debtor is None:  # lawful after a judgment: a warning until the file says
                out.append(self.make(doc, GARNISH, hit.start, hit.end, severity="warn", missing_fact="judgment"))
            elif debtor.title is None:
                out.append(self.make(doc, GARNISH, hit.start, hit.end))
        metas = {"arrest": ARREST, "criminal": CRIMINAL, "guardian": GUARDIAN}
        for hit in other_threat_hits(doc):
            if hit.kind in metas:
                out.append(self.make(doc, metas[hit.kind], hit.start, hit.end))
            elif hit.kind == "bdf" and "blacklist" in doc.norm[hit.start:hit.end]:
                out.append(self.make(doc, CREDIT, hit.start, hit.end))
        for pattern in (OFFICER_ACT_RX, JUDICIAL_RX, CASE_NO_RX, OFFICIAL_RX):
            for m in first_valid(doc, pattern):
                if allowed_context(doc, m.start()):
                    continue
                if debtor is not None and debtor.title is not None and debtor.title.court:
                    continue
                out.append(self.make(doc, COURT, m.start(), m.end()))
                break
        for m in first_valid(doc, ATTORNEY_RX):
            if not allowed_context(doc, m.start()):
                out.append(self.make(doc, ATTORNEY, m.start(), m.end()))
                break
        for a, b in deadline_pressure_hits(doc)[:1]:
            out.append(self.make(doc, DEADLINE_PRESSURE, a, b))
        legal = legal_hits(doc)
        if legal:
            if debtor is None:
                out.append(self.make(doc, UNVERIFIED, legal[0].start, legal[0].end, severity="warn",
                                     missing_fact="time_barred"))
            elif not debtor.creditor.mandate_to_sue and self.policy.action_not_intended != "off":
                level: Literal["block", "warn"] = "block" if self.policy.action_not_intended == "block" else "warn"
                out.append(self.make(doc, NOT_INTENDED, legal[0].start, legal[0].end, severity=level))
        return out
