"""FR-MENTIONS: the mandatory content of a collector's first letter (R124-4) and the recall of its
reference in later letters (R124-6)."""

from __future__ import annotations

from functools import cached_property

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, rx
from agent.guard.rules.detectors import DEMAND_RX, money_matches

BASIS = "CPCE R124-4 (first letter content, L111-8 paragraphs 2 and 3 verbatim), R124-6 (later contacts)"

ACTIVITY_RX = rx(r"recouvrement amiable|amicable (?:debt )?(?:recovery|collection)|debt collector|societe de recouvrement|agence de recouvrement|cabinet de recouvrement")
ON_BEHALF_RX = rx(r"pour le compte de|on behalf of|mandate\w* par|creancier|creditor|notre client")
PRINCIPAL_RX = rx(r"\bprincipal\b|\ben principal\b|\bcapital\b")
INTEREST_RX = rx(r"\binterets?\b|\binterest\b")
OTHER_RX = rx(r"autres sommes|autres frais|frais|accessoires|other (?:sums|charges|amounts)|penalites?|indemnites?")
HOW_RX = rx(r"virement|carte|cheque|iban|prelevement|espace (?:de paiement|client|securise)|lien de paiement|en ligne|transfer|card|check|payment (?:link|space|portal)|pay online|paiement en ligne")

FIRST = Meta(
    "FR-MENTIONS.first-letter",
    "A first letter from a collector must contain every mention of R124-4; missing: ",
    BASIS,
    None,
    None,
)
L1118 = Meta(
    "FR-MENTIONS.l111-8",
    "The 2nd and 3rd paragraphs of L111-8 must be reproduced verbatim in a first letter; missing or altered: ",
    BASIS,
    None,
    None,
)
RECALL = Meta(
    "FR-MENTIONS.first-letter-ref",
    "Later letters must recall the reference and date of the first letter (R124-6); the reference is not found.",
    BASIS,
    "Rappel : notre courrier du (date), référence (référence).",
    "Reminder: our letter of (date), reference (reference).",
)


@register(order=10)
class MentionsRule(BaseRule):
    family = "FR-MENTIONS"
    needs_context = True

    @cached_property
    def _firm_norm(self) -> tuple[str, str, str, tuple[str, ...]]:
        name = normalize_fragment(self.firm.name)
        address = normalize_fragment(self.firm.address)
        postcode = next((t for t in address.replace(",", " ").split() if t.isdigit() and len(t) == 5), "")
        # The reference wording is the stored statutory text (knowledge/legal/l111_8.yaml, paragraphs 2
        # and 3, resolved by agent.firm.load_firm from firm.yaml's reference), the same one letters quote.
        paras = tuple(" ".join(normalize_fragment(p).split()) for p in self.firm.l111_8_paragraphs)
        return name, address, postcode, paras

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        if ctx.first_letter:
            return self._first_letter(doc, ctx)
        debtor = ctx.debtor
        if debtor is not None and debtor.first_letter_ref and ctx.channel in ("letter", "email"):
            ref = normalize_fragment(debtor.first_letter_ref)
            if ref and ref not in doc.norm:
                return [self.make(doc, RECALL, severity="warn")]
        return []

    def _first_letter(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        name, address, postcode, paras = self._firm_norm
        norm = doc.norm
        flat = " ".join(norm.split()) if "\n" in norm else norm
        missing: list[str] = []
        if name not in flat:
            missing.append(f"collector identity ({self.firm.name})")
        if address not in flat and not (postcode and postcode in flat):
            missing.append(f"collector address ({self.firm.address})")
        if not ACTIVITY_RX.search(norm):
            missing.append("statement that the collector does amicable recovery")
        debtor = ctx.debtor
        if debtor is not None:
            cname = normalize_fragment(debtor.creditor.name)
            if cname not in flat:
                missing.append(f"creditor identity ({debtor.creditor.name})")
            caddr = normalize_fragment(debtor.creditor.address)
            cpost = next((t for t in caddr.replace(",", " ").split() if t.isdigit() and len(t) == 5), "")
            if caddr not in flat and not (cpost and cpost in flat):
                missing.append(f"creditor address ({debtor.creditor.address})")
        elif not ON_BEHALF_RX.search(norm):
            missing.append("creditor identity and address")
        split_missing = [w for w, r in (("principal", PRINCIPAL_RX), ("interest", INTEREST_RX), ("other sums", OTHER_RX))
                         if not r.search(norm)]
        if split_missing or not money_matches(doc):
            missing.append("amount split into principal / interest / other sums (missing: "
                           + (", ".join(split_missing) or "amounts") + ")")
        if not DEMAND_RX.search(norm):
            missing.append("demand to pay")
        if not HOW_RX.search(norm):
            missing.append("how to pay (payment methods)")
        out: list[Finding] = []
        if missing:
            out.append(self.make(doc, FIRST, explanation=FIRST.explanation + "; ".join(missing) + "."))
        absent = [str(i + 2) for i, p in enumerate(paras) if p not in flat]
        if absent:
            out.append(self.make(doc, L1118, explanation=L1118.explanation + "paragraph(s) " + ", ".join(absent)
                                 + " of L111-8."))
        return out
