"""One compiled matcher for every lexicon: same first match per entry as a whole-text scan, one scan per text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.guard.lexicon import LEXICON_DIR, lexicon_matcher, load_lexicon
from agent.guard.normalize import normalize
from agent.guard.rules._common import _lexicon_matches

GUARD_DIR = Path(__file__).resolve().parents[2] / "agent" / "guard"


def _all_entries():  # type: ignore[no-untyped-def]
    out = []
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        out.extend(load_lexicon(path.stem.upper())[1])
    return out


def test_one_matcher_holds_every_entry_and_is_built_once() -> None:
    m = lexicon_matcher()
    assert m is lexicon_matcher()
    entries = _all_entries()
    assert len(entries) >= 10
    assert {(c.entry.id, c.pattern.pattern) for c in entries} == m.members
    assert m.pattern is not None and m.pattern.pattern.count("(?:") >= len(entries)


def _texts() -> list[str]:
    texts = []
    for c in _all_entries():
        texts.extend(c.entry.examples.block)
        texts.extend(c.entry.examples.allow)
    long = " Bonjour, merci de votre retour. ".join(texts) + " Fin."
    return [*texts, long, long.replace(". ", "\n")]


@pytest.mark.parametrize("text", _texts()[:60] + _texts()[-2:])
def test_first_match_per_entry_is_the_whole_text_scan(text: str) -> None:
    doc = normalize(text)
    for c in _all_entries():
        whole = [m.span() for m in c.pattern.finditer(doc.norm)]
        got = [m.span() for m in _lexicon_matches(doc, c)]
        assert (got[:1] or None) == (whole[:1] or None), (c.entry.id, text[:80])
        assert set(got) >= set(whole[:1])


def test_a_text_without_any_phrase_has_no_candidate_window() -> None:
    doc = normalize("Bonjour Madame, merci pour votre paiement de ce jour. Bonne journée.")
    assert lexicon_matcher().candidates(doc) == []


def test_no_private_regex_internals_in_the_guard() -> None:
    offenders = [str(p) for p in GUARD_DIR.rglob("*.py")
                 if re.search(r"\bre\._(?:parser|compiler|constants)\b|\bsre_(?:parse|compile)\b",
                              p.read_text(encoding="utf-8").replace("no private ``re._parser`` / ``re._compiler``", ""))]
    assert not offenders
