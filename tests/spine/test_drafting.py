"""Offline drafting on the sample portfolio: every intent, French and English, grounded and guarded."""

from __future__ import annotations

import re

import pytest

from agent import fmt
from agent.drafting.models import DraftRequest
from agent.errors import InputValidationError, NotFoundError, UserError

CASES = [
    # (debtor, lang, message, expected intent)
    ("D002", "fr", "J'ai perdu mon emploi le mois dernier, je n'arrive plus à payer comme prévu.", "hardship"),
    ("D001", "fr", "Je conteste cette facture, je n'ai jamais reçu ce service.", "dispute"),
    ("D014", "fr", "Je vais payer vendredi, je m'engage à régler le solde.", "promise_to_pay"),
    ("D001", "fr", "Est-ce que je peux payer en plusieurs fois ? Un échéancier m'arrangerait.", "asks_for_plan"),
    ("D029", "fr", "Pouvez-vous m'envoyer le détail de ce que je dois exactement ?", "asks_for_details"),
    ("D027", "fr", "Je refuse de payer, hors de question.", "refuses"),
    ("D018", "fr", "Arrêtez de m'appeler tous les jours s'il vous plaît.", "stop_contact"),
    ("D007", "fr", "J'ai déjà payé la totalité par virement la semaine dernière.", "already_paid"),
    ("D026", "en", "I lost my job last month and I'm struggling to pay the rent arrears.", "hardship"),
    ("D003", "en", "This is not my debt, I never ordered anything from this company.", "dispute"),
    ("D003", "en", "I will pay on Friday when I get paid, I promise.", "promise_to_pay"),
    ("D003", "en", "Could I set up a payment plan with monthly instalments?", "asks_for_plan"),
    ("D035", "en", "Could you send me a breakdown of what I owe and which invoice this is?", "asks_for_details"),
    ("D021", "en", "We refuse to pay this, not paying.", "refuses"),
    ("D012", "en", "Please stop calling me, do not contact me by phone again.", "stop_contact"),
]


@pytest.fixture(scope="module")
def service(ingested_runtime):  # type: ignore[no-untyped-def]
    return ingested_runtime.drafting


@pytest.mark.parametrize(("debtor", "lang", "message", "intent"), CASES, ids=[f"{c[0]}-{c[3]}-{c[1]}" for c in CASES])
def test_draft_is_grounded_guarded_and_in_the_debtors_language(service, debtor, lang, message, intent) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id=debtor, message=message, channel="email"), record=False)
    assert d.intent == intent
    assert d.language == lang
    assert d.sendable and d.guard.verdict != "block", [f.rule_id for f in d.guard.findings]
    # citations are real sections of the corpus
    sections = service.rt.index.sections
    assert d.citations
    for c in d.citations:
        assert f"{c.lang}:{c.id}" in sections
        assert c.excerpt[:40] in " ".join(sections[f"{c.lang}:{c.id}"].text.split())
    # facts are real account facts, and the ones stated appear verbatim in the text
    file = service.load(debtor)
    assert d.facts
    for f in d.facts:
        first_line = f.value.splitlines()[0]
        assert first_line in d.text
        if f.key == "balance":
            assert f.value == fmt.money(file.signals.balance_cents, lang)
        if f.key == "creditor_name":
            assert f.value == file.creditor.name
    if lang == "fr":
        assert re.search(r"\bvous\b", d.text, re.IGNORECASE) and not re.search(r"\btu\b", d.text)
    assert d.next_action.label


def test_every_amount_in_a_plan_draft_comes_from_the_engine(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Je voudrais un échéancier sur plusieurs mois."),
                      record=False)
    assert d.plan_options
    allowed = {fmt.money(c, "fr") for o in d.plan_options
               for c in (o.total_cents, o.discount_cents, o.balance_cents, *[i.amount_cents for i in o.instalments])}
    file = service.load("D001")
    allowed |= {fmt.money(a, "fr") for a in file.ledger_amounts_cents()}
    amounts = re.findall(r"\d[\d ]*,\d{2} €", d.text)
    assert amounts and set(amounts) <= allowed


def test_agent_instruction_changes_months_language_and_length(service) -> None:  # type: ignore[no-untyped-def]
    base = DraftRequest(debtor_id="D001", message="Je voudrais payer en plusieurs fois.", channel="email")
    six = service.draft(base.model_copy(update={"instruction": "propose plutôt six mois"}), record=False)
    assert six.chosen_option_id is not None
    chosen = next(o for o in six.plan_options if o.id == six.chosen_option_id)
    assert chosen.count == 6 and chosen.frequency == "monthly"
    english = service.draft(base.model_copy(update={"instruction": "in English please"}), record=False)
    assert english.language == "en" and "Dear" in english.text
    short = service.draft(base.model_copy(update={"instruction": "shorter"}), record=False)
    assert len(short.text) < len(six.text)


def test_sms_never_states_the_amount(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D007", message="Je peux payer en plusieurs fois ?", channel="sms"),
                      record=False)
    assert d.channel == "sms"
    assert not re.search(r"\d+,\d{2} €", d.text)


@pytest.mark.parametrize("debtor", ["D004", "D009", "D030"])
def test_time_barred_files_get_no_demand_and_go_to_review(service, debtor) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id=debtor, message="Pourquoi vous me relancez ?"), record=False)
    assert not d.plan_options
    assert d.next_action.code == "agent_review"
    assert not re.search(r"tribunal|poursuite|justice|huissier", d.text, re.IGNORECASE)


def test_disputed_file_suspends(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D008", message="Any news about my complaint?"), record=False)
    assert d.language == "en"
    assert d.next_action.code == "suspend_and_verify"
    assert not d.plan_options


def test_third_party_reply_reveals_no_debt(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D034", message="Je suis sa fille, ma mère est hospitalisée."),
                      record=False)
    file = service.load("D034")
    assert d.intent == "third_party"
    assert file.creditor.name not in d.text
    assert not re.search(r"\d+,\d{2} €|dette|créance|recouvrement|facture", d.text, re.IGNORECASE)


def test_draft_is_recorded_in_the_audit_trail(service) -> None:  # type: ignore[no-untyped-def]
    from agent import audit

    d = service.draft(DraftRequest(debtor_id="D001", message="Bonjour, où en est mon dossier ?"), actor="tester")
    with service.rt.session() as s:
        events = [e for e in audit.iter_events(s, kind="draft.generated", debtor_id="D001")]
        assert events[-1].payload["draft"]["id"] == d.id
        assert events[-1].actor == "tester"
        assert audit.verify(s).ok


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"debtor_id": "D999", "message": "Bonjour"}, NotFoundError, "unknown debtor"),
        ({"debtor_id": "D001", "message": "   \n "}, InputValidationError, "empty"),
        ({"debtor_id": "D001", "message": "x" * 100_000}, InputValidationError, "too long"),
        ({"debtor_id": "D001", "message": "Ich kann die Rechnung nicht bezahlen, bitte helfen Sie mir."}, UserError,
         "unsupported language"),
    ],
)
def test_bad_input_is_a_clear_error(service, kwargs, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        service.draft(DraftRequest(**kwargs), record=False)


def test_python_api(ingested_runtime) -> None:  # type: ignore[no-untyped-def]
    from agent.drafting import draft

    d = draft("D003", "I will pay on Friday when I get paid.", settings=ingested_runtime.settings)
    assert d.intent == "promise_to_pay" and d.language == "en" and d.debtor_id == "D003"
    assert d.next_action.code == "wait_for_payment"


def test_no_draft_without_the_knowledge_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missing Chroma directory must not give ungrounded drafts silently: a clear 'run amiable init'."""
    from agent.db.session import session_scope
    from agent.drafting.models import DraftRequest
    from agent.errors import IndexMissingError
    from agent.portfolio import import_portfolio
    from agent.runtime import Runtime
    from tests.conftest import make_settings

    s = make_settings(tmp_path)
    with session_scope(s.effective_database_url) as session:
        import_portfolio(session, s.portfolio_file)
    rt = Runtime.start(s)
    with pytest.raises(IndexMissingError, match="amiable init") as exc:
        rt.drafting.draft(DraftRequest(debtor_id="D001", message="Bonjour, je peux payer en trois fois ?"),
                          actor="test")
    assert exc.value.http_status == 503 and exc.value.exit_code == 4
