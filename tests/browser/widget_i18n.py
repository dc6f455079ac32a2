"""Visible-text check for the widget: every text node a debtor can see is a catalogue text of the page's
language (or a catalogue template with its values filled in). Data values (names, amounts, dates,
references, verbatim law) are marked ``data-value`` in the DOM and skipped."""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from agent.i18n import get_catalogue

_COLLECT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const text = n.nodeValue.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const el = n.parentElement;
    if (!el || el.closest("[data-value]") || el.closest("script, style")) continue;
    const opt = el.closest("option");
    const box = opt ? opt.closest("select") : el;
    if (!box.checkVisibility({ checkVisibilityCSS: true })) continue;
    out.push(text);
  }
  out.push(document.title.trim());
  return out;
}"""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pattern(template: str) -> str | None:
    """A regex for a template with its placeholders as wildcards; None when it has no words of its own."""
    parts: list[str] = []
    literal = ""
    for lit, field, _, _ in string.Formatter().parse(template):
        literal += lit
        parts.append(re.escape(re.sub(r"\s+", " ", lit)))
        if field is not None:
            parts.append(".+?")
    if not re.search(r"[^\W\d_]{2,}", literal):
        return None
    return "".join(parts).strip()


@lru_cache(maxsize=2)
def matcher(lang: str) -> tuple[frozenset[str], re.Pattern[str]]:
    cat = get_catalogue()
    bundle = cat.bundle(lang, "widget.")
    exact = frozenset(_norm(v) for v in bundle.values())
    pats = sorted({p for v in bundle.values() if (p := _pattern(_norm(v)))}, key=len, reverse=True)
    one = "(?:" + "|".join(pats) + ")"
    return exact, re.compile(f"{one}(?: {one})*")


def outside_catalogue(texts: list[str], lang: str) -> list[str]:
    exact, rx = matcher(lang)
    return [s for s in texts if s not in exact and not rx.fullmatch(s)]


def visible_texts(page: Any) -> list[str]:
    return list(page.evaluate(_COLLECT))


def assert_catalogue_only(page: Any, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    bad = outside_catalogue(visible_texts(page), lang)
    assert bad == [], f"visible texts outside the {lang} catalogue: {bad}"
