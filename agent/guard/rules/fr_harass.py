"""FR-HARASS: no repeated unwanted solicitations, no employer / family / neighbour contact, no visits,
calls only inside the policy windows and under the contact caps, never on an opted-out channel."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.calendar import contact_windows_for
from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.rules._common import BaseRule, Meta, allowed_context, first_valid, rx

BASIS = "C. consom. L121-7 3° (repeated unwanted solicitations); C. pénal 222-16; firm policy modelled on C. consom. D223-9"

REPEAT_RX = rx(
    r"\btous les jours|\bchaque jour|\bquotidiennement|\bplusieurs fois par (?:jour|semaine)|\bjour et nuit|\bsans (?:cesse|relache|arret|interruption)"
    r"|\bjusqu'a (?:ce que vous (?:ayez )?(?:pai|pay|regl|sold|nous)|paiement complet|complet paiement|reglement (?:complet|integral|total)|votre paiement|ce que la dette)"
    r"|\bharcel\w*|\bevery (?:single )?(?:day|hour)|\bdaily\b|\buntil (?:you pay|the debt|this is paid|we (?:get|receive) (?:paid|payment))|\bkeep (?:on )?(?:calling|contacting|texting|emailing|visiting)"
    r"|\bnon-?stop|\baround the clock|\bday and night|\bagain and again|\brelentless\w*|\bcontinuerons a vous (?:appeler|relancer|contacter|ecrire)|\bne (?:vous )?lacherons pas|\bwon't (?:stop|leave you alone)"
)
_CONTACT_VERB = rx(
    r"\bvous (?:appel|rappel|contact|relanc|ecri|telephon|harcel|envoy|lacher)\w*|\b(?:nous|on) (?:\w+ )?(?:appel|rappel|contact|relanc|ecri|telephon|harcel|passe|viend)\w*(?:rons|ra|ront)\b"
    r"|\bkeep (?:on )?(?:calling|contacting|texting|emailing|visiting)|\b(?:we|we'll|i'll|i) (?:will )?(?:\w+ )?(?:call|contact|text|email|phone|visit|ring|message|chase)\w*|\bharcel\w*|\bcontinuerons|\bwon't stop"
)
_THIRD = (r"(?:employeur|patron|direction de (?:votre|ton) entreprise|service (?:du personnel|des ressources humaines|rh)|collegues?|famille|proches|voisins?|voisinage|entourage|conjointe?|epoux|epouse|mari\b|parents|enfants|banque"
          r"|employer|boss|hr department|human resources|co-?workers|colleagues|family|relatives|neighbou?rs?|spouse|husband|wife|friends|landlord|bailleur)")
THIRD_CONTACT_RX = rx(
    rf"\b(?:contact\w*|inform\w*|preven\w*|previend\w*|avert\w*|appel\w*|ecri\w*|signal\w*|parl\w*|avis\w*|joindre|rendre visite a|aviser|mettre au courant|call\w*|tell\w*|notify\w*|speak\w*|reach\w*|let|write"
    rf"|(?:irons|iront|ira|irai|allons|vont|va|aller) (?:voir|trouver|questionner|interroger)|rencontr\w*|interroger\w*|questionner\w*|(?:go|going|come) (?:and )?(?:see|talk to|ask))"
    rf"(?: \w+){{0,4}} (?:a |au |aux |avec |to |with )?(?:votre|vos|ton|ta|tes|your|his|her)? ?{_THIRD}"
    rf"|\b(?:votre|vos|your) {_THIRD} (?:sera|seront|will be|vont etre|va etre) (?:\w+ )?(?:informee?s?|contactee?s?|prevenue?s?|avertie?s?|informed|contacted|notified|told)"
)
VISIT_RX = rx(
    r"\b(?:passer\w*|passera|passeront|visite\w*|se rendr\w*|se presenter\w*|deplac\w*|viendr\w*|venir|frapper\w*|sonner\w*|come to|coming to|visit\w*|knock\w*|show up|stop by|call round|attend)"
    r"(?: \w+){0,4} (?:a |au |chez |at |to |on )?(?:votre (?:domicile|adresse|maison|logement|lieu de travail|travail|bureau|porte)|chez vous|domicile|your (?:home|house|door|workplace|work|office|address|property)|you at (?:home|work))"
    r"|\bagents? de terrain|\benqueteurs?(?: de terrain)?|\bvisite domiciliaire|\bfield agents?|\bdoor-?step\w*|\bdoorstep visit|\bvisite a domicile|\bhome visit"
)

REPEAT = Meta(
    "FR-HARASS.repeated-contact",
    "The text announces repeated or relentless contact ('tous les jours', 'jusqu'à ce que vous payiez'): "
    "repeated unwanted solicitations are an aggressive practice.",
    BASIS,
    "Quel créneau vous conviendrait pour un prochain échange ?",
    "What time would suit you for our next conversation?",
)
THIRD = Meta(
    "FR-HARASS.third-party-contact",
    "The text announces contacting the debtor's employer, family, neighbours or other third parties about the debt.",
    BASIS + "; RGPD art. 5",
    "Nous échangerons uniquement avec vous, en toute confidentialité.",
    "We will only discuss this with you, confidentially.",
)
VISIT = Meta(
    "FR-HARASS.visit",
    "The text announces a visit to the debtor's home or workplace to apply pressure; amicable collectors must not "
    "use visits as pressure.",
    BASIS,
    "Quel créneau vous convient pour un rappel téléphonique ?",
    "What time would suit you for a call back?",
)
HOURS = Meta(
    "FR-HARASS.call-hours",
    "The call is scheduled outside the policy call windows (days, hours or a public holiday in the debtor's timezone).",
    BASIS,
    "Planifiez l'appel un jour ouvré entre 10 h et 13 h ou entre 14 h et 20 h.",
    "Schedule the call on a working day within the allowed hours.",
)
CAP = Meta(
    "FR-HARASS.call-cap",
    "This call would exceed the cap of call attempts over 30 days (file contact log + this call).",
    BASIS,
    "Privilégiez un courrier ou un e-mail proposant un créneau de rappel.",
    "Prefer a letter or an email offering a call-back slot.",
)
CAP7 = Meta(
    "FR-HARASS.contact-cap",
    "This contact would exceed the cap of outbound contacts over 7 days (file contact log + this contact).",
    BASIS,
    "Attendez quelques jours avant la prochaine relance.",
    "Wait a few days before the next reminder.",
)
OPT_OUT = Meta(
    "FR-HARASS.opted-out",
    "The debtor opted out of this channel: contacting them on it is an unwanted solicitation.",
    BASIS + "; RGPD art. 21",
    "Utilisez un canal que le débiteur accepte.",
    "Use a channel the debtor accepts.",
)
UNKNOWN_LOG = Meta(
    "FR-HARASS.contact-log-unknown",
    "A call is being checked without a debtor file: the number of attempts in the last 30 days is unknown.",
    BASIS,
    None,
    None,
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
        if _CONTACT_VERB.search(doc.sentence_text(m.start())) and not allowed_context(doc, m.start()):
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


class HarassRule(BaseRule):
    family = "FR-HARASS"
    needs_context = True

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out = text_findings(self, doc, (REPEAT, THIRD, VISIT))
        debtor = ctx.debtor
        if debtor is not None and ctx.channel is not None and ctx.channel in debtor.opt_outs:
            out.append(self.make(doc, OPT_OUT))
        if debtor is not None and ctx.channel is not None and ctx.recipient == "debtor":
            if debtor.signals.contacts_7d + 1 > self.policy.contact_caps.contacts_per_7d:
                out.append(self.make(doc, CAP7, explanation=CAP7.explanation + (
                    f" Contacts in 7 days: {debtor.signals.contacts_7d} + 1 > cap {self.policy.contact_caps.contacts_per_7d}.")))
        if ctx.channel == "phone":
            if ctx.scheduled_at is not None and not self.in_window(ctx, ctx.scheduled_at):
                local = local_time(ctx, ctx.scheduled_at, self.policy.timezone)
                out.append(self.make(doc, HOURS, explanation=HOURS.explanation + f" Scheduled: {local:%a %Y-%m-%d %H:%M %Z}."))
            if debtor is None:
                out.append(self.make(doc, UNKNOWN_LOG, severity="warn", missing_fact="contact_log"))
            elif debtor.signals.call_attempts_30d + 1 > self.policy.contact_caps.calls_per_30d:
                out.append(self.make(doc, CAP, explanation=CAP.explanation + (
                    f" Attempts in 30 days: {debtor.signals.call_attempts_30d} + 1 > cap {self.policy.contact_caps.calls_per_30d}.")))
        return out

    def in_window(self, ctx: GuardContext, at: dt.datetime) -> bool:
        return contact_windows_for(self.policy).call_allowed(local_time(ctx, at, self.policy.timezone), file=ctx.debtor)
