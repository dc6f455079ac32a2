"""Issue 13, point 3, in real headless Chromium: revisions compose from the original draft.

"Plus court" on an e-mail keeps the letter form; "Proposer 6 mois" after it selects the six-month option;
"Plus empathique" after that keeps the proposal; each revision gives a different text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.console_helpers import ConsoleServer, console_server  # noqa: F401 - fixture
from tests.conftest import ARTIFACTS

SHOTS = ARTIFACTS / "console-revisions"
MESSAGE = "Bonjour, j'ai perdu mon emploi et je ne peux pas tout payer d'un coup. Est-il possible d'étaler ?"


@pytest.fixture(params=[(1280, 900), (360, 780)], ids=["1280", "360"])
def page(request: Any, browser: Any, console_server: ConsoleServer) -> Any:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    width, height = request.param
    ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=console_server.url,
                              locale="fr-FR")
    ctx.set_default_timeout(20_000)
    try:
        p = ctx.new_page()
        p.width = width
        yield p
    finally:
        ctx.close()


def _text(page: Any) -> str:
    return str(page.inner_text("#draft-text"))


def _revise(page: Any, instr: str, before: str) -> str:
    page.click(f".quick[data-instr='{instr}']")
    text = page.locator("#draft-text")  # waits in Python: the console's CSP forbids string eval
    expect(text).not_to_have_text(before, use_inner_text=True)
    expect(text).not_to_be_empty()
    page.wait_for_selector("#verdict.pass, #verdict.warn")
    return _text(page)


@pytest.mark.browser
def test_revisions_compose_from_the_original_draft(page: Any, console_server: ConsoleServer) -> None:  # noqa: F811
    page.goto("/console/")
    page.fill("#api-key", console_server.keys.agent)
    page.click("#key-form button[type=submit]")
    page.fill("#search", "D001")
    page.click("#search-form button[type=submit]")
    page.click("#results button[data-debtor='D001']")
    page.wait_for_selector("#file-title:has-text('D001')")
    page.fill("#message", MESSAGE)
    page.click("#draft-btn")
    page.wait_for_selector("#draft-panel:not([hidden]) #verdict.pass, #draft-panel:not([hidden]) #verdict.warn")
    original = _text(page)
    assert original.startswith("Bonjour") and "Cordialement" in original.replace("cordialement", "Cordialement")

    shorter = _revise(page, "shorter", original)
    page.screenshot(path=str(SHOTS / f"{page.width}-1-shorter.png"), full_page=True)
    assert len(shorter) < len(original)
    # still an e-mail: salutation, several paragraphs and a signature, not an SMS line
    assert shorter.startswith("Bonjour") and shorter.count("\n\n") >= 2
    assert "Cabinet Concorde Recouvrement" in shorter

    six = _revise(page, "offer six months instead", shorter)
    page.screenshot(path=str(SHOTS / f"{page.width}-2-six-months.png"), full_page=True)
    assert "6 mensualités" in six, six

    kinder = _revise(page, "more empathetic", six)
    page.screenshot(path=str(SHOTS / f"{page.width}-3-kinder.png"), full_page=True)
    assert "6 mensualités" in kinder, kinder  # a tone instruction never drops the proposal
    assert kinder != six
