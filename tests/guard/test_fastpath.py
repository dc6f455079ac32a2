"""The fast path changes no result: same reports with and without the prefilter, same normalisation and
offsets as the reference normaliser, sound gates, and exact rewrites of the patterns it runs."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

import agent.guard.rules._common as common
from agent.guard import GuardContext, GuardReport
from agent.guard.normalize import normalize
from agent.guard.prefilter import _GATES, gate_of, literal_first
from agent.guard.registry import register_patterns
from agent.guard.rules.amounts import MONEY_RX, money_finditer
from agent.guard.rules.tone import _CAPS_WORD_FAST, CAPS_WORD
from tests.guard.conftest import guard_for
from tests.guard.factories import build
from tests.guard.reference_normalize import reference_normalize, reference_range
from tests.guard.test_cases import CASES, run_case

TEXTS = [c["text"] for c in CASES]


def _variants() -> list[str]:
    """Case texts, joined and disguised (HTML, spacing, ligatures, leetspeak, capitals...)."""
    rng = random.Random(20261123)
    out = list(TEXTS)
    for _ in range(60):
        sep = rng.choice([" ", "\n", "\n\n", "  ", " \t", "<br>", " - "])
        out.append(sep.join(rng.choice(TEXTS) for _ in range(rng.randint(2, 12))))
    ops = [str.upper, lambda s: "<div><p>" + s.replace(". ", ".</p><p>") + "</p></div>",
           lambda s: s.replace("e", "\u200be", 3), lambda s: s.replace(" ", "\u00a0", 5),
           lambda s: s.replace("oe", "œ").replace("...", "…"),
           lambda s: s.replace("saisie", "s a i s i e").replace("huissier", "h.u.i.s.s.i.e.r"),
           lambda s: s.replace("o", "0", 4).replace("i", "1", 3), lambda s: s.replace("'", "’"),
           lambda s: s.replace(" ", "  ", 7), lambda s: s.replace("é", "e\u0301"),
           lambda s: "&amp; " + s + " &eacute;&foo; &#233;", lambda s: s.replace(",", " ;", 3)]
    for _ in range(200):
        t = rng.choice(out)
        for _ in range(rng.randint(1, 3)):
            t = rng.choice(ops)(t)
        out.append(t)
    return out


VARIANTS = _variants()


def _dump(report: GuardReport) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data.pop("timings_ms")
    return data


@pytest.fixture
def no_prefilter() -> Iterator[None]:
    common.PREFILTER = False
    try:
        yield
    finally:
        common.PREFILTER = True


def _reports(texts: list[str]) -> list[dict[str, Any]]:
    contexts = [GuardContext(), GuardContext(debtor=build("titled_commissaire")), GuardContext(debtor=build("disputed")),
                GuardContext(debtor=build("over_indebted"), recipient="third_party")]
    out = []
    for i, text in enumerate(texts):
        for jurisdiction in ("FR", "US"):
            out.append(_dump(guard_for(jurisdiction).check(text, contexts[i % len(contexts)])))
    return out


def test_case_reports_identical_without_prefilter(no_prefilter: None) -> None:
    slow = [_dump(run_case(c)) for c in CASES]
    common.PREFILTER = True
    fast = [_dump(run_case(c)) for c in CASES]
    assert fast == slow


def test_variant_reports_identical_without_prefilter(no_prefilter: None) -> None:
    slow = _reports(VARIANTS)
    common.PREFILTER = True
    assert _reports(VARIANTS) == slow


def test_normalisation_and_offsets_match_the_reference() -> None:
    rng = random.Random(7)
    for text in VARIANTS:
        doc = normalize(text)
        norm, starts, ends = reference_normalize(text)
        assert doc.norm == norm
        n = len(norm)
        for _ in range(12):
            a = rng.randrange(0, n + 1)
            b = rng.randrange(a, min(n, a + 60) + 1)
            assert doc.raw_range(a, b) == reference_range(text, starts, ends, a, b), (text, a, b)


def test_gates_are_sound() -> None:
    """An alternative the prefilter closes never matches the text, nor any part of it from a word start."""
    register_patterns()
    rng = random.Random(11)
    for gate in list(_GATES.values()):
        alternatives = [re.compile(p, gate.pattern.flags) for p in gate.pieces]
        for text in VARIANTS[::2]:
            doc = normalize(text)
            norm = doc.norm
            opened = set(gate.open_pieces(doc))
            for i, rx in enumerate(alternatives):
                if i in opened:
                    continue
                assert rx.search(norm) is None, (gate.pattern.pattern[:60], gate.pieces[i][:60], norm[:200])
                for _ in range(3):  # windows, as first_valid runs them
                    a = rng.randrange(0, len(norm) + 1)
                    assert rx.search(norm, a, rng.randrange(a, len(norm) + 1)) is None


def test_literal_first_rewrite_keeps_every_match() -> None:
    register_patterns()
    rng = random.Random(3)
    texts = [normalize(t).norm for t in VARIANTS[::3]]
    for gate in list(_GATES.values()):
        if gate.pattern.groups:
            continue
        n = len(gate.pieces)
        subsets = [tuple(range(n))] + [tuple(sorted(rng.sample(range(n), rng.randint(1, n)))) for _ in range(2)]
        for subset in subsets:
            src = "|".join(gate.pieces[i] for i in subset)
            ref, fast = re.compile(src, gate.pattern.flags), literal_first(src, gate.pattern.flags)
            for norm in texts:
                a = rng.randrange(0, len(norm) + 1)
                b = rng.randrange(a, len(norm) + 1)
                assert [m.span() for m in fast.finditer(norm)] == [m.span() for m in ref.finditer(norm)]
                assert [m.span() for m in fast.finditer(norm, a, b)] == [m.span() for m in ref.finditer(norm, a, b)]


def test_money_scan_matches_the_pattern() -> None:
    rng = random.Random(5)
    alphabet = [*"0123456789 .,'€$eurosdlacntimUSDE\u00a0x\n٣-", "eur", "euros", "usd", "us$", "cents", "centimes",
                "dollars", " 1 234,56", "1,234.5"]
    samples = [normalize(t).norm for t in VARIANTS]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    for s in samples:
        assert [(m.span(), m.groups()) for m in money_finditer(s)] == [(m.span(), m.groups()) for m in MONEY_RX.finditer(s)]


def test_capitals_scan_matches_the_pattern() -> None:
    rng = random.Random(9)
    alphabet = [*"ABCÉÀÞØÖ×abé 1_-.!\n", "SAISIE", "Ab", "IBAN"]
    samples = VARIANTS + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(20000)]
    for s in samples:
        assert _CAPS_WORD_FAST.findall(s, 0, 20000) == CAPS_WORD.findall(s, 0, 20000)


def test_gate_of_is_cached_per_pattern() -> None:
    rx = re.compile(r"\bsaisie\b|\bhuissier")
    assert gate_of(rx) is gate_of(rx)
    doc = normalize("Un huissier passera.")
    assert gate_of(rx).open_pieces(doc) == (1,)


def test_open_pieces_matches_the_reference_form() -> None:
    """The set-based, memoised gate gives the same open alternatives as the clause-by-clause form."""
    register_patterns()
    for gate in list(_GATES.values()):
        for text in VARIANTS:
            assert gate.open_pieces(normalize(text)) == gate.open_pieces_reference(normalize(text)), gate.pattern.pattern[:60]
            doc = normalize(text)  # twice on one doc: the memo and the per-doc caches agree too
            assert gate.open_pieces(doc) == gate.open_pieces_reference(doc) == gate.open_pieces(doc)
