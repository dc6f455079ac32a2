"""Personalisation: the reply is addressed to this debtor about this file, in the right language and
register, with no leftover placeholders. For third parties the logic inverts: no disclosure."""

from __future__ import annotations

import re

from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan

_PLACEHOLDER = re.compile(r"\{\{?\s*[a-z_]+\s*\}?\}|\[(?:NOM|NAME|PRENOM|MONTANT|AMOUNT|DATE|REF)[^\]]*\]|<(?:name|nom)>|"
                          r"\bXXX+\b|\bTODO\b", re.IGNORECASE)
_TU = re.compile(r"(?<![\w'])(tu|toi|ton|ta|tes|t'as|te)(?![\w'])", re.IGNORECASE)
DEBT_WORDS_FR = ("dette", "dettes", "impayé", "impayés", "impayée", "créance", "solde dû", "facture impayée", "recouvrement",
                 "somme due", "montant dû", "arriéré", "arriérés")
DEBT_WORDS_EN = ("debt", "debts", "owe", "owes", "owed", "arrears", "unpaid", "outstanding balance", "collection",
                 "amount due", "balance due")
_FACT_KEYS = ("balance", "invoice_list", "oldest_invoice_number", "plan_options", "plan_offer", "last_payment_amount",
              "plan_next_due", "first_letter_ref")


class PersonalisationEvaluator(Evaluator):
    name = "personalisation"
    version = "1"
    description = ("named addressee, file reference or creditor, a file-specific fact, language, register, no "
                   "placeholder; for third parties: no debt and no amount disclosed")

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        text = output.text
        checks: dict[str, bool] = {}
        spans: list[ScoreSpan] = []
        for ph in _PLACEHOLDER.finditer(text):
            spans.append(ScoreSpan(start=ph.start(), end=ph.end(), text=ph.group(0), note="placeholder left in text"))
        checks["no_placeholder"] = not spans
        checks["language"] = output.lang == case.lang
        f = output.file
        third = "third_party" in case.tags or output.intent == "third_party"
        if f is None:
            if output.lang == "fr":
                checks["register"] = not _TU.search(text)
            return self._score(checks, spans)
        names = [n for n in (f.last_name, f.company_name, f.display_name) if n and len(n) > 2]
        named = any(T.contains(text, n) for n in names)
        amounts = T.extract_amounts(text)
        if third:
            # naming the person sought is allowed (location contact); the debt itself must not be disclosed
            words = DEBT_WORDS_FR if output.lang == "fr" else DEBT_WORDS_EN
            leaks = T.find_phrases(text, words)
            checks["no_debt_disclosed"] = not leaks
            for h in leaks:
                spans.append(ScoreSpan(start=h.start, end=h.end, text=h.text, note="debt disclosed to a third party"))
            checks["no_amount_disclosed"] = not amounts
            for a in amounts:
                spans.append(ScoreSpan(start=a.start, end=a.end, text=a.text, note="amount disclosed to a third party"))
        else:
            checks["addressee_named"] = named or (output.lang == "fr" and f.kind == "business" and
                                                  T.contains(text, "madame, monsieur"))
            checks["file_identified"] = T.contains(text, f.reference) or T.contains(text, f.creditor.name)
            if output.channel != "sms" and output.intent not in ("stop_contact",):
                checks["file_fact"] = any(output.values.get(k) and output.values[k].splitlines()[0] in text
                                          for k in _FACT_KEYS) or bool(output.facts)
        if output.lang == "fr" and f.address_form == "vous":
            m = _TU.search(text)
            checks["register"] = m is None
            if m:
                spans.append(ScoreSpan(start=m.start(), end=m.end(), text=m.group(0), note="tutoiement (file says vous)"))
        return self._score(checks, spans)

    @staticmethod
    def _score(checks: dict[str, bool], spans: list[ScoreSpan]) -> Score:
        value = sum(checks.values()) / len(checks)
        critical = ("no_placeholder", "no_debt_disclosed", "no_amount_disclosed", "language")
        passed = value >= 0.75 and all(checks.get(k, True) for k in critical)
        return Score(value=round(value, 4), passed=passed, spans=spans,
                     details={"checks": checks, "failed": [k for k, v in checks.items() if not v]})
