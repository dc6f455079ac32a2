"""FR-VULNERABLE: over-indebtedness, hardship, illness, job loss: no pressure, offer hardship options."""

from __future__ import annotations

import re

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, negated, rx
from agent.guard.rules.detectors import ACK_RX, DEMAND_RX, legal_hits, other_threat_hits, seizure_hits

BASIS = "C. consom. L721-1 ff., L722-2 and L722-5 (suspension once the file is admissible); L121-6"

VULN_TEXT_RX = rx(
    r"\bsurendett\w*|\bcommission de surendettement|\bplan de redressement|\bretablissement personnel|\bperte (?:de (?:votre|son|mon) |d')emploi"
    r"|\b(?:licencie\w*|licenciement|chomage|maladie|malade|hospitalis\w*|deces|deuil|invalidite|handicap\w*|precarite|difficultes? financieres?|situation (?:difficile|precaire)|rsa|minima sociaux)\b"
    r"|\b(?:over-?indebted\w*|debt relief order|bankrupt\w*|lost (?:your|his|her|my) job|unemploy\w*|illness|hospital\w*|bereave\w*|disabilit\w*|financial (?:hardship|difficult\w*)|hardship|vulnerab\w*|cancer|sick)\b"
)
_COND = rx(r"\bsi (?:vous|votre)|\bif (?:you|your)|\ben cas (?:de|d')|\bshould you|\bin case")
PRESSURE_RX = rx(
    r"\bsous \d+ ?(?:h|heures|jours)\b|\bdans les \d+ ?(?:h|heures)\b|\b(?:24|48|72) ?h(?:eures)?\b|\bimmediate\w*|\bsans (?:delai|plus attendre)"
    r"|\bdes (?:aujourd'hui|reception|maintenant)|\bdernier (?:avis|delai|rappel|avertissement)|\bderniere (?:chance|relance)|\burgent\w*|\bexige\w*"
    r"|\bwithin \d+ (?:hours|days)|\bright (?:away|now)|\bfinal (?:notice|warning|demand)|\blast chance|\bdemand (?:immediate|full)"
    r"|\bpay (?:now|today|in full)|\bpayez (?:maintenant|aujourd'hui|tout|la totalite|integralement)|\bin full (?:immediately|now|today)|\bau plus vite|\bas soon as possible|\basap\b"
    r"|\bvendre (?:votre|vos)|\bsell (?:your|the)|\bemprunt\w*|\bborrow\w*|\bcredit (?:renouvelable|a la consommation)|\bpayday loan|\bpas d'excuses?|\bno excuses?"
    r"|\ben une (?:seule )?fois|\bin one go|\bin a single payment|\bpas de delai|\bno (?:more )?(?:delay|extension)"
)

PRESSURE = Meta(
    "FR-VULNERABLE.pressure",
    "The debtor is in a vulnerable situation (over-indebtedness, hardship, illness, job loss): pressure wording "
    "(deadlines, threats, demands to pay at once, to borrow or to sell) must stop; offer hardship options instead.",
    BASIS,
    "Nous comprenons votre situation : nous suspendons nos relances et pouvons vous proposer un échéancier adapté. "
    "Dites-nous ce qui serait réaliste pour vous.",
    "We understand your situation: we are pausing reminders and can offer a plan that suits you. Tell us what "
    "would be realistic for you.",
)
OVER_INDEBTED_DEMAND = Meta(
    "FR-VULNERABLE.over-indebted-demand",
    "The file shows an over-indebtedness procedure: once the file is admissible, recovery is suspended; the text "
    "demands payment without acknowledging the procedure.",
    BASIS,
    "Merci de nous avoir informés de votre dossier de surendettement : nous suspendons les relances dans l'attente "
    "de la décision de la commission.",
    "Thank you for telling us about your over-indebtedness file: we are pausing reminders until the commission decides.",
)


def _acknowledged_in_text(doc: Doc) -> bool:
    for m in first_valid(doc, VULN_TEXT_RX):
        sent = doc.sentence_text(m.start())
        if not _COND.search(sent):
            return True
    return False


@register(order=80)
class VulnerableRule(BaseRule):
    family = "FR-VULNERABLE"
    needs_context = True

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        debtor = ctx.debtor
        flagged = debtor is not None and (debtor.over_indebtedness or debtor.hardship or debtor.vulnerable)
        if not flagged and not _acknowledged_in_text(doc):
            return []
        out: list[Finding] = []
        spans: list[tuple[int, int]] = []
        for m in first_valid(doc, PRESSURE_RX, anchored=False):
            if not negated(doc, m.start()):
                spans.append((m.start(), m.end()))
                break
        for hit in legal_hits(doc) + seizure_hits(doc) + other_threat_hits(doc):
            spans.append((hit.start, hit.end))
            break
        if spans:
            a, b = min(spans)
            out.append(self.make(doc, PRESSURE, a, b))
        elif debtor is not None and debtor.over_indebtedness and not ACK_RX.search(doc.norm) \
                and not _SURENDETTEMENT.search(doc.norm):
            for m in first_valid(doc, DEMAND_RX):
                if not negated(doc, m.start()):
                    out.append(self.make(doc, OVER_INDEBTED_DEMAND, m.start(), m.end()))
                    break
        return out


_SURENDETTEMENT: re.Pattern[str] = rx(r"surendett|over-?indebted|commission")
