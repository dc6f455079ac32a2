"""US-HARASS: FDCPA 1692d / Reg F: no abuse, 7-in-7 call cap, 8 am - 9 pm local time, opt-out on email / SMS."""

from __future__ import annotations

import datetime as dt

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, rx
from agent.guard.rules.detectors import local_time, text_findings

BASIS = "FDCPA 15 U.S.C. 1692d; Reg F 12 CFR 1006.14(b), 1006.6(b), 1006.6(e)"

PROFANITY_RX = rx(
    r"\b(?:fuck\w*|shit\w*|bitch\w*|bastard\w*|asshole\w*|damn you|dumbass|moron|idiot|stupid|loser|deadbeat|scum\w*|crook|liar|thief|worthless|pathetic|piece of (?:garbage|trash))\b"
)
OPT_OUT_RX = rx(r"\bstop\b|opt[- ]?out|unsubscrib\w*|desabonn\w*|desinscri\w*|do not (?:wish|want) to (?:receive|be contacted)|manage (?:your )?preferences")

REPEAT = Meta("US-HARASS.repeated-contact", "The text announces repeated or relentless contact ('we'll keep calling until you pay').",
              BASIS, None, "What time works best for you to talk?")
THIRD = Meta("US-HARASS.third-party-contact", "The text announces contacting the consumer's employer, family or neighbours about the debt.",
             BASIS + "; 1692c(b)", None, "We will only discuss this with you.")
VISIT = Meta("US-HARASS.visit", "The text announces a visit to the consumer's home or workplace to apply pressure.",
             BASIS, None, "What time works for a call back?")
PROFANITY = Meta("US-HARASS.profanity", "Profane, obscene or abusive language is harassment.", BASIS + " (1692d(2))",
                 None, "We'd like to work with you to resolve this balance.")
HOURS = Meta("US-HARASS.call-hours", "The contact is scheduled before 8 am or after 9 pm at the consumer's location.",
             BASIS, None, "Schedule the call between 8 am and 9 pm, consumer's local time.")
CAP = Meta("US-HARASS.call-cap", "More than 7 call attempts within 7 days: presumed harassment under Reg F.",
           BASIS, None, "Wait before the next call attempt or use another channel.")
OPT_OUT_MISSING = Meta("US-HARASS.no-opt-out", "Every email or text message must include a simple way to opt out.",
                       BASIS, None, "Reply STOP to opt out of text messages.")
OPTED_OUT = Meta("US-HARASS.opted-out", "The consumer opted out of this channel.", BASIS, None, "Use a channel the consumer accepts.")


@register(order=120)
class UsHarassRule(BaseRule):
    family = "US-HARASS"
    scope = "us"
    needs_context = True

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out = text_findings(self, doc, (REPEAT, THIRD, VISIT))
        m = PROFANITY_RX.search(doc.norm)
        if m:
            out.append(self.make(doc, PROFANITY, m.start(), m.end()))
        us = self.policy.us
        debtor = ctx.debtor
        if debtor is not None and ctx.channel is not None and ctx.channel in debtor.opt_outs:
            out.append(self.make(doc, OPTED_OUT))
        if ctx.channel in us.opt_out_channels and us.opt_out_severity != "off" and not OPT_OUT_RX.search(doc.norm):
            out.append(self.make(doc, OPT_OUT_MISSING, severity="block" if us.opt_out_severity == "block" else "warn"))
        at = ctx.scheduled_at
        if at is not None and ctx.channel in ("phone", "sms"):
            local = local_time(ctx, at, us.timezone)
            if not us.call_window.contains(local.time().replace(tzinfo=None)):
                out.append(self.make(doc, HOURS, explanation=HOURS.explanation + f" Scheduled: {local:%H:%M %Z}."))
        if ctx.channel == "phone" and debtor is not None:
            ref = at or ctx.now or dt.datetime.combine(debtor.as_of, dt.time(12), tzinfo=dt.UTC)
            if ref.tzinfo is None:
                ref = ref.replace(tzinfo=dt.UTC)
            start = ref - dt.timedelta(days=7)
            calls = sum(1 for c in debtor.contacts
                        if c.channel == "phone" and c.direction == "out" and start <= c.at <= ref)
            if calls + 1 > us.calls_per_7d:
                out.append(self.make(doc, CAP, explanation=CAP.explanation + f" Calls in 7 days: {calls} + 1."))
        return out
