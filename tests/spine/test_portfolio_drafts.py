"""Issue 13: over the whole sample portfolio, no draft offers a plan on a time-barred, disputed or
stop-requested file, and the point-by-point answers say what the debtor's message asked for."""

from __future__ import annotations

import json

import pytest

from agent import fmt
from agent.drafting.facts import situation
from agent.drafting.models import DraftRequest
from tests.conftest import REPO

MESSAGES = [
    "Est-ce que je peux payer en plusieurs fois ? Je peux vous proposer 80 € par mois.",
    "Je vous réglerai la totalité le 20 décembre.",
    "Arrêtez de m'appeler, écrivez-moi par mail. Je veux bien un échéancier.",
    "Could I set up a payment plan with monthly instalments? I can pay 100 a month.",
    "Stop sending me letters, I'll report you to the ombudsman. Can I pay in instalments?",
]
_PLAN_WORDS = ("mensualités", "monthly instalments", "échéances :", "due dates:")


def _debtor_ids() -> list[str]:
    path = REPO / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["id"] for r in rows if r["type"] == "debtor"]


@pytest.fixture(scope="module")
def service(ingested_runtime):  # type: ignore[no-untyped-def]
    return ingested_runtime.drafting


def test_no_plan_is_ever_offered_on_a_barred_disputed_or_stopped_file(service) -> None:  # type: ignore[no-untyped-def]
    checked = {"time_barred": 0, "disputed": 0, "stop": 0}
    for debtor in _debtor_ids():
        file = service.load(debtor)
        sit = situation(file)
        for message in MESSAGES:
            d = service.draft(DraftRequest(debtor_id=debtor, message=message, channel="email"), record=False)
            stop = "Arrêtez" in message or "Stop sending" in message
            if not (sit["time_barred"] or sit["disputed"] or stop):
                continue
            for key in ("time_barred", "disputed"):
                checked[key] += int(sit[key])
            checked["stop"] += int(stop)
            assert d.plan_options == [], (debtor, message, [o.id for o in d.plan_options])
            assert d.chosen_option_id is None, (debtor, message)
            assert not any(w in d.text for w in _PLAN_WORDS), (debtor, message, d.text)
    assert all(n > 0 for n in checked.values()), checked  # each kind of file was really exercised


def test_within_policy_counter_offer_is_accepted_with_its_due_dates(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Je peux vous proposer 80 € par mois.",
                                   channel="email"), record=False)
    file = service.load("D001")
    assert file.signals.balance_cents > 8000  # a plan, not a single payment
    assert "nous l'acceptons" in d.text
    assert "quel montant" not in d.text  # no generic question once the debtor said what they can pay
    assert d.plan_options and d.plan_options[0].kind == "proposal"
    plan = d.plan_options[0]
    assert plan.count > 1 and sum(i.amount_cents for i in plan.instalments) == file.signals.balance_cents
    for inst in plan.instalments:
        assert inst.amount_cents <= 8000  # never more than the debtor offered
        assert f"{fmt.date(inst.due_date, 'fr')} : {fmt.money(inst.amount_cents, 'fr')}" in d.text
    assert d.sendable


def test_promise_is_confirmed_with_amount_and_date(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Je vous réglerai la totalité le 20 décembre.",
                                   channel="email"), record=False)
    assert "20 décembre 2026" in d.text or "20/12/2026" in d.text, d.text
    assert "engagement de régler" in d.text
    assert d.sendable


def test_deceased_debtor_gets_condolences_and_no_demand(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Bonjour, mon père est décédé en août. Je suis sa fille.",
                                   channel="email"), record=False)
    assert "condoléances" in d.text and "notaire" in d.text
    assert d.text.startswith("Madame, Monsieur,")  # the writer, not the dead debtor
    assert "Girard" not in d.text.splitlines()[0]
    assert d.plan_options == []
    assert "livraison" not in d.text  # not treated as a dispute


def test_stop_request_is_honoured_per_channel(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Arrêtez de m'appeler au travail, écrivez-moi par mail.",
                                   ), record=False)
    assert "uniquement par courrier" not in d.text
    assert "plus par téléphone" in d.text and "par e-mail" in d.text
    assert d.channel == "email"


def test_prescription_claim_on_a_live_file_gets_the_dates_not_a_suspension(service) -> None:  # type: ignore[no-untyped-def]
    file = service.load("D001")
    assert not file.signals.time_barred
    d = service.draft(DraftRequest(debtor_id="D001", message="Cette dette est prescrite, je ne paierai pas.",
                                   channel="email"), record=False)
    assert "prescription" in d.text and "n'est pas écoulé" in d.text
    assert "suspendu" not in d.text


def test_english_file_drafted_in_french_translates_the_civility(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D008", message="Bonjour, pouvez-vous m'envoyer le détail ?",
                                   lang="fr", channel="email"), record=False)
    assert not d.text.startswith("Bonjour Ms"), d.text.splitlines()[0]


def test_notes_wordings_become_flags_and_choose_the_channel(service) -> None:  # type: ignore[no-untyped-def]
    from agent.drafting.points import channel_for, load_note_flags, note_flags

    table = load_note_flags(REPO / "prompts" / "points" / "notes_flags.yaml")
    assert note_flags("Ne plus appeler le domicile. Interlocuteur : notaire.", table) == {"no_phone"}
    assert "no_reminder_while_plan" in note_flags("Ne pas relancer tant que l'échéancier est honoré.", table)
    assert note_flags("Dossier reçu, aucune démarche.", table) == set()
    file = service.load("D010")  # preferred channel phone, note "Ne plus appeler le domicile"
    assert file.preferred_channel == "phone"
    assert channel_for(None, file, note_flags(file.notes, table)) != "phone"
    d = service.draft(DraftRequest(debtor_id="D010", message="Pouvez-vous m'envoyer le détail ?"), record=False)
    assert d.channel != "phone"


def test_phone_draft_is_a_short_call_script(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Je vous réglerai la totalité le 20 décembre.",
                                   channel="phone"), record=False)
    assert d.text.startswith("Script d'appel") and "Vérifier l'identité" in d.text
    assert "20 décembre 2026" in d.text
    assert "Bien cordialement" not in d.text


def test_revisions_keep_the_channel_and_the_proposal(service) -> None:  # type: ignore[no-untyped-def]
    m = "Bonjour, je voudrais payer en plusieurs fois, c'est possible ?"
    full = service.draft(DraftRequest(debtor_id="D001", message=m, channel="email"), record=False)
    short = service.draft(DraftRequest(debtor_id="D001", message=m, channel="email", instruction="plus court"),
                          record=False)
    assert len(short.text) < len(full.text)
    assert short.text.startswith("Bonjour Madame") and "Cabinet Concorde Recouvrement" in short.text  # a letter
    six = service.draft(DraftRequest(debtor_id="D001", message=m, channel="email", plan_months=6,
                                     instruction="plus court; propose six mois"), record=False)
    chosen = next(o for o in six.plan_options if o.id == six.chosen_option_id)
    assert chosen.count == 6 and fmt.money(chosen.instalment_cents, "fr") in six.text
    kind = service.draft(DraftRequest(debtor_id="D001", message=m, channel="email", plan_months=6,
                                      instruction="plus court; propose six mois; plus empathique"), record=False)
    assert kind.chosen_option_id == chosen.id and fmt.money(chosen.instalment_cents, "fr") in kind.text
    assert kind.text != six.text


@pytest.mark.parametrize(("debtor", "message"), [
    ("D033", "Someone opened this account in my name, this is identity theft."),
    ("D001", "Quelqu'un a ouvert ce compte à mon nom, c'est une usurpation d'identité."),
])
def test_identity_theft_gets_its_procedure_no_plan_and_passes_the_guard(service, debtor, message) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id=debtor, message=message, channel="email"), record=False)
    assert d.sendable, [f.rule_id for f in d.guard.findings]
    assert ("usurpation" in d.text) or ("identity theft" in d.text)
    assert d.plan_options == []


def test_a_third_party_asking_about_prescription_learns_nothing_about_the_debt(service) -> None:  # type: ignore[no-untyped-def]
    file = service.load("D033")
    assert not file.signals.time_barred
    msg = ("I am not the debtor, I am his sister. You keep calling me about my brother's account. "
           "Isn't this debt time-barred anyway?")
    d = service.draft(DraftRequest(debtor_id="D033", message=msg, channel="email", lang="en"), record=False)
    assert "third_party" in {i.label for i in d.intents}
    assert d.sendable, d.guard
    assert "limitation period" not in d.text and "due date" not in d.text
    assert d.plan_options == []
