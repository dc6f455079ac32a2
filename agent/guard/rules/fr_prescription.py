"""FR-PRESCRIPTION: no legal threat on a time-barred debt, no "imprescriptible" claim, disputed debts suspended."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, prefix_set
from agent.guard.registry import register
from agent.guard.rules._common import DEADLINE_RX, BaseRule, Meta, first_valid, negated
from agent.guard.rules.detectors import ACK_RX, DEMAND_RX, IMPRESCRIPTIBLE_RX, legal_hits, seizure_hits

BASIS = "C. consom. L218-2 (2 years, consumer); C. civ. 2224 (5 years); C. consom. L121-2"


IMPRESCRIPTIBLE = Meta(
    "FR-PRESCRIPTION.imprescriptible",
    "Claiming that a debt never prescribes is false: consumer debts owed to professionals prescribe after 2 years, "
    "other civil debts after 5 years.",
    BASIS,
    "Votre dossier reste ouvert ; trouvons ensemble une solution pour le régler.",
    "Your account remains open; let's find a way to settle it together.",
)
TIME_BARRED = Meta(
    "FR-PRESCRIPTION.time-barred-threat",
    "The debt is time-barred (prescription date passed): no legal action or enforcement may be threatened.",
    BASIS,
    "Votre dette est ancienne ; si vous souhaitez la régler volontairement, nous pouvons convenir ensemble d'une solution.",
    "Because of the age of your debt, we will not sue you; if you wish to pay it voluntarily, we can agree a solution.",
)
DISPUTED = Meta(
    "FR-PRESCRIPTION.disputed",
    "The debtor has an open dispute: recovery must be suspended while the claim is verified; the text demands payment "
    "or applies pressure without acknowledging the dispute.",
    "CPCE R124-4 (basis of the debt); C. consom. L121-6 (aggressive practice)",
    "Vous contestez la créance : nous suspendons nos démarches le temps de vérifier et revenons vers vous.",
    "You dispute this debt: we are pausing collection while we verify it and will come back to you.",
)


@register(order=60)
class PrescriptionRule(BaseRule):
    family = "FR-PRESCRIPTION"
    needs_context = True
    triggers = prefix_set("imprescriptible", "prescrit", "prescription", "expire", "never", "statute", "cannot")

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        if doc.has_any(self.triggers):
            for m in first_valid(doc, IMPRESCRIPTIBLE_RX):
                out.append(self.make(doc, IMPRESCRIPTIBLE, m.start(), m.end()))
                break
        debtor = ctx.debtor
        if debtor is None:
            return out
        if debtor.signals.time_barred:
            hits = legal_hits(doc) + seizure_hits(doc)
            if hits:
                out.append(self.make(doc, TIME_BARRED, hits[0].start, hits[0].end))
        if debtor.disputed:
            ack = ACK_RX.search(doc.norm) is not None
            pressure = legal_hits(doc) + seizure_hits(doc)
            if pressure:
                out.append(self.make(doc, DISPUTED, pressure[0].start, pressure[0].end))
            else:
                for m in first_valid(doc, DEMAND_RX):
                    if negated(doc, m.start()):
                        continue
                    if not ack or DEADLINE_RX.search(doc.sentence_text(m.start())):
                        out.append(self.make(doc, DISPUTED, m.start(), m.end()))
                    break
        return out
