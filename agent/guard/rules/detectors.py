"""Detectors shared by several rule families: money amounts, seizure / legal-action / arrest / credit-file
mentions, deadline pressure, demands and acknowledgements of a debt, third-party and harassment wording,
officer and judicial vocabulary, local time. Each family decides from the context what a match means;
rule modules import these from here, never from each other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc, normalize_fragment
from agent.guard.rules._common import (
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

# --- money amounts (AMOUNT, US-AMOUNT, FR-MENTIONS, THIRD-PARTY) ---
_NUM = r"(\d{1,3}(?:[ .,'](?=\d{3}\b)\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"

MONEY_RX = re.compile(
    rf"(?:(?<![\w.,])(?:€|eur\b|euros?\b|\$|usd\b|us\$)\s?{_NUM}(?![\d])|(?<![\w.,]){_NUM}\s?(?:€|eur\b|euros?\b|\$|usd\b|dollars?\b|cents?\b|centimes?\b))"
)

# Every match of MONEY_RX holds a number whose first digit is not preceded by [\w.,] (both branches
# start with that look-behind, and a unit is followed by a space, a currency sign or the digit), and
# starts at most 6 characters before it ("euros" + a space), on that digit or on a unit's first letter.
_NUM_START = re.compile(r"\d(?<![\w.,]\d)")

_UNIT_FIRST = frozenset("€$eu")


def money_finditer(norm: str) -> list[re.Match[str]]:
    """``list(MONEY_RX.finditer(norm))``, trying the pattern only where a match can start."""
    out: list[re.Match[str]] = []
    nxt = 0  # every position before this one is tried or inside a match
    match = MONEY_RX.match
    for d in _NUM_START.finditer(norm):
        q = d.start()
        if q < nxt:
            continue
        s = max(nxt, q - 6)
        while s <= q:
            if s == q or norm[s] in _UNIT_FIRST:
                m = match(norm, s)
                if m is not None:
                    out.append(m)
                    nxt = m.end()
                    break
            s += 1
        else:
            nxt = q + 1
    return out

_NUM_PARTS = re.compile(r"(.*?)(?:[.,](\d{1,2}))?")

def parse_cents(num: str, unit: str = "") -> int | None:
    """'1 234,56' / '1,234.56' / '1.234' / '45' -> cents (int). None when unparseable."""
    s = num.replace(" ", "").replace("'", "")
    m = _NUM_PARTS.fullmatch(s)
    if m is None:
        return None
    whole, dec = m.group(1), m.group(2)
    whole = whole.replace(".", "").replace(",", "")
    if not whole.isdigit():
        return None
    cents = int(whole) * 100 + (int(dec.ljust(2, "0")) if dec else 0)
    if unit.startswith(("cent", "centime")):
        cents = int(whole)
    return cents

def money_matches(doc: Doc) -> list[tuple[int, int, int]]:
    """(start, end, cents) of each amount in the normalised text, cached per document."""
    cached = doc.cache.get("money")
    if isinstance(cached, list):
        return cached
    out: list[tuple[int, int, int]] = []
    if any(c in doc.norm for c in "€$") or "eur" in doc.norm or "dollar" in doc.norm or "usd" in doc.norm:
        for m in money_finditer(doc.norm):
            num = m.group(1) or m.group(2)
            unit = m.group(0).strip().split()[-1] if m.group(2) else ""
            cents = parse_cents(num, unit.rstrip(".,"))
            if cents is None or (doc.protected and doc.in_protected(m.start(), m.end())):
                continue
            out.append((m.start(), m.end(), cents))
    doc.cache["money"] = out
    return out

# --- demands, acknowledgements, "imprescriptible" (FR-PRESCRIPTION, FR-VULNERABLE, FR-MENTIONS, US-TIMEBAR) ---
IMPRESCRIPTIBLE_RX = rx(
    r"\bimprescriptibles?\b|\bne (?:se )?prescri\w* jamais|\bn'est jamais prescrite?|\bn'expire\w* jamais|\baucune prescription"
    r"|\bn'est pas soumise? a (?:la |aucune )?prescription|\bnever (?:expires?|becomes? time-?barred|time-?barred)|\b(?:cannot|can't|will never) (?:expire|be time-?barred)"
    r"|\bno statute of limitations?|\bdoes not (?:expire|become time-?barred)|\bdoesn't expire"
)

DEMAND_RX = rx(
    r"\b(?:veuillez|merci de|nous vous (?:demandons|prions|invitons|remercions)(?: de)?|je vous (?:demande|prie|invite)(?: de)?)(?: a| d')? ?(?:bien vouloir )?(?:regler|payer|proceder au (?:paiement|reglement)|verser|nous faire parvenir|solder|effectuer (?:le|votre) (?:paiement|reglement)|acquitter)"
    r"|\b(?:reglez|payez|versez|soldez|acquittez)\b|\bplease (?:pay|settle|remit|make (?:a |your )?payment)|\bpay (?:now|the|your|this|it|today|in full)\b|\bsettle (?:your|the|this)"
    r"|\bpayment is (?:due|required|expected)|\bmust (?:pay|be paid)|\bdevez (?:regler|payer|nous)|\bexigible|\bexigeons|\bdemand (?:payment|that you)|\bmerci de proceder"
)

ACK_RX = rx(
    r"contest\w*|reclamation|litige|verif\w*|disput\w*|suspend\w*|examin\w*|en cours d'examen|investigat\w*|mettons en pause|en attente|pause|review\w*|check\w*"
)

# --- the debt named (THIRD-PARTY, UK-CONC) ---
DEBT_RX = rx(
    r"\b(?:dettes?|creances?|impayes?|impayees?|factures? (?:impayees?|en retard)|somme due|montant du|recouvrement|arriere|retard de paiement|relance|solde du"
    r"|debts?|owes?|owed|owing|collection|collector|balance|overdue|past due|unpaid|outstanding|delinquent|arrears)\b"
)

# --- harassment wording and local time (FR-HARASS, US-HARASS, UK-CONC) ---
REPEAT_RX = rx(
    r"\btous les jours|\bchaque jour|\bquotidiennement|\bplusieurs fois par (?:jour|semaine)|\bjour et nuit|\bsans (?:cesse|relache|arret|interruption)"
    r"|\bjusqu'a (?:ce que vous (?:ayez )?(?:pai|pay|regl|sold|nous)|paiement complet|complet paiement|reglement (?:complet|integral|total)|votre paiement|ce que la dette)"
    r"|\bharcel\w*|\bevery (?:single )?(?:day|hour)|\bdaily\b|\buntil (?:you pay|the debt|this is paid|we (?:get|receive) (?:paid|payment))|\bkeep (?:on )?(?:calling|contacting|texting|emailing|visiting)"
    r"|\bnon-?stop|\baround the clock|\bday and night|\bagain and again|\brelentless\w*|\bcontinuerons a vous (?:appeler|relancer|contacter|ecrire)|\bne (?:vous )?lacherons pas|\bwon't (?:stop|leave you alone)"
)

CONTACT_VERB_RX = rx(
    r"\bvous (?:appel|rappel|contact|relanc|ecri|telephon|harcel|envoy|lacher)\w*|\b(?:nous|on) (?:\w+ )?(?:appel|rappel|contact|relanc|ecri|telephon|harcel|passe|viend)\w*(?:rons|ra|ront)\b"
    r"|\bkeep (?:on )?(?:calling|contacting|texting|emailing|visiting)|\b(?:we|we'll|i'll|i) (?:will )?(?:\w+ )?(?:call|contact|text|email|phone|visit|ring|message|chase)\w*|\bharcel\w*|\bcontinuerons|\bwon't stop"
)

THIRD_WORDS = (r"(?:employeur|patron|direction de (?:votre|ton) entreprise|service (?:du personnel|des ressources humaines|rh)|collegues?|famille|proches|voisins?|voisinage|entourage|conjointe?|epoux|epouse|mari\b|parents|enfants|banque"
          r"|employer|boss|hr department|human resources|co-?workers|colleagues|family|relatives|neighbou?rs?|spouse|husband|wife|friends|landlord|bailleur)")

THIRD_CONTACT_RX = rx(
    rf"\b(?:contact\w*|inform\w*|preven\w*|previend\w*|avert\w*|appel\w*|ecri\w*|signal\w*|parl\w*|avis\w*|joindre|rendre visite a|aviser|mettre au courant|call\w*|tell\w*|notify\w*|speak\w*|reach\w*|let|write"
    rf"|(?:irons|iront|ira|irai|allons|vont|va|aller) (?:voir|trouver|questionner|interroger)|rencontr\w*|interroger\w*|questionner\w*|(?:go|going|come) (?:and )?(?:see|talk to|ask))"
    rf"(?: \w+){{0,4}} (?:a |au |aux |avec |to |with )?(?:votre|vos|ton|ta|tes|your|his|her)? ?{THIRD_WORDS}"
    rf"|\b(?:votre|vos|your) {THIRD_WORDS} (?:sera|seront|will be|vont etre|va etre) (?:\w+ )?(?:informee?s?|contactee?s?|prevenue?s?|avertie?s?|informed|contacted|notified|told)"
)

VISIT_RX = rx(
    r"\b(?:passer\w*|passera|passeront|visite\w*|se rendr\w*|se presenter\w*|deplac\w*|viendr\w*|venir|frapper\w*|sonner\w*|come to|coming to|visit\w*|knock\w*|show up|stop by|call round|attend)"
    r"(?: \w+){0,4} (?:a |au |chez |at |to |on )?(?:votre (?:domicile|adresse|maison|logement|lieu de travail|travail|bureau|porte)|chez vous|domicile|your (?:home|house|door|workplace|work|office|address|property)|you at (?:home|work))"
    r"|\bagents? de terrain|\benqueteurs?(?: de terrain)?|\bvisite domiciliaire|\bfield agents?|\bdoor-?step\w*|\bdoorstep visit|\bvisite a domicile|\bhome visit"
)

def _tz(name: str, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)

def local_time(ctx: GuardContext, at: dt.datetime, default_tz: str) -> dt.datetime:
    tzname = ctx.debtor.timezone if ctx.debtor is not None and ctx.debtor.timezone else default_tz
    tz = _tz(tzname, default_tz)
    if at.tzinfo is None:
        return at.replace(tzinfo=tz)
    return at.astimezone(tz)

def text_findings(rule: BaseRule, doc: Doc, metas: tuple[Meta, Meta, Meta]) -> list[Finding]:
    out: list[Finding] = []
    for m in first_valid(doc, REPEAT_RX):
        if CONTACT_VERB_RX.search(doc.sentence_text(m.start())) and not allowed_context(doc, m.start()):
            out.append(rule.make(doc, metas[0], m.start(), m.end()))
            break
    for m in first_valid(doc, THIRD_CONTACT_RX):
        if not allowed_context(doc, m.start()):
            out.append(rule.make(doc, metas[1], m.start(), m.end()))
            break
    for m in first_valid(doc, VISIT_RX):
        if not allowed_context(doc, m.start()):
            out.append(rule.make(doc, metas[2], m.start(), m.end()))
            break
    return out

# --- officers, judicial acts, official look (FR-OFFICER, US-MISLEAD) ---
OFFICER_WORD = r"(?:huissiers?|commissaires? de justice|commissaires?-priseurs?|officiers? (?:ministeriels?|publics?|de justice)|bailiffs?|enforcement (?:agents?|officers?)|sheriffs?|marshals?|agents? d'execution|high court enforcement)"

OFFICER_ACT_RX = rx(
    rf"\b(?:notre|nos|our|my|mon|mes)(?: \w+)?(?: de justice)? {OFFICER_WORD}"
    rf"|\b(?:transmi\w*|transfer\w*|confi\w*|remi[st]?e?s?|envoy\w*|adress\w*|passe\w*|charge\w*|mandat\w*|saisi|pass\w* on|forward\w*|refer\w*|hand\w* over|sent|assign\w*)(?: \w+){{0,5}} (?:a|au|aux|a l'|to|de|d'un|d'une|par|by|with)? ?(?:l'|le|la|les|un|une|a|an|our|the|notre|nos)? ?{OFFICER_WORD}"
    rf"|\b{OFFICER_WORD}(?: \w+){{0,3}} (?:passera|viendra|se presentera|se rendra|va|vont|procedera|interviendra|sera mandate|est mandate|a ete mandate|agira|will|shall|is (?:coming|going|on)|are (?:coming|going)|has been (?:instructed|appointed)|mandate|charge de|en charge|se deplacera|frappera|sonnera)"
    rf"|\b(?:par voie d'|intervention (?:d'un|de l'|de notre) ?|recours (?:a|au) (?:un |l')?|visite (?:d'un|de l') ?|acte d'){OFFICER_WORD}"
    rf"|\b{OFFICER_WORD} (?:de notre|du cabinet|of our|from our|de la societe)"
)

JUDICIAL_RX = rx(
    r"\b(?:service|departement|pole|cellule|division|direction|bureau|unite|section)s? (?:judiciaire|juridique d'execution|contentieux judiciaire|des poursuites|d'execution|des saisies|de recouvrement force|precontentieux judiciaire|du contentieux judiciaire|juridique et contentieux)"
    r"|\b(?:judicial|enforcement|litigation|legal enforcement|court enforcement|seizure|prosecution)s? (?:department|division|unit|service|team|office|section)"
)

CASE_NO_RX = rx(
    r"\b(?:n° ?rg|rg ?n°?|r\.g\.|numero rg|n° de role|numero de role|affaire n°|affaire numero|dossier (?:judiciaire|contentieux) n°|case (?:no\.?|number|n°|#|ref)|docket (?:no\.?|number|#)|court (?:reference|ref\.?|case)(?: no\.?| number| #)?|claim (?:no\.?|number) ?:? ?\d{2}[a-z]{2}\d)"
    r"|\b(?:rg|affaire|dossier|case|docket)(?: n° ?| no\.? ?| numero | number | # ?| ?: ?)?\d{2} ?/ ?\d{3,6}\b"
)

OFFICIAL_RX = rx(
    r"\brepublique francaise\b|\bau nom du peuple francais|\bministere de (?:la justice|l'economie|l'interieur)|\btresor public\b"
    r"|\bdgfip\b|\bfinances publiques\b|\bparquet\b|\bprocureur de la republique|\btribunal (?:judiciaire|de commerce|d'instance|de grande instance) (?:vous |a )?(?:ordonne|condamne|somme|convoque|a rendu)"
    r"|\bofficial (?:court )?(?:notice|summons|document)\b|\bgovernment (?:notice|agency)\b|\bstate of [a-z]+ v\.|\bin the (?:matter|court) of\b|\bnotice of (?:legal|court) (?:action|proceedings)\b"
)

# --- threats: seizure, legal action, arrest, credit file, deadline pressure (FR-THREAT and others) ---
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

