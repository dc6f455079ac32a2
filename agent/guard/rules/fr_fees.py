"""FR-FEES (and US-AMOUNT fees): recovery costs without an enforceable title stay with the creditor."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, prefix_set
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, negated, rx

BASIS = "CPCE L111-8 (recovery costs without title stay with the creditor); C. consom. L121-21"

FEE_RX = rx(
    r"\bfrais (?:de (?:recouvrement|dossier|gestion|relance|traitement|contentieux|procedure|poursuite|mise en demeure|courrier|rappel|intervention|huissier|commissaire|deplacement|recherche|rejet)|d'(?:huissier|intervention|ouverture|agence)|administratifs|supplementaires|annexes|de recouvrement amiable)"
    r"|\bindemnites? forfaitaires?(?: (?:pour|de) frais de recouvrement)?|\bmajorations?(?: de)? \d+(?:[.,]\d+)? ?%|\bmajorations?\b|\bpenalites?(?: de retard| contractuelles?| forfaitaires?)?|\bindemnites? (?:forfaitaires?|de recouvrement|pour frais)|\bclause penale"
    r"|\bsurcout|\bsurcharge\w*|\bcommission de recouvrement|\bhonoraires (?:de recouvrement|du cabinet|a votre charge)"
    r"|\b(?:processing|collection|administrative|admin|handling|service|late|convenience|recovery|file|filing|agency) (?:fees?|charges?|costs?)\b|\bcollection costs?|\bpenalty\b|\bpenalties\b"
)
_CREDITOR_BEARS = rx(
    r"restent? (?:integralement |entierement )?a la charge (?:de notre client|du creancier|de (?:la societe|l'entreprise) creanciere|de notre mandant|du cabinet)"
    r"|(?:pris|prise|supportes?|assumes?) (?:en charge )?par (?:notre client|le creancier|le cabinet|nous)|(?:borne|paid|covered) by (?:our client|the creditor|us)"
    r"|\bsans (?:aucun )?frais|\baucun(?:s)? frais|\bno (?:additional |extra )?(?:fee|fees|charge|charges|cost)|\bfree of charge|\bis free\b|\bgratuit\w*|\bwithout (?:any )?(?:fee|charge)"
    r"|\bne (?:vous )?(?:sera|seront|facturons|facturerons|appliquons|appliquerons|reclamons|ajouterons) (?:\w+ )?(?:pas|aucun|aucune|jamais)|\bwe (?:do not|don't|will not|won't|never) (?:charge|add)"
)
_B2B_LAWFUL = rx(r"indemnites? (?:forfaitaires?|pour frais)|penalites? (?:de retard|contractuelles?)|penalites?\b|late (?:fees?|charges?)|interets? de retard")

FEE = Meta(
    "FR-FEES.fee-charged",
    "Recovery costs (frais de recouvrement, frais de dossier, majoration, pénalité...) are charged to the debtor. "
    "Without an enforceable title they stay with the creditor; any contrary clause is void.",
    BASIS,
    "Les frais de recouvrement amiable restent à la charge de notre client ; seule la somme due vous est demandée.",
    "Amicable recovery costs are borne by our client; you are only asked for the amount due.",
)
FEE_B2B_UNKNOWN = Meta(
    "FR-FEES.b2b-only",
    "The 40 EUR flat indemnity and contractual late-payment penalties are lawful only for business debtors; "
    "without a debtor file the guard cannot know the debtor's kind.",
    BASIS + "; C. com. L441-10, D441-5",
    "Les frais de recouvrement amiable restent à la charge de notre client ; seule la somme due vous est demandée.",
    "Amicable recovery costs are borne by our client; you are only asked for the amount due.",
)
FEE_US = Meta(
    "US-AMOUNT.fee",
    "A fee (processing, collection, convenience, late...) is added that the agreement or the law does not authorise.",
    "FDCPA 15 U.S.C. 1692f(1); Reg F 12 CFR 1006.22(b)",
    "Aucun frais n'est ajouté à la somme due.",
    "No fee is added to the amount due; paying online is free.",
)


@register(order=20)
class FeesRule(BaseRule):
    family = "FR-FEES"
    triggers = prefix_set(
        "frais", "majoration", "majorations", "penalite", "penalites", "indemnite", "indemnites", "clause", "surcout",
        "surcharge", "commission", "honoraires", "processing", "collection", "administrative", "admin", "handling",
        "service", "late", "convenience", "recovery", "file", "filing", "agency", "penalty", "penalties",
    )

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        return self.run_with(doc, ctx, us=False)

    def run_with(self, doc: Doc, ctx: GuardContext, *, us: bool) -> list[Finding]:
        if not doc.has_any(self.triggers):
            return []
        debtor = ctx.debtor
        for m in first_valid(doc, FEE_RX):
            sent = doc.sentence_text(m.start())
            if _CREDITOR_BEARS.search(sent) or negated(doc, m.start()):
                continue
            b2b_item = _B2B_LAWFUL.search(m.group(0)) is not None
            if b2b_item and not us:
                if debtor is None:
                    # lawful for a business debtor: a warning until the file says which kind it is
                    return [self.make(doc, FEE_B2B_UNKNOWN, m.start(), m.end(), severity="warn",
                                      missing_fact="debtor_kind")]
                if debtor.kind == "business" and self.policy.business.late_penalties_allowed:
                    continue
            return [self.make(doc, FEE_US if us else FEE, m.start(), m.end())]
        return []
