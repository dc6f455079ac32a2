"""US-TIMEBAR: Reg F 1006.26(b): no suit or threat of suit on a time-barred debt."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta
from agent.guard.rules.detectors import IMPRESCRIPTIBLE_RX, legal_hits, seizure_hits

BASIS = "Reg F 12 CFR 1006.26(b); FDCPA 1692e(2)(A), 1692e(5)"

THREAT = Meta("US-TIMEBAR.suit-threat", "The debt is time-barred: no suit or threat of suit is allowed.", BASIS,
              None, "Because of the age of your debt, we will not sue you for it.")
NEVER = Meta("US-TIMEBAR.never-expires", "Claiming the debt never expires misrepresents its legal status.", BASIS,
             None, "Because of the age of your debt, we will not sue you for it.")


@register(order=150)
class UsTimebarRule(BaseRule):
    family = "US-TIMEBAR"
    scope = "us"
    needs_context = True

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        m = IMPRESCRIPTIBLE_RX.search(doc.norm)
        if m:
            out.append(self.make(doc, NEVER, m.start(), m.end()))
        if ctx.debtor is not None and ctx.debtor.signals.time_barred:
            hits = legal_hits(doc) + seizure_hits(doc)
            if hits:
                out.append(self.make(doc, THREAT, hits[0].start, hits[0].end))
        return out
