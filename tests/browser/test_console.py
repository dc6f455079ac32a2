"""The agent console in real headless Chromium: find a debtor, draft, revise, guard-block, approve and send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_helpers import ConsoleServer, console_server  # noqa: F401 - fixture
from tests.conftest import ARTIFACTS, TODAY

SHOTS = ARTIFACTS / "console"
THREAT = "Dernier avis avant saisie : notre huissier va procéder à la saisie de vos biens sous 48 h."


@pytest.fixture
def console(browser: Any, console_server: ConsoleServer) -> Any:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=console_server.url, locale="fr-FR")
    ctx.set_default_timeout(20_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def shot(page: Any, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.browser
def test_console_draft_revise_block_and_send(console: Any, console_server: ConsoleServer) -> None:  # noqa: F811
    page = console
    page.goto("/console/")
    page.fill("#api-key", "amk_00000000_" + "z" * 43)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#login:not([hidden])")  # a bad key sends the agent back to the key prompt
    page.fill("#api-key", console_server.keys.agent)
    page.click("#key-form button[type=submit]")
    page.fill("#search", "D001")
    page.click("#search-form button[type=submit]")
    page.click("#results button[data-debtor='D001']")
    page.wait_for_selector("#file-title:has-text('D001')")
    assert "Girard" in page.inner_text("#file-title")
    page.fill("#message", "Bonjour, j'ai perdu mon emploi, je ne peux pas tout payer. Est-il possible d'étaler ?")
    page.click("#draft-btn")
    page.wait_for_selector("#draft-panel:not([hidden]) #verdict.pass, #draft-panel:not([hidden]) #verdict.warn")
    assert "Girard" in page.inner_text("#draft-text")
    assert page.locator("#citations li").count() >= 1
    page.locator("#citations li summary").first.click()
    assert (page.locator("#citations li blockquote").first.text_content() or "").strip()
    shot(page, "01-draft")

    page.click(".quick[data-instr='in English']")
    page.wait_for_selector("#draft-meta[data-lang=en]")
    assert "Dear" in page.inner_text("#draft-text")
    shot(page, "02-revised-english")

    page.fill("#final-text", THREAT)
    page.click("#send-btn")
    page.wait_for_selector("#status.error")
    marks = page.locator("#draft-text mark.finding")
    assert marks.count() >= 1 and marks.first.get_attribute("title")
    assert page.get_attribute("#verdict", "data-verdict") == "block"
    assert page.inner_text("#verdict") == "Bloqué"
    shot(page, "03-blocked")

    page.click(".quick[data-instr='en français']")
    page.wait_for_selector("#draft-meta[data-lang=fr]")
    page.click("#send-btn")
    page.wait_for_selector("#status.ok")
    page.wait_for_selector("#draft-meta[data-status=sent]")
    page.click("#file-panel details summary")
    page.wait_for_selector(f"#history li:has-text('{TODAY.isoformat()}')")
    shot(page, "04-sent")

    page.click("#lang-toggle")
    page.wait_for_selector("html[lang=en]")  # the English catalogue may still be loading
    assert page.inner_text("#send-btn") == "Send"
    assert (SHOTS / "04-sent.png").stat().st_size > 10_000
