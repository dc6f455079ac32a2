"""Plan validity: each offered option is exact to the cent, dated in order and within the policy and the
scenario's bounds; a dispute or a time-barred debt gets no plan."""

from __future__ import annotations

from agent.plans.models import PlanOption
from agent.qa import text as T
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score


def _months_between(a: PlanOption) -> int:
    f, last = a.first_due_date, a.last_due_date
    return (last.year - f.year) * 12 + (last.month - f.month) + (1 if last.day > f.day else 0)


def check_option(o: PlanOption, out: CaseOutput) -> list[str]:
    problems = []
    total = sum(i.amount_cents for i in o.instalments)
    if total != o.total_cents:
        problems.append(f"{o.id}: instalments sum to {total} cents, total is {o.total_cents}")
    if o.total_cents != o.balance_cents - o.discount_cents:
        problems.append(f"{o.id}: total {o.total_cents} != balance {o.balance_cents} - discount {o.discount_cents}")
    if o.count != len(o.instalments):
        problems.append(f"{o.id}: count {o.count} but {len(o.instalments)} instalments")
    dates = [i.due_date for i in o.instalments]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        problems.append(f"{o.id}: due dates not strictly increasing")
    if [i.seq for i in o.instalments] != list(range(1, len(o.instalments) + 1)):
        problems.append(f"{o.id}: instalment numbers not 1..n")
    if out.today and dates and dates[0] < out.today:
        problems.append(f"{o.id}: first due date {dates[0]} is in the past")
    if out.file is not None and o.balance_cents != out.file.signals.balance_cents:
        problems.append(f"{o.id}: balance {o.balance_cents} differs from the file's {out.file.signals.balance_cents}")
    if _months_between(o) > 24:
        problems.append(f"{o.id}: lasts more than 24 months (C. civ. 1343-5 ceiling)")
    b = out.plan_bounds
    if b is not None and o.count > 1:
        if o.count > b.max_instalments:
            problems.append(f"{o.id}: {o.count} instalments > policy max {b.max_instalments}")
        if o.frequency not in b.frequencies:
            problems.append(f"{o.id}: frequency {o.frequency} not allowed by the policy")
        if o.kind != "proposal" and any(i.amount_cents < b.min_instalment_cents for i in o.instalments[:-1]):
            problems.append(f"{o.id}: an instalment is below the policy minimum {b.min_instalment_cents} cents")
    return problems


class PlanEvaluator(Evaluator):
    name = "plan"
    version = "1"
    description = "options exact to the cent, ordered dates, within policy and scenario bounds; none when barred"

    def evaluate(self, case: EvalCase, output: CaseOutput) -> Score | None:
        exp = case.expect.plan
        options = output.plan_options
        offered = bool({"plan_options", "plan_offer"} & set(output.facts)) or any(
            f"{o.instalment_cents // 100}" in output.text and o.count > 1 and
            T.contains(output.text, "mensualités|monthly instalments|instalments|échéances") for o in options)
        if not options and exp is None:
            return None
        checks: list[tuple[str, bool]] = []
        problems: list[str] = []
        for o in options:
            p = check_option(o, output)
            problems.extend(p)
            checks.append((f"option {o.id} valid", not p))
        if exp is not None:
            if exp.none:
                checks.append(("no plan offered in the text", not offered))
            if exp.min_options is not None:
                checks.append((f">= {exp.min_options} options", len(options) >= exp.min_options))
            if exp.max_options is not None:
                checks.append((f"<= {exp.max_options} options", len(options) <= exp.max_options))
            if exp.max_count is not None:
                checks.append((f"<= {exp.max_count} instalments", all(o.count <= exp.max_count for o in options)))
            if exp.min_instalment_cents is not None:
                checks.append((f"instalments >= {exp.min_instalment_cents} cents",
                               all(o.count == 1 or o.instalment_cents >= exp.min_instalment_cents for o in options)))
            if exp.max_duration_months is not None:
                checks.append((f"<= {exp.max_duration_months} months",
                               all(_months_between(o) <= exp.max_duration_months for o in options)))
        if not checks:
            return None
        failed = [name for name, ok in checks if not ok]
        value = 1 - len(failed) / len(checks)
        return Score(value=round(value, 4), passed=not failed,
                     details={"options": [o.id for o in options], "offered_in_text": offered, "failed": failed,
                              "problems": problems})
