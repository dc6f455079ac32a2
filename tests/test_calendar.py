"""One calendar: the guard's call hours, the cadence, the widget and the sample generator agree on a grid
of dates and times, and the notes' time / channel restrictions are honoured (agent.calendar)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.calendar import ContactWindows, get_calendar, holiday_dates
from agent.guard import Guard
from agent.guard.base import GuardContext
from agent.guard.policy import load_guard_policy
from agent.notes import load_note_flags, restrictions_from_notes
from tests.conftest import REPO, TODAY, make_settings
from tests.guard.factories import make_file

PARIS = ZoneInfo("Europe/Paris")
POLICY = REPO / "knowledge" / "policy" / "guard.yaml"
NOTES = load_note_flags(REPO / "prompts" / "points" / "notes_flags.yaml")
# Mon 23 Nov .. Sun 29 Nov 2026, Armistice (Wed 11 Nov), Christmas (Fri 25 Dec), Easter Monday 2027
DAYS = [TODAY + dt.timedelta(days=i) for i in range(7)] + [dt.date(2026, 11, 11), dt.date(2026, 12, 25),
                                                         dt.date(2027, 3, 29)]
TIMES = [dt.time(h, m) for h in range(7, 22) for m in (0, 30)] + [
    dt.time(9, 59), dt.time(12, 59), dt.time(13, 1), dt.time(13, 59), dt.time(19, 59), dt.time(20, 1)]
GRID = [dt.datetime.combine(d, t, tzinfo=PARIS) for d in DAYS for t in TIMES]


def expected(at: dt.datetime) -> bool:
    """The policy, written out: Monday to Friday except public holidays, [10:00, 13:00) or [14:00, 20:00)."""
    t = at.time().replace(tzinfo=None)
    return (at.weekday() < 5 and at.date() not in holiday_dates("FR", None, at.year)
            and (dt.time(10) <= t < dt.time(13) or dt.time(14) <= t < dt.time(20)))


@pytest.fixture(scope="module")
def guard() -> Guard:
    from agent.firm import load_firm

    return Guard(load_guard_policy(POLICY), firm=load_firm(REPO / "knowledge" / "policy" / "firm.yaml"))


@pytest.fixture(scope="module")
def generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_sample_portfolio", REPO / "scripts" / "make_sample_portfolio.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _guard_allows(guard: Guard, at: dt.datetime, file: Any = None) -> bool:
    ctx = GuardContext(lang="fr", channel="phone", scheduled_at=at, debtor=file)
    report = guard.check("Bonjour, je vous appelle au sujet de votre dossier.", ctx)
    return not any(f.rule_id == "FR-HARASS.call-hours" for f in report.findings)


def test_holidays_and_windows_are_the_ones_written_in_the_policy() -> None:
    assert dt.date(2026, 11, 11) in holiday_dates("FR", None, 2026)
    assert dt.date(2026, 12, 26) not in holiday_dates("FR", None, 2026)
    assert dt.date(2026, 12, 26) in holiday_dates("FR", "57", 2026)  # Moselle: Saint-Étienne
    w = ContactWindows.from_policy(load_guard_policy(POLICY))
    assert [expected(at) for at in GRID] == [w.call_allowed(at) for at in GRID]
    assert sum(expected(at) for at in GRID) > 50 and not all(expected(at) for at in GRID)


def test_guard_cadence_widget_and_generator_agree_on_the_grid(guard: Guard, generator: Any, tmp_path: Path) -> None:
    from agent.cadence import Planner, load_cadence_policy
    from agent.runtime import Runtime
    from api.widget.service import _window_problem

    rt = Runtime(make_settings(tmp_path))
    planner = Planner(load_cadence_policy(REPO / "knowledge" / "policy" / "cadence.yaml"), guard.policy)
    plans_calendar = get_calendar("FR")
    for at in GRID:
        want = expected(at)
        before = at - dt.timedelta(days=1)  # the widget only takes requests within the next 30 days
        assert _guard_allows(guard, at) is want, at
        assert (_window_problem(at, "phone", before, rt) is None) is want, at
        assert generator.in_call_hours(at) is want, at
        assert planner.contact_day(at.date()) is (at.weekday() < 5 and plans_calendar.is_business_day(at.date())), at
        if want:
            assert planner.contact_day(at.date())
    # 20:00 is outside everywhere (a window's end is excluded), 19:59 inside
    before = dt.datetime.combine(TODAY, dt.time(0), tzinfo=PARIS)
    late, last = (dt.datetime(2026, 11, 24, h, m, tzinfo=PARIS) for h, m in ((20, 0), (19, 59)))
    assert not _guard_allows(guard, late) and _window_problem(late, "phone", before, rt) is not None
    assert not generator.in_call_hours(late)
    assert _guard_allows(guard, last) and generator.in_call_hours(last) and _window_problem(last, "sms", before, rt) is None
    # a written channel is not bound to call hours
    assert _window_problem(dt.datetime(2026, 11, 28, 9, tzinfo=PARIS), "email", before, rt) is None


@pytest.mark.parametrize(("notes", "inside", "outside"), [
    ("Pas avant 18h.", dt.time(18, 30), dt.time(10, 30)),
    ("Ne pas appeler avant 18 h, travaille en journée.", dt.time(19), dt.time(17, 59)),
    ("Jamais le matin.", dt.time(14, 30), dt.time(11)),
    ("Pas au travail : rappeler en soirée.", dt.time(18, 30), dt.time(15)),
    ("Do not call before 6 pm.", dt.time(18), dt.time(16)),
    ("Never call after 7pm.", dt.time(15), dt.time(19, 15)),
])
def test_notes_time_restrictions_bind_the_guard_and_the_cadence(guard: Guard, notes: str, inside: dt.time,
                                                                 outside: dt.time) -> None:
    from agent.cadence import Planner, load_cadence_policy

    file = make_file().model_copy(update={"notes": notes})
    day = dt.date(2026, 11, 24)  # a Tuesday
    ok, ko = (dt.datetime.combine(day, t, tzinfo=PARIS) for t in (inside, outside))
    assert _guard_allows(guard, ok, file) and not _guard_allows(guard, ko, file)
    assert _guard_allows(guard, ko)  # the same time without the notes is fine
    w = ContactWindows.from_policy(guard.policy, NOTES)
    assert w.call_allowed(ok, file=file) and not w.call_allowed(ko, file=file)
    first = w.first_slot(day, "phone", file=file)
    assert w.call_allowed(first, file=file)
    planner = Planner(load_cadence_policy(REPO / "knowledge" / "policy" / "cadence.yaml"), guard.policy, w)
    assert planner._earliest(day, "phone", file) == first


def test_notes_channel_restrictions() -> None:
    home = restrictions_from_notes("Ne plus appeler le domicile. Interlocuteur : Me Duhamel, notaire.", NOTES)
    assert not home.channel_allowed("phone") and home.channel_allowed("email")
    only = restrictions_from_notes("Aucune pression ; contact par e-mail uniquement sauf demande de sa part.", NOTES)
    assert only.channel_allowed("email") and not only.channel_allowed("letter") and not only.channel_allowed("phone")
    timed = restrictions_from_notes("Ne pas appeler avant 18h", NOTES)
    assert timed.channel_allowed("phone") and timed.not_before == dt.time(18)  # hours restricted, calls not banned
    assert restrictions_from_notes("Dossier repris en 10/2026.", NOTES).empty


def test_cadence_never_plans_a_channel_the_notes_exclude(guard: Guard) -> None:
    from agent.cadence import Planner, load_cadence_policy

    planner = Planner(load_cadence_policy(REPO / "knowledge" / "policy" / "cadence.yaml"), guard.policy,
                      ContactWindows.from_policy(guard.policy, NOTES))
    file = make_file().model_copy(update={"preferred_channel": "phone", "notes": "Ne plus appeler le domicile."})
    rec = planner.recommend(file)
    assert rec.action == "contact" and rec.channel != "phone"
    plain = planner.recommend(make_file().model_copy(update={"preferred_channel": "phone"}))
    assert plain.channel == "phone"
