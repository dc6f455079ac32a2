"""Business-day calendar for due dates: :class:`agent.calendar.BusinessCalendar` (re-exported here) and month
arithmetic.

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

from agent.calendar import SUBDIV_ALIASES as SUBDIV_ALIASES
from agent.calendar import BusinessCalendar as BusinessCalendar
from agent.calendar import check_calendar as check_calendar
from agent.calendar import get_calendar as get_calendar
from agent.calendar import normalise_subdiv as normalise_subdiv


def add_months(d: dt.date, months: int, anchor_day: int | None = None) -> dt.date:
    """``d`` plus ``months`` calendar months, on ``anchor_day`` (default d.day) clamped to the month's end."""
    day = anchor_day or d.day
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _cal.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))
