"""The debtor widget in real headless Chromium at 360x740: full flow, counter-proposal, dispute, bad link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.db import models as m
from agent.db.session import session_scope

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    d = artifacts_dir / "widget"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _open(page: Any, token: str) -> None:
    page.goto(f"/widget/#t={token}")


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _plans(live_server: Any, debtor_id: str) -> list[m.Plan]:
    with session_scope(live_server.settings.effective_database_url) as s:
        return list(s.execute(select(m.Plan).where(m.Plan.debtor_id == debtor_id, m.Plan.source == "widget"))
                    .scalars())


def test_full_flow_link_to_confirmation(page: Any, widget_token: Any, live_server: Any, shots: Path) -> None:
    _open(page, widget_token("D001"))
    page.get_by_role("heading", name="Votre dossier").wait_for()
    assert "#t=" not in page.url  # the token is removed from the address bar
    assert "508,88" in page.locator("#amt-total").inner_text()
    assert "Hélioval Énergie SAS" in page.locator("#creditor").inner_text()
    assert page.get_by_text("Mentions légales").is_visible()
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "01-file.png"), full_page=True)

    page.get_by_role("button", name="Choisir une solution de paiement").click()
    page.get_by_role("heading", name="Choisissez votre solution").wait_for()
    radios = page.get_by_role("radio")
    assert radios.count() >= 2
    # keyboard: focus the first option, move with the arrow key (selects), continue with Enter
    radios.first.focus()
    page.keyboard.press("ArrowDown")
    second = radios.nth(1)
    assert second.is_checked()
    page.locator("#schedule-box").wait_for(state="visible")
    rows = page.locator("#schedule-table tbody tr")
    assert rows.count() >= 2
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "02-options.png"), full_page=True)
    page.keyboard.press("Enter")  # submits the options form from the focused radio

    page.get_by_role("heading", name="Vérifiez et confirmez").wait_for()
    assert "échéances impayées consécutives" in page.locator("#consent-missed").inner_text()
    page.get_by_role("button", name="Confirmer mon échéancier").click()
    err = page.locator("#consent-err")
    err.wait_for(state="visible")
    assert "Cochez la case" in err.inner_text()
    assert page.locator("#consent").get_attribute("aria-invalid") == "true"
    assert _plans(live_server, "D001") == []
    page.get_by_label("J'accepte cet échéancier").check()
    page.screenshot(path=str(shots / "03-consent.png"), full_page=True)
    page.get_by_role("button", name="Confirmer mon échéancier").click()

    page.get_by_role("heading", name="C'est confirmé").wait_for()
    ref = page.locator("#done-ref").inner_text()
    assert ref.startswith("PLN-") and ref in page.locator("#done-msg").inner_text()
    page.screenshot(path=str(shots / "04-confirmation.png"), full_page=True)
    plans = _plans(live_server, "D001")
    assert [p.reference for p in plans] == [ref]


def test_counter_proposal_outside_policy(page: Any, widget_token: Any, live_server: Any, shots: Path) -> None:
    _open(page, widget_token("D005"))
    page.get_by_role("button", name="Choisir une solution de paiement").click()
    page.get_by_role("heading", name="Choisissez votre solution").wait_for()
    page.get_by_text("Proposer un autre échéancier").click()
    # field-level error for non-numeric input, client side
    page.get_by_label("Montant par échéance (€)").fill("abc")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    assert page.locator("#p-amount-err").is_visible()
    assert page.locator("#p-amount").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(shots / "05-proposal-field-error.png"), full_page=True)
    # 1 EUR per instalment is outside policy: the reason with the policy's minimum, the nearest options,
    # and an adviser follows up (never the generic "demande enregistrée")
    page.get_by_label("Montant par échéance (€)").fill("1")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    msg = page.locator("#proposal-msg")
    msg.wait_for(state="visible")
    assert "conseiller" in msg.inner_text() and "25,00" in msg.inner_text()
    assert "bien enregistrée" not in msg.inner_text()
    assert not page.locator("#p-amount-err").is_visible()  # the earlier field error is gone
    assert page.get_by_role("radio").count() >= 1
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "06-proposal-alternatives.png"), full_page=True)
    with session_scope(live_server.settings.effective_database_url) as s:
        kinds = [t.kind for t in s.execute(select(m.Task).where(m.Task.debtor_id == "D005")).scalars()]
    assert kinds == ["plan_counter_proposal"]
    assert _plans(live_server, "D005") == []


def test_dispute(page: Any, widget_token: Any, live_server: Any, shots: Path) -> None:
    _open(page, widget_token("D007"))
    page.get_by_role("button", name="Je conteste cette somme").click()
    page.get_by_role("heading", name="Contester la somme réclamée").wait_for()
    page.get_by_role("button", name="Envoyer").click()
    assert page.locator("#d-message-err").is_visible()  # required field
    page.get_by_label("Motif").select_option("already_paid")
    page.get_by_label("Expliquez-nous (obligatoire)").fill("J'ai payé cette facture le 2 octobre par virement.")
    page.screenshot(path=str(shots / "07-dispute-form.png"), full_page=True)
    page.get_by_role("button", name="Envoyer").click()
    # the first free text a server analyses loads the embedding model (seconds on a busy machine)
    page.get_by_role("heading", name="Demande enregistrée").wait_for(timeout=90_000)
    assert page.locator("#ack-ref").inner_text().startswith("DSP-")
    assert "suspendons" in page.locator("#ack-msg").inner_text()
    page.screenshot(path=str(shots / "08-dispute-ack.png"), full_page=True)
    with session_scope(live_server.settings.effective_database_url) as s:
        row = s.get(m.Debtor, "D007")
        assert row is not None and row.status == "on_hold"
        tasks = [t.kind for t in s.execute(select(m.Task).where(m.Task.debtor_id == "D007")).scalars()]
    assert tasks == ["dispute"]
    page.get_by_role("button", name="Retour au dossier").click()
    page.get_by_role("heading", name="Votre dossier").wait_for()
    assert page.locator("#file-status-msg").is_visible()
    assert not page.get_by_role("button", name="Choisir une solution de paiement").is_visible()


def test_tampered_token_reveals_nothing(page: Any, widget_token: Any, shots: Path) -> None:
    token = widget_token("D001")
    head, body, sig = token.split(".")
    tampered = f"{head}.{body}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    _open(page, tampered)
    page.get_by_role("heading", name="Lien non valide").wait_for()
    text = page.locator("body").inner_text()
    for secret in ("CCR-2026-0001", "Girard", "Hélioval", "508"):
        assert secret not in text
    assert not page.locator("#screen-file").is_visible()
    page.screenshot(path=str(shots / "09-invalid-link.png"), full_page=True)


def test_english_file_and_language_switch(page: Any, widget_token: Any, shots: Path) -> None:
    _open(page, widget_token("D003"))
    page.get_by_role("heading", name="Your file").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_text("Legal information").click()  # the <details> opens by click (or Enter)
    assert "In short" in page.locator("#legal").inner_text()
    assert "frais de recouvrement" in page.locator("#legal").inner_text()  # L111-8 verbatim, in French
    page.screenshot(path=str(shots / "10-english.png"), full_page=True)
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name="Votre dossier").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_every_input_has_a_label(page: Any, widget_token: Any) -> None:
    _open(page, widget_token("D009"))
    page.get_by_role("heading", name="Votre dossier").wait_for()
    unlabeled = page.evaluate("""() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.name)""")
    assert unlabeled == []
