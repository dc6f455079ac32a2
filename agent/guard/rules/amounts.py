"""AMOUNT / US-AMOUNT: every money amount quoted must be supported by the ledger (or authorised by the context)."""

from __future__ import annotations

import re

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.rules._common import BaseRule, Meta

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


class UsAmountRule(AmountRule):
    family = "US-AMOUNT"
    scope = "us"
    meta = UNSUPPORTED_US

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        from agent.guard.rules.fr_fees import FeesRule

        out = super().run(doc, ctx)
        out.extend(FeesRule(self.policy, self.firm).run_with(doc, ctx, us=True))
        return out
