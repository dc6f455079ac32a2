"""FR-THREAT: no threat of an action that is unavailable (no title) or not intended (no mandate).

The detectors here (seizure, credit-file listing, guardianship, criminal / arrest, legal action) are
shared with FR-PRESCRIPTION, FR-VULNERABLE, US-MISLEAD and US-TIMEBAR; each family decides from the
context what a match means.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment, prefix_set
from agent.guard.rules._common import (
    DEADLINE_RX,
    BaseRule,
    Meta,
    allowed_context,
    clause,
    debtor_rights,
    first_valid,
    informational,
    negated,
    rx,
)

BASIS = "C. consom. L121-2 (misleading practice), L121-6 (aggressive practice); CPCE L111-2, L111-7"

SEIZURE_RX = rx(
    r"\bsaisies?(?:[- ]attribution|[- ]vente|[- ]conservatoire|[- ]immobiliere)?\b"
    r"|\bsaisir (?:vos|votre|tes|ton|ses|les|l'ensemble de vos|tous vos|toutes vos|la totalite de vos)(?: \w+)? (?:biens|salaires?|comptes?|meubles|vehicules?|voiture|maison|remunerations?|patrimoine|mobilier|allocations|revenus|logement|avoirs|epargne|effets|affaires)"
    r"|\b(?:nous |on )?(?:saisirons|allons saisir|vont saisir|va saisir|pourrons saisir|faire saisir|ferons saisir|fera saisir)\b"
    r"|\bavis a tiers detenteur|\bblocage (?:de |des )?(?:vos |votre )?comptes?|\bbloquer (?:vos|votre) comptes?|\bgel (?:de |des )?(?:vos )?comptes|\bgeler (?:vos|votre) comptes?"
    r"|\b(?:prelevements?|retenues?|ponctions?) (?:directe?s? )?sur (?:votre |vos )?(?:salaires?|remunerations?|paie|compte)"
    r"|\benlevement (?:de |des )?(?:vos |votre )?(?:meubles|biens|vehicule|mobilier)|\bimmobilisation de (?:votre|vos) vehicule|\bexpulsion"
    r"|\b(?:vendre|vente forcee de|vente aux encheres de) (?:vos|votre) (?:biens|maison|meubles|logement|vehicule)"
    r"|\b(?:seize|seizing|seized|seizure|garnish\w*|levy|levies|repossess\w*|distrain\w*)\b(?! (?:the|this) (?:opportunity|chance|moment))"
    r"|\battach\w* (?:of )?your (?:wages|salary|earnings|account)|\bfreeze your (?:bank )?accounts?|\btake (?:away )?your (?:car|house|home|property|wages|salary|belongings|furniture|possessions)"
    r"|\bwage (?:garnishment|deduction|attachment)|\bauction (?:off )?your|\bbailiffs? (?:will )?(?:remove|take)"
)
_SEIZURE_EXCLUDE = rx(
    r"erreur de saisie|saisie (?:de |du |des )?(?:votre |vos |ce |cette |la |du |l')?(?:code|reference|numero|coordonnees|identifiant|donnees|informations|montant|iban|carte|mot de passe|texte|commande)"
    r"|saisie en ligne|champ de saisie|lors de la saisie|formulaire de saisie|saisie manuelle|saisie informatique|faute de saisie"
)
SALARY_RX = rx(r"salaire|remuneration|paie\b|wage|salary|earnings|pay ?check|payroll")
COURT_RX = rx(r"\b(?:juge|tribunal|juridiction|court|judge|judgment|jugement|decision de justice)")
OFFICER_RX = rx(r"\b(?:huissiers?|commissaires? de justice|officiers? (?:ministeriels?|publics?)|bailiffs?|sheriffs?|marshals?|enforcement (?:agents?|officers?))")
AGENCY_ACTOR_RX = rx(
    r"\b(?:nous (?:allons|procederons|pourrons|saisirons|ferons|engagerons|mettrons|sommes en mesure|devrons|serons)|nous-memes"
    r"|notre (?:cabinet|societe|agence|service|equipe)|nos (?:services|agents|equipes|enqueteurs)|we (?:will|shall|are going to|can|may|could|intend)"
    r"|our (?:agents|team|firm|company|office|officers))"
)

BDF_RX = rx(
    r"\b(?:banque de france|ficp|fichier (?:des incidents|national des incidents|central|bancaire|des mauvais payeurs|des impayes|positif|des debiteurs)"
    r"|fichage|liste noire|blacklist\w*|mauvais payeurs? fiches?|credit (?:bureaus?|reports?|files?|reference agenc\w*|rating|score|history|record)|credit reference"
    # banking / credit bans a collector cannot impose
    r"|interdit\w* bancaires?|interdiction bancaire|interdit\w* de chequiers?"
    r"|ne (?:pourrez|pourriez|pourrez jamais) plus (?:jamais )?(?:ouvrir|obtenir|avoir|souscrire|contracter)(?: \w+){0,3} (?:comptes?|credits?|prets?|cartes?|chequiers?|emprunts?)"
    r"|(?:banned|barred|blocked) from (?:opening|getting|obtaining|having|taking out)(?: \w+){0,3} (?:bank accounts?|credit|loans?|mortgages?|credit cards?))"
)
_BDF_ALWAYS = rx(r"fichier des mauvais payeurs|liste noire|blacklist|fichage|mauvais payeurs? fiche|fichier des debiteurs"
                 r"|interdit\w* bancaire|interdiction bancaire|interdit\w* de chequier|ne pourr\w* (?:jamais )?plus|banned from|barred from|blocked from")
_BDF_TARGET = rx(
    r"\b(?:vous (?:serez|allez etre|risquez(?: d'etre)?|pourriez etre|seriez|ferez l'objet)|votre (?:nom|inscription)|vous inscrire|vous ficher|vous signaler|vous declarer"
    r"|inscription (?:au|a la|aupres|sur)|inscrit\w*|fiche\w*|signale\w* (?:a|au|aupres)|declare\w* (?:a|au|aupres)|we (?:will|may|shall|can|could|are going to) report|report (?:you|this|the debt|your|it)"
    r"|reported|listed|damage your|affect your|ruin your|hurt your|nuire a votre|ruiner votre|entacher|impact\w* (?:your|votre))"
)
GUARDIAN_RX = rx(
    r"\b(?:mise|placement|placer|placee?s?|mettre|mis|demander\w*|solliciter\w*|requete|demande)(?: \w+){0,4} (?:sous|en) (?:tutelle|curatelle|sauvegarde de justice)"
    r"|\bmesure de (?:tutelle|curatelle|protection juridique)|\b(?:guardianship|conservatorship)|\bretrait de (?:la garde|l'autorite parentale)"
    r"|\bplacement (?:de vos|des) enfants|\bservices sociaux (?:seront|vont|seraient|pourraient)(?: \w+)? (?:alertes|informes|prevenus|saisis|avertis|contactes)"
    r"|\bsignal\w* (?:aux services sociaux|a l'aide sociale|a l'ase)|\bchild (?:protective )?services|\btake (?:away )?your (?:children|kids)|\bsocial services (?:will|may|could)"
)
_GUARD_EXCLUDE = rx(r"\bsi vous (?:etes|beneficiez|faites l'objet)|\bif you are (?:under|subject)|\bvotre (?:tuteur|curateur)|\byour (?:guardian|conservator)")
ARREST_RX = rx(
    r"\b(?:arrest\w*|arrete\w* par|interpell\w*|prison|emprisonn\w*|incarcer\w*|jail\w*|garde a vue|mandat d'arret|warrants?|handcuff\w*|commissariat"
    r"|police(?! d'assurance| n°| numero| de caracteres?| d'ecriture| no\b)|gendarm\w*|law enforcement|locked up|behind bars)"
)
CRIMINAL_RX = rx(
    r"\b(?:poursuites? penales?|plainte (?:penale|contre vous|pour|au commissariat|aupres)|(?:deposer|porter|deposerons|porterons|deposera|portera|deposons|portons) plainte"
    r"|escroquerie|abus de confiance|organisation frauduleuse|delit|infraction penale|casier judiciaire|penalement|procureur|tribunal correctionnel"
    r"|criminal\w*|prosecut\w*|fraud (?:charges|investigation)|charged with|theft of services|felony|misdemeano\w*|crime)\b"
)
_SCAM_WARNING = rx(r"attention|mefiez|beware|prudence|vigilan|tentatives?|arnaques?|phishing|hameconnage|protect|faux|fake|scam")
LEGAL_RX = rx(
    r"\bpoursuites\b(?! penales)|\bpoursuite judiciaire|\bpoursuivre (?:en justice|judiciairement)|\bvous poursuivre\b|\bpoursuivie?s? en justice"
    r"|\bassign\w* (?:en justice|devant|au tribunal)|\bassignation|\bvous assigner|\bprocedures? (?:judiciaires?|contentieuses?|en justice|d'injonction|devant|de recouvrement judiciaire)"
    r"|\bphase (?:judiciaire|contentieuse)|\bactions? (?:en justice|judiciaires?|contentieuses?)|\brecouvrement (?:judiciaire|force|contentieux)|\bvoies? (?:judiciaires?|de droit|legales?|d'execution)"
    r"|\b(?:saisir|saisine|saisira|saisirons|saisiront|saisi|devant|porter\w*(?: l'affaire| le dossier| le litige)? devant) (?:le |la |les |du |un |une )?(?:tribunal|tribunaux|juge|juridiction|justice)"
    r"|\bservice contentieux|\bcontentieux\b|\ben justice\b|\bdevant les tribunaux|\bexecution forcee"
    r"|\b(?:transmi\w*|transfer\w*|confi\w*|remi[st]?e?s?|refer\w*|passed|handed|forward\w*)(?: \w+){0,4} (?:a|au|a un|a notre|to|to an?|to our|to the) ?(?:avocats?|service contentieux|tribunal|lawyers?|attorneys?|solicitors?|legal team|legal department|litigation)"
    r"|\bmesures? (?:judiciaires?|legales?|coercitives?|d'execution)|\brequete en injonction|\bdemander (?:au juge|une injonction)"
    r"|\b(?:sue|sues|suing|sued|lawsuits?|legal (?:action|proceedings|steps|measures)|court (?:action|proceedings|claim)|take (?:you|this|legal action|the matter) to court"
    r"|(?:file|filing|issue|bring) (?:a )?(?:suit|claim|lawsuit|proceedings)|judgment against you|litigation|small claims|county court)\b"
    r"|\bour (?:attorneys?|lawyers?|solicitors?|legal team|legal department)\b"
)


# A short deadline (hours, today / tomorrow, "last notice") ...
SHORT_DEADLINE_RX = rx(
    r"\b(?:sous|dans les|dans un delai de|d'ici|within|in the next|in|under) (?:\d{1,2}|un|une|deux|trois|one|two|three) ?(?:h\b|heures?|hours?|hrs?\b)"
    r"|\b(?:12|24|48|72) ?h(?:eures)?\b(?! ?\d)|\b(?:12|24|48|72)[- ]hours?\b"
    r"|\bdernier (?:delai|avis|rappel|avertissement)|\bderniere (?:relance|chance|mise en demeure)|\bultime (?:relance|avis|delai)"
    r"|\bfinal (?:notice|warning|demand|reminder)|\blast (?:chance|warning|notice)"
    r"|\bimmediatement|\bimmediately|\bsans (?:plus )?(?:delai|attendre)|\bdes (?:aujourd'hui|demain|maintenant)"
    r"|\b(?:d'ici|avant) (?:ce soir|demain|la fin de (?:la )?journee)|\b(?:by|before) (?:tonight|tomorrow|the end of (?:the )?day|close of business)"
    r"|\b(?:aujourd'hui|today|tonight|ce soir) (?:meme|avant|before|by)\b"
)
# ... tied to a consequence or a deception in the same clause makes deadline pressure.
CONSEQUENCE_RX = rx(
    r"\bsinon\b(?! (?:merci|n'hesitez|vous pouvez|contactez))|\bfaute de quoi|\ba defaut\b|\bsous peine|\bau-dela|\bpasse ce delai|\bpasse cette date"
    r"|\bavant (?:toute )?(?:poursuites?|saisie|execution|transmission|contentieux|procedure|action|mesures?|recouvrement force)"
    r"|\bor else\b|\botherwise\b(?:,)?(?! (?:please|you (?:can|may)|simply|just|feel free|contact))|\bto avoid (?:any )?(?:fees|legal|further|additional|penalt|late fees|collection)"
    r"|\bpour eviter (?:une |des |toute |toutes |les )?(?:poursuites?|procedures?|penalites?|majorations?|frais|actions?)|\bfailing (?:which|this|that|payment)|\bbefore (?:legal|court|we|further|enforcement|collection|action|proceedings)"
    r"|\bafter (?:which|that|this)|\bif (?:you (?:do not|don't|fail)|not paid|payment is not)|\bsi vous ne (?:payez|reglez|regularisez|repondez)"
    r"|\bsi (?:le|ce) (?:paiement|reglement|montant|solde) n'est pas"
)


def deadline_pressure_hits(doc: Doc) -> list[tuple[int, int]]:
    """Short deadlines tied to a consequence (or a legal / seizure threat) in the same clause."""
    cached = doc.cache.get("deadline")
    if isinstance(cached, list):
        return cached
    out: list[tuple[int, int]] = []
    threats = [h.start for h in legal_hits(doc)] + [h.start for h in seizure_hits(doc)]
    tried = 0
    for m in first_valid(doc, SHORT_DEADLINE_RX, anchored=False):
        if tried >= 16 or out:  # bounded work per text
            break
        tried += 1
        if negated(doc, m.start()) or informational(doc, m.start()):
            continue
        a, b = doc.sentence(m.start())
        if CONSEQUENCE_RX.search(doc.norm, a, b) or any(a <= t < b for t in threats):
            out.append((m.start(), m.end()))
    doc.cache["deadline"] = out
    return out


@dataclass(frozen=True)
class Hit:
    kind: str  # seizure | seizure-deadline | salary | bdf | guardian | arrest | criminal | legal
    start: int
    end: int
    detail: str = ""


def _window(doc: Doc, start: int, before: int = 40, after: int = 40) -> str:
    return doc.norm[max(0, start - before):start + after]


def seizure_hits(doc: Doc) -> list[Hit]:
    cached = doc.cache.get("seizure")
    if isinstance(cached, list):
        return cached
    hits: list[Hit] = []
    for m in first_valid(doc, SEIZURE_RX):
        if _SEIZURE_EXCLUDE.search(_window(doc, m.start(), 25, 60)):
            continue
        if negated(doc, m.start()) or informational(doc, m.start()) or debtor_rights(doc, m.start()):
            continue
        sent = clause(doc, m.start())
        kind = "salary" if SALARY_RX.search(sent) else "seizure"
        hits.append(Hit(kind, m.start(), m.end(), sent))
    doc.cache["seizure"] = hits
    return hits


def legal_hits(doc: Doc) -> list[Hit]:
    cached = doc.cache.get("legal")
    if isinstance(cached, list):
        return cached
    hits = [Hit("legal", m.start(), m.end()) for m in first_valid(doc, LEGAL_RX) if not allowed_context(doc, m.start())]
    doc.cache["legal"] = hits
    return hits


def other_threat_hits(doc: Doc) -> list[Hit]:
    hits: list[Hit] = []
    for m in first_valid(doc, BDF_RX):
        if allowed_context(doc, m.start()):
            continue
        if _BDF_ALWAYS.search(m.group(0)) or _BDF_TARGET.search(clause(doc, m.start())):
            hits.append(Hit("bdf", m.start(), m.end()))
            break
    for m in first_valid(doc, GUARDIAN_RX):
        sent = clause(doc, m.start())
        if _GUARD_EXCLUDE.search(sent) or allowed_context(doc, m.start()):
            continue
        hits.append(Hit("guardian", m.start(), m.end()))
        break
    for kind, pattern in (("arrest", ARREST_RX), ("criminal", CRIMINAL_RX)):
        for m in first_valid(doc, pattern):
            if allowed_context(doc, m.start()) or _SCAM_WARNING.search(_window(doc, m.start(), 40, 0)):
                continue
            hits.append(Hit(kind, m.start(), m.end()))
            break
    return hits


def commissaire_in(doc: Doc, ctx: GuardContext, text: str) -> bool:
    debtor = ctx.debtor
    if OFFICER_RX.search(text):
        return True
    if debtor is not None and debtor.commissaire is not None:
        name = normalize_fragment(debtor.commissaire.name)
        parts = name.split()
        return bool(parts) and (name in text or (len(parts[-1]) > 3 and parts[-1] in text))
    return False


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

