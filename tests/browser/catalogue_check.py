"""Is every visible string of a page in the message catalogue for the page's language? (console, widget, report)

Reusable by any page's browser test::

    from tests.browser.catalogue_check import assert_in_catalogue
    assert_in_catalogue(page, "fr")                         # fails listing each string outside the catalogue

How a page cooperates:
* an element showing *data* (names, amounts, dates, draft text, guideline titles, legal references) carries
  ``data-value``: its whole subtree is skipped;
* an element showing one catalogue message may carry ``data-msg="<key>"``: its full text must then match that
  key's template in the page's language (placeholders match any text, so values can sit inside);
* any other visible text node must match a catalogue message of the page's language: exactly, or a template
  with its ``{placeholders}`` as wildcards (templates made only of placeholders and punctuation are not used as
  wildcards). Text nodes made only of punctuation, symbols and spaces (`` · ``, ``—``, ``:``) are separators.

Collected: visible text nodes (an element with no layout box, ``hidden``, ``display: none``, ``visibility:
hidden`` or inside a closed ``<details>`` is not visible), ``placeholder`` attributes of visible fields and the
document title.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agent.i18n import get_catalogue

# Runs in the page (Playwright's evaluate is not subject to the page's CSP).
_COLLECT_JS = r"""
() => {
  const out = [];
  const seen = new Set();
  const visible = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e.hidden) return false;
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden') return false;
      if (e.parentElement && e.parentElement.tagName === 'DETAILS' && !e.parentElement.open && e.tagName !== 'SUMMARY') return false;
    }
    return el.getClientRects().length > 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA'].includes(el.tagName)) continue;
    if (el.closest('[data-value]')) continue;
    if (!visible(el)) continue;
    const owner = el.closest('[data-msg]');
    if (owner) {
      if (seen.has(owner)) continue;
      seen.add(owner);
      out.push({text: owner.textContent, key: owner.getAttribute('data-msg'), where: owner.tagName.toLowerCase() + (owner.id ? '#' + owner.id : '')});
      continue;
    }
    out.push({text: n.textContent, key: null, where: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')});
  }
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach((el) => {
    if (visible(el) && el.placeholder.trim()) out.push({text: el.placeholder, key: null, where: 'placeholder of #' + el.id});
  });
  if (document.title.trim()) out.push({text: document.title, key: null, where: 'title'});
  return out;
}
"""

_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _separator(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZ" for c in text)


def template_pattern(template: str) -> re.Pattern[str]:
    """A catalogue template as a whole-string regex: words exact, any run of spaces alike, placeholders ``.*?``."""
    parts: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            words = literal.split()
            lead = r"\s*" if literal[:1].isspace() else ""
            trail = r"\s*" if literal[-1:].isspace() else ""
            parts.append(lead + r"\s+".join(map(re.escape, words)) + trail if words else r"\s*")
        if field is not None:
            parts.append(r".*?")
    return re.compile("".join(parts), re.S)


@dataclass(frozen=True)
class _Lang:
    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    by_key: dict[str, re.Pattern[str]]


@lru_cache(maxsize=4)
def _lang(lang: str) -> _Lang:
    cat = get_catalogue()
    bundle = cat.bundle(lang, "")
    exact = frozenset(_norm(t.replace("{{", "{").replace("}}", "}")) for t in bundle.values())
    by_key = {k: template_pattern(t) for k, t in bundle.items()}
    wild = tuple(by_key[k] for k, t in bundle.items()
                 if "{" in t.replace("{{", "") and not _separator(re.sub(r"\{[A-Za-z_]\w*\}", "", t)))
    return _Lang(exact, wild, by_key)


def in_catalogue(text: str, lang: str, key: str | None = None) -> bool:
    """True if ``text`` is a catalogue message of ``lang`` (the message ``key`` when given)."""
    t = _norm(text)
    if not t or _separator(t):
        return True
    info = _lang(lang)
    if key is not None:
        pattern = info.by_key.get(key)
        return pattern is not None and pattern.fullmatch(t) is not None
    return t in info.exact or any(p.fullmatch(t) for p in info.patterns)


def visible_strings(page: Any) -> list[dict[str, Any]]:
    """Every visible string of the page outside ``data-value`` elements (see the module docstring)."""
    return list(page.evaluate(_COLLECT_JS))


def outside_catalogue(page: Any, lang: str) -> list[str]:
    """The visible strings that are not catalogue messages of ``lang``, as ``where: 'text'`` lines."""
    bad = []
    for item in visible_strings(page):
        if not in_catalogue(item["text"], lang, item["key"]):
            bad.append(f"{item['where']}: {_norm(item['text'])!r}" + (f" (data-msg={item['key']})" if item["key"] else ""))
    return bad


def assert_in_catalogue(page: Any, lang: str) -> int:
    """Fail listing every visible string outside the ``lang`` catalogue; returns how many strings were checked."""
    items = visible_strings(page)
    bad = [i for i in items if not in_catalogue(i["text"], lang, i["key"])]
    assert not bad, f"{len(bad)} visible string(s) outside the {lang} catalogue:\n" + "\n".join(
        f"  {i['where']}: {_norm(i['text'])!r}" + (f" (data-msg={i['key']})" if i["key"] else "") for i in bad)
    return len(items)
