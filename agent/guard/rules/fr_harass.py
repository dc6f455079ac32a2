"""FR-HARASS: no repeated unwanted solicitations, no employer / family / neighbour contact, no visits,
calls only inside the policy windows and under the contact caps, never on an opted-out channel."""

from __future__ import annotations

import datetime as dt

from agent.calendar import contact_windows_for
from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta
from agent.guard.rules.detectors import local_time, text_findings

BASIS = "C. consom. L121-7 3° (repeated unwanted solicitations); C. pénal 222-16; firm policy modelled on C. consom. D223-9"


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


@register(order=50)
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
