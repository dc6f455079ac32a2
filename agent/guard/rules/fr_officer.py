"""FR-OFFICER: no confusion with officiers publics / ministériels, no imitation of judicial acts (C. pénal 433-13)."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment, prefix_set
from agent.guard.rules._common import BaseRule, Meta, allowed_context, first_valid, informational, negated, rx

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

_OFFICER_WORD = r"(?:huissiers?|commissaires? de justice|commissaires?-priseurs?|officiers? (?:ministeriels?|publics?|de justice)|bailiffs?|enforcement (?:agents?|officers?)|sheriffs?|marshals?|agents? d'execution|high court enforcement)"
_OFFICER_ACT = rx(
    rf"\b(?:notre|nos|our|my|mon|mes)(?: \w+)?(?: de justice)? {_OFFICER_WORD}"
    rf"|\b(?:transmi\w*|transfer\w*|confi\w*|remi[st]?e?s?|envoy\w*|adress\w*|passe\w*|charge\w*|mandat\w*|saisi|pass\w* on|forward\w*|refer\w*|hand\w* over|sent|assign\w*)(?: \w+){{0,5}} (?:a|au|aux|a l'|to|de|d'un|d'une|par|by|with)? ?(?:l'|le|la|les|un|une|a|an|our|the|notre|nos)? ?{_OFFICER_WORD}"
    rf"|\b{_OFFICER_WORD}(?: \w+){{0,3}} (?:passera|viendra|se presentera|se rendra|va|vont|procedera|interviendra|sera mandate|est mandate|a ete mandate|agira|will|shall|is (?:coming|going|on)|are (?:coming|going)|has been (?:instructed|appointed)|mandate|charge de|en charge|se deplacera|frappera|sonnera)"
    rf"|\b(?:par voie d'|intervention (?:d'un|de l'|de notre) ?|recours (?:a|au) (?:un |l')?|visite (?:d'un|de l') ?|acte d'){_OFFICER_WORD}"
    rf"|\b{_OFFICER_WORD} (?:de notre|du cabinet|of our|from our|de la societe)"
)
_SOMMATION = rx(r"\bsommations?(?: (?:de payer|interpellative|d'avoir a payer|avant poursuites|de regler|officielle))?|\bsummons\b")
_COMMANDEMENT = rx(r"\bcommandements? (?:de payer|aux fins de saisie|d'avoir a payer|avant saisie)")
_INJONCTION = rx(r"\binjonctions? de payer|\border to pay\b|\bpayment order\b")
_INJONCTION_REQUEST = rx(r"\b(?:requete|demande\w*|solliciter|sollicitera|saisir|obtenir|obtiendra|deposer|deposera|apply\w* for|seek|pourra|pourrait|may|could|peut)(?: \w+){0,6} (?:une |d'une |en |an |a )?(?:injonction de payer|order to pay|payment order)")
_JUDICIAL = rx(
    r"\b(?:service|departement|pole|cellule|division|direction|bureau|unite|section)s? (?:judiciaire|juridique d'execution|contentieux judiciaire|des poursuites|d'execution|des saisies|de recouvrement force|precontentieux judiciaire|du contentieux judiciaire|juridique et contentieux)"
    r"|\b(?:judicial|enforcement|litigation|legal enforcement|court enforcement|seizure|prosecution)s? (?:department|division|unit|service|team|office|section)"
)
_CASE_NO = rx(
    r"\b(?:n° ?rg|rg ?n°?|r\.g\.|numero rg|n° de role|numero de role|affaire n°|affaire numero|dossier (?:judiciaire|contentieux) n°|case (?:no\.?|number|n°|#|ref)|docket (?:no\.?|number|#)|court (?:reference|ref\.?|case)(?: no\.?| number| #)?|claim (?:no\.?|number) ?:? ?\d{2}[a-z]{2}\d)"
    r"|\b(?:rg|affaire|dossier|case|docket)(?: n° ?| no\.? ?| numero | number | # ?| ?: ?)?\d{2} ?/ ?\d{3,6}\b"
)
_OFFICIAL = rx(
    r"\brepublique francaise\b|\bau nom du peuple francais|\bministere de (?:la justice|l'economie|l'interieur)|\btresor public\b"
    r"|\bdgfip\b|\bfinances publiques\b|\bparquet\b|\bprocureur de la republique|\btribunal (?:judiciaire|de commerce|d'instance|de grande instance) (?:vous |a )?(?:ordonne|condamne|somme|convoque|a rendu)"
    r"|\bofficial (?:court )?(?:notice|summons|document)\b|\bgovernment (?:notice|agency)\b|\bstate of [a-z]+ v\.|\bin the (?:matter|court) of\b|\bnotice of (?:legal|court) (?:action|proceedings)\b"
)
_BARE_OFFICER = rx(rf"\b{_OFFICER_WORD}")


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
        for m in first_valid(doc, _OFFICER_ACT):
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
        for pattern, meta in ((_JUDICIAL, JUDICIAL), (_CASE_NO, CASE_NO)):
            for m in first_valid(doc, pattern):
                if has_court_title or informational(doc, m.start()) or negated(doc, m.start()):
                    continue
                out.append(self.make(doc, meta, m.start(), m.end()))
                break
        for m in first_valid(doc, _OFFICIAL):
            if informational(doc, m.start()) or negated(doc, m.start()):
                continue
            out.append(self.make(doc, OFFICIAL, m.start(), m.end()))
            break
        return out
