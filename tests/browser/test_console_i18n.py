"""The console in French and English at 360 and 1280 px: every visible string from the catalogue of the page's
language, no raw codes, guard and cadence texts translated, re-render on toggle, revision count, 409, folded search,
no empty plan heading on disputed files, ellipsis on long history entries. Screenshots in tests/artifacts/console/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.i18n import get_catalogue
from tests.browser.catalogue_check import assert_in_catalogue
from tests.browser.console_helpers import ConsoleServer, console_server  # noqa: F401 - fixture
from tests.conftest import ARTIFACTS

SHOTS = ARTIFACTS / "console"
THREAT = "Dernier avis avant saisie : notre huissier va procéder à la saisie de vos biens sous 48 h."
ERRORS: list[str] = []  # script errors of the pages (a test fails on any)
RAW_CODES = ("agent_review", "enforceable_title", "time_barred", "over_indebtedness", "asks_for_plan", "(full)",
             "send_reply", "generated", "FR-THREAT")


def _page(browser: Any, server: ConsoleServer, lang: str, width: int) -> Any:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=server.url,
                              locale="fr-FR" if lang == "fr" else "en-GB")
    ctx.set_default_timeout(90_000)  # drafts on a loaded 2-core machine
    page = ctx.new_page()
    page.on("pageerror", lambda exc: ERRORS.append(str(exc)))
    return ctx, page


def _sign_in(page: Any, server: ConsoleServer, lang: str) -> None:
    page.goto("/console/")
    page.wait_for_selector("#login:not([hidden]) #key-hint [data-msg]")
    if lang == "en":
        page.click("#lang-toggle")
        page.wait_for_selector("html[lang=en]")
    assert_in_catalogue(page, lang)
    page.fill("#api-key", server.keys.agent)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#results li")


def _shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _no_overflow(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    view = page.evaluate("() => window.innerWidth")
    assert width <= view, f"page is {width}px wide in a {view}px viewport"


def _no_raw_codes(page: Any) -> None:
    text = page.inner_text("body")
    shown = [c for c in RAW_CODES if c in text]
    assert not shown, f"raw codes on the page: {shown}"


def _open(page: Any, query: str, debtor: str) -> None:
    page.fill("#search", query)
    page.click("#search-form button[type=submit]")
    page.click(f"#results button[data-debtor='{debtor}']")
    page.wait_for_selector(f"#file-title:has-text('{debtor}')")
    page.wait_for_selector("#cadence [data-msg]")


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width"), [("fr", 360), ("fr", 1280), ("en", 360), ("en", 1280)])
def test_console_flows_in_catalogue(browser: Any, console_server: ConsoleServer, lang: str, width: int) -> None:  # noqa: F811
    cat = get_catalogue()
    ctx, page = _page(browser, console_server, lang, width)
    tag = f"{lang}-{width}"
    try:
        _sign_in(page, console_server, lang)
        assert_in_catalogue(page, lang)

        # accent-folded search, both ways
        page.fill("#search", "gregory")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#results button[data-debtor='D013']")
        page.fill("#search", "Ánne Kéller")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#results button[data-debtor='D024']")

        # a disputed file: agent review, reasons from the catalogue, no empty plan heading
        _open(page, "D011", "D011")
        reasons = page.locator("#cadence .reasons li")
        assert reasons.count() >= 1
        assert cat.text("cadence.reason.disputed", lang) in page.inner_text("#cadence")
        assert cat.text("cadence.type.agent_review", lang) in page.inner_text("#cadence")
        page.click("#file-panel details summary")
        long_entry = page.locator("#history li .summary").first
        shown, full = long_entry.inner_text(), long_entry.get_attribute("title") or ""
        assert len(full) > 120 and shown.endswith("…") and len(shown) <= 121
        page.fill("#message", "Je conteste cette facture, je ne la reconnais pas." if lang == "fr"
                  else "I dispute this invoice, I do not recognise it.")
        page.click("#draft-btn")
        page.wait_for_selector("#draft-meta[data-revision='1']")
        assert not ERRORS, ERRORS
        if page.locator("#options li").count() == 0:
            assert page.locator("#options-title").is_hidden()
        _no_raw_codes(page)
        assert_in_catalogue(page, lang)
        _no_overflow(page)
        _shot(page, f"i18n-{tag}-1-disputed")

        # draft, revise (version 2), the instruction shown in the UI language
        _open(page, "D001", "D001")
        page.fill("#message", "Bonjour, j'ai perdu mon emploi, je ne peux pas tout payer. Est-il possible d'étaler ?")
        page.click("#draft-btn")
        page.wait_for_selector("#draft-meta[data-revision='1']")
        assert page.locator("#options li").count() >= 1 and page.locator("#options-title").is_visible()
        page.click(".quick[data-instr='shorter']")
        page.wait_for_selector("#draft-meta[data-revision='2']")
        assert cat.text("console.version", lang, n=2) in page.inner_text("#draft-meta")
        assert cat.text("console.thread.instruction", lang, instruction=cat.text("console.shorter", lang)) in \
            page.inner_text("#thread")
        _no_raw_codes(page)
        assert_in_catalogue(page, lang)
        _no_overflow(page)
        _shot(page, f"i18n-{tag}-2-revised")

        # the guard blocks: explanations from the catalogue in the UI language
        page.fill("#final-text", THREAT)
        page.click("#send-btn")
        page.wait_for_selector("#status.error")
        rules = [r for r in page.locator("#findings li").evaluate_all("els => els.map(e => e.dataset.rule)") if r]
        assert rules
        findings = page.inner_text("#findings")
        for rule in rules:
            assert cat.text(f"guard.rule.{rule}", lang) in findings
        assert page.inner_text("#verdict") == cat.text("guard.verdict.block", lang)
        assert_in_catalogue(page, lang)
        _no_overflow(page)
        _shot(page, f"i18n-{tag}-3-blocked")

        # send a lawful text, then send again: the 409 message from the catalogue
        page.click(".quick[data-instr='more empathetic']")
        page.wait_for_selector("#draft-meta[data-revision='3']")
        page.click("#send-btn")
        page.wait_for_selector("#status.ok")
        page.wait_for_selector("#draft-meta[data-status=sent]")
        page.click("#send-btn")
        page.wait_for_selector("#status.error")
        assert page.inner_text("#status") == cat.text("console.error.conflict", lang)
        assert_in_catalogue(page, lang)
        _no_overflow(page)
        _shot(page, f"i18n-{tag}-4-conflict")
        assert not ERRORS, ERRORS
    finally:
        ctx.close()


@pytest.mark.browser
def test_toggle_re_renders_loaded_content(browser: Any, console_server: ConsoleServer) -> None:  # noqa: F811
    cat = get_catalogue()
    ctx, page = _page(browser, console_server, "fr", 1280)
    try:
        _sign_in(page, console_server, "fr")
        _open(page, "D011", "D011")
        page.fill("#message", "Bonjour, je voudrais payer en plusieurs fois.")
        page.click("#draft-btn")
        page.wait_for_selector("#draft-meta[data-revision='1']")
        page.click(".quick[data-instr='shorter']")
        page.wait_for_selector("#draft-meta[data-revision='2']")
        assert cat.text("cadence.reason.disputed", "fr") in page.inner_text("#cadence")
        french_meta = page.inner_text("#draft-meta")

        page.click("#lang-toggle")
        page.wait_for_selector("html[lang=en]")
        assert cat.text("cadence.reason.disputed", "en") in page.inner_text("#cadence")
        assert cat.text("cadence.reason.disputed", "fr") not in page.inner_text("#cadence")
        assert page.inner_text("#draft-meta") != french_meta
        assert cat.text("console.version", "en", n=2) in page.inner_text("#draft-meta")
        assert cat.text("console.thread.instruction", "en", instruction="Shorter") in page.inner_text("#thread")
        assert_in_catalogue(page, "en")
        _shot(page, "i18n-toggle-en")

        page.click("#lang-toggle")
        page.wait_for_selector("html[lang=fr]")
        assert page.inner_text("#draft-meta") == french_meta
        assert_in_catalogue(page, "fr")
        assert not ERRORS, ERRORS
    finally:
        ctx.close()
