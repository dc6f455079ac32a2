"""The outbox sends for real (local SMTP server, local SMS provider, print batch folder), only after
the guard passed on the final text at the moment of sending, and tracks delivery on the file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from agent import audit
from agent.db import models as m
from agent.db.repo import load_file
from agent.errors import UserError
from agent.letters.service import produce
from agent.outbox.models import DeliveryEvent, OutboxMessage
from agent.outbox.service import enqueue, enqueue_letter, record_event, run
from tests.conftest import TODAY, copy_template, make_settings
from tests.letters.conftest import NOW  # Monday 23 November 2026, 11:00 in Paris

PARIS = ZoneInfo("Europe/Paris")


def status(rt: Any, msg_id: str) -> OutboxMessage:
    with rt.session() as s:
        msg = s.get(OutboxMessage, msg_id)
        assert msg is not None
        return msg


def file_of(rt: Any, debtor_id: str) -> Any:
    with rt.session() as s:
        return load_file(s, debtor_id, TODAY)


def test_first_letter_by_email_reaches_the_smtp_server(make_rt: Any, smtp: Any) -> None:
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    done = produce(rt, "D001", "first", now=NOW)
    with rt.session() as s:
        msg_id = enqueue_letter(s, done, channel="email", now=NOW)
    assert sink.messages == []  # queued, not sent
    report = run(rt, now=NOW)
    assert report.sent == [msg_id], report
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail["To"] == "nathalie.girard@example.fr"
    assert mail["Subject"] == done.letter.subject
    assert mail["X-Amiable-Reference"] == done.letter.reference
    assert mail["List-Unsubscribe"].startswith("<mailto:desinscription@") and "STOP" in mail["List-Unsubscribe"]
    assert mail["Message-ID"] == status(rt, msg_id).provider_id
    body = mail.get_body(("plain",)).get_content()
    firm = rt.firm
    for mention in (firm.name, firm.address, "recouvrement amiable", "Hélioval Énergie SAS", "Principal : 508,88 €",
                    "Intérêts : 0,00 €", "Autres sommes (accessoires) : 0,00 €", firm.l111_8_paragraphs[0],
                    firm.l111_8_paragraphs[1], done.letter.widget_url, "Répondez « STOP »"):
        assert mention in " ".join(body.split()) or mention in body, mention
    html = mail.get_body(("html",)).get_content()
    assert f'<a href="{done.letter.widget_url}">' in html
    attachments = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_content().startswith(b"%PDF-")
    with rt.session() as s:
        contact = s.get(m.Contact, status(rt, msg_id).contact_id)
        assert contact is not None and contact.outcome == "sent" and contact.kind == "letter"
        kinds = [e.kind for e in s.execute(select(DeliveryEvent).where(DeliveryEvent.outbox_id == msg_id)).scalars()]
        assert kinds == ["sent"]
        assert [e.payload["outbox_id"] for e in audit.iter_events(s, kind="outbox.sent")] == [msg_id]
        assert audit.verify(s).ok
    record_event(rt, kind="opened", at=NOW + dt.timedelta(hours=1), outbox_id=msg_id)
    assert status(rt, msg_id).status == "opened"


def test_bounce_marks_the_email_bad_and_stops_later_emails(make_rt: Any, smtp: Any) -> None:
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    with rt.session() as s:
        s.execute(update(m.Debtor).where(m.Debtor.id == "D029").values(email="bounce.masson@example.fr"))
    done = produce(rt, "D029", "first", now=NOW)
    with rt.session() as s:
        first = enqueue_letter(s, done, channel="email", now=NOW)
    report = run(rt, now=NOW)
    assert report.bounced == [first] and sink.messages == []
    assert file_of(rt, "D029").bad_contacts == ("email",)
    with rt.session() as s:
        contact = s.get(m.Contact, status(rt, first).contact_id)
        assert contact is not None and contact.outcome == "bounced"
        assert [e.debtor_id for e in audit.iter_events(s, kind="delivery.bounced")] == ["D029"]
        second = enqueue(s, debtor_id="D029", channel="email", text="Rappel de votre dossier.", now=NOW)
    report = run(rt, now=NOW + dt.timedelta(minutes=5))
    assert report.suppressed == [second]
    assert status(rt, second).deferred_reason == "this address bounced (bad contact)"


SMS = ("Cabinet Concorde Recouvrement, pour le compte de Hélioval Énergie SAS : dossier CCR-2026-0002. "
       "Votre espace de paiement : https://pay.example/widget/")


def test_sms_delivery_receipt_and_stop(make_rt: Any, sms_provider: Any) -> None:
    provider, url = sms_provider
    rt = make_rt(sms_provider_url=url)
    with rt.session() as s:
        first = enqueue(s, debtor_id="D002", channel="sms", text=SMS, now=NOW)
    report = run(rt, now=NOW)
    assert report.sent == [first], report
    assert provider.sent[0]["to"] == "+33 6 39 98 21 47"
    assert provider.sent[0]["text"].endswith("STOP au CONCORDE pour ne plus recevoir de SMS.")
    assert report.events == 1 and status(rt, first).status == "delivered"
    provider.add_event(type="inbound", **{"from": "+33639982147", "text": "Stop"})
    run(rt, now=NOW + dt.timedelta(minutes=10))
    assert "sms" in file_of(rt, "D002").opt_outs
    with rt.session() as s:
        assert [e.debtor_id for e in audit.iter_events(s, kind="contact.opt_out")] == ["D002"]
        second = enqueue(s, debtor_id="D002", channel="sms", text=SMS, now=NOW)
    report = run(rt, now=NOW + dt.timedelta(minutes=20))
    assert report.suppressed == [second] and len(provider.sent) == 1


def test_a_reply_that_is_not_stop_does_not_opt_out(make_rt: Any, sms_provider: Any) -> None:
    provider, url = sms_provider
    rt = make_rt(sms_provider_url=url)
    provider.add_event(type="inbound", **{"from": "+33 6 39 98 21 47", "text": "Je ne peux pas stopper mes paiements"})
    run(rt, now=NOW)
    assert "sms" not in file_of(rt, "D002").opt_outs


def test_outside_hours_stays_queued_then_goes(make_rt: Any, smtp: Any) -> None:
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    late = dt.datetime.combine(TODAY, dt.time(21, 30), tzinfo=PARIS)
    with rt.session() as s:
        msg_id = enqueue(s, debtor_id="D002", channel="email", text="Bonjour, voici le rappel de votre dossier CCR-2026-0002.",
                         now=late)
    report = run(rt, now=late)
    assert report.queued == {msg_id: "outside sending hours"} and sink.messages == []
    morning = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(9, 0), tzinfo=PARIS)
    assert run(rt, now=morning).sent == [msg_id]
    assert len(sink.messages) == 1


def test_guard_blocks_at_send_time(make_rt: Any, smtp: Any) -> None:
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    with rt.session() as s:
        msg_id = enqueue(s, debtor_id="D002", channel="email", now=NOW,
                         text="Sans paiement sous 48 heures, nous ferons saisir votre salaire et inscrire votre nom "
                              "au fichier de la Banque de France.")
    report = run(rt, now=NOW)
    assert report.blocked == [msg_id] and sink.messages == []
    assert status(rt, msg_id).status == "blocked"
    assert "FR-THREAT.banque-de-france" in status(rt, msg_id).deferred_reason


def test_unreachable_smtp_is_retried_then_failed(make_rt: Any) -> None:
    from tests.conftest import free_port

    rt = make_rt(smtp_port=free_port(), outbox_max_attempts=2)
    with rt.session() as s:
        msg_id = enqueue(s, debtor_id="D002", channel="email", text="Rappel de votre dossier CCR-2026-0002.", now=NOW)
    report = run(rt, now=NOW)
    assert msg_id in report.queued and "unavailable" in report.queued[msg_id]
    assert run(rt, now=NOW + dt.timedelta(minutes=1)).queued[msg_id] == status(rt, msg_id).deferred_reason
    report = run(rt, now=NOW + dt.timedelta(minutes=20))
    assert report.failed == [msg_id] and status(rt, msg_id).attempts == 2


def test_postal_print_batch_with_lrar(make_rt: Any) -> None:
    rt = make_rt()
    done = produce(rt, "D001", "first", now=NOW)
    with rt.session() as s:
        msg_id = enqueue_letter(s, done, channel="letter", now=NOW, lrar=True)
    assert run(rt, now=NOW).sent == [msg_id]
    folder = rt.settings.effective_outbox_dir / "print" / f"batch-{NOW:%Y%m%d}"
    rows = list(csv.DictReader((folder / "batch.csv").open(encoding="utf-8")))
    assert rows == [{"reference": done.letter.reference, "outbox_id": msg_id, "recipient": "Mme Nathalie Girard",
                     "address": "14 rue des Tanneurs, 42000 Saint-Étienne", "lrar": "yes",
                     "pdf": f"{done.letter.reference}.pdf", "queued_at": NOW.isoformat()}]
    assert (folder / rows[0]["pdf"]).read_bytes() == done.pdf_path.read_bytes()


def test_contact_cap_at_sending_time_keeps_it_queued(make_rt: Any, smtp: Any) -> None:
    """Contacts made after queueing count: at the cap, the message waits instead of going out."""
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    with rt.session() as s:
        msg_id = enqueue(s, debtor_id="D002", channel="email", text="Rappel de votre dossier CCR-2026-0002.", now=NOW)
        cap = rt.guard.policy.contact_caps.contacts_per_7d
        already = load_file(s, "D002", TODAY).signals.contacts_7d
        for i in range(cap - already):
            s.add(m.Contact(debtor_id="D002", at=NOW - dt.timedelta(hours=i + 1), channel="phone", direction="out",
                            kind="attempt", agent="test", summary="", outcome="no answer"))
    report = run(rt, now=NOW)
    assert report.queued == {msg_id: "contact cap reached"} and sink.messages == []
    assert run(rt, now=NOW + dt.timedelta(days=8)).sent == [msg_id]


def test_no_contact_before_the_first_letter_goes_out(make_rt: Any, smtp: Any) -> None:
    """D001 has no first letter: any other message is blocked; once the first letter is queued, later
    messages wait for it; once it is sent, they go."""
    sink, port = smtp
    rt = make_rt(smtp_port=port)
    with rt.session() as s:
        early = enqueue(s, debtor_id="D001", channel="email", text="Rappel de votre dossier CCR-2026-0001.", now=NOW)
        with pytest.raises(UserError, match="needs its PDF"):
            enqueue(s, debtor_id="D001", channel="letter", text="Rappel.", now=NOW)
    report = run(rt, now=NOW)
    assert report.blocked == [early] and "R124-4" in status(rt, early).deferred_reason
    late = dt.datetime.combine(TODAY, dt.time(21, 30), tzinfo=PARIS)
    done = produce(rt, "D001", "first", now=late)
    with rt.session() as s:
        first = enqueue_letter(s, done, channel="email", now=late)
        reminder = enqueue(s, debtor_id="D001", channel="email", now=late,
                           text=f"Rappel : notre courrier du 23 novembre 2026, référence {done.letter.reference}.")
    report = run(rt, now=late)
    assert report.queued == {first: "outside sending hours",
                             reminder: f"waiting for the first letter {done.letter.reference} to be sent"}
    morning = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(9, 0), tzinfo=PARIS)
    assert run(rt, now=morning).sent == [first, reminder]
    assert [msg["Subject"] for msg in sink.messages][0] == done.letter.subject and len(sink.messages) == 2


def test_console_send_goes_through_the_outbox(ingested_template: Path, tmp_path: Path, smtp: Any) -> None:
    """An agent's "send" queues the guarded final text; only the outbox run hands it to SMTP, and the
    contact the console logged becomes "sent" (one contact, not two)."""
    from agent import conversations as conv
    from agent.runtime import Runtime

    sink, port = smtp
    rt = Runtime.start(make_settings(copy_template(ingested_template, tmp_path / "data"), smtp_port=port))
    first = produce(rt, "D001", "first", now=NOW)
    with rt.session() as s:
        enqueue_letter(s, first, channel="email", now=NOW)
    assert len(run(rt, now=NOW).sent) == 1  # the first letter (R124-4) has gone out
    c = conv.create_conversation(rt, "D001", actor="agent:test", channel="email")
    rec = conv.post_message(rt, c.id, "Bonjour, puis-je payer en plusieurs fois ?", actor="agent:test")
    sent = conv.send(rt, rec.id, actor="agent:test")
    assert sent.status == "sent" and len(sink.messages) == 1  # queued, not yet sent
    with rt.session() as s:
        queued = s.execute(select(OutboxMessage).where(OutboxMessage.contact_id == sent.contact_id)).scalar_one()
        assert queued.status == "queued" and queued.text == sent.text
        assert s.get(m.Contact, sent.contact_id).outcome == "queued"  # type: ignore[union-attr]
        before = s.execute(select(m.Contact).where(m.Contact.debtor_id == "D001")).scalars().all()
    report = run(rt, now=NOW)
    assert report.sent == [queued.id], report
    assert len(sink.messages) == 2
    body = " ".join(sink.messages[1].get_body(("plain",)).get_content().split())
    assert " ".join(sent.text.split())[:200] in body
    with rt.session() as s:
        after = s.execute(select(m.Contact).where(m.Contact.debtor_id == "D001")).scalars().all()
        assert len(after) == len(before)
        assert s.get(m.Contact, sent.contact_id).outcome == "sent"  # type: ignore[union-attr]
