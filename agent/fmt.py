"""Formatting of money and dates in French and English (money is integer cents, never float)."""

from __future__ import annotations

import datetime as dt

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def money(cents: int, lang: str) -> str:
    """1234567 -> '12 345,67 €' (fr) or '€12,345.67' (en)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    if lang == "fr":
        return f"{sign}{euros:,}".replace(",", " ") + f",{rest:02d} €"
    return f"{sign}€{euros:,}.{rest:02d}"


def date(d: dt.date, lang: str) -> str:
    if lang == "fr":
        day = "1er" if d.day == 1 else str(d.day)
        return f"{day} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
