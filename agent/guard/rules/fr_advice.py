"""FR-ADVICE: no legal advice to debtors (reserved activity); referrals to free advice are fine."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, rx

BASIS = "Loi 71-1130 du 31 décembre 1971, art. 54 (legal advice is a reserved activity)"

_ACTS = (
    r"(?:deposer|invoquer|opposer|contester|saisir|(?:faire|ferais|ferait|ferai) (?:opposition|appel|jouer)|refuser|ne (?:pas|rien) (?:payer|regler|repondre|verser)|porter plainte|demander (?:le|un|l') ?(?:effacement|retablissement|annulation)"
    r"|declarer|attaquer|engager une (?:action|procedure)|poursuivre|assigner|vous declarer|cesser de payer|arreter de payer|ignorer)"
)
ADVICE_RX = rx(
    r"\b(?:vous devriez|vous devez|je vous (?:conseille|recommande|suggere)(?: de| d')?|nous vous (?:conseillons|recommandons|suggerons)(?: de| d')?|il (?:vous )?faut|mieux vaut|le mieux (?:serait|est) de"
    r"|a votre place,?(?: je)?|vous avez (?:tout )?interet a|n'hesitez pas a)(?: \w+){0,3}? " + _ACTS +
    r"|\bne (?:payez|reglez|versez) (?:surtout )?(?:pas|rien)\b(?! (?:deux fois|en double|de nouveau|en especes|a un tiers|par|sur|a une personne|sans|avant))"
    r"|\b(?:deposez|faites|presentez) (?:un|une) (?:dossier|demande) (?:de|en) (?:surendettement|retablissement|faillite)|\binvoquez|\bopposez la prescription|\bfaites (?:opposition|jouer la prescription)"
    r"|\bla loi vous permet de ne pas payer|\bvous n'(?:etes|avez) (?:pas|plus) (?:oblige|tenu|a payer|besoin de payer)|\bvotre (?:dette|creance) est prescrite,? (?:vous|donc|ne)"
    r"|\b(?:you should|you must|you'd better|i (?:would )?(?:advise|recommend|suggest)(?: that)?(?: you)?|we (?:advise|recommend|suggest)(?: that)?(?: you)?|my advice is|the best (?:thing|option) is to)(?: to)?(?: \w+){0,3}? "
    r"(?:file|declare|claim|invoke|plead|dispute|sue|refuse|not pay|stop paying|ignore|raise|challenge|go bankrupt)"
    r"|\b(?:don't|do not) pay\b(?! (?:twice|again|anyone|in cash|by|to|someone|before|more))|\bstop paying\b|\b(?:you are|you're) not (?:legally )?(?:obliged|required) to pay|\bjust ignore (?:this|the)"
)
_REFERRAL = rx(
    r"consult\w*|vous renseigner|renseignez|se renseigner|rapprocher|adresser|association|point conseil budget|cresus|avocat de votre choix|maison de (?:la )?justice"
    r"|conciliateur|adil|conseil gratuit|free (?:advice|debt advice)|independent advice|citizens advice|stepchange|adviser|counsel(?:or|ling)|seek advice|speak to"
)

_CONDITIONAL_PRE = rx(r"\b(?:if|when|unless|si|lorsque|quand|tant que)(?: you| vous)?(?: \w+)? ?$")

ADVICE = Meta(
    "FR-ADVICE.legal-advice",
    "The text tells the debtor what to do legally (not pay, invoke prescription, file for over-indebtedness, sue, "
    "dispute...). The firm may not give legal advice to debtors; refer them to free, independent advice instead.",
    BASIS,
    "Vous pouvez obtenir un conseil gratuit auprès d'un Point conseil budget ou d'une association comme CRÉSUS.",
    "You can get free, independent advice from a debt advice charity.",
)


@register(order=70)
class AdviceRule(BaseRule):
    family = "FR-ADVICE"

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        for m in first_valid(doc, ADVICE_RX):
            pre = doc.norm[max(0, m.start() - 14):m.start()]
            if _CONDITIONAL_PRE.search(pre):
                continue
            tail = doc.norm[m.start():m.end() + 40]
            if _REFERRAL.search(m.group(0)) or (_REFERRAL.search(tail) and "ne pas" not in tail and "not pay" not in tail):
                continue
            return [self.make(doc, ADVICE, m.start(), m.end())]
        return []
