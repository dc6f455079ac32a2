"""The plan engine: pure, deterministic functions from (balance, policy, today, input) to plan options.

Conventions (stated once, tested by property tests in tests/plans):

* Money is integer cents. A plan of ``n`` instalments over a total ``T`` has a regular instalment of
  ``T // n`` cents; the remainder ``T % n`` (fewer than ``n`` cents) goes on the LAST instalment
  (policy ``remainder: last``; ``first`` puts it on the first one). The sum is ``T`` to the cent and
  every instalment is at least the regular one, which the engine keeps >= the policy minimum.
* The first due date is ``start_date`` (default ``today + first_payment_default_days``) moved to the
  next business day; if that would pass ``today + first_payment_max_days`` it moves back instead.
  Later due dates are anchored on the nominal first date (monthly: same day of month, clamped to the
  month's end, so the 31st gives 30 April and 28/29 February) and moved forward to business days.
* Duration: the last due date is no later than ``first due date + max_duration_months``.
* A pay-in-full option gets the lump-sum discount (floor of ``balance * bp / 10000``) only when it is
  due within ``lump_sum.pay_within_days`` of today and the balance reaches ``min_balance_cents``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from agent.domain import DebtorFile
from agent.errors import InputValidationError
from agent.plans.calendar import BusinessCalendar, add_months, get_calendar
from agent.plans.models import (
    MAX_CENTS,
    Capacity,
    Frequency,
    PlanOption,
    Proposal,
    ProposalResult,
    Reason,
    ReasonCode,
    ScheduledInstalment,
)
from agent.plans.policy import PlanBounds, PlanFrequency, PlanPolicy

_STEP_DAYS = {"weekly": 7, "biweekly": 14}
_PER_YEAR = {"monthly": 12, "biweekly": 26, "weekly": 52}
_SUFFIX = {"monthly": "m", "biweekly": "b", "weekly": "w"}
_ROLL_MARGIN_DAYS = 10  # room left for moving due dates to business days when capping by duration


# --------------------------------------------------------------------------------------------------
# helpers


def format_eur(cents: int, lang: str = "fr") -> str:
    """Exact display of an amount in euros: 1 234,56 € (fr) or €1,234.56 (en)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    if lang == "en":
        return f"{sign}€{euros:,}.{rest:02d}"
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"


def _invalid(field: str, msg: str) -> InputValidationError:
    return InputValidationError(f"{field}: {msg}", detail=[{"loc": ["body", field], "msg": msg,
                                                            "type": "value_error"}])


def calendar_for(bounds: PlanBounds) -> BusinessCalendar:
    c = bounds.calendar
    return get_calendar(c.country, c.subdiv, c.skip_weekends)


def _check_balance(balance_cents: int) -> None:
    if isinstance(balance_cents, bool) or not isinstance(balance_cents, int):
        raise _invalid("balance_cents", "must be an integer number of cents")
    if balance_cents <= 0:
        raise _invalid("balance_cents", "must be greater than 0")
    if balance_cents > MAX_CENTS:
        raise _invalid("balance_cents", f"must not exceed {MAX_CENTS} cents")


def latest_start(bounds: PlanBounds, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=bounds.first_payment_max_days)


def _check_start(start_date: dt.date | None, today: dt.date) -> None:
    if start_date is not None and start_date < today:
        raise _invalid("start_date", f"must not be in the past (today is {today.isoformat()})")


def first_due(bounds: PlanBounds, cal: BusinessCalendar, today: dt.date,
              start_date: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(nominal first date, actual first due date) for an in-policy start date."""
    nominal = start_date or today + dt.timedelta(days=bounds.first_payment_default_days)
    limit = latest_start(bounds, today)
    nominal = min(max(nominal, today), limit)
    due = cal.next_business_day(nominal)
    if due > limit:
        due = cal.previous_business_day(nominal)
        if due < today:  # nothing in the window is a business day: keep the rolled-forward date
            due = cal.next_business_day(nominal)
    return nominal, due


def due_dates(count: int, frequency: Frequency, nominal: dt.date, first: dt.date,
              cal: BusinessCalendar) -> list[dt.date]:
    dates = [first]
    for i in range(1, count):
        if frequency == "monthly":
            d = add_months(nominal, i, nominal.day)
        else:
            d = nominal + dt.timedelta(days=_STEP_DAYS.get(frequency, 7) * i)
        dates.append(cal.next_business_day(d))
    return dates


def split_amounts(total_cents: int, count: int, remainder: str = "last") -> list[int]:
    """``count`` amounts summing to ``total_cents``: equal parts, remainder cents on the last (or first)."""
    base, rest = divmod(total_cents, count)
    amounts = [base] * count
    amounts[-1 if remainder == "last" else 0] += rest
    return amounts


def duration_cap(bounds: PlanBounds, frequency: PlanFrequency) -> int:
    """Most instalments the duration limit allows at this frequency (also capped by max_instalments)."""
    if frequency == "monthly":
        by_duration = bounds.max_duration_months
    else:
        span_days = bounds.max_duration_months * 28 - _ROLL_MARGIN_DAYS
        by_duration = span_days // _STEP_DAYS[frequency] + 1
    return min(bounds.max_instalments, by_duration)


def max_feasible_count(balance_cents: int, bounds: PlanBounds, frequency: PlanFrequency) -> int:
    """Most instalments possible: duration, count and minimum-instalment limits together."""
    return min(duration_cap(bounds, frequency), balance_cents // bounds.min_instalment_cents)


def _discount(bounds: PlanBounds, balance_cents: int, due: dt.date, today: dt.date) -> int:
    ls = bounds.lump_sum
    if ls.discount_bp <= 0 or balance_cents < ls.min_balance_cents:
        return 0
    if (due - today).days > ls.pay_within_days:
        return 0
    return balance_cents * ls.discount_bp // 10_000


def _option(*, id: str, kind: Any, balance_cents: int, count: int, frequency: Frequency, bounds: PlanBounds,
            cal: BusinessCalendar, today: dt.date, start_date: dt.date | None,
            discount_ok: bool = False) -> PlanOption:
    nominal, first = first_due(bounds, cal, today, start_date)
    if count == 1:
        frequency = "once"
    dates = due_dates(count, frequency, nominal, first, cal)
    discount = _discount(bounds, balance_cents, first, today) if (discount_ok and count == 1) else 0
    total = balance_cents - discount
    amounts = split_amounts(total, count, bounds.remainder)
    instalments = tuple(ScheduledInstalment(seq=i + 1, due_date=d, amount_cents=a)
                        for i, (d, a) in enumerate(zip(dates, amounts, strict=True)))
    return PlanOption(
        id=id, kind=kind, frequency=frequency, count=count, balance_cents=balance_cents,
        discount_cents=discount, total_cents=total, instalment_cents=total // count,
        first_due_date=dates[0], last_due_date=dates[-1], interest_frozen=bounds.interest_frozen,
        instalments=instalments, remainder_policy=bounds.remainder,
    )


def option_id(prefix: str, count: int, frequency: Frequency) -> str:
    if frequency == "once" or count == 1:
        return prefix if prefix == "full" else f"{prefix}-full"
    return f"{prefix}-{count}{_SUFFIX.get(frequency, 'm')}"


def _capacity_cents(capacity: Capacity, bounds: PlanBounds) -> int:
    if capacity.monthly_amount_cents is not None:
        return capacity.monthly_amount_cents
    return (capacity.disposable_cents or 0) * bounds.capacity_share_bp // 10_000


def _bounds(policy: PlanPolicy | PlanBounds, profile: str | None) -> PlanBounds:
    return policy if isinstance(policy, PlanBounds) else policy.policy_for(profile)


def _default_frequency(bounds: PlanBounds) -> PlanFrequency:
    return "monthly" if "monthly" in bounds.frequencies else bounds.frequencies[0]


# --------------------------------------------------------------------------------------------------
# quotes


def quote(balance_cents: int, *, policy: PlanPolicy | PlanBounds, today: dt.date, profile: str | None = None,
          capacity: Capacity | None = None, start_date: dt.date | None = None) -> list[PlanOption]:
    """2 to 4 in-policy options: pay in full (with any discount), a short plan, a standard plan and,
    given the debtor's capacity, a capacity-based plan. Raises InputValidationError on bad input."""
    _check_balance(balance_cents)
    _check_start(start_date, today)
    b = _bounds(policy, profile)
    if start_date is not None and start_date > latest_start(b, today):
        raise _invalid("start_date", f"must be no later than {latest_start(b, today).isoformat()}")
    cal = calendar_for(b)
    freq = _default_frequency(b)
    common: dict[str, Any] = {"balance_cents": balance_cents, "bounds": b, "cal": cal, "today": today,
                              "start_date": start_date}
    options: list[PlanOption] = [
        _option(id="full", kind="full", count=1, frequency="once", discount_ok=True, **common)]
    cap = max_feasible_count(balance_cents, b, freq)
    counts: dict[str, int] = {}
    if cap >= b.min_instalments:
        counts["short"] = min(max(3, b.min_instalments), cap)
        standard = min(12 if balance_cents >= 120_000 else 6, cap)
        if standard > counts["short"]:
            counts["standard"] = standard
        if capacity is not None:
            monthly = _capacity_cents(capacity, b)
            if monthly < balance_cents:
                n = cap if monthly <= 0 else -(-balance_cents // monthly)
                n = min(max(n, b.min_instalments), cap)
                counts = {k: v for k, v in counts.items() if v != n}
                counts["capacity"] = n
    for kind in ("short", "standard", "capacity"):
        if kind in counts:
            n = counts[kind]
            options.append(_option(id=option_id(kind, n, freq), kind=kind, count=n, frequency=freq, **common))
    if len(options) < 2 and start_date is None:
        later = _option(id="full-later", kind="full", count=1, frequency="once", discount_ok=True,
                        **{**common, "start_date": latest_start(b, today)})
        if later.first_due_date != options[0].first_due_date:
            options.append(later)
    return options


def quote_for_file(file: DebtorFile, policy: PlanPolicy, *, today: dt.date,
                   capacity: Capacity | None = None, start_date: dt.date | None = None) -> list[PlanOption]:
    """Quote on the file's balance with its creditor's plan profile; [] when nothing is owed."""
    if file.signals.balance_cents <= 0:
        return []
    return quote(file.signals.balance_cents, policy=policy, today=today, profile=file.creditor.plan_profile,
                 capacity=capacity, start_date=start_date)


# --------------------------------------------------------------------------------------------------
# counter-proposals

_FOLLOW_UP_FR = (" Voici les options les plus proches que nous pouvons vous proposer ; un conseiller "
                 "examinera aussi votre demande et reviendra vers vous.")
_FOLLOW_UP_EN = " Here are the nearest options we can offer; an adviser will also review your request and get back to you."


def reason(code: ReasonCode, bounds: PlanBounds, today: dt.date) -> Reason:
    """The fixed FR/EN text for a decision (numbers come from the policy, never from generation)."""
    b = bounds
    texts: dict[str, tuple[str, str]] = {
        "within_policy": ("Votre proposition respecte les conditions de notre client : vous pouvez la confirmer.",
                          "Your proposal is within our client's terms: you can confirm it."),
        "full_payment": ("Vous proposez de régler la totalité en une fois : vous pouvez le confirmer.",
                         "You propose to pay the whole balance at once: you can confirm it."),
        "instalment_too_low": (
            f"Chaque échéance doit être d'au moins {format_eur(b.min_instalment_cents, 'fr')}.",
            f"Each instalment must be at least {format_eur(b.min_instalment_cents, 'en')}."),
        "too_many_instalments": (f"Un échéancier compte au plus {b.max_instalments} échéances.",
                                 f"A plan can have at most {b.max_instalments} instalments."),
        "too_few_instalments": (f"Un échéancier compte au moins {b.min_instalments} échéances.",
                                f"A plan has at least {b.min_instalments} instalments."),
        "duration_too_long": (f"Un échéancier ne peut pas dépasser {b.max_duration_months} mois.",
                              f"A plan cannot last more than {b.max_duration_months} months."),
        "start_too_late": (
            f"Le premier paiement doit intervenir au plus tard le {latest_start(b, today).strftime('%d/%m/%Y')}.",
            f"The first payment must be made by {latest_start(b, today).isoformat()} at the latest."),
        "frequency_not_allowed": ("Cette fréquence de paiement n'est pas proposée pour ce dossier.",
                                  "This payment frequency is not available for this file."),
    }
    fr, en = texts[code]
    if code not in ("within_policy", "full_payment"):
        fr, en = fr + _FOLLOW_UP_FR, en + _FOLLOW_UP_EN
    return Reason(code=code, fr=fr, en=en)


def _proposal_count(balance_cents: int, proposal: Proposal) -> int:
    if proposal.amount_cents is not None:
        return max(1, -(-balance_cents // proposal.amount_cents))
    months = proposal.months or 1
    if proposal.frequency == "monthly":
        return months
    return max(1, months * _PER_YEAR[proposal.frequency] // 12)


def _problems(balance_cents: int, count: int, frequency: PlanFrequency, start: dt.date | None,
              b: PlanBounds, today: dt.date) -> list[ReasonCode]:
    found: list[ReasonCode] = []
    if frequency not in b.frequencies and count > 1:
        found.append("frequency_not_allowed")
    if start is not None and start > latest_start(b, today):
        found.append("start_too_late")
    if count > 1:
        if count < b.min_instalments:
            found.append("too_few_instalments")
        if count > b.max_instalments:
            found.append("too_many_instalments")
        elif count > duration_cap(b, frequency):
            found.append("duration_too_long")
        if balance_cents // count < b.min_instalment_cents:
            found.append("instalment_too_low")
    return found


def _unique(options: Iterable[PlanOption]) -> list[PlanOption]:
    seen: set[tuple[str, int]] = set()
    out = []
    for o in options:
        key = (o.frequency, o.count)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


def counter_proposal(balance_cents: int, proposal: Proposal, *, policy: PlanPolicy | PlanBounds, today: dt.date,
                     profile: str | None = None) -> ProposalResult:
    """Accept a debtor's proposal within policy; otherwise the nearest acceptable options and the reason.

    An out-of-policy proposal is not refused: ``needs_agent`` is set so that a human reviews it.
    """
    _check_balance(balance_cents)
    _check_start(proposal.start_date, today)
    b = _bounds(policy, profile)
    cal = calendar_for(b)
    count = _proposal_count(balance_cents, proposal)
    problems = _problems(balance_cents, count, proposal.frequency, proposal.start_date, b, today)
    if proposal.amount_cents is not None and "instalment_too_low" in problems:
        problems.remove("instalment_too_low")  # the debtor named an amount: that is the point to explain
        problems.insert(0, "instalment_too_low")
    common: dict[str, Any] = {"balance_cents": balance_cents, "bounds": b, "cal": cal, "today": today}
    if not problems:
        freq: Frequency = "once" if count == 1 else proposal.frequency
        opt = _option(id=option_id("proposal", count, freq), kind="proposal", count=count, frequency=freq,
                      start_date=proposal.start_date, discount_ok=True, **common)
        code: ReasonCode = "full_payment" if count == 1 else "within_policy"
        return ProposalResult(accepted=True, option=opt, alternatives=[], reason=reason(code, b, today),
                              needs_agent=False)
    # nearest acceptable options: same shape clamped into policy, then the longest plan, then in full
    start = proposal.start_date
    if start is not None and start > latest_start(b, today):
        start = latest_start(b, today)
    freq2 = proposal.frequency if proposal.frequency in b.frequencies else _default_frequency(b)
    alternatives: list[PlanOption] = []
    for f in dict.fromkeys([freq2, _default_frequency(b)]):
        cap = max_feasible_count(balance_cents, b, f)
        if cap < b.min_instalments:
            continue
        n = min(max(count if f == proposal.frequency else _proposal_count(
            balance_cents, proposal.model_copy(update={"frequency": f})), b.min_instalments), cap)
        alternatives.append(_option(id=option_id("proposal", n, f), kind="proposal", count=n, frequency=f,
                                    start_date=start, **common))
        if n != cap and f == _default_frequency(b):
            alternatives.append(_option(id=option_id("proposal", cap, f), kind="proposal", count=cap,
                                        frequency=f, start_date=start, **common))
    alternatives.append(_option(id="proposal-full", kind="proposal", count=1, frequency="once", start_date=start,
                                discount_ok=True, **common))
    return ProposalResult(accepted=False, option=None, alternatives=_unique(alternatives)[:3],
                          reason=reason(problems[0], b, today), needs_agent=True)


def plan_for_months(balance_cents: int, months: int, *, policy: PlanPolicy | PlanBounds, today: dt.date,
                    profile: str | None = None, start_date: dt.date | None = None,
                    frequency: PlanFrequency = "monthly") -> PlanOption:
    """The plan an agent offers ("six months instead"): InputValidationError when outside policy."""
    _check_balance(balance_cents)
    _check_start(start_date, today)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise _invalid("months", "must be a whole number of months between 1 and 120")
    b = _bounds(policy, profile)
    count = _proposal_count(balance_cents, Proposal(months=months, frequency=frequency))
    problems = _problems(balance_cents, count, frequency, start_date, b, today)
    if count < b.min_instalments and "too_few_instalments" not in problems:
        problems.append("too_few_instalments")
    if problems:
        msg = reason(problems[0], b, today).en.removesuffix(_FOLLOW_UP_EN)
        raise InputValidationError(f"months: {msg}", detail=[
            {"loc": ["body", "months"], "msg": msg, "type": problems[0]}])
    return _option(id=option_id("standard", count, frequency), kind="standard", balance_cents=balance_cents,
                   count=count, frequency=frequency, bounds=b, cal=calendar_for(b), today=today,
                   start_date=start_date)


def check_option(option: PlanOption, bounds: PlanBounds, today: dt.date) -> list[str]:
    """Every invariant an option must satisfy (used by tests and as a defensive check)."""
    cal = calendar_for(bounds)
    errs: list[str] = []
    inst = option.instalments
    if sum(i.amount_cents for i in inst) != option.total_cents:
        errs.append("sum != total")
    if option.total_cents != option.balance_cents - option.discount_cents:
        errs.append("total != balance - discount")
    if len(inst) != option.count:
        errs.append("count mismatch")
    if option.count > 1 and not bounds.min_instalments <= option.count <= bounds.max_instalments:
        errs.append("count out of bounds")
    dates = [i.due_date for i in inst]
    if any(not cal.is_business_day(d) for d in dates):
        errs.append("due date not a business day")
    if any(a >= b for a, b in zip(dates, dates[1:], strict=False)):
        errs.append("dates not strictly increasing")
    if dates and dates[0] < today:
        errs.append("first due date in the past")
    if dates and dates[-1] > add_months(dates[0], bounds.max_duration_months):
        errs.append("duration too long")
    if option.count > 1:
        regular = option.total_cents // option.count
        if regular < bounds.min_instalment_cents:
            errs.append("instalment below minimum")
        if any(i.amount_cents < regular for i in inst):
            errs.append("instalment below the regular amount")
    return errs
