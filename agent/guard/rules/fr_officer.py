"""FR-OFFICER: no confusion with officiers publics / ministériels, no imitation of judicial acts (C. pénal 433-13)."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment, prefix_set
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, allowed_context, first_valid, informational, negated, rx
from agent.guard.rules.detectors import CASE_NO_RX, JUDICIAL_RX, OFFICER_ACT_RX, OFFICER_WORD, OFFICIAL_RX

BASIS = "C. pénal 433-13; CPCE R124-3 (no document resembling a judicial or extrajudicial act)"

OFFICER = Meta(
    "FR-OFFICER.officer-claim",
    "The text presents a huissier / commissaire de justice / bailiff as acting for or with the collector. "
    "An amicable collector has no officer of its own; only a commissaire instructed by the creditor, named "
    "in the file, may be mentioned.",
    BASIS,
    "Nous gérons votre dossier à l'amiable pour le compte de notre client ; trouvons ensemble une solution de paiement.",
    "We handle your file amicably on behalf of our client; let's find a payment solution together.",
)
SOMMATION = Meta(
    "FR-OFFICER.sommation",
    "A 'sommation' is an act served by a commissaire de justice: a collector's letter must not be one or be titled so.",
    BASIS + "; a lawful alternative is a 'mise en demeure' (C. civ. 1344)",
    "Mise en demeure : nous vous invitons à régler la somme due ou à nous contacter pour convenir d'un échéancier.",
    "Formal notice: please pay the amount due or contact us to agree a payment plan.",
)
COMMANDEMENT = Meta(
    "FR-OFFICER.commandement",
    "A 'commandement de payer' is served by a commissaire de justice on the basis of an enforceable title; a "
    "collector cannot send one.",
    BASIS + "; CPCE R221-1",
    "Nous vous invitons à régler la somme due ou à nous contacter pour convenir d'un échéancier.",
    "Please pay the amount due or contact us to agree a payment plan.",
)
INJONCTION = Meta(
    "FR-OFFICER.injonction",
    "An 'injonction de payer' is a court order; presenting the collector's letter as one (or claiming one exists "
    "when the file holds no such title) is misleading.",
    BASIS + "; CPC 1405 ff.",
    "Ce courrier est une relance amiable : trouvons ensemble une solution pour régler cette situation.",
    "This is an amicable reminder: let's find a way to settle this together.",
)
JUDICIAL = Meta(
    "FR-OFFICER.judicial-service",
    "Names such as 'service judiciaire', 'département juridique d'exécution' or 'enforcement department' suggest a "
    "court or enforcement body; the collector is an amicable service.",
    BASIS,
    "Service de recouvrement amiable",
    "Amicable collections team",
)
CASE_NO = Meta(
    "FR-OFFICER.case-number",
    "A court-style case number (RG, affaire n°, docket) imitates a judicial act; no court case exists in the file.",
    BASIS,
    "Référence de votre dossier : (référence interne du cabinet)",
    "Your file reference: (the firm's internal reference)",
)
OFFICIAL = Meta(
    "FR-OFFICER.official-impersonation",
    "The text borrows the identity of the State or a court (République française, ministère, tribunal ordering, "
    "Trésor public, gendarmerie): a collector's letter must not resemble an official act.",
    BASIS + "; C. pénal 433-13, 433-14",
    "Cabinet de recouvrement amiable agissant pour le compte de notre client.",
    "Amicable debt collector acting on behalf of our client.",
)

_SOMMATION = rx(r"\bsommations?(?: (?:de payer|interpellative|d'avoir a payer|avant poursuites|de regler|officielle))?|\bsummons\b")
_COMMANDEMENT = rx(r"\bcommandements? (?:de payer|aux fins de saisie|d'avoir a payer|avant saisie)")
_INJONCTION = rx(r"\binjonctions? de payer|\border to pay\b|\bpayment order\b")
_INJONCTION_REQUEST = rx(r"\b(?:requete|demande\w*|solliciter|sollicitera|saisir|obtenir|obtiendra|deposer|deposera|apply\w* for|seek|pourra|pourrait|may|could|peut)(?: \w+){0,6} (?:une |d'une |en |an |a )?(?:injonction de payer|order to pay|payment order)")
_BARE_OFFICER = rx(rf"\b{OFFICER_WORD}")


@register(order=30)
class OfficerRule(BaseRule):
    family = "FR-OFFICER"
    triggers = prefix_set("huissier", "commissaires", "officier", "bailiff", "enforcement", "sheriff", "marshal",
                          "sommation", "summons", "commandement", "injonction", "order", "payment", "service",
                          "departement", "pole", "cellule", "division", "direction", "bureau", "judicial",
                          "litigation", "rg", "affaire", "dossier", "case", "docket", "court", "claim",
                          "republique", "peuple", "ministere", "tresor", "dgfip", "finances", "parquet",
                          "procureur", "tribunal", "official", "government", "state", "matter", "notice",
                          "agent", "agents", "execution", "unite", "section", "numero", "prosecution", "seizure")

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        debtor = ctx.debtor
        title = debtor.title if debtor else None
        commissaire_named = False
        if debtor is not None and debtor.commissaire is not None:
            name = normalize_fragment(debtor.commissaire.name)
            last = name.split()[-1] if name.split() else name
            commissaire_named = bool(last) and (name in doc.norm or (len(last) > 3 and last in doc.norm))
        for m in first_valid(doc, OFFICER_ACT_RX):
            if commissaire_named or allowed_context(doc, m.start()):
                continue
            out.append(self.make(doc, OFFICER, m.start(), m.end(),
                                 missing_fact="commissaire" if debtor is None else None))
            break
        for m in first_valid(doc, _SOMMATION):
            if informational(doc, m.start()) or negated(doc, m.start()):
                continue
            if commissaire_named and title is not None:
                continue
            out.append(self.make(doc, SOMMATION, m.start(), m.end()))
            break
        for m in first_valid(doc, _COMMANDEMENT):
            if informational(doc, m.start()) or negated(doc, m.start()):
                continue
            if commissaire_named and title is not None:
                continue
            out.append(self.make(doc, COMMANDEMENT, m.start(), m.end(),
                                 missing_fact="enforceable_title" if debtor is None else None))
            break
        for m in first_valid(doc, _INJONCTION):
            if informational(doc, m.start()) or negated(doc, m.start()):
                continue
            if title is not None and ("injonction" in normalize_fragment(title.kind) or "order" in title.kind.lower()):
                continue
            a, _ = doc.sentence(m.start())
            if _INJONCTION_REQUEST.search(doc.norm, a, m.end()):
                continue  # a conditional court request: judged by the legal-action rule
            out.append(self.make(doc, INJONCTION, m.start(), m.end(),
                                 missing_fact="enforceable_title" if debtor is None else None))
            break
        has_court_title = title is not None and bool(title.court)
        for pattern, meta in ((JUDICIAL_RX, JUDICIAL), (CASE_NO_RX, CASE_NO)):
            for m in first_valid(doc, pattern):
                if has_court_title or informational(doc, m.start()) or negated(doc, m.start()):
                    continue
                out.append(self.make(doc, meta, m.start(), m.end()))
                break
        for m in first_valid(doc, OFFICIAL_RX):
            if informational(doc, m.start()) or negated(doc, m.start()):
                continue
            out.append(self.make(doc, OFFICIAL, m.start(), m.end()))
            break
        return out
