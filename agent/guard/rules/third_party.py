"""THIRD-PARTY / US-THIRD: never disclose the debt to someone other than the debtor."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, negated, rx
from agent.guard.rules.detectors import DEBT_RX, money_matches

BASIS_FR = "RGPD art. 5 and 6; C. pénal 226-13 (secrecy); C. consom. L121-7 (aggressive practice)"
BASIS_US = "FDCPA 15 U.S.C. 1692c(b); Reg F 12 CFR 1006.6(d)"

_RELATIVE = (r"(?:mari|epoux|epouse|femme|conjointe?|compagnon|compagne|pere|mere|parents?|fils|fille|frere|soeur|enfants?|voisins?|employeur|patron|collegues?|famille|proches?"
             r"|husband|wife|spouse|partner|father|mother|parents?|son|daughter|brother|sister|neighbou?rs?|employer|boss|colleagues?|family|relatives?|roommate)")
TELL_RX = rx(
    rf"\b(?:dites|dis|informez|prevenez|rappelez|tell|inform|remind|let) (?:a )?(?:votre|ton|ta|vos|your|his|her)? ?{_RELATIVE}\b(?: \w+){{0,4}} (?:qu'(?:il|elle|ils)|que|that|he|she|they) (?:\w+ ){{0,2}}(?:doit|doivent|owes?|a une dette|ont une dette|is behind|has a debt|hasn't paid|n'a pas (?:paye|regle))"
    rf"|\b(?:votre|ton|ta|your|his|her) {_RELATIVE} (?:\w+ ){{0,2}}(?:nous )?(?:doit|owes?|a une dette|has (?:an? )?(?:unpaid|outstanding|overdue) (?:debt|bill|balance))"
)

DISCLOSURE_FR = Meta(
    "THIRD-PARTY.disclosure",
    "The message goes to a third party (or asks a relative to pass on the debt) and reveals the debt, its amount or "
    "the creditor. Only the debtor may learn about the debt.",
    BASIS_FR,
    "Bonjour, pourriez-vous demander à (nom) de rappeler le Cabinet au (numéro) ? Merci.",
    "Hello, could you ask (name) to call us back at (number)? Thank you.",
)
DISCLOSURE_US = Meta(
    "US-THIRD.disclosure",
    "The message discloses the debt to a third party (or asks one to pass it on); a location-information contact "
    "must not mention the debt.",
    BASIS_US,
    "Bonjour, pourriez-vous demander à (nom) de nous rappeler ? Merci.",
    "Hello, I'm trying to reach (name); could you ask them to call (first name) at (number)? Thank you.",
)


@register(order=90)
class ThirdPartyRule(BaseRule):
    family = "THIRD-PARTY"
    scope = "fr"
    meta = DISCLOSURE_FR

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        for m in first_valid(doc, TELL_RX):
            if not negated(doc, m.start()):
                return [self.make(doc, self.meta, m.start(), m.end())]
        if ctx.recipient != "third_party":
            return []
        for m in first_valid(doc, DEBT_RX):
            if not negated(doc, m.start()):
                return [self.make(doc, self.meta, m.start(), m.end())]
        money = money_matches(doc)
        if money:
            return [self.make(doc, self.meta, money[0][0], money[0][1])]
        if ctx.debtor is not None:
            name = normalize_fragment(ctx.debtor.creditor.name)
            pos = doc.norm.find(name) if name else -1
            if pos >= 0:
                return [self.make(doc, self.meta, pos, pos + len(name))]
        return []


@register(order=130)
class UsThirdRule(ThirdPartyRule):
    family = "US-THIRD"
    scope = "us"
    meta = DISCLOSURE_US
