"""The widget's fixed flows in real headless Chromium, at 360 and 1280 px, in French and English: every
visible text from the catalogue of the page's language, plain-language field errors with the policy's
bounds, an out-of-policy proposal explained (and recorded once), stale messages cleared, invoices and
payments that add up, the debtor's free text analysed (stop request, crisis helpline)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from agent.db import models as m
from agent.db.session import session_scope
from agent.i18n import t
from tests.browser.widget_i18n import assert_catalogue_only, outside_catalogue, visible_texts

pytestmark = pytest.mark.browser

# (viewport width, language, debtor for the plan flow, debtor for the requests flow): each file used once
COMBOS = [(360, "fr", "D013", "D025"), (1280, "fr", "D014", "D027"),
          (360, "en", "D021", "D012"), (1280, "en", "D026", "D033")]
IDS = [f"{lang}-{w}" for w, lang, _, _ in COMBOS]
ANALYSIS_MS = 90_000  # the first free text a server analyses loads the embedding model (slow on a busy host)


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    d = artifacts_dir / "widget-i18n"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _page(browser: Any, live_server: Any, width: int, lang: str) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url,
                              locale="en-GB" if lang == "en" else "fr-FR")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def _api(live_server: Any, token: str, path: str) -> Any:
    req = urllib.request.Request(f"{live_server.url}/v1/widget/{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _tasks(live_server: Any, debtor_id: str, kind: str) -> int:
    with session_scope(live_server.settings.effective_database_url) as s:
        return int(s.execute(select(func.count()).select_from(m.Task)
                             .where(m.Task.debtor_id == debtor_id, m.Task.kind == kind)).scalar_one())


def _open(page: Any, token: str, lang: str) -> None:
    page.goto(f"/widget/#t={token}")
    page.get_by_role("heading", name=t("widget.page.file_title", lang), exact=True).wait_for()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize(("width", "lang", "debtor", "_other"), COMBOS, ids=IDS)
def test_plan_flow(browser: Any, live_server: Any, widget_token: Any, shots: Path, width: int, lang: str,
                   debtor: str, _other: str) -> None:
    token = widget_token(debtor)
    data = _api(live_server, token, "file")
    bounds = _api(live_server, token, "options")["bounds"]
    for page in _page(browser, live_server, width, lang):
        tag = f"{lang}-{width}"
        _open(page, token, lang)
        for summary in page.locator("#screen-file summary").all():
            summary.click()
        marker = page.evaluate("getComputedStyle(document.querySelector('summary'), '::before').content")
        assert marker not in ("none", "normal", "")  # the disclosure toggles show a marker
        # invoices and payments received add up to the total shown
        assert page.locator("#invoices tbody tr").count() == len(data["invoices"])
        assert page.locator("#payments tbody tr").count() == len(data["payments"])
        invoiced = sum(i["amount_cents"] for i in data["invoices"])
        paid = sum(p["amount_cents"] for p in data["payments"])
        assert invoiced - paid == data["amounts"]["total_cents"]
        assert page.locator("#sum-total").inner_text() == page.locator("#amt-total").inner_text()
        assert "IBAN" in page.locator("#legal").inner_text()
        assert_catalogue_only(page, lang)
        assert _fits(page)
        page.screenshot(path=str(shots / f"{tag}-01-file.png"), full_page=True)

        page.get_by_role("button", name=t("widget.page.choose_plan", lang)).click()
        page.get_by_role("heading", name=t("widget.page.options_title", lang)).wait_for()
        page.get_by_role("button", name=t("widget.page.continue", lang)).click()
        assert page.locator("#status").inner_text() == t("widget.page.err_choose", lang)
        page.get_by_role("radio").first.check()
        assert page.locator("#status").inner_text() == ""  # the banner goes as soon as an option is chosen

        page.get_by_text(t("widget.page.propose_title", lang)).click()
        page.get_by_label(t("widget.page.by_months", lang)).check()
        page.get_by_label(t("widget.page.p_months", lang), exact=True).fill("48")
        page.get_by_role("button", name=t("widget.page.p_submit", lang)).click()
        err = page.locator("#p-months-err")
        err.wait_for(state="visible")
        assert err.inner_text() == t("widget.error.months", lang, min=bounds["min_months"], max=bounds["max_months"])
        assert_catalogue_only(page, lang)
        page.screenshot(path=str(shots / f"{tag}-02-months-error.png"), full_page=True)

        page.get_by_label(t("widget.page.by_amount", lang)).check()
        page.get_by_label(t("widget.page.p_amount", lang)).fill("1")
        for _ in range(2):  # the same proposal twice: explained twice, recorded once
            page.get_by_role("button", name=t("widget.page.p_submit", lang)).click()
            msg = page.locator("#proposal-msg")
            msg.wait_for(state="visible")
        text = msg.inner_text()
        assert text.startswith(t("widget.reason.instalment_too_low", lang, min_amount="X").split("X")[0])
        assert t("widget.reason.follow_up", lang) in text and t("widget.msg.fallback", lang) not in text
        assert not err.is_visible()  # the months error of the previous attempt is gone
        assert page.locator("#options-list input[type=radio]").count() >= 1
        assert _tasks(live_server, debtor, "plan_counter_proposal") == 1
        assert_catalogue_only(page, lang)
        assert _fits(page)
        page.screenshot(path=str(shots / f"{tag}-03-proposal-explained.png"), full_page=True)

        page.locator("#options-list input[type=radio]").first.check()
        page.get_by_role("button", name=t("widget.page.continue", lang)).click()
        page.get_by_role("heading", name=t("widget.page.consent_title", lang)).wait_for()
        missed = page.locator("#consent-missed").inner_text()
        assert ("Après 1 échéance impayée," if lang == "fr" else "After 1 missed instalment we") in missed
        assert "(s)" not in missed
        assert_catalogue_only(page, lang)
        page.get_by_label(t("widget.page.consent_label", lang)).check()
        page.get_by_role("button", name=t("widget.page.confirm", lang)).click()
        page.get_by_role("heading", name=t("widget.page.done_title", lang)).wait_for()
        assert_catalogue_only(page, lang)
        assert _fits(page)
        page.screenshot(path=str(shots / f"{tag}-04-confirmed.png"), full_page=True)


@pytest.mark.parametrize(("width", "lang", "_plan", "debtor"), COMBOS, ids=IDS)
def test_requests_flow(browser: Any, live_server: Any, widget_token: Any, shots: Path, width: int, lang: str,
                       _plan: str, debtor: str) -> None:
    token = widget_token(debtor)
    stop = "Arrêtez de m'appeler, je ne veux plus de SMS." if lang == "fr" else "Stop calling me, no more texts."
    crisis = ("Je n'en peux plus, je pense au suicide." if lang == "fr"
              else "I can't go on, I am thinking about suicide.")
    for page in _page(browser, live_server, width, lang):
        tag = f"{lang}-{width}"
        _open(page, token, lang)
        page.get_by_role("button", name=t("widget.page.contact_btn", lang)).click()
        page.get_by_role("heading", name=t("widget.page.contact_title", lang)).wait_for()
        page.locator("#c-channel").select_option("phone")
        page.locator("#c-when").fill("2026-11-25T13:30")
        page.locator("#c-phone").fill("call me")
        page.get_by_role("button", name=t("widget.page.send", lang), exact=True).click()
        phone_err = page.locator("#c-phone-err")
        phone_err.wait_for(state="visible")
        assert phone_err.inner_text() == t("widget.error.phone", lang)
        assert_catalogue_only(page, lang)
        page.screenshot(path=str(shots / f"{tag}-05-phone-error.png"), full_page=True)
        page.locator("#c-phone").fill("+33 6 12 34 56 78")
        page.get_by_role("button", name=t("widget.page.send", lang), exact=True).click()
        when_err = page.locator("#c-when-err")
        when_err.wait_for(state="visible")
        assert when_err.inner_text() == t("widget.error.when_hours", lang)
        assert not phone_err.is_visible()  # stale error cleared
        page.locator("#c-when").fill("2026-11-25T11:00")
        page.locator("#c-note").fill(stop)
        page.get_by_role("button", name=t("widget.page.send", lang), exact=True).click()
        page.get_by_role("heading", name=t("widget.page.ack_title", lang)).wait_for(timeout=ANALYSIS_MS)
        channels = ", ".join(t(f"widget.channel.{c}", lang) for c in ("phone", "sms"))
        assert t("widget.msg.stop_recorded", lang, channels=channels) in page.locator("#ack-notices").inner_text()
        assert_catalogue_only(page, lang)
        page.screenshot(path=str(shots / f"{tag}-06-contact-ack.png"), full_page=True)
        with session_scope(live_server.settings.effective_database_url) as s:
            row = s.get(m.Debtor, debtor)
            assert row is not None and {"phone", "sms"} <= set(row.opt_outs or [])

        page.get_by_role("button", name=t("widget.page.back_file", lang)).click()
        page.get_by_role("button", name=t("widget.page.hardship_btn", lang)).click()
        page.get_by_role("heading", name=t("widget.page.hardship_title", lang)).wait_for()
        page.locator("#h-message").fill(crisis)
        page.get_by_role("button", name=t("widget.page.send", lang), exact=True).click()
        page.get_by_role("heading", name=t("widget.page.ack_title", lang)).wait_for(timeout=ANALYSIS_MS)
        notices = page.locator("#ack-notices").inner_text()
        assert ("3114" in notices) and t("widget.msg.crisis", lang, helpline="X").split("X")[0] in notices
        assert _tasks(live_server, debtor, "crisis") == 1
        assert_catalogue_only(page, lang)
        assert _fits(page)
        page.screenshot(path=str(shots / f"{tag}-07-hardship-helpline.png"), full_page=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("debtor", ["D002", "D004", "D006", "D017"])  # plan, time-barred, on hold, settled
def test_file_states_catalogue_only(browser: Any, live_server: Any, widget_token: Any, shots: Path, lang: str,
                                    debtor: str) -> None:
    for page in _page(browser, live_server, 1280, lang):
        page.goto(f"/widget/#t={widget_token(debtor)}&lang={lang}")
        page.get_by_role("heading", name=t("widget.page.file_title", lang), exact=True).wait_for()
        for summary in page.locator("#screen-file summary").all():
            summary.click()
        assert page.locator("#file-status-msg").is_visible()
        assert not page.get_by_role("button", name=t("widget.page.choose_plan", lang)).is_visible()
        if debtor == "D004":  # time-barred: the sums are shown, never claimed, and no way to pay is offered
            assert page.locator("#amt-total-label").inner_text() == t("widget.page.total_time_barred", lang)
            assert t("widget.legal.payment_title", lang) not in page.locator("#legal").inner_text()
        assert_catalogue_only(page, lang)
        page.screenshot(path=str(shots / f"{lang}-1280-state-{debtor}.png"), full_page=True)


def test_switch_to_english_rewrites_server_texts(browser: Any, live_server: Any, widget_token: Any,
                                                 shots: Path) -> None:
    for page in _page(browser, live_server, 360, "fr"):
        _open(page, widget_token("D001"), "fr")
        page.get_by_role("button", name="English").click()
        page.get_by_role("heading", name="Your file", exact=True).wait_for()
        expect(page.locator("#collector")).to_contain_text("amicable debt recovery")  # no string eval: CSP
        page.locator("#screen-file summary").last.click()
        assert "Creditor:" in page.locator("#legal").inner_text()
        assert_catalogue_only(page, "en")
        page.screenshot(path=str(shots / "en-360-switched.png"), full_page=True)


def test_the_check_fails_on_a_text_outside_the_catalogue(browser: Any, live_server: Any, widget_token: Any) -> None:
    for page in _page(browser, live_server, 360, "fr"):
        _open(page, widget_token("D009"), "fr")
        assert outside_catalogue(visible_texts(page), "en")  # a French page is not English
        page.evaluate("document.querySelector('#screen-file').appendChild(document.createElement('p'))"
                      ".textContent = 'Payment overdue'")
        assert outside_catalogue(visible_texts(page), "fr") == ["Payment overdue"]
