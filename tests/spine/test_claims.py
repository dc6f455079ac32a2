"""The shared reader of amounts and dates (used by the LLM fact check and the QA grounding evaluator)."""

from __future__ import annotations

import datetime as dt

import pytest

from agent import claims


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("Solde : 1 234,56 €.", [123456]),
        ("Solde : 1\u202f234,56\u00a0€.", [123456]),
        ("soit 1.234,56 EUR au total", [123456]),
        ("a balance of €1,234.56 and €90", [123456, 9000]),
        ("90 euros par mois, puis 12,5 €", [9000, 1250]),
        ("6 150,00 € en six fois", [615000]),  # the full reading, never "six times 150"
        ("aucun montant ici, 2026 et 15 %", []),
    ],
)
def test_money(text: str, cents: list[int]) -> None:
    found = claims.money(text)
    assert [m.cents for m in found] == cents
    for m in found:
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 1er mars 2026", dt.date(2026, 3, 1)),
        ("le 5 février 2027", dt.date(2027, 2, 5)),
        ("on 3 March 2026", dt.date(2026, 3, 3)),
        ("on March 3, 2026", dt.date(2026, 3, 3)),
        ("avant le 05/01/2027", dt.date(2027, 1, 5)),  # day first
        ("due 2026-12-30", dt.date(2026, 12, 30)),
        ("le 5 janvier", None),  # no year: not a complete date
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    found = claims.dates(text)
    assert len(found) == 1
    assert found[0].date == expected
    assert text[found[0].start:found[0].end] == found[0].text


def test_ambiguous_numeric_date_keeps_both_readings() -> None:
    (d,) = claims.dates("le 05/01/2027")
    assert set(d.candidates) == {(2027, 1, 5), (2027, 5, 1)}
    (single,) = claims.dates("le 25/01/2027")
    assert single.candidates == ((2027, 1, 25),)
