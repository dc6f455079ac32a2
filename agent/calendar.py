"""One business calendar and one set of contact windows for the whole product.

* :class:`BusinessCalendar`: working days of one country / subdivision (weekends and public holidays
  from the ``holidays`` package, looked up in one place, :func:`holiday_dates`). The plan engine's due
  dates, the drafts' next-action dates and the contact windows all use it.
* :class:`ContactWindows`: when the firm may call or text a debtor, from the guard policy's
  ``call_windows`` (weekdays, time ranges ``[start, end)``, public holidays) in the debtor's timezone,
  plus what the file's notes restrict ("pas avant 18h", "jamais le matin", "pas au travail", "ne plus
  appeler le domicile": :mod:`agent.notes`). The guard's FR-HARASS call-hours check, the cadence
  planner, the widget's call-back requests and the sample-portfolio generator all ask it, so they
  agree: a range's end is excluded, so 20:00 is outside a 14:00-20:00 window everywhere.

Metropolitan France by default (11 public holidays). Alsace-Moselle adds Good Friday and 26 December:
the ``holidays`` package names the subdivisions "57" (Moselle) and "6AE" (Alsace); "67" (Bas-Rhin) and
"68" (Haut-Rhin) are accepted as aliases of "6AE".
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from agent.errors import ConfigError
from agent.notes import ContactRestrictions, NoteFlags, load_note_flags, restrictions_from_notes

if TYPE_CHECKING:
    from agent.domain import DebtorFile
    from agent.guard.policy import CallWindows, GuardPolicy

SUBDIV_ALIASES: dict[tuple[str, str], str] = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_ROLL_DAYS = 15  # no calendar has more consecutive non-business days than this
# Why a contact time is refused (ContactWindows.problem): not a contact day, outside the policy hours, or
# against the file's notes (a channel they exclude, hours they forbid).
WindowProblem = Literal["day", "hours", "notes_channel", "notes_hours"]


def normalise_subdiv(country: str, subdiv: str | None) -> str | None:
    if subdiv is None:
        return None
    return SUBDIV_ALIASES.get((country.upper(), subdiv), subdiv)


@lru_cache(maxsize=256)
def holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[dt.date]:
    """The public holidays of one year: the product's only lookup in the ``holidays`` package."""
    country = country.upper()
    try:
        h = holidays.country_holidays(country, subdiv=normalise_subdiv(country, subdiv), years=year)
    except (NotImplementedError, ValueError) as exc:
        raise ConfigError(f"holiday calendar {country}/{subdiv}: {exc}") from exc
    return frozenset(h.keys())


def check_calendar(country: str, subdiv: str | None) -> None:
    """Raise ValueError (a policy validation error) for an unknown country or subdivision."""
    try:
        holidays.country_holidays(country.upper(), subdiv=normalise_subdiv(country, subdiv), years=2026)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday country {country!r}") from exc
    except ValueError as exc:  # unknown subdivision: message lists the known ones
        raise ValueError(f"holidays: {exc}") from exc


class BusinessCalendar:
    """Working days of one country / subdivision; holiday sets are computed once per year.

    ``workdays`` are weekday numbers (Monday 0); default Monday to Friday, or every day when
    ``skip_weekends`` is false. ``skip_holidays=False`` keeps public holidays as working days."""

    def __init__(self, country: str = "FR", subdiv: str | None = None, *, skip_weekends: bool = True,
                 workdays: Iterable[int] | None = None, skip_holidays: bool = True) -> None:
        self.country = country.upper()
        self.subdiv = normalise_subdiv(self.country, subdiv)
        self.skip_weekends = skip_weekends
        self.workdays = frozenset(workdays if workdays is not None else (range(5) if skip_weekends else range(7)))
        self.skip_holidays = skip_holidays
        self._lock = threading.Lock()

    def holidays_in(self, year: int) -> frozenset[dt.date]:
        return holiday_dates(self.country, self.subdiv, year)

    def is_holiday(self, d: dt.date) -> bool:
        return d in self.holidays_in(d.year)

    def is_business_day(self, d: dt.date) -> bool:
        if d.weekday() not in self.workdays:
            return False
        return not (self.skip_holidays and self.is_holiday(d))

    def next_business_day(self, d: dt.date) -> dt.date:
        """``d`` itself if it is a business day, else the first business day after it."""
        for _ in range(_MAX_ROLL_DAYS):
            if self.is_business_day(d):
                return d
            d += dt.timedelta(days=1)
        raise ConfigError(f"no business day within {_MAX_ROLL_DAYS} days of {d}")

    def previous_business_day(self, d: dt.date) -> dt.date:
        """``d`` itself if it is a business day, else the last business day before it."""
        for _ in range(_MAX_ROLL_DAYS):
            if self.is_business_day(d):
                return d
            d -= dt.timedelta(days=1)
        raise ConfigError(f"no business day within {_MAX_ROLL_DAYS} days before {d}")


@lru_cache(maxsize=32)
def get_calendar(country: str = "FR", subdiv: str | None = None, skip_weekends: bool = True) -> BusinessCalendar:
    return BusinessCalendar(country, subdiv, skip_weekends=skip_weekends)


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The named timezone, else the fallback (an unknown or empty name never raises)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(fallback)


def _t(hhmm: str) -> dt.time:
    h, m = hhmm.split(":")
    return dt.time(int(h), int(m))


def default_notes_table() -> NoteFlags:
    from agent.settings import get_settings

    return load_note_flags(Path(get_settings().prompts_dir) / "points" / "notes_flags.yaml")


class ContactWindows:
    """When a debtor may be called or texted: the policy call windows plus what the file's notes say."""

    TIMED_CHANNELS = ("phone", "sms")  # written channels (email, letter) are not bound to call hours

    def __init__(self, windows: CallWindows, timezone: str, notes: NoteFlags | None = None, *,
                 notes_file: Path | None = None) -> None:
        self.windows = windows
        self.timezone = timezone
        self.ranges = tuple((_t(r.start), _t(r.end)) for r in windows.ranges)
        self.calendar = BusinessCalendar(windows.holidays.country, windows.holidays.subdivision,
                                         workdays=[WEEKDAYS.index(w) for w in windows.weekdays],
                                         skip_holidays=windows.skip_public_holidays)
        self._notes = notes
        self._notes_file = notes_file

    @classmethod
    def from_policy(cls, policy: GuardPolicy, notes: NoteFlags | None = None, *,
                    notes_file: Path | None = None) -> ContactWindows:
        return cls(policy.call_windows, policy.timezone, notes, notes_file=notes_file)

    @property
    def notes(self) -> NoteFlags:
        """The notes wordings, loaded on first use (a file's notes are read only when a file is checked)."""
        if self._notes is None:
            self._notes = (load_note_flags(self._notes_file) if self._notes_file is not None
                           else default_notes_table())
        return self._notes

    # ------------------------------------------------------------------ days
    def contact_day(self, d: dt.date) -> bool:
        """A day on which the firm contacts debtors: an allowed weekday and not a public holiday."""
        return self.calendar.is_business_day(d)

    def next_contact_day(self, d: dt.date) -> dt.date:
        for _ in range(60):
            if self.contact_day(d):
                return d
            d += dt.timedelta(days=1)
        raise ConfigError("no contact day in 60 days: check the call window weekdays")

    # ------------------------------------------------------------------ times
    def restrictions(self, file: DebtorFile | None) -> ContactRestrictions:
        """What the file's notes restrict (nothing without a file or notes)."""
        if file is None or not file.notes:
            return ContactRestrictions()
        return restrictions_from_notes(file.notes, self.notes)

    def local(self, at: dt.datetime, tz: str | None = None) -> dt.datetime:
        """``at`` in the debtor's timezone (a naive time is read there)."""
        z = zone(tz, self.timezone)
        return at.replace(tzinfo=z) if at.tzinfo is None else at.astimezone(z)

    def in_hours(self, t: dt.time) -> bool:
        t = t.replace(tzinfo=None)
        return any(a <= t < b for a, b in self.ranges)

    def problem(self, at: dt.datetime, channel: str = "phone", *, file: DebtorFile | None = None,
                tz: str | None = None, use_notes: bool = True) -> WindowProblem | None:
        """Why a call / text at ``at`` is not allowed, as a code (None: allowed); callers word it in their own
        catalogue. Written channels are always allowed as far as hours go; a channel the notes exclude is a
        problem for every channel."""
        restrictions = self.restrictions(file) if use_notes else ContactRestrictions()
        if not restrictions.channel_allowed(channel):
            return "notes_channel"
        if channel not in self.TIMED_CHANNELS:
            return None
        local = self.local(at, tz if tz is not None else (file.timezone if file is not None else None))
        if not self.contact_day(local.date()):
            return "day"
        if not self.in_hours(local.time()):
            return "hours"
        if not restrictions.time_allowed(local, channel):
            return "notes_hours"
        return None

    def call_allowed(self, at: dt.datetime, *, file: DebtorFile | None = None, tz: str | None = None) -> bool:
        """A call at ``at``: the guard's FR-HARASS call-hours check (hours, days, the notes' time limits)."""
        restrictions = self.restrictions(file)
        local = self.local(at, tz if tz is not None else (file.timezone if file is not None else None))
        return (self.contact_day(local.date()) and self.in_hours(local.time())
                and restrictions.time_allowed(local, "phone"))

    def first_slot(self, d: dt.date, channel: str, *, file: DebtorFile | None = None,
                   written_start: str = "09:00") -> dt.datetime:
        """The first allowed moment of day ``d`` for a channel (calls: the first window start the notes
        allow; other channels: ``written_start``), in the debtor's timezone."""
        z = zone(file.timezone if file is not None else None, self.timezone)
        if channel != "phone":
            return dt.datetime.combine(d, _t(written_start), tzinfo=z)
        restrictions = self.restrictions(file)
        for a, b in self.ranges:
            start = max(a, restrictions.not_before) if restrictions.not_before else a
            for _ in range(48):  # step past avoided spans, 30 minutes at a time
                if start >= b:
                    break
                candidate = dt.datetime.combine(d, start, tzinfo=z)
                if restrictions.time_allowed(candidate, channel):
                    return candidate
                start = (dt.datetime.combine(d, start) + dt.timedelta(minutes=30)).time()
        return dt.datetime.combine(d, self.ranges[0][0], tzinfo=z)


_WINDOWS: dict[int, tuple[object, ContactWindows]] = {}
_WINDOWS_LOCK = threading.Lock()


def contact_windows_for(policy: GuardPolicy) -> ContactWindows:
    """The contact windows of a guard policy, built once per policy object (the guard rule's entry)."""
    with _WINDOWS_LOCK:
        hit = _WINDOWS.get(id(policy))
        if hit is not None and hit[0] is policy:
            return hit[1]
        windows = ContactWindows.from_policy(policy)
        if len(_WINDOWS) > 64:
            _WINDOWS.clear()
        _WINDOWS[id(policy)] = (policy, windows)
        return windows
