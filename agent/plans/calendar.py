"""Business-day calendar for due dates: weekends and public holidays (the ``holidays`` package).

Metropolitan France by default (11 public holidays). Alsace-Moselle adds Good Friday and
26 December: the ``holidays`` package names the subdivisions "57" (Moselle) and "6AE" (Alsace);
"67" (Bas-Rhin) and "68" (Haut-Rhin) are accepted as aliases of "6AE". Other countries work by
setting the ISO code (and subdivision) in the policy.

Month arithmetic keeps an *anchor day*: a schedule anchored on the 31st falls on the last day of
shorter months (30 April, 28/29 February) and returns to the 31st when the month has one.
Rolling convention: a non-business nominal date moves forward to the next business day.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import threading
from functools import lru_cache

import holidays

from agent.errors import ConfigError

SUBDIV_ALIASES: dict[tuple[str, str], str] = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}
_MAX_ROLL_DAYS = 15  # no calendar has more consecutive non-business days than this


def normalise_subdiv(country: str, subdiv: str | None) -> str | None:
    if subdiv is None:
        return None
    return SUBDIV_ALIASES.get((country.upper(), subdiv), subdiv)


def check_calendar(country: str, subdiv: str | None) -> None:
    """Raise ValueError (a policy validation error) for an unknown country or subdivision."""
    try:
        holidays.country_holidays(country.upper(), subdiv=normalise_subdiv(country, subdiv), years=2026)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday country {country!r}") from exc
    except ValueError as exc:  # unknown subdivision: message lists the known ones
        raise ValueError(f"holidays: {exc}") from exc


class BusinessCalendar:
    """Business days of one country / subdivision; holiday sets are computed once per year."""

    def __init__(self, country: str = "FR", subdiv: str | None = None, *, skip_weekends: bool = True) -> None:
        self.country = country.upper()
        self.subdiv = normalise_subdiv(self.country, subdiv)
        self.skip_weekends = skip_weekends
        self._years: dict[int, frozenset[dt.date]] = {}
        self._lock = threading.Lock()

    def holidays_in(self, year: int) -> frozenset[dt.date]:
        found = self._years.get(year)
        if found is None:
            try:
                h = holidays.country_holidays(self.country, subdiv=self.subdiv, years=year)
            except (NotImplementedError, ValueError) as exc:
                raise ConfigError(f"holiday calendar {self.country}/{self.subdiv}: {exc}") from exc
            found = frozenset(h.keys())
            with self._lock:
                self._years[year] = found
        return found

    def is_holiday(self, d: dt.date) -> bool:
        return d in self.holidays_in(d.year)

    def is_business_day(self, d: dt.date) -> bool:
        if self.skip_weekends and d.weekday() >= 5:
            return False
        return not self.is_holiday(d)

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


def add_months(d: dt.date, months: int, anchor_day: int | None = None) -> dt.date:
    """``d`` plus ``months`` calendar months, on ``anchor_day`` (default d.day) clamped to the month's end."""
    day = anchor_day or d.day
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _cal.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))
