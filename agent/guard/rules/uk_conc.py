"""UK-CONC: FCA CONC 7 (arrears, default and recovery) for English text under UK rules.

The phrases live in ``knowledge/policy/lexicons/uk-conc.yaml`` (bailiffs misrepresented, official-looking
documents, threats of action that cannot be taken, pressure to pay in one go / to borrow or sell property,
unreasonable times, third-party awareness); the shared detectors add legal-action threats (lawful only
when intended: mandate), deadline pressure, contact hours and disclosure to a third-party recipient.
"""

from __future__ import annotations

from typing import Literal

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, negated
from agent.guard.rules.detectors import DEBT_RX, deadline_pressure_hits, legal_hits, local_time

BASIS = "FCA CONC 7.3.4R, 7.3.10R"

LEGAL_UNVERIFIED = Meta(
    "UK-CONC.legal-action-unverified",
    "Court action is mentioned; without a file the guard cannot check that the creditor intends (and is able) to "
    "take it: threatening action that is not intended is misleading.",
    BASIS + "; CONC 7.3.7AR", None, "Let's agree together an affordable way to repay.",
)
NOT_INTENDED = Meta(
    "UK-CONC.action-not-intended",
    "The text threatens court action but the creditor has not mandated it (mandate_to_sue is false).",
    BASIS + "; CONC 7.3.7AR", None, "Let's agree together an affordable way to repay.",
)
DEADLINE = Meta(
    "UK-CONC.deadline-pressure",
    "A very short deadline tied to a consequence ('within 24 hours or else') is undue pressure.",
    BASIS, None, "Please let us know by [date] which payment option works for you.",
)
HOURS = Meta(
    "UK-CONC.unreasonable-hours",
    "The contact is scheduled at an unreasonable time at the customer's location.",
    "FCA CONC 7.9.4R", None, "Schedule the contact at a reasonable time (default 08:00-21:00 local).",
)
DISCLOSURE = Meta(
    "UK-CONC.third-party-disclosure",
    "The message goes to a third party and reveals the debt.",
    "FCA CONC 7.3.4R; UK GDPR art. 5-6", None, "Could you ask them to contact us? It is a personal matter.",
)


@register(order=160)
class UkConcRule(BaseRule):
    family = "UK-CONC"
    scope = "uk"
    needs_context = True  # contact hours and recipient, even without trigger words

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        # the lexicon entries (knowledge/policy/lexicons/uk-conc.yaml) run in BaseRule.check
        out: list[Finding] = []
        debtor = ctx.debtor
        for a, b in deadline_pressure_hits(doc)[:1]:
            out.append(self.make(doc, DEADLINE, a, b))
        legal = legal_hits(doc)
        if legal:
            hit = legal[0]
            if debtor is None:
                out.append(self.make(doc, LEGAL_UNVERIFIED, hit.start, hit.end, severity="warn",
                                     missing_fact="mandate_to_sue"))
            elif not debtor.creditor.mandate_to_sue and self.policy.action_not_intended != "off":
                level: Literal["block", "warn"] = "block" if self.policy.action_not_intended == "block" else "warn"
                out.append(self.make(doc, NOT_INTENDED, hit.start, hit.end, severity=level))
        at = ctx.scheduled_at
        if at is not None and ctx.channel in ("phone", "sms"):
            uk = self.policy.uk
            local = local_time(ctx, at, uk.timezone)
            if not uk.call_window.contains(local.time().replace(tzinfo=None)):
                out.append(self.make(doc, HOURS, explanation=HOURS.explanation + f" Scheduled: {local:%H:%M %Z}."))
        if ctx.recipient == "third_party":
            for m in first_valid(doc, DEBT_RX):
                if not negated(doc, m.start()):
                    out.append(self.make(doc, DISCLOSURE, m.start(), m.end()))
                    break
        return out
