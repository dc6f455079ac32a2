"""Grounding: every amount, date and reference in the text traces to the file, the plan quote, the
firm's approved values or the debtor's own message. Untraceable claims are highlighted."""

from __future__ import annotations

import datetime as dt

from agent.domain import DebtorFile
from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score, ScoreSpan


def _file_dates(f: DebtorFile) -> set[dt.date]:
    out: set[dt.date] = {f.as_of}
    for inv in f.invoices:
        out |= {inv.issue_date, inv.due_date}
    out |= {p.date for p in f.payments}
    for pr in f.promises:
        out |= {pr.made_on, pr.due_date}
    for plan in f.plans:
        out.add(plan.created_on)
        out |= {i.due_date for i in plan.instalments}
    out |= {c.at.date() for c in f.contacts}
    out |= {d.opened_on for d in f.disputes}
    if f.first_letter_date:
        out.add(f.first_letter_date)
    if f.title:
        out.add(f.title.date)
    if f.signals.prescription_date:
        out.add(f.signals.prescription_date)
    return out


def _file_refs(f: DebtorFile) -> set[str]:
    out = {f.reference, *(i.number for i in f.invoices), *(p.reference for p in f.plans),
           *(p.reference for p in f.payments if p.reference)}
    if f.first_letter_ref:
        out.add(f.first_letter_ref)
    return {r for r in out if r}


class GroundingEvaluator(Evaluator):
    name = "grounding"
    version = "1"
    description = "share of amounts, dates and references traceable to the file, the plan quote or the message"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        claims = T.extract_claims(output.text)
        if output.file is None:
            if not claims:
                return None
            # no file: nothing can be traced except what the approved values state
            if not output.values:
                return None
        amounts: set[int] = set()
        dates: set[dt.date] = set()
        refs: set[str] = set()
        if output.file is not None:
            amounts |= output.file.ledger_amounts_cents()
            dates |= _file_dates(output.file)
            refs |= _file_refs(output.file)
        for o in output.plan_options:
            amounts |= {o.total_cents, o.discount_cents, o.balance_cents, o.instalment_cents}
            amounts |= {i.amount_cents for i in o.instalments}
            dates |= {i.due_date for i in o.instalments}
        if output.today:
            dates.add(output.today)
        if output.next_action_due:
            dates.add(output.next_action_due)
        approved = "\n".join(output.values.values()) + "\n" + case.incoming
        for c in T.extract_claims(approved):
            if c.amount_cents is not None:
                amounts.add(c.amount_cents)
            if c.date is not None:
                dates.add(c.date)
            if c.kind == "reference":
                refs.add(c.text)
        traced, spans = 0, []
        for c in claims:
            if c.kind == "amount":
                ok = c.amount_cents in amounts
            elif c.kind == "date":
                ok = c.date is not None and c.date in dates
            else:
                ok = c.text in refs
            if ok:
                traced += 1
            else:
                spans.append(ScoreSpan(start=c.start, end=c.end, text=c.text,
                                       note=f"grounding: {c.kind} not found in the file or the quote"))
        value = traced / len(claims) if claims else 1.0
        return Score(value=round(value, 4), passed=not spans, spans=spans,
                     details={"claims": len(claims), "traced": traced,
                              "untraced": [s.text for s in spans]})
