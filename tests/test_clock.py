"""The runtime's clock: frozen date, frozen instant, real time in the firm's timezone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from agent.clock import Clock, zone
from agent.errors import ConfigError
from tests.conftest import TODAY, make_settings

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _wall(at: dt.datetime):  # type: ignore[no-untyped-def]
    return lambda: at


def test_real_mode_is_the_wall_clock_in_the_firm_timezone() -> None:
    # 23:30 UTC on 31 Dec is already 1 Jan in Paris: "today" is the firm's date, not UTC's.
    wall = dt.datetime(2030, 12, 31, 23, 30, tzinfo=dt.UTC)
    c = Clock(tz=PARIS, wall=_wall(wall))
    assert c.today() == dt.date(2031, 1, 1)
    assert c.now().utcoffset() == dt.timedelta(hours=1)
    assert c.utcnow() == wall and not c.frozen


def test_frozen_date_keeps_the_time_of_day_ticking() -> None:
    frozen = dt.date(2031, 6, 2)
    ticks = iter([dt.datetime(2031, 1, 5, 8, 0, tzinfo=dt.UTC), dt.datetime(2031, 1, 5, 8, 0, 5, tzinfo=dt.UTC)])
    c = Clock(tz=PARIS, fixed_today=frozen, wall=lambda: next(ticks))
    a, b = c.now(), c.now()
    assert a.date() == b.date() == frozen == c.today()
    assert (a.hour, a.minute) == (9, 0)  # 08:00 UTC is 09:00 in Paris in January (the wall's offset)
    assert b - a == dt.timedelta(seconds=5) and c.frozen


def test_frozen_instant_is_fixed() -> None:
    at = dt.datetime(2031, 3, 4, 15, 45, tzinfo=PARIS)
    c = Clock(tz=PARIS, fixed_now=at)
    assert c.now() == c.now() == at and c.today() == at.date()
    assert c.timestamp() == at.timestamp()
    naive = Clock(tz=PARIS, fixed_now=dt.datetime(2031, 3, 4, 15, 45))
    assert naive.now() == at  # a naive AMIABLE_NOW is read in the firm's timezone


def test_now_and_today_must_agree() -> None:
    with pytest.raises(ConfigError, match="disagree"):
        Clock(tz=PARIS, fixed_today=dt.date(2031, 3, 5), fixed_now=dt.datetime(2031, 3, 4, 12, tzinfo=PARIS))


def test_unknown_timezone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown timezone"):
        zone("Mars/Olympus_Mons")


def test_settings_and_runtime_share_the_frozen_clock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agent import clock
    from agent.runtime import Runtime

    s = make_settings(tmp_path)
    assert Clock.from_settings(s).today() == TODAY
    rt = Runtime.start(s)
    try:
        assert rt.clock.today() == TODAY and clock.current() is rt.clock
        assert rt.clock.utcnow().astimezone(PARIS).date() == TODAY
    finally:
        clock.reset()


def test_stamps_come_from_the_installed_clock() -> None:
    from agent import clock
    from agent.db.service_models import _now

    at = dt.datetime(2031, 7, 14, 10, 0, tzinfo=PARIS)
    clock.install(Clock(tz=PARIS, fixed_now=at))
    try:
        assert _now() == at.astimezone(dt.UTC)
    finally:
        clock.reset()
