"""Plan engine: quotes, counter-proposals, calendar and policy loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent.errors import ConfigError, InputValidationError
from agent.plans.calendar import add_months, get_calendar
from agent.plans.engine import (
    check_option,
    counter_proposal,
    format_eur,
    plan_for_months,
    quote,
    quote_for_file,
    split_amounts,
)
from agent.plans.models import Capacity, Proposal
from agent.plans.policy import PlanPolicy, load_plan_policy
from agent.settings import REPO_ROOT
from tests.conftest import TODAY

POLICY_FILE = REPO_ROOT / "knowledge" / "policy" / "plans.yaml"


@pytest.fixture(scope="module")
def policy() -> PlanPolicy:
    return load_plan_policy(POLICY_FILE)


# --- policy -----------------------------------------------------------------------------------------

def test_policy_file_defaults(policy: PlanPolicy) -> None:
    d = policy.defaults
    assert d.frequencies == ("monthly", "biweekly", "weekly")
    assert (d.min_instalments, d.max_instalments, d.min_instalment_cents) == (2, 24, 3000)
    assert d.max_duration_months == 24 and d.first_payment_max_days == 30
    assert d.lump_sum.discount_bp == 500 and d.interest_frozen
    assert (d.missed.reminder_after, d.missed.break_after_consecutive) == (1, 2)
    assert d.remainder == "last" and d.calendar.country == "FR" and d.calendar.subdiv is None


def test_profiles_merge_over_defaults(policy: PlanPolicy) -> None:
    strict, generous = policy.policy_for("strict"), policy.policy_for("generous")
    assert strict.lump_sum.discount_bp == 0 and strict.max_instalments == 12
    assert strict.lump_sum.pay_within_days == policy.defaults.lump_sum.pay_within_days  # deep merge
    assert generous.lump_sum.discount_bp == 1000
    assert policy.policy_for(None) == policy.defaults
    assert policy.policy_for("no-such-profile") == policy.defaults


@pytest.mark.parametrize(("text", "needle"), [
    ("version: 1\ndefaults:\n  max_instalments: 1\n", "defaults.max_instalments"),
    ("version: 1\ndefaults:\n  surprise: 3\n", "defaults.surprise"),
    ("version: 1\nprofiles:\n  strict:\n    min_instalment_cents: -5\n", "profiles.strict.min_instalment_cents"),
    ("version: 1\ndefaults:\n  calendar:\n    country: FR\n    subdiv: '99'\n", "calendar"),
    ("version: 1\ndefaults:\n  max_duration_months: 36\n", "max_duration_months"),
    ("version: 1\ndefaults:\n  min_instalments: 10\n  max_instalments: 5\n", "min_instalments"),
    ("- not a mapping\n", "mapping"),
    ("version: [1\n", "not valid YAML"),
])
def test_bad_policy_raises_config_error_naming_file_and_field(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "plans.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_plan_policy(f)
    assert str(f) in exc.value.message and needle in exc.value.message


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_plan_policy(tmp_path / "nope.yaml")


# --- calendar ---------------------------------------------------------------------------------------

def test_add_months_month_ends() -> None:
    jan31 = dt.date(2027, 1, 31)
    assert add_months(jan31, 1) == dt.date(2027, 2, 28)
    assert add_months(jan31, 3) == dt.date(2027, 4, 30)
    assert add_months(jan31, 2, 31) == dt.date(2027, 3, 31)
    assert add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)  # leap year
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_metropolitan_vs_alsace_moselle() -> None:
    metro, moselle, alsace = get_calendar("FR"), get_calendar("FR", "57"), get_calendar("FR", "67")
    good_friday, st_stephen = dt.date(2027, 3, 26), dt.date(2026, 12, 26)
    assert metro.is_business_day(good_friday) and not moselle.is_business_day(good_friday)
    assert not alsace.is_business_day(good_friday) and alsace.subdiv == "6AE"
    assert moselle.is_holiday(st_stephen) and not metro.is_holiday(st_stephen)
    assert not metro.is_business_day(dt.date(2026, 12, 25))  # Christmas
    assert metro.next_business_day(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)  # Fri -> Mon
    assert len(metro.holidays_in(2027)) == 11


def test_monthly_schedule_from_the_31st_stays_at_month_end(policy: PlanPolicy) -> None:
    opt = quote(600_000, policy=policy, today=dt.date(2027, 1, 4), start_date=dt.date(2027, 1, 29))[2]
    assert opt.count == 12
    # 29th anchor: February 2027 has 28 days -> 26 Feb (28 is a Sunday: rolled... back into range)
    start = quote(60_000, policy=policy, today=dt.date(2027, 1, 15), start_date=dt.date(2027, 1, 31))
    short = start[1]
    assert [i.due_date for i in short.instalments] == [
        dt.date(2027, 2, 1),  # Sun 31 Jan -> Mon 1 Feb
        dt.date(2027, 3, 1),  # 28 Feb is a Sunday -> Mon 1 Mar
        dt.date(2027, 3, 31),  # back to the 31st
    ]
    assert check_option(short, policy.defaults, dt.date(2027, 1, 15)) == []


# --- quotes -----------------------------------------------------------------------------------------

def test_quote_options_and_discount(policy: PlanPolicy) -> None:
    opts = quote(123_456, policy=policy, today=TODAY)
    ids = [o.id for o in opts]
    assert ids == ["full", "short-3m", "standard-12m"]
    full = opts[0]
    assert full.discount_cents == 123_456 * 500 // 10_000 == 6172
    assert full.total_cents == 123_456 - 6172 and full.count == 1 and full.frequency == "once"
    assert full.first_due_date == dt.date(2026, 11, 30)  # today + 7 days, a Monday
    for o in opts:
        assert check_option(o, policy.defaults, TODAY) == []
    short = opts[1]
    assert [i.amount_cents for i in short.instalments] == [41152, 41152, 41152]
    assert short.remainder_policy == "last"


def test_remainder_goes_on_the_last_instalment(policy: PlanPolicy) -> None:
    opt = quote(100_001, policy=policy, today=TODAY)[1]
    assert [i.amount_cents for i in opt.instalments] == [33333, 33333, 33335]
    assert split_amounts(100, 3, "first") == [34, 33, 33]


def test_capacity_option(policy: PlanPolicy) -> None:
    opts = quote(123_456, policy=policy, today=TODAY, capacity=Capacity(monthly_amount_cents=10_000))
    cap = opts[-1]
    assert cap.id == "capacity-13m" and cap.kind == "capacity" and cap.instalment_cents <= 10_000
    form = Capacity(monthly_income_cents=180_000, monthly_expenses_cents=160_000)
    opts2 = quote(123_456, policy=policy, today=TODAY, capacity=form)
    # 50 % of 200 EUR disposable = 100 EUR per month -> same plan
    assert opts2[-1].id == "capacity-13m"
    assert 2 <= len(opts2) <= 4


def test_capacity_too_low_gets_the_longest_plan(policy: PlanPolicy) -> None:
    opts = quote(500_000, policy=policy, today=TODAY, capacity=Capacity(monthly_amount_cents=3_000))
    assert opts[-1].id == "capacity-24m"


def test_strict_and_generous_profiles(policy: PlanPolicy) -> None:
    assert quote(100_000, policy=policy, today=TODAY, profile="strict")[0].discount_cents == 0
    assert quote(100_000, policy=policy, today=TODAY, profile="generous")[0].discount_cents == 10_000
    strict = quote(900_000, policy=policy, today=TODAY, profile="strict")
    assert max(o.count for o in strict) <= 12


def test_small_balance_still_two_options(policy: PlanPolicy) -> None:
    opts = quote(5000, policy=policy, today=TODAY)
    assert [o.id for o in opts] == ["full", "full-later"]
    assert opts[0].discount_cents == 0  # below min_balance_cents for the discount
    assert opts[1].first_due_date <= TODAY + dt.timedelta(days=30)


@pytest.mark.parametrize("bad", [0, -100, 10**12])
def test_bad_balance(policy: PlanPolicy, bad: int) -> None:
    with pytest.raises(InputValidationError) as exc:
        quote(bad, policy=policy, today=TODAY)
    assert exc.value.detail[0]["loc"] == ["body", "balance_cents"]  # type: ignore[index]


def test_start_date_in_past_or_too_late(policy: PlanPolicy) -> None:
    with pytest.raises(InputValidationError, match="start_date"):
        quote(100_000, policy=policy, today=TODAY, start_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(InputValidationError, match="start_date"):
        quote(100_000, policy=policy, today=TODAY, start_date=TODAY + dt.timedelta(days=31))


def test_quote_for_file_zero_balance(policy: PlanPolicy) -> None:
    from agent.domain import CreditorView, DebtorFile, Signals

    sig = Signals(balance_cents=0, principal_due_cents=0, interest_due_cents=0, other_due_cents=0,
                  total_invoiced_cents=100, total_paid_cents=100, oldest_due_date=None, days_past_due=0,
                  broken_promises=0, kept_promises=0, contacts_7d=0, contacts_30d=0, call_attempts_30d=0,
                  last_contact_at=None, last_inbound_at=None, prescription_date=None, time_barred=False)
    f = DebtorFile(id="d1", reference="R1", creditor=CreditorView(id="c", name="C", address="A",
                                                                 plan_profile="strict"),
                   kind="consumer", last_name="X", signals=sig, as_of=TODAY)
    assert quote_for_file(f, policy, today=TODAY) == []
    f2 = f.model_copy(update={"signals": sig.model_copy(update={"balance_cents": 100_000})})
    assert quote_for_file(f2, policy, today=TODAY)[0].discount_cents == 0  # strict profile used


# --- counter-proposals ------------------------------------------------------------------------------

def test_proposal_within_policy(policy: PlanPolicy) -> None:
    r = counter_proposal(120_000, Proposal(months=10), policy=policy, today=TODAY)
    assert r.accepted and not r.needs_agent and r.option is not None
    assert r.option.id == "proposal-10m" and r.option.count == 10 and r.reason.code == "within_policy"
    r2 = counter_proposal(120_000, Proposal(amount_cents=25_000, start_date=TODAY + dt.timedelta(days=20)),
                          policy=policy, today=TODAY)
    assert r2.accepted and r2.option is not None and r2.option.count == 5
    assert r2.option.first_due_date >= TODAY + dt.timedelta(days=20)


def test_proposal_weekly(policy: PlanPolicy) -> None:
    r = counter_proposal(120_000, Proposal(amount_cents=20_000, frequency="weekly"), policy=policy, today=TODAY)
    assert r.accepted and r.option is not None and r.option.id == "proposal-6w"
    days = [(b.due_date - a.due_date).days for a, b in zip(r.option.instalments, r.option.instalments[1:],
                                                           strict=False)]
    assert all(4 <= d <= 10 for d in days)


def test_proposal_too_long_gets_alternatives_and_agent(policy: PlanPolicy) -> None:
    r = counter_proposal(120_000, Proposal(months=36), policy=policy, today=TODAY)
    assert not r.accepted and r.needs_agent and r.option is None
    assert r.reason.code == "too_many_instalments"
    assert "conseiller" in r.reason.fr and "adviser" in r.reason.en
    assert r.alternatives and r.alternatives[0].count == 24
    for alt in r.alternatives:
        assert check_option(alt, policy.defaults, TODAY) == []


def test_proposal_amount_too_low(policy: PlanPolicy) -> None:
    r = counter_proposal(120_000, Proposal(amount_cents=1_000), policy=policy, today=TODAY)
    assert not r.accepted and r.reason.code == "instalment_too_low"
    assert "30,00" in r.reason.fr and "€30.00" in r.reason.en
    assert {a.count for a in r.alternatives} >= {24}


def test_proposal_start_too_late(policy: PlanPolicy) -> None:
    r = counter_proposal(120_000, Proposal(months=6, start_date=TODAY + dt.timedelta(days=60)),
                         policy=policy, today=TODAY)
    assert not r.accepted and r.reason.code == "start_too_late"
    assert all(a.first_due_date <= TODAY + dt.timedelta(days=30) for a in r.alternatives)
    assert r.alternatives[0].count == 6


def test_proposal_full_payment(policy: PlanPolicy) -> None:
    r = counter_proposal(50_000, Proposal(amount_cents=60_000), policy=policy, today=TODAY)
    assert r.accepted and r.option is not None and r.option.count == 1 and r.reason.code == "full_payment"


def test_proposal_frequency_not_allowed(policy: PlanPolicy) -> None:
    only_monthly = PlanPolicy(version=1, defaults=policy.defaults.model_copy(update={"frequencies": ("monthly",)}))
    r = counter_proposal(120_000, Proposal(months=6, frequency="weekly"), policy=only_monthly, today=TODAY)
    assert not r.accepted and r.reason.code == "frequency_not_allowed"
    assert all(a.frequency in ("monthly", "once") for a in r.alternatives)


def test_proposal_past_start_is_an_input_error(policy: PlanPolicy) -> None:
    with pytest.raises(InputValidationError):
        counter_proposal(120_000, Proposal(months=6, start_date=TODAY - dt.timedelta(days=3)),
                         policy=policy, today=TODAY)


def test_proposal_model_needs_exactly_one_of_amount_or_months() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Proposal()
    with pytest.raises(ValidationError):
        Proposal(months=3, amount_cents=100)
    with pytest.raises(ValidationError):
        Proposal(months=400)


def test_plan_for_months(policy: PlanPolicy) -> None:
    opt = plan_for_months(120_000, 6, policy=policy, today=TODAY)
    assert opt.count == 6 and opt.id == "standard-6m" and check_option(opt, policy.defaults, TODAY) == []
    with pytest.raises(InputValidationError, match="at most 24"):
        plan_for_months(120_000, 30, policy=policy, today=TODAY)
    with pytest.raises(InputValidationError, match="at least"):
        plan_for_months(5_000, 6, policy=policy, today=TODAY)
    with pytest.raises(InputValidationError, match="months"):
        plan_for_months(120_000, 400, policy=policy, today=TODAY)


def test_format_eur() -> None:
    assert format_eur(123456, "en") == "€1,234.56"
    assert format_eur(123456, "fr") == "1\u202f234,56\u00a0€"
