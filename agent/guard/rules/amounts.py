"""AMOUNT / US-AMOUNT: every money amount quoted must be supported by the ledger (or authorised by the context)."""

from __future__ import annotations

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta
from agent.guard.rules.detectors import money_matches

UNSUPPORTED = Meta(
    "AMOUNT.unsupported",
    "This amount is not supported by the debtor's ledger (balance, invoices, payments, plans) nor authorised by the "
    "context: quoting an unsupported amount is misleading.",
    "C. consom. L121-2 (misleading practice); CPCE R124-4 (amount of the debt)",
    "Utilisez le montant exact du dossier (solde, facture ou échéance).",
    "Use the exact amount from the file (balance, invoice or instalment).",
)
UNSUPPORTED_US = Meta(
    "US-AMOUNT.unsupported",
    "This amount is not supported by the ledger nor authorised by the agreement or by law.",
    "FDCPA 15 U.S.C. 1692f(1), 1692e(2)(A)",
    "Utilisez le montant exact du dossier.",
    "Use the exact amount from the file (balance, invoice or instalment).",
)


@register(order=100)
class AmountRule(BaseRule):
    family = "AMOUNT"
    scope = "fr"
    meta = UNSUPPORTED

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        money = money_matches(doc)
        if not money:
            return []
        allowed = set(ctx.authorised_amounts_cents)
        debtor = ctx.debtor
        if debtor is not None:
            allowed |= debtor.ledger_amounts_cents()
            if debtor.kind == "business":
                allowed.add(self.policy.business.flat_indemnity_cents)
        out: list[Finding] = []
        for start, end, cents in money:
            if cents == 0 or cents in allowed:
                continue
            if debtor is None:
                out.append(self.make(doc, self.meta, start, end, severity="warn", missing_fact="ledger"))
            else:
                out.append(self.make(doc, self.meta, start, end))
            if len(out) >= 5:
                break
        return out


@register(order=140)
class UsAmountRule(AmountRule):
    family = "US-AMOUNT"
    scope = "us"
    meta = UNSUPPORTED_US

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        from agent.guard.rules.fr_fees import (
            FeesRule,  # the fee check in US wording (a public rule, not a private name)
        )

        out = super().run(doc, ctx)
        out.extend(FeesRule(self.policy, self.firm).run_with(doc, ctx, us=True))
        return out
