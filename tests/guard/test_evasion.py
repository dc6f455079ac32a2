"""Evasion suite: each blocking family's trigger, disguised every way a sender can (look-alike letters,
tags inside the word, line-break and soft hyphens, spaced / double-spaced / dotted letters, zero-width
characters, leetspeak), still blocks with the same rule; and the suite is honest: with the trigger
replaced by a neutral word the rule no longer fires."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.guard import GuardContext, GuardReport
from tests.guard.conftest import guard_for
from tests.guard.factories import build

SUITE: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "evasion.yaml").read_text(encoding="utf-8"))

_CYR = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ"}
_GRK = {"a": "α", "i": "ι", "o": "ο", "p": "ρ", "t": "τ", "u": "υ", "e": "ε", "k": "κ", "v": "ν"}
_LEET = {"o": "0", "i": "1", "e": "3", "a": "@", "s": "$"}


def _half(w: str) -> int:
    return max(1, len(w) // 2)


def _leet(w: str) -> str:
    out, done = [], 0
    for ch in w:
        if ch in _LEET and done < max(1, len(w) // 3):  # light leetspeak: one letter in three at most
            out.append(_LEET[ch])
            done += 1
        else:
            out.append(ch)
    return "".join(out)


EVASIONS: dict[str, Callable[[str], str]] = {
    "cyrillic": lambda w: "".join(_CYR.get(c, c) for c in w),
    "greek": lambda w: "".join(_GRK.get(c, c) for c in w),
    "tag-empty": lambda w: w[:_half(w)] + "<b></b>" + w[_half(w):],
    "tag-split": lambda w: "<span>" + w[:_half(w)] + "</span><span>" + w[_half(w):] + "</span>",
    "hyphen-break": lambda w: w[:_half(w)] + "-\n" + w[_half(w):],
    "soft-hyphen": lambda w: w[:_half(w)] + "\u00ad" + w[_half(w):],
    "spaced": lambda w: " ".join(w),
    "double-spaced": lambda w: "  ".join(w),
    "dotted": lambda w: ".".join(w),
    "zero-width": lambda w: "\u200b".join(w),
    "leet": _leet,
}


def _check(item: dict[str, Any], text: str) -> GuardReport:
    ctx = GuardContext(lang=item["lang"], debtor=build(item.get("file")), **(item.get("ctx") or {}))
    return guard_for(item.get("jurisdiction", "FR")).check(text, ctx)


def _replace(text: str, word: str, new: str) -> str:
    i = text.lower().find(word)
    assert i >= 0, f"{word!r} not in {text!r}"
    original = text[i:i + len(word)]
    if original[:1].isupper():
        new = new[:1].upper() + new[1:] if not new.startswith("<") else new
    return text[:i] + new + text[i + len(word):]


@pytest.mark.parametrize("item", SUITE, ids=[i["id"] for i in SUITE])
def test_suite_item_is_honest(item: dict[str, Any]) -> None:
    clean = _check(item, item["text"])
    assert item["rule"] in {f.rule_id for f in clean.findings if f.severity == "block"}
    neutral = _check(item, _replace(item["text"], item["word"], "zzzz"))
    assert item["rule"] not in {f.rule_id for f in neutral.findings}, "the trigger word is not what blocks"


@pytest.mark.parametrize("kind", sorted(EVASIONS))
@pytest.mark.parametrize("item", SUITE, ids=[i["id"] for i in SUITE])
def test_evasion_still_blocks(item: dict[str, Any], kind: str) -> None:
    disguised = EVASIONS[kind](item["word"])
    assert disguised != item["word"] or kind in ("greek", "cyrillic")
    text = _replace(item["text"], item["word"], disguised)
    report = _check(item, text)
    found = {f.rule_id for f in report.findings if f.severity == "block"}
    assert item["rule"] in found, f"{kind}: {text!r} -> {report.verdict} {sorted(found)}"
    for f in report.findings:
        if f.span is not None:
            assert text[f.span.start:f.span.end] == f.span.text
