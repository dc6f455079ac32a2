"""The product's one clock: every date and time it computes or stamps comes from here.

The runtime owns a :class:`Clock` built from the settings (``Runtime.clock``) and installs it as the
process default on start, so that low-level helpers that are not handed a runtime (database column
defaults, the audit trail, the plan lifecycle) read the same clock. Nothing else in ``agent/`` or
``api/`` reads the wall clock (``tests/test_clock_lint.py`` greps for it).

Modes, from the settings:

* ``AMIABLE_NOW`` (a full ISO timestamp): the clock is frozen at that instant (replays, evals).
* ``AMIABLE_TODAY`` (a date): the date is frozen; the time of day is the wall clock's, in the firm's
  timezone, so events of one run keep their order and call windows keep their meaning.
* neither: the real time in the firm's timezone (``AMIABLE_TIMEZONE``, default Europe/Paris).

``wall_timestamp()`` is the one deliberate exception: the real POSIX time, for protocol work that
must compare with other machines' clocks (an HTTP ``Retry-After`` date), never for business dates.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.errors import ConfigError

if TYPE_CHECKING:
    from agent.settings import Settings


def _real_utc() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The named IANA timezone; a bad name is a configuration error, not a traceback."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown timezone {name!r} (expected an IANA name such as Europe/Paris)") from exc


@dataclass(frozen=True)
class Clock:
    """Dates and aware datetimes in ``tz``; frozen by ``fixed_now`` or ``fixed_today`` when given."""

    tz: zoneinfo.ZoneInfo
    fixed_today: dt.date | None = None
    fixed_now: dt.datetime | None = None
    wall: Callable[[], dt.datetime] = field(default=_real_utc, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fixed_now is not None:
            if self.fixed_now.tzinfo is None:
                object.__setattr__(self, "fixed_now", self.fixed_now.replace(tzinfo=self.tz))
            assert self.fixed_now is not None
            if self.fixed_today is not None and self.fixed_now.astimezone(self.tz).date() != self.fixed_today:
                raise ConfigError(
                    f"AMIABLE_NOW ({self.fixed_now.isoformat()}) and AMIABLE_TODAY "
                    f"({self.fixed_today.isoformat()}) disagree; set one of them")

    @classmethod
    def from_settings(cls, settings: Settings) -> Clock:
        return cls(tz=zone(settings.timezone), fixed_today=settings.today, fixed_now=settings.now)

    @property
    def frozen(self) -> bool:
        return self.fixed_now is not None or self.fixed_today is not None

    def now(self) -> dt.datetime:
        """The current instant, aware, in the firm's timezone."""
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(self.tz)
        local = self.wall().astimezone(self.tz)
        if self.fixed_today is None:
            return local
        # Frozen date, ticking time of day (re-localised: the UTC offset is the frozen date's).
        return dt.datetime.combine(self.fixed_today, local.time().replace(tzinfo=None)).replace(tzinfo=self.tz)

    def utcnow(self) -> dt.datetime:
        """The current instant, aware, in UTC (what the database stores)."""
        return self.now().astimezone(dt.UTC)

    def today(self) -> dt.date:
        """Today's date in the firm's timezone."""
        return self.fixed_today if self.fixed_today is not None and self.fixed_now is None else self.now().date()

    def timestamp(self) -> float:
        """POSIX seconds of :meth:`now` (token issue and expiry times)."""
        return self.now().timestamp()

    def local(self, when: dt.datetime, tz: zoneinfo.ZoneInfo | None = None) -> dt.datetime:
        """``when`` (naive = UTC, as SQLite returns it) in ``tz`` or the firm's timezone."""
        aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        return aware.astimezone(tz or self.tz)

    @staticmethod
    def wall_timestamp() -> float:
        """The real POSIX time: only for comparing with other machines' clocks (HTTP dates)."""
        return time.time()


_lock = threading.Lock()
_current: Clock | None = None


def install(clock: Clock) -> None:
    """Make ``clock`` the process default (the runtime does this on start)."""
    global _current
    with _lock:
        _current = clock


def current() -> Clock:
    """The installed clock, or one built from ``get_settings()`` before any runtime started."""
    clock = _current
    if clock is None:
        from agent.settings import get_settings

        clock = Clock.from_settings(get_settings())
    return clock


def reset() -> None:
    """Forget the installed clock (tests that change the settings between runtimes)."""
    global _current
    with _lock:
        _current = None


# When the current draft started (monotonic), so the LLM's per-draft deadline
# (agent.llm.resilience.draft_deadline) covers the whole draft (retrieval, queueing for the model
# executor, every attempt) and not just the model calls. Here so that drafting starts it without
# importing the LLM package.
_draft_started: ContextVar[float | None] = ContextVar("amiable_draft_started", default=None)


@contextmanager
def draft_clock() -> Iterator[None]:
    """Mark the start of a draft for ``draft_deadline`` (nested calls keep the outer start)."""
    token = _draft_started.set(_draft_started.get() or time.monotonic())
    try:
        yield
    finally:
        _draft_started.reset(token)


def draft_started() -> float | None:
    """The monotonic start of the current draft, or None outside a draft."""
    return _draft_started.get()
