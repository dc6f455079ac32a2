"""Property-based tests (hypothesis) for the plan engine's invariants."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.plans.calendar import add_months, get_calendar
from agent.plans.engine import check_option, counter_proposal, plan_for_months, quote, split_amounts
from agent.plans.models import Capacity, PlanOption, Proposal
from agent.plans.policy import PlanBounds, PlanPolicy, load_plan_policy
from agent.settings import REPO_ROOT

POLICY = load_plan_policy(REPO_ROOT / "knowledge" / "policy" / "plans.yaml")
PROFILES = st.sampled_from([None, "strict", "generous", "alsace-moselle"])
BALANCES = st.integers(min_value=1, max_value=5_000_000_00)
TODAYS = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2031, 12, 31))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _invariants(opt: PlanOption, bounds: PlanBounds, today: dt.date) -> None:
    cal = get_calendar(bounds.calendar.country, bounds.calendar.subdiv, bounds.calendar.skip_weekends)
    amounts = [i.amount_cents for i in opt.instalments]
    dates = [i.due_date for i in opt.instalments]
    # sum == total to the cent, total == balance - discount
    assert sum(amounts) == opt.total_cents == opt.balance_cents - opt.discount_cents
    assert all(isinstance(a, int) and a > 0 for a in amounts)
    # count within bounds
    assert len(amounts) == opt.count
    if opt.count > 1:
        assert bounds.min_instalments <= opt.count <= bounds.max_instalments
    # business days, not public holidays, strictly increasing, first not in the past
    for d in dates:
        assert d.weekday() < 5 and not cal.is_holiday(d), d
    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    assert dates[0] >= today
    assert dates[0] <= today + dt.timedelta(days=bounds.first_payment_max_days) or opt.count == 1
    # duration
    assert dates[-1] <= add_months(dates[0], bounds.max_duration_months)
    # minimum instalment: every instalment >= the regular one >= policy minimum (remainder goes up, on last)
    if opt.count > 1:
        regular = opt.total_cents // opt.count
        assert regular >= bounds.min_instalment_cents
        assert all(a == regular for a in amounts[:-1]) and amounts[-1] - regular < opt.count
    # discount bounded by policy
    assert opt.discount_cents <= opt.balance_cents * bounds.lump_sum.discount_bp // 10_000
    assert check_option(opt, bounds, today) == []


@FAST
@given(balance=BALANCES, today=TODAYS, profile=PROFILES,
       capacity=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000_000).map(
           lambda c: Capacity(monthly_amount_cents=c))))
def test_quote_invariants(balance: int, today: dt.date, profile: str | None, capacity: Capacity | None) -> None:
    opts = quote(balance, policy=POLICY, today=today, profile=profile, capacity=capacity)
    bounds = POLICY.policy_for(profile)
    assert 1 <= len(opts) <= 4
    if bounds.first_payment_default_days < bounds.first_payment_max_days:
        assert len(opts) >= 2
    assert len({o.id for o in opts}) == len(opts)
    for o in opts:
        _invariants(o, bounds, today)


@FAST
@given(balance=BALANCES, today=TODAYS, profile=PROFILES,
       amount=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000_000)),
       months=st.integers(min_value=1, max_value=120),
       frequency=st.sampled_from(["monthly", "biweekly", "weekly"]),
       delay=st.one_of(st.none(), st.integers(min_value=0, max_value=90)))
def test_counter_proposal_invariants(balance: int, today: dt.date, profile: str | None, amount: int | None,
                                     months: int, frequency: str, delay: int | None) -> None:
    start = None if delay is None else today + dt.timedelta(days=delay)
    p = Proposal(amount_cents=amount, frequency=frequency, start_date=start) if amount else \
        Proposal(months=months, frequency=frequency, start_date=start)  # type: ignore[arg-type]
    r = counter_proposal(balance, p, policy=POLICY, today=today, profile=profile)
    bounds = POLICY.policy_for(profile)
    assert r.accepted == (r.option is not None) and r.needs_agent == (not r.accepted)
    assert r.reason.fr and r.reason.en
    if r.option is not None:
        _invariants(r.option, bounds, today)
        if amount is not None and r.option.count > 1:
            assert r.option.instalment_cents <= amount
    else:
        assert 1 <= len(r.alternatives) <= 3
        for alt in r.alternatives:
            _invariants(alt, bounds, today)


@FAST
@given(balance=BALANCES, months=st.integers(min_value=1, max_value=40), today=TODAYS)
def test_plan_for_months_either_valid_or_refused(balance: int, months: int, today: dt.date) -> None:
    from agent.errors import InputValidationError

    try:
        opt = plan_for_months(balance, months, policy=POLICY, today=today)
    except InputValidationError:
        b = POLICY.defaults
        assert months < b.min_instalments or months > b.max_instalments or balance // months < b.min_instalment_cents
        return
    assert opt.count == months
    _invariants(opt, POLICY.defaults, today)


@given(total=st.integers(min_value=1, max_value=10**10), n=st.integers(min_value=1, max_value=120),
       where=st.sampled_from(["last", "first"]))
def test_split_exact(total: int, n: int, where: str) -> None:
    parts = split_amounts(total, n, where)
    assert sum(parts) == total and len(parts) == n
    assert max(parts) - min(parts) < n


@given(d=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), k=st.integers(0, 400))
def test_add_months_month_end(d: dt.date, k: int) -> None:
    r = add_months(d, k)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == k
    assert r.day == d.day or (r.day < d.day and (r + dt.timedelta(days=1)).day == 1)  # clamped to month end


@FAST
@given(today=TODAYS, day=st.integers(28, 31), n=st.integers(2, 24))
def test_month_end_anchor_is_kept(today: dt.date, day: int, n: int) -> None:
    """A plan anchored on the 29th-31st never drifts to earlier days in later months."""
    import calendar

    policy = PlanPolicy(version=1, defaults=PlanBounds(min_instalment_cents=1, first_payment_max_days=45))
    start = today + dt.timedelta(days=1)
    while start.day != min(day, calendar.monthrange(start.year, start.month)[1]):
        start += dt.timedelta(days=1)
    opt = plan_for_months(10_000_00, n, policy=policy, today=today, start_date=start)
    cal = get_calendar()
    for i, inst in enumerate(opt.instalments[1:], start=1):
        nominal = add_months(start, i, start.day)
        assert inst.due_date == cal.next_business_day(nominal)
