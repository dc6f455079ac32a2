"""Widget texts from the catalogue, plain-language validation with the policy's bounds, idempotent requests,
invoices that reconcile with the balance, and the debtor's free text analysed as in drafting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agent.db import models as m
from agent.db.session import session_scope
from agent.i18n import get_catalogue, t

STATIC = Path(__file__).resolve().parents[2] / "api" / "static" / "widget"
RAW_PYDANTIC = ("String should", "Input should", "should match pattern", "today is", "Field required")


def _tasks(settings: Any, debtor_id: str, kind: str) -> int:
    with session_scope(settings.effective_database_url) as s:
        return int(s.execute(select(func.count()).select_from(m.Task)
                             .where(m.Task.debtor_id == debtor_id, m.Task.kind == kind)).scalar_one())


def test_page_labels_all_come_from_the_catalogue(client: TestClient) -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    keys = set(re.findall(r'data-i18n="([a-z0-9_]+)"', html))
    js = (STATIC / "widget.js").read_text(encoding="utf-8")
    keys |= set(re.findall(r'\bt\("([a-z0-9_]+)"', js))
    keys |= {k for k in re.findall(r'\bt\("(widget\.[a-z0-9_.]+)"', js)}
    cat = get_catalogue()
    full = {k if "." in k else f"widget.page.{k}" for k in keys}
    # t("st_" + status), t("widget.status." + status): a prefix, some key must start with it
    missing = sorted(k for k in full if (k not in cat) if not (k.endswith(("_", ".")) and cat.keys(k)))
    assert len(keys) > 60 and missing == []
    for lang in ("fr", "en"):
        bundle = client.get(f"/widget/texts.json?lang={lang}").json()
        assert bundle["lang"] == lang and bundle["messages"]["widget.page.file_title"] == t("widget.page.file_title", lang)
    assert "var I18N" not in js  # no second copy of the texts in the script
    # the French shown before the script runs is the catalogue's French, word for word
    for key, shown in re.findall(r'data-i18n="([a-z0-9_]+)"[^>]*>([^<]*)<', html):
        assert shown == t(f"widget.page.{key}", "fr"), key
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == t("widget.page.file_title", "fr")  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "body", "field", "expected"), [
    ("fr", {"months": 400}, "months", "entre 2 et 24 mensualités"),
    ("en", {"months": 400}, "months", "between 2 and 24 monthly instalments"),
    ("fr", {"amount_cents": 0}, "amount_cents", "au moins 30,00"),
    ("en", {"amount_cents": "abc"}, "amount_cents", "at least €30.00"),
    ("fr", {"months": 6, "start_date": "2020-01-01"}, "start_date", "à partir d'aujourd'hui et au plus tard le"),
    ("en", {"months": 6, "frequency": "daily"}, "frequency", "every two weeks"),
    ("fr", {}, "body", "soit un montant par échéance, soit un nombre de mois"),
])
def test_proposal_errors_in_plain_language(client: TestClient, auth: Any, lang: str, body: Any, field: str,
                                           expected: str) -> None:
    r = client.post(f"/v1/widget/proposal?lang={lang}", headers=auth("D018"), json=body)
    assert r.status_code == 422
    errors = r.json()["errors"]
    hit = [e for e in errors if e["loc"][-1] == field]
    assert hit and expected in hit[0]["msg"], errors
    assert not any(raw in r.text for raw in RAW_PYDANTIC)
    assert r.json()["detail"] == t("widget.error.invalid", lang)


def test_errors_follow_the_files_language_without_lang(client: TestClient, auth: Any) -> None:
    r = client.post("/v1/widget/contact-request", headers=auth("D003"),  # an English file
                    json={"channel": "phone", "preferred_at": "2026-11-25T11:00:00", "phone": "call me maybe"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["msg"] == t("widget.error.phone", "en")


@pytest.mark.parametrize(("when", "key"), [
    ("2026-11-28T11:00:00", "widget.error.when_day"),
    ("2026-11-25T13:30:00", "widget.error.when_hours"),
    ("2026-11-01T11:00:00", "widget.error.when_past"),
    ("2027-03-01T11:00:00", "widget.error.when_far"),
    ("tomorrow", "widget.error.when_format"),
])
def test_contact_time_errors_in_french(client: TestClient, auth: Any, when: str, key: str) -> None:
    r = client.post("/v1/widget/contact-request?lang=fr", headers=auth("D032"),
                    json={"channel": "phone", "preferred_at": when, "phone": "+33 6 12 34 56 78"})
    assert r.status_code == 422 and r.json()["errors"][0]["msg"] == t(key, "fr")
    assert "today" not in r.text and "calls are made" not in r.text


def test_out_of_policy_proposal_explained_once(client: TestClient, auth: Any, wsettings: Any) -> None:
    h = auth("D019")  # creditor profile "strict": at least 50 EUR per instalment
    r = client.post("/v1/widget/proposal?lang=fr", headers=h, json={"amount_cents": 100})
    data = r.json()
    assert r.status_code == 200 and not data["accepted"] and data["needs_agent"] and not data["replayed"]
    assert data["reason_code"] in ("instalment_too_low", "too_many_instalments")
    assert "50,00" in data["message"] and data["alternatives"]
    assert data["message"] != t("widget.msg.fallback", "fr")
    again = client.post("/v1/widget/proposal?lang=fr", headers=h, json={"amount_cents": 100})
    assert again.json()["replayed"] and again.json()["message"] == data["message"]
    assert _tasks(wsettings, "D019", "plan_counter_proposal") == 1
    other = client.post("/v1/widget/proposal?lang=fr", headers=h, json={"amount_cents": 200})
    assert not other.json()["replayed"]
    assert _tasks(wsettings, "D019", "plan_counter_proposal") == 2


def test_missed_rule_is_plural_correct(client: TestClient, auth: Any) -> None:
    from agent.plans.policy import MissedRule
    from api.widget.service import missed_rule

    fr = client.get("/v1/widget/options?lang=fr", headers=auth("D005")).json()["missed_rule"]
    assert fr.startswith("Après 1 échéance impayée,") and "(s)" not in fr
    en = client.get("/v1/widget/options?lang=en", headers=auth("D005")).json()["missed_rule"]
    assert en.startswith("After 1 missed instalment we") and "(s)" not in en
    assert missed_rule(MissedRule(reminder_after=2, break_after_consecutive=3), "fr").startswith(
        "Après 2 échéances impayées")
    assert "Dès 1 échéance impayée" in missed_rule(MissedRule(reminder_after=1, break_after_consecutive=1), "fr")


def test_invoices_and_payments_add_up_to_the_total(client: TestClient, auth: Any, wsettings: Any) -> None:
    from agent.db.repo import list_debtor_ids

    with session_scope(wsettings.effective_database_url) as s:
        ids = list_debtor_ids(s)
    with_payments = 0
    for debtor_id in ids:
        f = client.get("/v1/widget/file", headers=auth(debtor_id)).json()
        invoiced = sum(i["amount_cents"] for i in f["invoices"])
        paid = sum(p["amount_cents"] for p in f["payments"])
        assert invoiced == f["amounts"]["invoiced_cents"], debtor_id
        assert paid == f["amounts"]["paid_cents"], debtor_id
        assert max(invoiced - paid, 0) == f["amounts"]["total_cents"], debtor_id
        with_payments += bool(f["payments"])
    assert with_payments > 0


def test_english_texts_for_a_french_file_and_no_iban_promise(client: TestClient, auth: Any) -> None:
    en = client.get("/v1/widget/file?lang=en", headers=auth("D001")).json()
    assert en["lang"] == "en" and en["language"] == "fr"
    assert en["collector"]["activity"].startswith("amicable debt recovery")
    assert en["legal"]["creditor_statement"].startswith("Creditor:")
    fr = client.get("/v1/widget/file", headers=auth("D001")).json()
    for f in (en, fr):
        joined = " ".join(f["legal"]["payment_methods"])
        assert "IBAN" in joined and "shown in your payment space" not in joined
        assert "indiqué sur votre espace" not in joined


def test_free_text_stop_request_and_crisis(client: TestClient, auth: Any, wsettings: Any) -> None:
    r = client.post("/v1/widget/hardship?lang=fr", headers=auth("D030"),
                    json={"situation": "other", "message": "Arrêtez de m'appeler, je ne veux plus de SMS."})
    assert r.status_code == 200
    assert any("ne souhaitez plus être contacté" in n for n in r.json()["notices"])
    with session_scope(wsettings.effective_database_url) as s:
        row = s.get(m.Debtor, "D030")
        assert row is not None and {"phone", "sms"} <= set(row.opt_outs or [])
    r2 = client.post("/v1/widget/contact-request?lang=fr", headers=auth("D035"),
                     json={"channel": "email", "preferred_at": "2026-11-26T10:00:00",
                           "note": "Je n'en peux plus, je pense au suicide."})
    assert r2.status_code == 200
    assert any("3114" in n for n in r2.json()["notices"])
    assert _tasks(wsettings, "D035", "crisis") == 1
    again = client.post("/v1/widget/contact-request?lang=fr", headers=auth("D035"),
                        json={"channel": "email", "preferred_at": "2026-11-26T10:00:00",
                              "note": "Je n'en peux plus, je pense au suicide."})
    assert again.json()["replayed"] and again.json()["reference"] == r2.json()["reference"]
    assert _tasks(wsettings, "D035", "contact_request") == 1


def test_every_widget_route_has_a_typed_response_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if not path.startswith("/v1/widget"):
            continue
        for op in ops.values():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, path


def test_every_key_the_server_uses_exists_in_both_languages() -> None:
    import typing

    from agent.plans.models import ReasonCode
    from api.widget import schemas

    src = "".join((Path(__file__).resolve().parents[2] / "api" / "widget" / name).read_text(encoding="utf-8")
                  for name in ("service.py", "errors.py"))
    literal = set(re.findall(r'"(widget\.[a-z_]+\.[a-z_]+)"', src))
    dynamic = {f"widget.reason.{code}" for code in typing.get_args(ReasonCode)}
    dynamic |= {f"widget.channel.{c}" for c in typing.get_args(schemas.ContactRequestIn.model_fields["channel"]
                                                               .annotation)}
    dynamic |= {f"widget.status.{s}" for s in typing.get_args(schemas.FileStatus) if s != "open"}
    cat = get_catalogue()
    assert len(literal) > 30
    assert sorted(k for k in literal | dynamic if k not in cat) == []


def test_time_barred_file_offers_no_way_to_pay(client: TestClient, auth: Any) -> None:
    f = client.get("/v1/widget/file", headers=auth("D004")).json()
    assert f["status"] == "time_barred" and f["legal"]["payment_methods"] == [] and not f["can_choose_plan"]
    assert client.get("/v1/widget/file", headers=auth("D001")).json()["legal"]["payment_methods"]
