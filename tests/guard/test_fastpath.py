"""The fast paths change no result: same normalisation and offsets as the reference normaliser, and the
hand-written scans (money, capitals) find exactly what their patterns find."""

from __future__ import annotations

import random

from agent.guard.normalize import normalize
from agent.guard.rules.detectors import MONEY_RX, money_finditer
from agent.guard.rules.tone import _CAPS_WORD_FAST, CAPS_WORD
from tests.guard.reference_normalize import reference_normalize, reference_range
from tests.guard.test_cases import CASES

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
