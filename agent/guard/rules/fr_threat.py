"""FR-THREAT: no threat of an action that is unavailable (no title) or not intended (no mandate).

The detectors (seizure, credit-file listing, guardianship, criminal / arrest, legal action) live in
``rules/detectors.py``, shared with FR-PRESCRIPTION, FR-VULNERABLE, US-MISLEAD and US-TIMEBAR; each
family decides from the context what a match means.
"""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, prefix_set
from agent.guard.registry import register
from agent.guard.rules._common import (
    DEADLINE_RX,
    BaseRule,
    Meta,
)
from agent.guard.rules.detectors import (
    AGENCY_ACTOR_RX,
    COURT_RX,
    commissaire_in,
    deadline_pressure_hits,
    legal_hits,
    other_threat_hits,
    seizure_hits,
)

BASIS = "C. consom. L121-2 (misleading practice), L121-6 (aggressive practice); CPCE L111-2, L111-7"


SEIZURE_NO_TITLE = Meta(
    "FR-THREAT.seizure-no-title",
    "Seizure (saisie / garnishment) is threatened but the file holds no enforceable title: without a title no "
    "seizure is legally available, so the threat is misleading and aggressive.",
    BASIS + "; CPCE L111-2 (seizure requires an enforceable title)",
    "Trouvons ensemble une solution pour régler cette situation : nous pouvons vous proposer un échéancier.",
    "Let's find a way to settle this together: we can offer you a payment plan.",
)
SEIZURE_AGENCY = Meta(
    "FR-THREAT.seizure-by-agency",
    "A seizure can only be carried out by a commissaire de justice on the basis of the title; the text presents it "
    "as done (or decided) by the collector, or does not say who would act.",
    BASIS + "; CPCE L122-1 (only commissaires de justice enforce titles)",
    "Notre client dispose d'un titre exécutoire ; le commissaire de justice qu'il a mandaté pourra en poursuivre "
    "l'exécution. Nous restons disponibles pour convenir d'un paiement amiable.",
    "Our client holds an enforceable title; the enforcement officer it instructed may enforce it. We remain "
    "available to agree an amicable payment.",
)
SALARY = Meta(
    "FR-THREAT.salary-seizure",
    "A salary seizure (saisie des rémunérations) needs an enforceable title AND is authorised by the juge; the "
    "text does not meet both conditions.",
    BASIS + "; C. trav. R3252-1 ff.; CPCE L212-1",
    "Trouvons ensemble une solution pour régler cette situation : nous pouvons vous proposer un échéancier adapté "
    "à vos revenus.",
    "Let's find a way to settle this together: we can offer a plan suited to your income.",
)
SEIZURE_DEADLINE = Meta(
    "FR-THREAT.seizure-deadline",
    "A seizure announced with a short deadline ('sous 48 h', 'dernier avis avant saisie') is an aggressive "
    "practice whatever the file holds.",
    BASIS,
    "Nous vous proposons de convenir ensemble d'une date de paiement réaliste.",
    "Let's agree together on a realistic payment date.",
)
BDF = Meta(
    "FR-THREAT.banque-de-france",
    "Threatening a Banque de France / FICP (or any 'bad payers') listing is misleading: a collector cannot list a "
    "debtor, and the FICP only records credit incidents declared by lenders.",
    BASIS + "; C. consom. L751-1 ff.; arrêté du 26 octobre 2010 (FICP)",
    "Réglons ce dossier ensemble : nous pouvons vous proposer un paiement en plusieurs fois.",
    "Let's settle this together: we can offer you to pay in instalments.",
)
GUARDIAN = Meta(
    "FR-THREAT.guardianship",
    "Threatening guardianship (tutelle / curatelle), social services or children's placement is a threat of an "
    "action unrelated to the debt and unavailable to a collector.",
    BASIS + "; C. civ. 425 ff.",
    "Nous souhaitons trouver avec vous une solution adaptée à votre situation.",
    "We would like to find a solution that suits your situation.",
)
ARREST = Meta(
    "FR-THREAT.arrest",
    "Non-payment of a civil debt does not lead to arrest, police or prison: the threat is false and intimidating.",
    BASIS + "; C. pénal 222-17 (threats)",
    "Nous souhaitons simplement trouver avec vous une solution de paiement.",
    "We simply want to find a payment solution with you.",
)
CRIMINAL = Meta(
    "FR-THREAT.criminal",
    "Non-payment is not a criminal offence: threatening a criminal complaint, prosecution or a criminal record is "
    "misleading and intimidating.",
    BASIS + "; C. pénal 222-17, 312-10 (blackmail)",
    "Nous souhaitons simplement trouver avec vous une solution de paiement.",
    "We simply want to find a payment solution with you.",
)
LEGAL_UNVERIFIED = Meta(
    "FR-THREAT.legal-action-unverified",
    "The text mentions legal action; without a debtor file the guard cannot check that the debt is not time-barred "
    "(prescription_date), not disputed and that the creditor intends to sue (mandate_to_sue).",
    BASIS + "; C. consom. L218-2; C. civ. 2224",
    "Trouvons ensemble une solution pour régler cette situation.",
    "Let's find a way to settle this together.",
)
DEADLINE_PRESSURE = Meta(
    "FR-THREAT.deadline-pressure",
    "A very short deadline ('sous 24 h', 'dernier délai') is tied to a consequence ('sinon', 'avant poursuites'): "
    "manufactured urgency to force payment is an aggressive practice whatever the file holds. A plain due date "
    "is fine.",
    BASIS,
    "Merci de nous indiquer d'ici le [date] la solution de paiement qui vous convient ; nous restons à votre écoute.",
    "Please let us know by [date] which payment option suits you; we remain available.",
)
NOT_INTENDED = Meta(
    "FR-THREAT.action-not-intended",
    "The text threatens legal action but the creditor has not mandated the firm to sue (mandate_to_sue is false): "
    "threatening an action that is not intended is misleading.",
    BASIS,
    "Trouvons ensemble une solution pour régler cette situation.",
    "Let's find a way to settle this together.",
)


@register(order=40)
class ThreatRule(BaseRule):
    family = "FR-THREAT"
    triggers = prefix_set(
        "saisie", "saisir", "saisirons", "avis", "blocage", "bloquer", "gel", "geler", "prelevement", "retenue",
        "ponction", "enlevement", "immobilisation", "expulsion", "vendre", "vente", "seize", "seizure", "seized",
        "garnish", "levy", "levies", "repossess", "distrain", "attach", "freeze", "take", "wage", "auction",
        "bailiff", "banque", "ficp", "fichier", "fichage", "liste", "blacklist", "mauvais", "credit", "mise",
        "placement", "placer", "mettre", "mis", "demander", "solliciter", "requete", "demande", "mesure",
        "guardianship", "conservatorship", "retrait", "services", "signaler", "child", "social", "arrest", "arrete",
        "interpeller", "prison", "emprisonnement", "incarceration", "jail", "garde", "mandat", "warrant", "handcuffs",
        "commissariat", "police", "gendarmerie", "law", "locked", "behind", "poursuites", "plainte", "deposer",
        "porter", "escroquerie", "abus", "organisation", "delit", "infraction", "casier", "penalement", "procureur",
        "tribunal", "criminal", "prosecute", "fraud", "charged", "theft", "felony", "misdemeanor", "crime",
        "poursuite", "poursuivre", "poursuivie", "assigner", "assignation", "procedure", "procedures", "phase",
        "action", "actions", "recouvrement", "voie", "voies", "saisine", "saisira", "saisi", "devant", "service",
        "contentieux", "justice", "execution", "transmis", "transfere", "confie", "remis", "refer", "passed",
        "handed", "forward", "mesures", "sue", "sues", "suing", "sued", "lawsuit", "lawsuits", "legal", "court",
        "file", "filing", "issue", "bring", "judgment", "litigation", "small", "county", "our", "faire", "ferons",
        "fera", "allons", "vont", "va", "pourrons", "transmettre", "referred", "forwarded", "interdit", "interdiction",
        "interdite", "interdits", "pourrez", "pourriez", "banned", "barred", "blocked",
        "sous", "dans", "d", "within", "in", "under", "12", "24", "48", "72", "dernier", "derniere", "ultime",
        "final", "last", "immediatement", "immediately", "sans", "des", "avant", "by", "before", "aujourd",
        "today", "tonight", "ce",
    )

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        debtor = ctx.debtor
        for hit in seizure_hits(doc)[:3]:
            sent = hit.detail
            if DEADLINE_RX.search(sent):
                out.append(self.make(doc, SEIZURE_DEADLINE, hit.start, hit.end))
            if debtor is None:
                if AGENCY_ACTOR_RX.search(sent):  # only a commissaire de justice seizes, whatever the file
                    out.append(self.make(doc, SEIZURE_AGENCY, hit.start, hit.end))
                else:  # lawful with a title: a warning until the file says
                    out.append(self.make(doc, SEIZURE_NO_TITLE, hit.start, hit.end, severity="warn",
                                         missing_fact="enforceable_title"))
            elif debtor.title is None:
                out.append(self.make(doc, SEIZURE_NO_TITLE, hit.start, hit.end))
            elif hit.kind == "salary" and not COURT_RX.search(sent):
                out.append(self.make(doc, SALARY, hit.start, hit.end))
            elif hit.kind != "salary" and (AGENCY_ACTOR_RX.search(sent) or not commissaire_in(doc, ctx, sent)):
                out.append(self.make(doc, SEIZURE_AGENCY, hit.start, hit.end))
            if out:
                break
        metas = {"bdf": BDF, "guardian": GUARDIAN, "arrest": ARREST, "criminal": CRIMINAL}
        for hit in other_threat_hits(doc):
            out.append(self.make(doc, metas[hit.kind], hit.start, hit.end))
        for a, b in deadline_pressure_hits(doc)[:1]:
            out.append(self.make(doc, DEADLINE_PRESSURE, a, b))
        legal = legal_hits(doc)
        if legal:
            hit = legal[0]
            if debtor is None:  # lawful for a live, undisputed, mandated debt: a warning until the file says
                out.append(self.make(doc, LEGAL_UNVERIFIED, hit.start, hit.end, severity="warn",
                                     missing_fact="prescription_date"))
            elif not debtor.creditor.mandate_to_sue:
                level = self.policy.action_not_intended
                if level != "off":
                    out.append(self.make(doc, NOT_INTENDED, hit.start, hit.end, severity=level))
        return out

