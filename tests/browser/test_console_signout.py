"""Finding 10: "Changer de clé" and a refused key wipe the previous debtor's data from the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.console_helpers import ConsoleServer, console_server  # noqa: F401 - fixture

BAD_KEY = "amk_00000000_" + "z" * 43
FILLED = ["#file-title", "#file-summary", "#history", "#thread", "#draft-text"]


@pytest.fixture
def console(browser: Any, console_server: ConsoleServer) -> Any:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=console_server.url, locale="fr-FR")
    ctx.set_default_timeout(20_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def _open_d001_with_a_draft(page: Any, key: str) -> None:
    page.goto("/console/")
    page.fill("#api-key", key)
    page.click("#key-form button[type=submit]")
    page.fill("#search", "D001")
    page.click("#search-form button[type=submit]")
    page.click("#results button[data-debtor='D001']")
    page.wait_for_selector("#file-title:has-text('D001')")
    page.fill("#message", "Bonjour, je ne peux pas tout payer. Est-il possible d'étaler ?")
    page.click("#draft-btn")
    page.wait_for_selector("#draft-panel:not([hidden]) #verdict.pass, #draft-panel:not([hidden]) #verdict.warn")
    assert "Girard" in page.inner_text("body")


def _nothing_left(page: Any) -> None:
    page.wait_for_selector("#login:not([hidden])")
    assert not page.locator("#app").is_visible()  # hidden really hides (#app{display:grid} no longer wins)
    for sel in FILLED:
        assert page.eval_on_selector(sel, "el => el.textContent") == "", sel
    assert page.eval_on_selector("#final-text", "el => el.value") == ""
    html = page.content()
    assert "Girard" not in html and "D001 —" not in html
    assert page.evaluate("sessionStorage.getItem('amiable.key')") is None


@pytest.mark.browser
def test_change_key_clears_the_debtor_file(console: Any, console_server: ConsoleServer) -> None:  # noqa: F811
    _open_d001_with_a_draft(console, console_server.keys.agent)
    console.click("#logout")
    _nothing_left(console)


@pytest.mark.browser
def test_a_refused_key_clears_the_debtor_file(console: Any, console_server: ConsoleServer) -> None:  # noqa: F811
    _open_d001_with_a_draft(console, console_server.keys.agent)
    console.evaluate(f"sessionStorage.setItem('amiable.key', '{BAD_KEY}')")  # the key was revoked meanwhile
    console.click("#queue-btn")
    _nothing_left(console)
