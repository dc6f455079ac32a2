"""Cadence: next recommended contact (holidays, caps, opt-outs, exclusions) and escalation hints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from agent.cadence import CadencePolicy, Planner, load_cadence_policy, work_queue
from agent.domain import ContactView, CreditorView, DebtorFile, DisputeView, InvoiceView, compute_signals
from agent.errors import ConfigError
from agent.guard.policy import load_guard_policy
from agent.settings import REPO_ROOT

PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture(scope="module")
def planner() -> Planner:
    policy_dir = REPO_ROOT / "knowledge" / "policy"
    return Planner(load_cadence_policy(policy_dir / "cadence.yaml"), load_guard_policy(policy_dir / "guard.yaml"))


def make_file(as_of: dt.date, contacts: list[tuple[dt.date, str, str]] = (), **kw: Any) -> DebtorFile:  # type: ignore[assignment]
    inv = (InvoiceView(number="F1", issue_date=dt.date(2026, 8, 1), due_date=dt.date(2026, 9, 1),
                       principal_cents=120_000),)
    cv = tuple(ContactView(at=dt.datetime.combine(d, dt.time(11, 0), tzinfo=PARIS), channel=ch,  # type: ignore[arg-type]
                           direction=di) for d, ch, di in contacts)  # type: ignore[arg-type]
    disputes = kw.pop("disputes", ())
    sig = compute_signals(kind="consumer", invoices=inv, payments=(), promises=(), contacts=cv, title=None,
                          prescription_override=None, as_of=as_of)
    return DebtorFile(id="X1", reference="R-1", creditor=CreditorView(id="C1", name="Cred", address="Paris"),
                      kind="consumer", last_name="Martin", invoices=inv, contacts=cv, disputes=disputes,
                      signals=sig, as_of=as_of, **kw)


def test_first_contact_is_today_on_a_business_day(planner: Planner) -> None:
    r = planner.recommend(make_file(dt.date(2026, 11, 23)))  # a Monday
    assert (r.action, r.date, r.message_type, r.channel) == ("contact", dt.date(2026, 11, 23), "first_reminder",
                                                             "email")


def test_holidays_and_weekends_are_skipped(planner: Planner) -> None:
    r = planner.recommend(make_file(dt.date(2026, 12, 25)))  # Christmas, a Friday
    assert r.date == dt.date(2026, 12, 28)
    r = planner.recommend(make_file(dt.date(2026, 11, 11)))  # Armistice, a Wednesday
    assert r.date == dt.date(2026, 11, 12)
    # 10 days after a reminder sent on 2026-12-22 is Friday 1 January 2027 (holiday): Monday 4 January.
    r = planner.recommend(make_file(dt.date(2026, 12, 23), [(dt.date(2026, 12, 22), "email", "out")]))
    assert r.date == dt.date(2027, 1, 4)
    assert planner.contact_day(r.date) and not planner.is_holiday(r.date)


def test_call_step_uses_call_window(planner: Planner) -> None:
    f = make_file(dt.date(2026, 11, 23), [(dt.date(2026, 11, 2), "email", "out"), (dt.date(2026, 11, 12), "email", "out")])
    r = planner.recommend(f)
    assert r.message_type == "call" and r.channel == "phone"
    assert r.earliest_at is not None and r.earliest_at.time() == dt.time(10, 0)


def test_call_cap_reached_switches_channel_or_postpones(planner: Planner) -> None:
    calls = [(dt.date(2026, 11, d), "phone", "out") for d in (2, 5, 9, 12)]
    f = make_file(dt.date(2026, 11, 23), [(dt.date(2026, 10, 1), "email", "out"), (dt.date(2026, 10, 12), "email", "out"), *calls])
    r = planner.recommend(f.model_copy(update={"preferred_channel": "phone"}))
    assert r.channel != "phone" and any("call cap" in x for x in r.reasons)
    only_phone = f.model_copy(update={"preferred_channel": "phone", "opt_outs": ("email", "sms", "letter")})
    r2 = planner.recommend(only_phone)
    assert r2.channel == "phone" and r2.date is not None and r2.date >= dt.date(2026, 12, 2)


def test_opt_out_respected(planner: Planner) -> None:
    r = planner.recommend(make_file(dt.date(2026, 11, 23), opt_outs=("email",)))
    assert r.channel not in ("email", None) and any("opted out" in x for x in r.reasons)
    r = planner.recommend(make_file(dt.date(2026, 11, 23), opt_outs=("email", "sms", "letter", "phone")))
    assert r.action == "agent_review"


def test_disputed_on_hold_and_barred_go_to_review(planner: Planner) -> None:
    disputed = make_file(dt.date(2026, 11, 23), disputes=(DisputeView(opened_on=dt.date(2026, 11, 1), reason="x"),))
    assert planner.recommend(disputed).action == "agent_review"
    held = make_file(dt.date(2026, 11, 23), status="on_hold", hold_reason="deceased")
    assert planner.recommend(held).action == "agent_review"
    barred = make_file(dt.date(2029, 1, 10))
    assert barred.signals.time_barred and planner.recommend(barred).action == "agent_review"


def test_escalation_suggested_only_after_delay(planner: Planner) -> None:
    outs = [(dt.date(2026, 9, 1), "email", "out"), (dt.date(2026, 9, 11), "email", "out"),
            (dt.date(2026, 9, 18), "phone", "out")]
    late = planner.recommend(make_file(dt.date(2026, 11, 23), outs))
    assert late.escalation is not None and late.escalation.suggested and late.escalation.internal
    early = planner.recommend(make_file(dt.date(2026, 9, 25), outs))
    assert early.escalation is not None and not early.escalation.suggested
    answered = planner.recommend(make_file(dt.date(2026, 11, 23), [*outs, (dt.date(2026, 11, 20), "email", "in")]))
    assert answered.message_type == "reply" and not answered.escalation.suggested  # type: ignore[union-attr]


def test_queue_ordered_by_date(planner: Planner) -> None:
    a = make_file(dt.date(2026, 11, 23))
    b = make_file(dt.date(2026, 11, 23), [(dt.date(2026, 11, 20), "email", "out")]).model_copy(update={"id": "X2"})
    c = make_file(dt.date(2026, 11, 23), status="on_hold").model_copy(update={"id": "X3"})
    q = work_queue(planner, [b, a, c])
    assert [i.debtor_id for i in q] == ["X3", "X1", "X2"]


def test_broken_cadence_policy_is_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "cadence.yaml"
    bad.write_text("version: x\nsequence: []\ninterval_days: [1]\nfallback_channels: [email]\n")
    with pytest.raises(ConfigError):
        load_cadence_policy(bad)
    bad.write_text("version: x\nsurprise: 1\n")
    with pytest.raises(ConfigError):
        load_cadence_policy(bad)
    assert isinstance(load_cadence_policy(REPO_ROOT / "knowledge" / "policy" / "cadence.yaml"), CadencePolicy)


def test_escalation_counts_real_silence_not_contacts_answered_by_payments_or_promises(planner: Planner) -> None:
    """Issue 13: a debtor who paid or promised after our contacts has not been silent since the first one."""
    from agent.domain import PaymentView, PromiseView

    outs = [(dt.date(2026, 9, 1), "email", "out"), (dt.date(2026, 9, 11), "email", "out"),
            (dt.date(2026, 9, 18), "phone", "out"), (dt.date(2026, 11, 2), "email", "out")]
    silent = planner.recommend(make_file(dt.date(2026, 11, 23), outs))
    assert silent.escalation is not None and silent.escalation.suggested
    paid = planner.recommend(make_file(dt.date(2026, 11, 23), outs,
                                       payments=(PaymentView(date=dt.date(2026, 10, 20), amount_cents=5000),)))
    assert paid.escalation is not None and not paid.escalation.suggested, paid.escalation.reason
    promised = planner.recommend(make_file(dt.date(2026, 11, 23), outs, promises=(
        PromiseView(made_on=dt.date(2026, 10, 25), due_date=dt.date(2026, 11, 30), amount_cents=5000,
                    status="pending"),)))
    assert promised.escalation is not None and not promised.escalation.suggested, promised.escalation.reason
