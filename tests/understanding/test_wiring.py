"""The analysis reaches the draft and the file: crisis replies and holds, stop requests record opt-outs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from agent.cadence import planner_for
from agent.conversations import make_draft
from agent.db import models as m
from agent.drafting.models import DraftRequest
from agent.understanding.helplines import load_helplines

# Sample debtors no other test drafts for; their rows are restored after each test.
CRISIS_DEBTOR, STOP_DEBTOR = "D022", "D025"


@pytest.fixture
def service(ingested_runtime) -> Iterator[object]:  # type: ignore[no-untyped-def]
    rt = ingested_runtime
    fields = ("opt_outs", "status", "hold_reason", "vulnerable", "timezone")
    with rt.session() as s:
        saved = {d: {f: getattr(s.get(m.Debtor, d), f) for f in fields} for d in (CRISIS_DEBTOR, STOP_DEBTOR)}
    yield rt.drafting
    with rt.session() as s:
        for d, values in saved.items():
            row = s.get(m.Debtor, d)
            for f, v in values.items():
                setattr(row, f, list(v) if isinstance(v, list) else v)
            for t in s.query(m.Task).filter(m.Task.debtor_id == d, m.Task.kind == "crisis"):
                s.delete(t)


def test_draft_json_carries_every_intent_and_the_details(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id="D001", message="Je conteste le montant mais je peux payer 50 € par mois "
                                   "à partir du 20 décembre", channel="email"), record=False)
    body = d.model_dump(mode="json")
    assert {"dispute", "asks_for_plan"} <= {i["label"] for i in body["intents"]}
    assert all(0 <= i["confidence"] <= 1 for i in body["intents"])
    assert d.intent == "dispute"  # the primary intent, for compatibility
    kinds = {(x["kind"], x["value"]) for x in body["details"]}
    assert ("amount_offered", "5000c/month") in kinds and ("promised_date", "2026-12-20") in kinds
    assert body["injection_suspected"] is False


def test_crisis_gets_the_helpline_never_a_payment_demand(service) -> None:  # type: ignore[no-untyped-def]
    rt = service.rt
    d = service.draft(DraftRequest(debtor_id=CRISIS_DEBTOR, message="j'ai envie d'en finir, je pense au suicide",
                                   channel="email"), record=True)
    assert d.intent == "crisis" and d.sendable, [f.rule_id for f in d.guard.findings]
    assert "3114" in d.text
    assert not d.plan_options and not re.search(r"\d+,\d{2}\s?€|€", d.text)
    assert not re.search(r"(payer|paiement|régler|règlement|solde)", d.text, re.I)
    assert d.next_action.code == "agent_review"
    assert d.file_changes["crisis"]["task"] == "crisis"
    with rt.session() as s:
        row = s.get(m.Debtor, CRISIS_DEBTOR)
        assert row.vulnerable and row.status == "on_hold"
        tasks = s.query(m.Task).filter(m.Task.debtor_id == CRISIS_DEBTOR, m.Task.kind == "crisis").all()
        assert len(tasks) == 1 and tasks[0].status == "open"
    # the console's path (a conversation draft, recorded in one transaction) opens no second task
    rec = make_draft(rt, DraftRequest(debtor_id=CRISIS_DEBTOR, message="je pense au suicide", channel="email"),
                     actor="agent-test")
    assert rec.draft["intent"] == "crisis"
    with rt.session() as s:
        assert s.query(m.Task).filter(m.Task.debtor_id == CRISIS_DEBTOR, m.Task.kind == "crisis").count() == 1


def test_curatelle_is_not_answered_as_a_third_party(service) -> None:  # type: ignore[no-untyped-def]
    d = service.draft(DraftRequest(debtor_id=CRISIS_DEBTOR, message="Je suis sous curatelle", channel="email"),
                      record=False)
    assert d.intent == "crisis" and "3114" in d.text


def test_helpline_follows_the_debtors_country(service) -> None:  # type: ignore[no-untyped-def]
    lines = load_helplines(service.settings.prompts_dir / "intents" / "helplines.yaml")
    assert "116 123" in lines.text("Europe/London", "en")
    assert "988" in lines.text("America/Chicago", "en")
    assert "3114" in lines.text("Europe/Paris", "fr")
    with service.rt.session() as s:
        s.get(m.Debtor, CRISIS_DEBTOR).timezone = "Europe/London"
    d = service.draft(DraftRequest(debtor_id=CRISIS_DEBTOR, message="I want to end it all", channel="email",
                                   lang="en"), record=False)
    assert "116 123" in d.text and "3114" not in d.text


def test_a_stop_request_records_the_opt_out_and_the_cadence_follows(service) -> None:  # type: ignore[no-untyped-def]
    rt = service.rt
    planner = planner_for(rt)
    before = planner.recommend(service.load(STOP_DEBTOR))
    assert before.channel == "phone"  # the preferred channel, before the request
    d = service.draft(DraftRequest(debtor_id=STOP_DEBTOR, message="Arrêtez de m'appeler et plus de SMS",
                                   channel="email"), record=True)
    assert d.intent == "stop_contact"
    assert set(d.file_changes["opt_outs"]["added"]) == {"phone", "sms"}
    file = service.load(STOP_DEBTOR)
    assert {"phone", "sms"} <= set(file.opt_outs) and "email" not in file.opt_outs
    after = planner.recommend(file)
    assert after.channel not in ("phone", "sms") and after.channel is not None


def test_the_consoles_conversation_path_records_the_opt_out_too(service) -> None:  # type: ignore[no-untyped-def]
    rec = make_draft(service.rt, DraftRequest(debtor_id=STOP_DEBTOR, message="Please stop emailing me",
                                              channel="email", lang="en"), actor="agent-test")
    assert rec.draft["intent"] == "stop_contact" and rec.draft["stop_channels"] == ["email"]
    assert "email" in service.load(STOP_DEBTOR).opt_outs


def test_a_crisis_reply_never_goes_through_a_model(service) -> None:  # type: ignore[no-untyped-def]
    class Exploding:
        def compose(self, inp):  # type: ignore[no-untyped-def]
            raise AssertionError("the model composer was asked for a crisis reply")

    saved = service.composer
    service.composer = Exploding()
    try:
        d = service.draft(DraftRequest(debtor_id=CRISIS_DEBTOR, message="I want to end my life", channel="email",
                                       lang="en"), record=False)
    finally:
        service.composer = saved
    assert d.intent == "crisis" and d.backend == "offline" and "3114" in d.text


def test_a_stop_request_naming_no_channel_stops_every_channel_and_sends_the_file_to_review(service) -> None:  # type: ignore[no-untyped-def]
    planner = planner_for(service.rt)
    d = service.draft(DraftRequest(debtor_id=STOP_DEBTOR, message="Merci de ne plus me contacter.",
                                   channel="email"), record=True)
    assert d.intent == "stop_contact"
    file = service.load(STOP_DEBTOR)
    assert {"phone", "sms", "email", "letter"} <= set(file.opt_outs)
    after = planner.recommend(file)
    assert after.action == "agent_review" and after.channel is None
    # the reply says what the file now holds: no reminder by any channel, letters included
    assert "uniquement par courrier" not in d.text and "ni relance par courrier" in d.text
