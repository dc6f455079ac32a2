#!/usr/bin/env python
"""Generate knowledge/portfolio/sample_portfolio.jsonl: the fictional sample portfolio.

Everything below is hand-curated (no randomness): 6 creditors and 36 debtors whose files
cover the scenarios listed in knowledge/portfolio/README.md. "Today" for this data set is
2026-11-23 (a Monday). All people, companies, e-mails (example.com / example.fr) and phone
numbers (ARCEP fiction ranges 06 39 98, 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49;
Ofcom drama range +44 7700 900) are fictional.

The script derives what must stay consistent instead of typing it twice:
  * a kept promise produces its payment; a paid plan instalment produces its payment;
  * a plan's total is the balance invoiced-and-unpaid on its creation date, split in equal
    integer-cent instalments (remainder on the last one); due dates skip weekends and French
    public holidays;
  * the first letter (R124-4 CPCE) is both the ``first_letter`` field and the first outbound
    contact of the file;
  * contact datetimes are local Europe/Paris times converted to ISO 8601 with their offset.

It then checks coherence (dates vs. 2026-11-23, contact hours, promise/plan statuses,
first-letter-before-any-contact) and writes the JSONL. Run:

    .venv/bin/python scripts/make_sample_portfolio.py [--check]

``--check`` validates and compares with the committed file without writing it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.calendar import ContactWindows, get_calendar  # noqa: E402 - the product's calendar, after sys.path
from agent.guard.policy import load_guard_policy  # noqa: E402

OUT = ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
TODAY = dt.date(2026, 11, 23)
PARIS = ZoneInfo("Europe/Paris")
CALENDAR = get_calendar("FR")  # weekends and metropolitan public holidays, as the plan engine
WINDOWS = ContactWindows.from_policy(load_guard_policy(ROOT / "knowledge" / "policy" / "guard.yaml"))

# Agents of the collection firm (fictional). "system" = automated send.
CAMILLE, YANIS, SOPHIE, THOMAS, INES, CLAIRE = (
    "Camille Roussel", "Yanis Benali", "Sophie Marchetti", "Thomas Lefort", "Inès Dupuis", "Claire Whitfield",
)
SYSTEM = "system"

_OFFHOURS: list[tuple[str, str]] = []  # (debtor id, at) of deliberately out-of-hours historic contacts


# --------------------------------------------------------------------------- helpers
def eur(amount: str | int) -> int:
    """'1 140.50' -> 114050 (exact, via Decimal)."""
    cents = Decimal(str(amount).replace(" ", "").replace(",", ".")) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"sub-cent amount: {amount}")
    return int(cents)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def at(s: str) -> str:
    """'2026-11-03 10:42' (Europe/Paris wall time) -> '2026-11-03T10:42:00+01:00'."""
    if len(s) == 10:
        s += " 10:00"
    naive = dt.datetime.fromisoformat(s)
    return naive.replace(tzinfo=PARIS).isoformat(timespec="seconds")


def business_day(day: dt.date) -> dt.date:
    return CALENDAR.next_business_day(day)


def in_call_hours(when: dt.datetime) -> bool:
    """An outbound contact at ``when`` is inside the policy call windows (ContactWindows, as the guard)."""
    return WINDOWS.call_allowed(when.astimezone(PARIS))


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for dd in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, dd)
        except ValueError:
            continue
    raise AssertionError


def inv(number: str, issue: str, due: str, description: str, principal: str,
        interest: str = "0", other: str = "0") -> dict:
    return {"number": number, "issue_date": issue, "due_date": due, "description": description,
            "principal_cents": eur(principal), "interest_cents": eur(interest), "other_cents": eur(other)}


def pay(date: str, amount: str, method: str = "transfer", reference: str = "") -> dict:
    return {"date": date, "amount_cents": eur(amount), "method": method, "reference": reference}


def prom(made: str, due: str, amount: str, status: str, paid: str | None = None, method: str = "transfer") -> dict:
    """A promise; a kept promise also books its payment (on ``paid`` or on the due date)."""
    p = {"made_on": made, "due_date": due, "amount_cents": eur(amount), "status": status}
    if status == "kept":
        p["_payment"] = pay(paid or due, amount, method, "promesse du " + made)
    return p


def plan(reference: str, created: str, status: str, first_due: str, marks: list[str],
         frequency: str = "monthly") -> dict:
    """marks: one per instalment: 'paid', 'paid+N' (paid N days late), 'missed', 'due'."""
    return {"reference": reference, "created_on": created, "status": status, "frequency": frequency,
            "_first_due": first_due, "_marks": marks}


def _contact(when: str, channel: str, direction: str, kind: str, agent: str, summary: str, outcome: str,
             offhours: bool = False) -> dict:
    c = {"at": at(when), "channel": channel, "direction": direction, "kind": kind, "agent": agent,
         "summary": summary, "outcome": outcome}
    if offhours:
        c["_offhours"] = True
    return c


_ATTEMPT_OUTCOMES = {"no_answer", "left_voicemail", "wrong_number", "busy"}


def call(when: str, agent: str, outcome: str, summary: str, offhours: bool = False) -> dict:
    kind = "attempt" if outcome in _ATTEMPT_OUTCOMES else "conversation"
    return _contact(when, "phone", "out", kind, agent, summary, outcome, offhours)


def call_in(when: str, agent: str, outcome: str, summary: str) -> dict:
    return _contact(when, "phone", "in", "conversation", agent, summary, outcome)


def email(when: str, summary: str, agent: str = SYSTEM, outcome: str = "sent") -> dict:
    return _contact(when, "email", "out", "message", agent, summary, outcome)


def email_in(when: str, summary: str, outcome: str, agent: str = "") -> dict:
    return _contact(when, "email", "in", "message", agent, summary, outcome)


def sms(when: str, summary: str, agent: str = SYSTEM, outcome: str = "delivered") -> dict:
    return _contact(when, "sms", "out", "message", agent, summary, outcome)


def sms_in(when: str, summary: str, outcome: str) -> dict:
    return _contact(when, "sms", "in", "message", "", summary, outcome)


def letter(when: str, summary: str, agent: str = SYSTEM, outcome: str = "sent") -> dict:
    return _contact(when, "letter", "out", "letter", agent, summary, outcome)


def letter_in(when: str, summary: str, outcome: str) -> dict:
    return _contact(when, "letter", "in", "letter", "", summary, outcome)


def dispute(opened: str, reason: str, status: str = "open") -> dict:
    return {"opened_on": opened, "reason": reason, "status": status}


FIRST_LETTER_FR = (
    "Première lettre de recouvrement amiable (réf. {ref}) : identité et adresse du cabinet et du créancier, "
    "fondement et décompte de la créance (principal, intérêts, autres sommes), invitation à payer et "
    "modalités de paiement, reproduction des alinéas 2 et 3 de l'article L111-8 CPCE."
)
FIRST_LETTER_EN = (
    "First collection letter (ref. {ref}) sent in French with an English courtesy translation: collector and "
    "creditor identity and address, basis and breakdown of the debt (principal, interest, other sums), "
    "request to pay and how, L111-8 CPCE paragraphs 2 and 3."
)

CREDITORS = [
    {"type": "creditor", "id": "cr-energie", "name": "Hélioval Énergie SAS",
     "address": "27 rue de la Villette, 69003 Lyon", "sector": "energy", "kind": "business",
     "mandate_to_sue": False, "plan_profile": "generous"},
    {"type": "creditor", "id": "cr-telecom", "name": "Alizé Télécom SA",
     "address": "48 quai du Point du Jour, 92100 Boulogne-Billancourt", "sector": "telecom", "kind": "business",
     "mandate_to_sue": False, "plan_profile": None},
    {"type": "creditor", "id": "cr-meubles", "name": "Maison Corbel SAS (Corbel Financement)",
     "address": "140 route de Vannes, 44800 Saint-Herblain", "sector": "furniture_retail_consumer_credit",
     "kind": "business", "mandate_to_sue": True, "plan_profile": None},
    {"type": "creditor", "id": "cr-logiciel", "name": "Logipilote SAS",
     "address": "21 rue du Sénéchal, 31000 Toulouse", "sector": "b2b_software", "kind": "business",
     "mandate_to_sue": True, "plan_profile": "strict"},
    {"type": "creditor", "id": "cr-immo", "name": "Régie Dumontel & Associés SAS",
     "address": "18 cours de l'Intendance, 33000 Bordeaux", "sector": "property_management", "kind": "business",
     "mandate_to_sue": True, "plan_profile": None},
    {"type": "creditor", "id": "cr-fitness", "name": "Forméo Clubs SAS",
     "address": "63 rue de la République, 13002 Marseille", "sector": "fitness", "kind": "business",
     "mandate_to_sue": False, "plan_profile": None},
]

DEBTORS: list[dict] = []


def debtor(id: str, reference: str, creditor_id: str, kind: str, *, invoices: list[dict],
           first_letter: str | None, agent: str = SYSTEM, payments: list[dict] | None = None,
           promises: list[dict] | None = None, plans: list[dict] | None = None,
           contacts: list[dict] | None = None, disputes: list[dict] | None = None, **fields) -> None:
    lang = fields.get("language", "fr")
    rec: dict = {
        "type": "debtor", "id": id, "reference": reference, "creditor_id": creditor_id, "kind": kind,
        "civility": "", "first_name": "", "last_name": "", "company_name": "", "language": "fr",
        "register": "vous", "email": "", "phone": "", "address": "", "preferred_channel": "email",
        "opt_outs": [], "timezone": "Europe/Paris", "first_letter": None, "hardship": False,
        "over_indebtedness": False, "vulnerable": False, "enforceable_title": None, "commissaire": None,
        "prescription_date": None, "status": "active", "hold_reason": "", "notes": "",
    }
    unknown = set(fields) - set(rec)
    assert not unknown, (id, unknown)
    rec.update(fields)
    contacts = list(contacts or [])
    if first_letter:
        ref = f"{reference}/L1"
        rec["first_letter"] = {"reference": ref, "date": first_letter}
        text = (FIRST_LETTER_EN if lang == "en" else FIRST_LETTER_FR).format(ref=ref)
        contacts.append(letter(first_letter, text, agent))
    pays = list(payments or [])
    proms = []
    for p in promises or []:
        if "_payment" in p:
            pays.append(p.pop("_payment"))
        proms.append(p)
    built_plans = []
    for p in sorted(plans or [], key=lambda p: p["created_on"]):
        created = d(p["created_on"])
        invoiced = sum(i["principal_cents"] + i["interest_cents"] + i["other_cents"]
                       for i in invoices if d(i["issue_date"]) <= created)
        paid_before = sum(x["amount_cents"] for x in pays if d(x["date"]) < created)
        total = invoiced - paid_before
        marks = p.pop("_marks")
        first_due = d(p.pop("_first_due"))
        n = len(marks)
        base = total // n
        amounts = [base] * (n - 1) + [total - base * (n - 1)]
        step = {"monthly": None, "biweekly": 14, "weekly": 7}[p["frequency"]]
        insts = []
        for k, (mark, amount) in enumerate(zip(marks, amounts, strict=True)):
            raw = add_months(first_due, k) if step is None else first_due + dt.timedelta(days=step * k)
            due = business_day(raw)
            inst = {"due_date": due.isoformat(), "amount_cents": amount, "status": "due", "paid_on": None}
            if mark.startswith("paid"):
                late = int(mark.split("+")[1]) if "+" in mark else 0
                paid_on = due + dt.timedelta(days=late)
                inst.update(status="paid", paid_on=paid_on.isoformat())
                pays.append({"date": paid_on.isoformat(), "amount_cents": amount, "method": "direct_debit",
                             "reference": f"{p['reference']}-E{k + 1:02d}"})
            else:
                assert mark in ("missed", "due"), mark
                inst["status"] = mark
            insts.append(inst)
        p["instalments"] = insts
        built_plans.append(p)
    offhours = [c.pop("_offhours", False) for c in contacts]
    for c, flag in zip(contacts, offhours, strict=True):
        if flag:
            _OFFHOURS.append((id, c["at"]))
    rec["invoices"] = invoices
    rec["payments"] = sorted(pays, key=lambda x: x["date"])
    rec["promises"] = sorted(proms, key=lambda x: x["made_on"])
    rec["plans"] = built_plans
    rec["contacts"] = sorted(contacts, key=lambda c: dt.datetime.fromisoformat(c["at"]))
    rec["disputes"] = disputes or []
    DEBTORS.append(rec)


# =========================================================================== debtors
# --------------------------------------------------------------- Hélioval Énergie (energy)
debtor(
    "D001", "CCR-2026-0001", "cr-energie", "consumer", agent=CAMILLE,
    civility="Mme", first_name="Nathalie", last_name="Girard",
    email="nathalie.girard@example.fr", phone="+33 6 39 98 12 04",
    address="14 rue des Tanneurs, 42000 Saint-Étienne", preferred_channel="email",
    first_letter=None,
    invoices=[
        inv("HEL-FA-2026-0483921", "2026-08-27", "2026-09-11",
            "Facture de régularisation annuelle électricité (relevé Linky du 18/08/2026)", "412.38"),
        inv("HEL-FA-2026-0512207", "2026-09-25", "2026-10-12", "Échéance mensuelle électricité — octobre 2026", "96.50"),
    ],
    notes="Dossier reçu le 16/11/2026, aucune démarche encore effectuée.",
)

debtor(
    "D002", "CCR-2026-0002", "cr-energie", "consumer", agent=CAMILLE,
    civility="M.", first_name="Mehdi", last_name="Haddad",
    email="mehdi.haddad@example.fr", phone="+33 6 39 98 21 47",
    address="3 allée des Châtaigniers, 38100 Grenoble", preferred_channel="email",
    hardship=True, first_letter="2026-06-15",
    invoices=[
        inv("HEL-FA-2026-0211450", "2026-02-26", "2026-03-13",
            "Électricité et gaz — facture bimestrielle janvier-février 2026", "238.64"),
        inv("HEL-FA-2026-0298812", "2026-04-27", "2026-05-12",
            "Électricité et gaz — facture bimestrielle mars-avril 2026", "201.17"),
        inv("HEL-FA-2026-0377045", "2026-06-26", "2026-07-13",
            "Électricité et gaz — facture bimestrielle mai-juin 2026", "129.83"),
    ],
    payments=[pay("2026-06-02", "50.00", "card", "Paiement CB espace client")],
    promises=[prom("2026-06-23", "2026-07-10", "100.00", "broken")],
    plans=[plan("PL-D002-1", "2026-08-20", "active", "2026-09-07", ["paid", "paid", "paid", "due", "due", "due"])],
    contacts=[
        call("2026-06-18 10:35", CAMILLE, "no_answer", "Pas de réponse, pas de messagerie."),
        call("2026-06-23 14:20", CAMILLE, "promise",
             "M. Haddad explique avoir été licencié pour motif économique fin mai. Il s'engage à verser 100 € "
             "le 10/07 à réception de son solde de tout compte."),
        sms("2026-07-16 10:05",
            "Bonjour, le versement convenu le 10/07 ne nous est pas parvenu. Pouvez-vous nous recontacter au "
            "04 65 71 20 00 ? Cabinet de recouvrement amiable pour Hélioval Énergie."),
        email_in("2026-07-21 18:40",
                 "« Bonjour, je n'ai pas pu payer, France Travail n'a toujours pas versé mes allocations. Je ne "
                 "refuse pas de payer mais je ne peux pas tout régler d'un coup. Est-ce possible d'étaler ? »",
                 "hardship_declared"),
        call("2026-07-23 11:10", CAMILLE, "hardship_declared",
             "Situation confirmée : inscrit à France Travail depuis juin, ARE attendue courant août. Proposition "
             "d'un échéancier à partir de septembre ; accord de principe du débiteur."),
        email("2026-08-20 15:30",
              "Confirmation de l'échéancier PL-D002-1 : 6 mensualités par prélèvement à partir du 07/09/2026. "
              "Les relances sont suspendues tant que l'échéancier est respecté.", CAMILLE, "plan_agreed"),
        email("2026-09-08 10:20", "Reçu de paiement : 1re échéance de l'échéancier PL-D002-1."),
        email("2026-10-08 10:15", "Reçu de paiement : 2e échéance de l'échéancier PL-D002-1."),
        email("2026-11-10 10:12", "Reçu de paiement : 3e échéance de l'échéancier PL-D002-1."),
    ],
    notes="Licenciement économique (mai 2026). Ne pas relancer tant que l'échéancier est honoré.",
)

debtor(
    "D003", "CCR-2026-0003", "cr-energie", "consumer", agent=CLAIRE, language="en",
    civility="Mr", first_name="Simon", last_name="Ashworth",
    email="simon.ashworth@example.com", phone="+33 6 39 98 30 58",
    address="La Grange Haute, 24220 Saint-Cyprien", preferred_channel="email",
    first_letter="2026-04-30",
    invoices=[
        inv("HEL-FA-2026-0166310", "2026-01-28", "2026-02-12",
            "Electricity bill, December 2025 - January 2026 (heat pump)", "684.90"),
        inv("HEL-FA-2026-0245781", "2026-03-27", "2026-04-13", "Electricity bill, February - March 2026", "512.44"),
    ],
    promises=[
        prom("2026-05-12", "2026-05-29", "200.00", "kept"),
        prom("2026-06-16", "2026-06-30", "300.00", "broken"),
        prom("2026-08-04", "2026-08-31", "300.00", "broken"),
        prom("2026-10-13", "2026-11-30", "250.00", "pending"),
    ],
    contacts=[
        call("2026-05-06 10:40", CLAIRE, "left_voicemail",
             "Voicemail left asking Mr Ashworth to call back; the debt was not mentioned."),
        call("2026-05-12 15:05", CLAIRE, "promise",
             "Mr Ashworth says the heat pump bills were far higher than expected over the winter. Agrees to pay "
             "EUR 200 by 29 May and to call back about the rest."),
        email("2026-06-01 10:30", "Receipt for the payment of EUR 200 received on 29 May.", CLAIRE),
        call("2026-06-16 14:45", CLAIRE, "promise",
             "Says he is waiting for a transfer from his UK pension account; promises EUR 300 by 30 June."),
        email("2026-07-07 10:50",
              "Friendly reminder: the payment agreed for 30 June has not reached us. Please let us know if "
              "something has changed.", CLAIRE),
        email_in("2026-07-27 21:12",
                 "\"Sorry, the transfer from my UK account got held up by the bank. I'll sort it out next month.\"",
                 "promise_vague"),
        call("2026-08-04 11:25", CLAIRE, "promise",
             "Promises EUR 300 by 31 August once the pension transfer clears. Prefers English and e-mail."),
        email("2026-09-08 10:05",
              "The payment planned for 31 August has not arrived. Would a monthly plan be easier for you?", CLAIRE),
        call("2026-09-22 16:40", CLAIRE, "no_answer", "No answer."),
        call("2026-10-13 17:30", CLAIRE, "promise",
             "Says the exchange rate hit him hard this year; promises EUR 250 by 30 November and asks whether "
             "the rest could be split over a few months."),
    ],
    notes="Deux promesses non tenues (juin, août 2026). Proposer un échéancier plutôt qu'une nouvelle promesse.",
)

debtor(
    "D004", "CCR-2023-0004", "cr-energie", "consumer", agent=YANIS,
    civility="M.", first_name="Patrick", last_name="Vasseur",
    email="p.vasseur@example.fr", phone="+33 6 39 98 44 12",
    address="27 rue Michelet, 42000 Saint-Étienne", preferred_channel="letter",
    first_letter="2023-01-16",
    invoices=[
        inv("HEL-FA-2022-0098431", "2022-01-26", "2022-02-10", "Gaz naturel — facture de janvier 2022", "287.60"),
        inv("HEL-FA-2022-0181175", "2022-03-28", "2022-04-12", "Gaz naturel — facture février-mars 2022", "241.15"),
        inv("HEL-FA-2022-0290032", "2022-06-22", "2022-07-08",
            "Facture de résiliation (déménagement) — solde électricité et gaz", "163.92"),
    ],
    payments=[pay("2022-05-20", "100.00", "cheque", "Chèque n° 4410287")],
    promises=[prom("2023-02-14", "2023-03-10", "200.00", "broken")],
    contacts=[
        call("2023-01-25 10:50", YANIS, "no_answer", "Pas de réponse."),
        call("2023-02-14 11:20", YANIS, "promise",
             "M. Vasseur reconnaît la dette, explique un déménagement compliqué ; s'engage à payer 200 € le 10/03/2023."),
        call("2023-03-21 20:35", YANIS, "no_answer", "Pas de réponse (appel passé après 20 h).", offhours=True),
        letter("2023-04-04", "Relance amiable : promesse du 10/03/2023 non honorée, rappel du décompte.", YANIS),
        call("2023-09-12 10:30", YANIS, "left_voicemail", "Message laissé sur la messagerie, sans mention de la dette."),
        letter("2024-05-14", "Relance amiable par courrier simple, rappel du décompte.", YANIS),
        letter("2026-10-06", "Courrier de relance amiable (modèle standard) envoyé après reprise du dossier.", YANIS),
        call_in("2026-10-12 14:35", YANIS, "info_requested",
                "M. Vasseur appelle suite au courrier : « C'est une facture de 2022, je n'ai plus eu de nouvelles "
                "depuis des années, je pensais que c'était terminé. » Demande un décompte détaillé par écrit."),
    ],
    notes="Dossier ancien repris en 10/2026. Dernier paiement 05/2022, dernière promesse 02/2023.",
)

debtor(
    "D005", "CCR-2023-0005", "cr-energie", "business", agent=THOMAS,
    civility="M.", first_name="Didier", last_name="Marchal", company_name="Boulangerie Marchal SARL",
    email="contact@boulangerie-marchal.example.fr", phone="+33 4 65 71 38 20",
    address="8 place du Marché Saint-Pierre, 63000 Clermont-Ferrand", preferred_channel="email",
    first_letter="2023-03-20",
    invoices=[
        inv("HEL-PRO-2022-0041877", "2022-10-31", "2022-11-15",
            "Électricité professionnelle (fours) — octobre 2022", "2845.20", "61.30", "40.00"),
        inv("HEL-PRO-2022-0046105", "2022-11-30", "2022-12-15",
            "Électricité professionnelle (fours) — novembre 2022", "3120.75", "58.90", "40.00"),
        inv("HEL-PRO-2023-0003388", "2023-01-02", "2023-01-17",
            "Électricité professionnelle (fours) — décembre 2022", "3398.10", "54.20", "40.00"),
    ],
    payments=[pay("2023-04-18", "1500.00", "transfer", "VIR BOULANGERIE MARCHAL"),
              pay("2023-06-30", "1000.00", "transfer", "VIR BOULANGERIE MARCHAL")],
    promises=[prom("2023-09-05", "2023-10-31", "2000.00", "broken")],
    contacts=[
        call("2023-03-28 10:15", THOMAS, "info_requested",
             "M. Marchal explique que ses factures ont triplé avec la crise énergétique ; demande si l'amortisseur "
             "électricité a bien été appliqué."),
        email_in("2023-04-18 07:55",
                 "« Virement de 1 500 € effectué ce jour. Le reste suivra quand l'amortisseur sera versé. »",
                 "payment_confirmed"),
        email_in("2023-06-30 12:40", "« Nouveau virement de 1 000 €. »", "payment_confirmed"),
        call("2023-09-05 11:40", THOMAS, "promise", "Promesse de 2 000 € au plus tard le 31/10/2023."),
        letter("2023-11-14", "Relance : promesse du 31/10/2023 non honorée, décompte actualisé avec pénalités.", THOMAS),
        call("2024-02-06 08:50", THOMAS, "no_answer", "Pas de réponse (appel passé avant 10 h).", offhours=True),
        letter("2024-06-11",
               "Mise en demeure de payer (article 1344 du Code civil), décompte : principal, pénalités de retard, "
               "indemnités forfaitaires de 40 €.", THOMAS),
        call("2025-03-18 15:20", THOMAS, "refused",
             "Le gérant indique une forte baisse d'activité et refuse tout paiement tant que le fournisseur n'a pas "
             "recalculé l'amortisseur."),
        email("2026-09-15 10:45", "Relance : décompte actualisé des trois factures et proposition d'échéancier.",
              THOMAS),
        call("2026-10-20 14:10", THOMAS, "callback_requested",
             "Mme Marchal (co-gérante) demande à être rappelée après le 15 novembre, le temps de voir l'expert-comptable."),
        call("2026-11-16 10:30", THOMAS, "left_voicemail", "Message laissé au standard de la boulangerie."),
    ],
    notes="Créance professionnelle de fin 2022, reconnue par la promesse du 05/09/2023. Pénalités de retard et "
          "indemnité forfaitaire de 40 € par facture (C. com. D441-5).",
)

debtor(
    "D006", "CCR-2026-0006", "cr-energie", "consumer", agent=INES,
    civility="Mme", first_name="Sylvie", last_name="Perrot",
    email="sylvie.perrot@example.fr", phone="+33 6 39 98 33 71",
    address="Résidence Les Tilleuls, bât. B, 12 avenue Jean Moulin, 26000 Valence", preferred_channel="letter",
    hardship=True, over_indebtedness=True, first_letter="2026-04-27",
    status="on_hold",
    hold_reason="Dossier de surendettement déposé le 14/09/2026 (Banque de France), déclaré recevable le "
                "29/10/2026 : aucune relance.",
    invoices=[
        inv("HEL-FA-2025-0918820", "2025-12-26", "2026-01-12", "Électricité — échéance janvier 2026", "134.20"),
        inv("HEL-FA-2026-0102255", "2026-01-27", "2026-02-11", "Électricité — échéance février 2026", "141.75"),
        inv("HEL-FA-2026-0187640", "2026-02-25", "2026-03-12", "Électricité — échéance mars 2026", "139.05"),
        inv("HEL-FA-2026-0264511", "2026-03-27", "2026-04-13", "Électricité — échéance avril 2026", "127.90"),
    ],
    payments=[pay("2026-02-20", "60.00", "card")],
    promises=[prom("2026-05-19", "2026-06-05", "150.00", "broken")],
    contacts=[
        call("2026-05-05 10:45", INES, "no_answer", "Pas de réponse."),
        call("2026-05-19 14:30", INES, "promise",
             "Mme Perrot dit cumuler plusieurs impayés (loyer, crédit auto) ; promet 150 € pour le 05/06."),
        email("2026-06-16 11:20", "Relance : versement du 05/06 non reçu, proposition d'en parler.", INES),
        call("2026-07-02 15:05", INES, "no_answer", "Pas de réponse."),
        letter_in("2026-09-21",
                  "Courrier de Mme Perrot : copie du récépissé de dépôt d'un dossier de surendettement auprès de la "
                  "Banque de France (dépôt du 14/09/2026).", "over_indebtedness_declared"),
        letter("2026-09-24",
               "Accusé de réception du courrier ; relances suspendues dans l'attente de la décision de la commission "
               "de surendettement.", INES),
        email_in("2026-11-05 09:12",
                 "« La commission a déclaré mon dossier recevable le 29 octobre, je vous joins le courrier. »",
                 "info_provided"),
    ],
    notes="Ne plus relancer ; répondre seulement à ses demandes. Déclarer la créance si la commission le demande.",
)

# --------------------------------------------------------------- Alizé Télécom (telecom)
debtor(
    "D007", "CCR-2026-0007", "cr-telecom", "consumer", agent=SOPHIE,
    civility="M.", first_name="Lucas", last_name="Fontaine",
    email="lucas.fontaine@example.fr", phone="+33 6 39 98 51 73",
    address="5 rue Paul Bert, 35000 Rennes", preferred_channel="sms",
    first_letter="2026-09-14",
    invoices=[
        inv("ALZ-2026-07-5530182", "2026-07-02", "2026-07-17", "Box fibre + forfait mobile 100 Go — juillet 2026", "49.99"),
        inv("ALZ-2026-08-5612094", "2026-08-03", "2026-08-18", "Box fibre + forfait mobile 100 Go — août 2026", "49.99"),
        inv("ALZ-2026-09-5698140", "2026-09-02", "2026-09-17",
            "Box fibre + forfait mobile 100 Go — septembre 2026, dont appels internationaux hors forfait", "67.82"),
    ],
    promises=[prom("2026-09-29", "2026-10-09", "100.00", "broken")],
    contacts=[
        sms("2026-09-16 11:05",
            "Bonjour, merci de nous recontacter au sujet de votre dossier CCR-2026-0007 (Alizé Télécom). "
            "Vous pouvez répondre à ce SMS."),
        sms_in("2026-09-29 18:12", "« Bjr jpeux payer 100 le 9 octobre le reste fin du mois »", "promise"),
        sms("2026-09-29 18:40", "Merci, c'est noté pour le 09/10. Le lien de paiement vous a été envoyé par e-mail.",
            SOPHIE),
        sms("2026-10-13 10:20",
            "Bonjour, nous n'avons pas reçu le versement prévu le 09/10. Un souci ? Répondez à ce SMS pour convenir "
            "d'une autre date.", SOPHIE),
        call("2026-10-26 10:10", SOPHIE, "no_answer", "Pas de réponse."),
        sms_in("2026-11-04 19:15", "« dsl galère ce mois ci, je fais au mieux début décembre »", "promise_vague"),
    ],
    notes="Préfère les SMS, ne décroche pas au téléphone.",
)

debtor(
    "D008", "CCR-2026-0008", "cr-telecom", "consumer", agent=CLAIRE, language="en",
    civility="Ms", first_name="Jennifer", last_name="Caldwell",
    email="jennifer.caldwell@example.com", phone="+33 6 39 98 62 05",
    address="41 rue de Turenne, 75003 Paris", preferred_channel="email",
    first_letter="2026-09-21", status="on_hold",
    hold_reason="Contestation ouverte le 02/10/2026 (frais de résiliation et de matériel) : pièces demandées au créancier.",
    invoices=[
        inv("ALZ-2026-05-4471820", "2026-05-04", "2026-05-19", "Fibre + mobile bundle — May 2026", "64.99"),
        inv("ALZ-2026-06-4560193", "2026-06-03", "2026-06-18",
            "Early termination fee — fibre contract (12-month commitment)", "229.00"),
        inv("ALZ-2026-06-4560194", "2026-06-03", "2026-06-18", "Unreturned equipment fee — Alizé Box 8", "149.00"),
    ],
    disputes=[dispute("2026-10-02",
                      "Says she cancelled by registered letter on 21 May 2026, within the withdrawal period after "
                      "moving, and returned the box by Colissimo (tracking proof supplied); contests the early "
                      "termination fee and the equipment fee.")],
    contacts=[
        call("2026-09-29 10:35", CLAIRE, "left_voicemail", "Voicemail left asking for a call back; debt not mentioned."),
        email_in("2026-10-02 22:14",
                 "\"I never agreed to a 12-month contract. I cancelled by registered letter on 21 May and returned the "
                 "box, I have the Colissimo receipt. I'm not paying fees for a service I cancelled. Please stop "
                 "contacting me until this is sorted out.\"", "dispute"),
        email("2026-10-05 11:00",
              "Acknowledgement: your dispute is recorded and collection is suspended while we ask Alizé Télécom for "
              "the signed contract and the equipment return record. We will reply in writing.", CLAIRE),
        email_in("2026-11-12 08:47", "\"Any update? I've attached the tracking proof again.\"", "info_requested"),
        email("2026-11-13 10:45",
              "We have forwarded your proof to the creditor and are waiting for their answer; collection remains "
              "suspended in the meantime.", CLAIRE),
    ],
)

debtor(
    "D009", "CCR-2023-0009", "cr-telecom", "consumer", agent=SOPHIE,
    civility="Mme", first_name="Sandrine", last_name="Lebrun",
    email="sandrine.lebrun@example.fr", phone="+33 6 39 98 70 16",
    address="19 rue de la Liberté, 21000 Dijon", preferred_channel="phone",
    first_letter="2023-02-06",
    invoices=[
        inv("ALZ-2022-08-2210375", "2022-08-03", "2022-08-18", "Box fibre + mobile — août 2022", "58.98"),
        inv("ALZ-2022-09-2301148", "2022-09-02", "2022-09-19", "Box fibre + mobile — septembre 2022", "58.98"),
        inv("ALZ-2022-10-2397001", "2022-10-04", "2022-10-19",
            "Frais de résiliation anticipée — engagement 24 mois", "180.00"),
        inv("ALZ-2022-10-2397002", "2022-10-04", "2022-10-19", "Matériel non restitué — Alizé Box 7", "149.00"),
    ],
    payments=[pay("2022-12-05", "58.98", "transfer")],
    promises=[prom("2024-03-12", "2024-04-05", "100.00", "broken")],
    contacts=[
        call("2023-02-14 10:25", SOPHIE, "no_answer", "Pas de réponse."),
        call("2023-03-07 14:40", SOPHIE, "refused",
             "Mme Lebrun dit avoir résilié après un déménagement dans une zone non fibrée ; conteste les frais de "
             "résiliation mais ne donne pas suite par écrit."),
        letter("2023-06-20", "Relance amiable, rappel du décompte.", SOPHIE),
        call("2023-11-18 11:15", SOPHIE, "no_answer", "Pas de réponse (appel passé un samedi).", offhours=True),
        call("2024-03-12 14:25", SOPHIE, "promise", "Promet 100 € pour le 05/04/2024, le reste « plus tard »."),
        letter("2024-05-02", "Relance : promesse du 05/04/2024 non honorée.", SOPHIE),
        call("2026-09-08 15:10", SOPHIE, "no_answer", "Pas de réponse."),
        letter("2026-10-20", "Relance amiable (modèle standard).", SOPHIE),
    ],
    notes="Dernière reconnaissance de dette (promesse) le 12/03/2024.",
)

debtor(
    "D010", "CCR-2026-0010", "cr-telecom", "consumer", agent=INES,
    civility="M.", first_name="Bernard", last_name="Lecomte",
    phone="+33 3 53 01 27 64", address="7 impasse des Lilas, 59700 Marcq-en-Barœul", preferred_channel="phone",
    first_letter="2026-08-24", status="on_hold",
    hold_reason="Décès du titulaire signalé le 17/09/2026 : dossier à traiter avec le notaire de la succession.",
    invoices=[
        inv("ALZ-2026-04-3982210", "2026-04-03", "2026-04-20", "Téléphone fixe + internet ADSL — avril 2026", "44.90"),
        inv("ALZ-2026-05-4061537", "2026-05-04", "2026-05-19", "Téléphone fixe + internet ADSL — mai 2026", "44.90"),
        inv("ALZ-2026-06-4150009", "2026-06-02", "2026-06-18", "Téléphone fixe + internet ADSL — juin 2026", "44.90"),
        inv("ALZ-2026-07-4239872", "2026-07-03", "2026-07-20", "Téléphone fixe + internet ADSL — juillet 2026", "44.90"),
    ],
    contacts=[
        call("2026-09-01 10:20", INES, "no_answer", "Pas de réponse."),
        call("2026-09-09 14:50", INES, "left_voicemail", "Message neutre laissé sur le répondeur, sans objet précisé."),
        call("2026-09-17 11:30", INES, "third_party",
             "Une dame décroche et se présente comme l'épouse de M. Lecomte ; elle indique qu'il est décédé le "
             "2 août 2026. Dette non évoquée. Condoléances présentées ; elle communique le nom du notaire chargé "
             "de la succession."),
        letter("2026-09-18",
               "Courrier à l'attention de la succession : condoléances, demande de copie de l'acte de décès et des "
               "coordonnées du notaire ; relances suspendues.", INES),
        letter_in("2026-10-07",
                  "Mme Lecomte transmet la copie de l'acte de décès et les coordonnées de Maître Duhamel, notaire à Lille.",
                  "info_provided"),
    ],
    notes="Ne plus appeler le domicile. Interlocuteur : Me Duhamel, notaire (Lille). Ne jamais évoquer la dette "
          "avec un tiers au téléphone.",
)

debtor(
    "D011", "CCR-2026-0011", "cr-telecom", "business", agent=THOMAS,
    civility="M.", first_name="Frédéric", last_name="Benoît", company_name="Plomberie Chauffage Benoît SARL",
    email="compta@plomberie-benoit.example.fr", phone="+33 2 61 91 45 08",
    address="ZA de la Lorie, 14 rue de l'Aubinière, 44300 Nantes", preferred_channel="email",
    first_letter="2026-09-07",
    invoices=[
        inv("ALZ-PRO-2026-06-0081234", "2026-06-01", "2026-06-30",
            "Offre Pro : 4 lignes mobiles + box pro — juin 2026", "186.40", "3.12", "40.00"),
        inv("ALZ-PRO-2026-07-0089912", "2026-07-01", "2026-07-31",
            "Offre Pro : 4 lignes mobiles + box pro — juillet 2026", "186.40", "2.05", "40.00"),
        inv("ALZ-PRO-2026-08-0097345", "2026-08-01", "2026-08-31",
            "Offre Pro : 4 lignes mobiles + box pro — août 2026", "186.40", "1.10", "40.00"),
    ],
    promises=[prom("2026-09-10", "2026-09-15", "200.00", "kept")],
    disputes=[dispute("2026-10-08",
                      "Le gérant conteste la facturation de 2 lignes résiliées par LRAR du 15/05/2026 (résiliation "
                      "non prise en compte) et demande un avoir de 2 × 24 € par mois depuis juin, ainsi que "
                      "l'annulation des indemnités forfaitaires.")],
    contacts=[
        call("2026-09-10 10:40", THOMAS, "promise",
             "Échange avec la comptable (Mme Aubry) : virement de 200 € prévu le 15/09 ; le gérant conteste une "
             "partie des factures."),
        email("2026-09-16 10:05", "Reçu de paiement : virement de 200 € du 15/09/2026."),
        email_in("2026-10-08 16:22",
                 "« Nous avons résilié 2 lignes le 15 mai (LRAR jointe). Nous refusons de payer ces lignes et les "
                 "indemnités de 40 € tant que l'avoir n'est pas émis. »", "dispute"),
        email("2026-10-09 10:30",
              "Accusé de réception de la contestation ; démarches suspendues sur la part contestée, vérification "
              "demandée à Alizé Télécom.", THOMAS),
        call("2026-11-03 15:15", THOMAS, "info_provided",
             "Point d'étape avec M. Benoît : en attente de la réponse d'Alizé sur l'avoir ; il reste d'accord pour "
             "régler la part non contestée une fois le montant recalculé."),
    ],
    notes="Litige partiel : ne relancer que sur la part non contestée, une fois l'avoir chiffré par le créancier.",
)

debtor(
    "D012", "CCR-2026-0012", "cr-telecom", "consumer", agent=CLAIRE, language="en",
    civility="Mr", first_name="Oliver", last_name="Pemberton",
    email="oliver.pemberton@example.com", phone="+33 6 39 98 83 29",
    address="6 rue de l'Aiguillerie, 34000 Montpellier", preferred_channel="email", opt_outs=["phone"],
    first_letter="2026-09-28",
    invoices=[
        inv("ALZ-2026-07-5499012", "2026-07-03", "2026-07-20", "Mobile plan 130 GB + roaming charges (UK trip)", "87.45"),
        inv("ALZ-2026-08-5587233", "2026-08-03", "2026-08-18", "Mobile plan 130 GB — August 2026", "45.99"),
        inv("ALZ-2026-09-5675310", "2026-09-02", "2026-09-17", "Mobile plan 130 GB — September 2026", "45.99"),
    ],
    promises=[prom("2026-10-05", "2026-10-31", "90.00", "kept", paid="2026-10-30", method="card")],
    contacts=[
        call("2026-10-01 10:55", CLAIRE, "left_voicemail", "Voicemail left asking for a call back; debt not mentioned."),
        call("2026-10-05 18:30", CLAIRE, "no_answer", "No answer."),
        email_in("2026-10-05 21:40",
                 "\"Please stop calling me, I work shifts in a restaurant and can't take calls. Email only please. "
                 "I can pay 90 EUR by the end of the month and the rest in November.\"", "opt_out"),
        email("2026-10-06 10:15",
              "Confirmation: no more phone calls, we will only contact you by e-mail. Your payment of EUR 90 by "
              "31 October is noted.", CLAIRE),
        email("2026-11-02 10:05", "Receipt for your card payment of EUR 90 received on 30 October."),
        email("2026-11-16 10:00", "Reminder of the remaining balance with a secure payment link.", CLAIRE),
    ],
    notes="Opposition aux appels le 05/10/2026 : e-mail uniquement.",
)

# --------------------------------------------------------------- Maison Corbel (furniture + consumer credit)
debtor(
    "D013", "CCR-2024-0013", "cr-meubles", "consumer", agent=YANIS,
    civility="M.", first_name="Grégory", last_name="Chauvin",
    email="gregory.chauvin@example.fr", phone="+33 6 39 98 15 90",
    address="31 cours Émile Zola, 69100 Villeurbanne", preferred_channel="letter",
    first_letter="2024-09-30",
    enforceable_title={"kind": "jugement", "date": "2025-06-12", "court": "Tribunal judiciaire de Lyon"},
    commissaire={"name": "Maître Hélène Garnier, commissaire de justice",
                 "address": "SELARL Garnier & Associés, 9 quai Jules Courmont, 69002 Lyon"},
    invoices=[
        inv("CORB-CR-2023-08817-IMP", "2024-08-05", "2024-08-05",
            "Crédit affecté n° 2023-08817 (salon et literie) — échéances impayées n° 7 à 12 (mars à août 2024)",
            "856.80", "24.10"),
        inv("CORB-CR-2023-08817-DT", "2024-09-16", "2024-10-01",
            "Crédit affecté n° 2023-08817 — capital restant dû exigible après déchéance du terme (LRAR du 16/09/2024)",
            "3358.60", "163.53"),
    ],
    promises=[
        prom("2025-09-09", "2025-09-10", "150.00", "kept"),
        prom("2025-10-07", "2025-10-10", "150.00", "kept"),
        prom("2025-11-04", "2025-11-10", "150.00", "kept"),
        prom("2025-12-09", "2025-12-10", "150.00", "broken"),
        prom("2026-02-03", "2026-02-27", "300.00", "broken"),
    ],
    contacts=[
        call("2024-10-08 10:30", YANIS, "no_answer", "Pas de réponse."),
        call("2024-10-22 18:20", YANIS, "refused",
             "M. Chauvin estime que le canapé était défectueux et refuse de payer ; aucune réclamation formalisée "
             "auprès du vendeur."),
        letter("2024-11-19", "Mise en demeure de payer (article 1344 du Code civil), décompte détaillé.", YANIS),
        letter("2025-07-08",
               "Information : le créancier a obtenu un jugement (Tribunal judiciaire de Lyon, 12/06/2025) ; "
               "l'exécution est confiée à Maître Hélène Garnier, commissaire de justice. Une solution amiable reste "
               "possible.", YANIS),
        call("2025-09-09 14:30", YANIS, "promise", "Propose de verser 150 € par mois à partir du 10/09."),
        call("2025-10-07 14:10", YANIS, "promise", "Confirme le versement de 150 € du 10/10."),
        call("2025-11-04 11:05", YANIS, "promise", "Confirme le versement de 150 € du 10/11."),
        call("2025-12-09 17:40", YANIS, "promise", "Promet 150 € pour le 10/12 malgré des frais de fin d'année."),
        letter("2025-12-16", "Relance : versement du 10/12 non reçu.", YANIS),
        call("2026-02-03 16:55", YANIS, "promise", "Promet 300 € pour le 27/02 (rattrapage de décembre et janvier)."),
        letter("2026-03-10",
               "Relance : versements interrompus ; rappel que le dossier d'exécution est suivi par Maître Garnier et "
               "qu'un accord amiable reste possible.", YANIS),
        call("2026-10-14 10:25", YANIS, "no_answer", "Pas de réponse."),
    ],
    notes="Titre exécutoire (jugement TJ Lyon du 12/06/2025). Commissaire de justice mandaté : Me Garnier. Toute "
          "mesure d'exécution relève du commissaire, pas du cabinet.",
)

debtor(
    "D014", "CCR-2026-0014", "cr-meubles", "consumer", agent=YANIS,
    civility="M.", first_name="Sébastien", last_name="Kowalski",
    email="seb.kowalski@example.fr", phone="+33 6 39 98 26 61",
    address="56 rue Nationale, 37000 Tours", preferred_channel="phone",
    first_letter="2026-04-20",
    invoices=[
        inv("CORB-FV-2026-30417", "2026-02-12", "2026-02-27",
            "Solde commande table Alba + 6 chaises (livraison du 12/02/2026)", "1240.00"),
        inv("CORB-CR-2025-11402-E05", "2026-02-20", "2026-03-05", "Crédit renouvelable Corbel Pass — échéance mars 2026", "118.40"),
        inv("CORB-CR-2025-11402-E06", "2026-03-20", "2026-04-06", "Crédit renouvelable Corbel Pass — échéance avril 2026", "118.40"),
        inv("CORB-CR-2025-11402-E07", "2026-04-20", "2026-05-05", "Crédit renouvelable Corbel Pass — échéance mai 2026", "118.40"),
        inv("CORB-CR-2025-11402-E08", "2026-05-20", "2026-06-05", "Crédit renouvelable Corbel Pass — échéance juin 2026", "118.40"),
    ],
    payments=[pay("2026-04-10", "118.40", "card")],
    promises=[
        prom("2026-05-12", "2026-05-29", "300.00", "broken"),
        prom("2026-06-23", "2026-07-03", "200.00", "broken"),
        prom("2026-08-25", "2026-09-04", "250.00", "broken"),
        prom("2026-10-20", "2026-11-27", "400.00", "pending"),
    ],
    contacts=[
        call("2026-04-28 10:30", YANIS, "no_answer", "Pas de réponse."),
        call("2026-05-12 17:45", YANIS, "promise",
             "M. Kowalski conteste le ton du courrier et s'énerve, puis se calme ; promet 300 € pour le 29/05."),
        sms("2026-06-02 10:10", "Bonjour, merci de nous rappeler au sujet de votre dossier CCR-2026-0014.", YANIS),
        call("2026-06-09 14:40", YANIS, "no_answer", "Pas de réponse."),
        call("2026-06-23 18:55", YANIS, "promise",
             "Interlocuteur très agressif (« vous me harcelez »), raccroche puis rappelle ; promet 200 € pour le 03/07."),
        email("2026-07-08 11:30", "Relance : versement du 03/07 non reçu ; proposition d'un échéancier.", YANIS),
        call("2026-08-25 16:20", YANIS, "promise",
             "Dit avoir eu de grosses réparations sur sa voiture ; promet 250 € pour le 04/09."),
        letter("2026-09-15", "Relance : trois versements annoncés non reçus ; proposition d'échéancier écrit.", YANIS),
        call("2026-10-20 18:35", YANIS, "promise",
             "Propose 400 € fin novembre (prime de fin d'année). Rappel factuel et calme des trois promesses non "
             "tenues ; il demande qu'on ne l'appelle plus avant 18 h."),
        email("2026-11-02 10:40", "Confirmation écrite de l'engagement de 400 € au plus tard le 27/11/2026.", YANIS),
    ],
    notes="Client agressif au téléphone, rester factuel. Trois promesses non tenues : privilégier un échéancier "
          "formalisé. Appels après 18 h uniquement (à sa demande).",
)

debtor(
    "D015", "CCR-2025-0015", "cr-meubles", "consumer", agent=INES,
    civility="Mme", first_name="Catherine", last_name="Delmas",
    email="catherine.delmas@example.fr", phone="+33 6 39 98 37 42",
    address="4 chemin des Vignes, 49000 Angers", preferred_channel="email",
    hardship=True, vulnerable=True, first_letter="2025-12-15",
    invoices=[
        inv("CORB-CR-2024-09310-E19", "2025-10-20", "2025-11-05",
            "Crédit affecté n° 2024-09310 (cuisine équipée) — échéance n° 19", "164.25"),
        inv("CORB-CR-2024-09310-E20", "2025-11-20", "2025-12-05",
            "Crédit affecté n° 2024-09310 (cuisine équipée) — échéance n° 20", "164.25"),
        inv("CORB-CR-2024-09310-E21", "2025-12-19", "2026-01-05",
            "Crédit affecté n° 2024-09310 (cuisine équipée) — échéance n° 21", "164.25"),
        inv("CORB-CR-2024-09310-E22", "2026-01-20", "2026-02-05",
            "Crédit affecté n° 2024-09310 (cuisine équipée) — échéance n° 22", "164.25"),
    ],
    plans=[
        plan("PL-D015-1", "2026-01-20", "broken", "2026-02-10", ["paid", "paid", "missed", "missed", "missed", "missed"]),
        plan("PL-D015-2", "2026-09-15", "active", "2026-10-12", ["paid", "paid"] + ["due"] * 8),
    ],
    contacts=[
        call("2026-01-06 10:50", INES, "left_voicemail", "Message laissé, sans mention de la dette."),
        call("2026-01-20 14:15", INES, "plan_agreed",
             "Mme Delmas, en arrêt de travail partiel, propose de régler en 6 mensualités par prélèvement."),
        email("2026-01-20 15:00", "Confirmation de l'échéancier PL-D015-1 (6 mensualités à partir du 10/02/2026).", INES,
              "plan_agreed"),
        email("2026-04-14 10:30", "Information : l'échéance du 10/04 n'a pas été prélevée. Pouvons-nous vous aider ?", INES),
        email_in("2026-05-26 20:48",
                 "« Bonjour, je suis en traitement pour un cancer depuis avril, je n'ai pas pu faire face. Je ne veux "
                 "pas fuir mes responsabilités mais j'ai besoin de temps. »", "hardship_declared"),
        email("2026-05-27 11:00",
              "Message de soutien ; relances suspendues pendant trois mois ; coordonnées d'associations d'aide "
              "budgétaire gratuites (ex. CRÉSUS).", INES),
        email_in("2026-09-09 17:20",
                 "« Je reprends le travail à mi-temps. Je pourrais payer environ 40 à 45 € par mois. »",
                 "plan_requested"),
        call("2026-09-15 14:30", INES, "plan_agreed",
             "Nouvel échéancier en 10 mensualités de 43,80 €, premier prélèvement le 12/10. Mme Delmas remercie "
             "pour la patience."),
        email("2026-09-15 15:10", "Confirmation de l'échéancier PL-D015-2 (10 mensualités à partir du 12/10/2026).",
              INES, "plan_agreed"),
        email("2026-10-13 10:10", "Reçu de paiement : 1re échéance de l'échéancier PL-D015-2."),
        email("2026-11-13 10:10", "Reçu de paiement : 2e échéance de l'échéancier PL-D015-2."),
    ],
    notes="Personne vulnérable (maladie grave, traitement en cours). Aucune pression ; contact par e-mail "
          "uniquement sauf demande de sa part ; échanges bienveillants.",
)

debtor(
    "D016", "CCR-2026-0016", "cr-meubles", "consumer", agent=CLAIRE, language="en",
    civility="Mrs", first_name="Helen", last_name="Bradshaw",
    email="helen.bradshaw@example.com", phone="+33 6 39 98 41 86",
    address="Lieu-dit Kerhuel, 29300 Quimperlé", preferred_channel="email",
    first_letter="2026-06-22",
    invoices=[
        inv("CORB-CR-2025-04471-E09", "2026-03-20", "2026-04-06",
            "Instalment credit no. 2025-04471 (dining room furniture) — instalment 9", "212.30", "4.85"),
        inv("CORB-CR-2025-04471-E10", "2026-04-20", "2026-05-05",
            "Instalment credit no. 2025-04471 (dining room furniture) — instalment 10", "212.30", "3.92"),
        inv("CORB-CR-2025-04471-E11", "2026-05-20", "2026-06-05",
            "Instalment credit no. 2025-04471 (dining room furniture) — instalment 11", "212.30", "2.71"),
    ],
    plans=[plan("PL-D016-1", "2026-07-15", "active", "2026-08-05", ["paid", "paid", "paid", "paid+4", "due", "due"])],
    contacts=[
        email_in("2026-06-30 09:30",
                 "\"We're sorry about this. My husband's business in the UK has been slow since spring. Could we pay "
                 "in instalments?\"", "plan_requested"),
        email("2026-07-02 11:00", "Reply with instalment options (4 to 6 monthly payments) and a call-back offer.", CLAIRE),
        call("2026-07-15 11:30", CLAIRE, "plan_agreed",
             "Mrs Bradshaw chose 6 monthly instalments by direct debit starting 5 August."),
        email("2026-07-15 11:45", "Confirmation of plan PL-D016-1: 6 monthly instalments from 5 August 2026.", CLAIRE,
              "plan_agreed"),
        email("2026-08-06 10:00", "Receipt: instalment 1 of plan PL-D016-1."),
        email("2026-09-08 10:00", "Receipt: instalment 2 of plan PL-D016-1."),
        email("2026-10-06 10:00", "Receipt: instalment 3 of plan PL-D016-1."),
        email("2026-11-10 10:00", "Receipt: instalment 4 of plan PL-D016-1, received on 9 November (4 days late)."),
    ],
)

debtor(
    "D017", "CCR-2026-0017", "cr-meubles", "consumer", agent=SOPHIE,
    civility="M.", first_name="Antoine", last_name="Berthier",
    email="antoine.berthier@example.fr", phone="+33 6 39 98 48 53",
    address="12 rue Saint-Pierre, 14000 Caen", preferred_channel="email",
    first_letter="2026-02-23", status="closed",
    invoices=[inv("CORB-FV-2025-27730", "2025-12-12", "2026-01-12",
                  "Solde commande canapé d'angle Milo (livré le 12/12/2025)", "890.00")],
    plans=[plan("PL-D017-1", "2026-03-18", "completed", "2026-04-07", ["paid", "paid", "paid"])],
    contacts=[
        call("2026-03-03 10:15", SOPHIE, "no_answer", "Pas de réponse."),
        call("2026-03-18 14:45", SOPHIE, "plan_agreed",
             "M. Berthier explique un oubli lié à un changement de banque ; accepte un règlement en 3 mensualités."),
        email("2026-03-18 15:00", "Confirmation de l'échéancier PL-D017-1 (3 mensualités à partir du 07/04/2026).",
              SOPHIE, "plan_agreed"),
        email("2026-04-08 10:00", "Reçu de paiement : 1re échéance de l'échéancier PL-D017-1."),
        email("2026-05-11 10:00", "Reçu de paiement : 2e échéance de l'échéancier PL-D017-1."),
        email("2026-06-09 10:00", "Reçu de paiement : 3e et dernière échéance de l'échéancier PL-D017-1."),
        email("2026-06-09 10:05", "Attestation de solde : la créance est intégralement réglée, le dossier est clos.",
              SOPHIE),
    ],
    notes="Dossier soldé le 08/06/2026 : ne plus relancer.",
)

debtor(
    "D018", "CCR-2026-0018", "cr-meubles", "consumer", agent=CAMILLE,
    civility="Mme", first_name="Aurélie", last_name="Fabre",
    email="aurelie.fabre@example.fr", phone="+33 6 39 98 59 64",
    address="9 rue des Carmes, 45000 Orléans", preferred_channel="phone",
    first_letter="2026-09-21",
    invoices=[
        inv("CORB-CR-2025-12208-E06", "2026-06-19", "2026-07-06", "Crédit renouvelable Corbel Pass — échéance juillet 2026", "96.80"),
        inv("CORB-CR-2025-12208-E07", "2026-07-20", "2026-08-05", "Crédit renouvelable Corbel Pass — échéance août 2026", "96.80"),
        inv("CORB-CR-2025-12208-E08", "2026-08-20", "2026-09-07", "Crédit renouvelable Corbel Pass — échéance septembre 2026", "96.80"),
        inv("CORB-CR-2025-12208-E09", "2026-09-21", "2026-10-05", "Crédit renouvelable Corbel Pass — échéance octobre 2026", "96.80"),
    ],
    contacts=[
        call("2026-09-29 10:20", CAMILLE, "no_answer", "Pas de réponse."),
        email("2026-10-01 10:40", "Relance amiable par e-mail avec lien de paiement et proposition de rappel.", CAMILLE),
        call("2026-10-27 10:15", CAMILLE, "no_answer", "Pas de réponse."),
        call("2026-11-03 14:35", CAMILLE, "left_voicemail",
             "Message laissé : merci de rappeler le cabinet ; la dette n'est pas mentionnée."),
        call("2026-11-06 18:50", CAMILLE, "no_answer", "Pas de réponse."),
        call("2026-11-13 11:20", CAMILLE, "no_answer", "Pas de réponse."),
    ],
    notes="Ne répond ni aux appels ni aux e-mails depuis septembre.",
)

# --------------------------------------------------------------- Logipilote (B2B software)
debtor(
    "D019", "CCR-2026-0019", "cr-logiciel", "business", agent=THOMAS,
    civility="Mme", first_name="Élodie", last_name="Carré", company_name="Agence Pixelune SAS",
    email="compta@pixelune.example.fr", phone="+33 5 36 49 12 87",
    address="42 rue Sainte-Catherine, 33000 Bordeaux", preferred_channel="email",
    first_letter="2026-08-17",
    invoices=[
        inv("LP-2026-0412", "2026-04-01", "2026-05-01", "Abonnement Logipilote Studio — 15 utilisateurs — avril 2026",
            "1140.00", "21.47", "40.00"),
        inv("LP-2026-0518", "2026-05-01", "2026-05-31", "Abonnement Logipilote Studio — 15 utilisateurs — mai 2026",
            "1140.00", "18.26", "40.00"),
        inv("LP-2026-0623", "2026-06-01", "2026-07-01", "Abonnement Logipilote Studio — 15 utilisateurs — juin 2026",
            "1140.00", "15.12", "40.00"),
        inv("LP-2026-0731", "2026-07-01", "2026-07-31",
            "Abonnement Logipilote Studio — 15 utilisateurs + module Planning — juillet 2026", "1380.00", "11.03", "40.00"),
    ],
    payments=[pay("2026-07-20", "1000.00", "transfer", "VIR PIXELUNE ACOMPTE")],
    promises=[
        prom("2026-09-22", "2026-09-30", "800.00", "kept"),
        prom("2026-10-27", "2026-11-20", "1500.00", "broken"),
    ],
    contacts=[
        call("2026-08-25 10:30", THOMAS, "callback_requested",
             "Standard : Mme Carré (responsable administrative et financière) absente jusqu'au 7 septembre ; rappeler."),
        call("2026-09-08 14:20", THOMAS, "info_requested",
             "Mme Carré explique une tension de trésorerie : un gros client public paie à 90 jours. Demande le détail "
             "des pénalités."),
        email("2026-09-09 10:15",
              "Envoi du décompte détaillé : principal, pénalités de retard (taux BCE + 10 points) et indemnités "
              "forfaitaires de 40 € par facture (C. com. L441-10, D441-5).", THOMAS),
        call("2026-09-22 11:15", THOMAS, "promise", "Promesse de virement de 800 € au plus tard le 30/09."),
        email("2026-10-01 10:05", "Reçu de paiement : virement de 800 € du 30/09/2026."),
        call("2026-10-27 15:40", THOMAS, "promise",
             "Promesse de 1 500 € au plus tard le 20/11, après encaissement d'une facture de la Métropole."),
        email_in("2026-11-12 12:02",
                 "« Le paiement de la Métropole a encore glissé, je reviens vers vous début décembre. »",
                 "promise_vague"),
    ],
    notes="Client important pour Logipilote : ton commercial, pas de pression inutile. Profil d'échéancier strict.",
)

debtor(
    "D020", "CCR-2025-0020", "cr-logiciel", "business", agent=THOMAS,
    civility="M.", first_name="Rémi", last_name="Vidal", company_name="Transports Vidal & Fils SARL",
    email="direction@transports-vidal.example.fr", phone="+33 5 36 49 53 20",
    address="15 chemin du Pigeonnier, 31270 Cugnaux", preferred_channel="letter",
    first_letter="2025-04-14",
    enforceable_title={"kind": "ordonnance d'injonction de payer revêtue de la formule exécutoire",
                       "date": "2025-11-04", "court": "Tribunal de commerce de Toulouse"},
    commissaire={"name": "Maître Karim Belkacem, commissaire de justice",
                 "address": "SELARL Belkacem, 12 allées Jean Jaurès, 31000 Toulouse"},
    invoices=[
        inv("LP-2025-0188", "2025-01-15", "2025-02-14", "Licence annuelle Logipilote Flotte (30 véhicules) — 2025",
            "7680.00", "412.90", "40.00"),
        inv("LP-2025-0297", "2025-03-03", "2025-04-02", "Déploiement et formation Logipilote Flotte (3 jours sur site)",
            "2850.00", "146.22", "40.00"),
    ],
    payments=[pay("2026-01-15", "2000.00", "transfer", "VIR TRANSPORTS VIDAL")],
    promises=[prom("2026-06-09", "2026-06-30", "3000.00", "broken")],
    contacts=[
        call("2025-04-22 10:40", THOMAS, "refused",
             "M. Vidal dit n'avoir jamais vraiment utilisé le module Flotte et refuse de payer la licence ; aucune "
             "réclamation écrite auprès de Logipilote."),
        letter("2025-05-20", "Relance amiable avec décompte (principal, pénalités, indemnités forfaitaires).", THOMAS),
        letter("2025-07-01", "Mise en demeure de payer (article 1344 du Code civil).", THOMAS),
        email("2025-09-16 11:00",
              "Information : faute d'accord, Logipilote a décidé de déposer une requête en injonction de payer "
              "devant le tribunal de commerce.", THOMAS),
        letter("2025-11-25",
               "Information : ordonnance d'injonction de payer du 04/11/2025 (TC Toulouse), signifiée par Maître "
               "Karim Belkacem, commissaire de justice, puis revêtue de la formule exécutoire ; un accord amiable "
               "reste possible.", THOMAS),
        call("2026-01-13 14:30", THOMAS, "payment_announced",
             "M. Vidal annonce un virement de 2 000 € et souhaite négocier le solde."),
        email("2026-01-16 10:00", "Reçu de paiement : virement de 2 000 € du 15/01/2026."),
        call("2026-06-09 11:00", THOMAS, "promise", "Promesse de 3 000 € au plus tard le 30/06/2026."),
        email("2026-07-07 10:20", "Relance : versement du 30/06 non reçu.", THOMAS),
        call("2026-10-06 14:45", THOMAS, "no_answer", "Pas de réponse au standard."),
        letter("2026-10-20", "Relance amiable : proposition d'accord sur le solde avant reprise de l'exécution.", THOMAS),
    ],
    notes="Titre exécutoire : ordonnance d'injonction de payer du 04/11/2025 (TC Toulouse). Me Belkacem mandaté pour "
          "l'exécution ; le cabinet ne parle des mesures d'exécution qu'en renvoyant au commissaire de justice.",
)

debtor(
    "D021", "CCR-2026-0021", "cr-logiciel", "business", agent=CLAIRE, language="en",
    civility="Mr", first_name="James", last_name="Holloway", company_name="Brightwater Digital SARL",
    email="accounts@brightwater.example.com", phone="+33 5 36 49 76 02",
    address="17 avenue de la Marne, 64200 Biarritz", preferred_channel="email",
    first_letter="2026-09-01",
    invoices=[
        inv("LP-2026-0655", "2026-06-15", "2026-07-15", "Logipilote Studio subscription — 8 users — Q3 2026",
            "1824.00", "26.85", "40.00"),
        inv("LP-2026-0702", "2026-07-01", "2026-07-31", "Onboarding workshop (remote, 1 day)", "950.00", "11.40", "40.00"),
    ],
    promises=[
        prom("2026-09-15", "2026-09-25", "500.00", "kept"),
        prom("2026-11-10", "2026-11-30", "1000.00", "pending"),
    ],
    contacts=[
        call("2026-09-08 10:50", CLAIRE, "info_requested",
             "Mr Holloway (managing director) says the invoices went to an old accounts address; asks for copies."),
        email("2026-09-08 11:20", "Copies of invoices LP-2026-0655 and LP-2026-0702 with the statement of account.", CLAIRE),
        call("2026-09-15 14:20", CLAIRE, "promise", "Promises EUR 500 by 25 September, the rest once a client pays."),
        email("2026-09-28 10:00", "Receipt for the transfer of EUR 500 received on 25 September."),
        email("2026-10-20 10:30", "Reminder of the outstanding balance and offer to agree a short payment schedule.", CLAIRE),
        call("2026-11-10 15:30", CLAIRE, "promise",
             "Promises EUR 1,000 by 30 November and the balance in December; asks whether the EUR 40 late-payment "
             "compensation per invoice could be waived."),
    ],
)

debtor(
    "D022", "CCR-2026-0022", "cr-logiciel", "business", agent=THOMAS,
    civility="Mme", first_name="Isabelle", last_name="Lemoine", company_name="Lemoine Architectes SELARL",
    email="agence@lemoine-architectes.example.fr", phone="+33 5 36 49 31 44",
    address="6 rue d'Alsace-Lorraine, 31000 Toulouse", preferred_channel="phone",
    first_letter="2026-08-03",
    invoices=[inv("LP-2026-0540", "2026-05-20", "2026-06-19",
                  "Logiciel Logipilote BIM Connect — licence 5 postes (période 2026-2027)", "4200.00", "60.11", "40.00")],
    promises=[prom("2026-11-19", "2026-12-04", "2100.00", "pending")],
    contacts=[
        call("2026-08-11 10:30", THOMAS, "no_answer", "Pas de réponse (cabinet fermé pour congés)."),
        email("2026-09-02 10:45", "Relance amiable par e-mail avec copie de la facture LP-2026-0540.", THOMAS),
        call("2026-09-23 11:40", THOMAS, "callback_requested",
             "L'assistante indique que Mme Lemoine est en chantier ; demande de rappeler."),
        email_in("2026-10-14 13:05",
                 "« Nous avons bien reçu vos relances. La licence BIM Connect n'a été installée que sur 3 postes "
                 "sur 5, pouvez-vous voir avec Logipilote ? »", "info_requested"),
        email("2026-10-15 10:20",
              "Réponse : Logipilote confirme l'activation des 5 postes le 22/05/2026 (journal d'activation joint) ; "
              "proposition d'un échange téléphonique.", THOMAS),
        call("2026-11-17 10:40", THOMAS, "callback_requested",
             "Mme Lemoine demande à être rappelée jeudi 19 après 14 h, après son rendez-vous avec l'expert-comptable."),
        call("2026-11-19 14:30", THOMAS, "promise",
             "Accord : règlement de 2 100 € le 04/12, solde en janvier ; demande une confirmation écrite."),
    ],
)

debtor(
    "D023", "CCR-2025-0023", "cr-logiciel", "business", agent=THOMAS,
    civility="M.", first_name="Hugo", last_name="Perrin", company_name="Les Ateliers Nomade SAS",
    email="hugo.perrin@ateliers-nomade.example.fr", phone="+33 4 65 71 62 15",
    address="3 rue Mercière, 69002 Lyon", preferred_channel="email",
    first_letter="2025-11-17",
    invoices=[
        inv("LP-2025-0981", "2025-10-01", "2025-10-31", "Abonnement Logipilote Commerce — 4e trimestre 2025 (après avoir)",
            "2160.00", "98.40", "40.00"),
        inv("LP-2026-0102", "2026-01-02", "2026-02-01", "Abonnement Logipilote Commerce — 1er trimestre 2026",
            "2160.00", "71.60", "40.00"),
    ],
    plans=[plan("PL-D023-1", "2026-03-16", "broken", "2026-04-15", ["paid", "paid", "missed", "missed", "missed", "missed"])],
    disputes=[dispute("2025-12-03",
                      "Conteste la facturation du module e-commerce, jamais activé. Logipilote a émis un avoir de "
                      "480 € le 15/01/2026 ; la facture LP-2025-0981 est reprise nette de l'avoir.", "resolved")],
    contacts=[
        call("2025-11-25 10:45", THOMAS, "dispute", "M. Perrin conteste le module e-commerce facturé mais jamais activé."),
        email_in("2025-12-03 18:30",
                 "« Comme indiqué par téléphone, nous n'avons jamais activé le module e-commerce. Merci de corriger la "
                 "facture avant toute relance. »", "dispute"),
        email("2025-12-04 10:30", "Accusé de réception de la contestation ; démarches suspendues le temps de vérifier.",
              THOMAS),
        email("2026-01-20 11:00",
              "Résolution : avoir de 480 € émis par Logipilote le 15/01/2026 ; décompte rectifié ; reprise du "
              "recouvrement amiable.", THOMAS),
        call("2026-02-17 10:15", THOMAS, "no_answer", "Pas de réponse."),
        call("2026-03-16 14:10", THOMAS, "plan_agreed", "Accord sur un échéancier en 6 mensualités à partir du 15/04."),
        email("2026-03-16 14:40", "Confirmation de l'échéancier PL-D023-1 (6 mensualités à partir du 15/04/2026).",
              THOMAS, "plan_agreed"),
        email("2026-06-22 10:30", "Relance : échéance du 15/06 non reçue.", THOMAS),
        call("2026-07-21 15:00", THOMAS, "callback_requested",
             "M. Perrin évoque une saison difficile et une baisse du chiffre d'affaires ; ne peut pas reprendre les "
             "paiements avant la rentrée, demande à être recontacté en septembre."),
        letter("2026-09-22",
               "Constat de défaillance de l'échéancier PL-D023-1 et mise en demeure de régler le solde.", THOMAS),
        call("2026-10-13 10:40", THOMAS, "left_voicemail", "Message laissé sur la ligne directe."),
    ],
    notes="Profil strict : pas de nouvel échéancier sans un premier versement significatif.",
)

debtor(
    "D024", "CCR-2026-0024", "cr-logiciel", "business", agent=SOPHIE,
    civility="Mme", first_name="Anne", last_name="Keller", company_name="Anne Keller Photographie EI",
    email="contact@annekeller-photo.example.fr", phone="+33 3 53 01 84 19",
    address="11 rue des Orfèvres, 67000 Strasbourg", preferred_channel="email",
    first_letter="2026-10-12",
    invoices=[
        inv("LP-2026-0801", "2026-08-01", "2026-08-31", "Abonnement Logipilote Solo — août 2026", "45.00", "0.52", "40.00"),
        inv("LP-2026-0902", "2026-09-01", "2026-09-30", "Abonnement Logipilote Solo — septembre 2026", "45.00", "0.31", "40.00"),
        inv("LP-2026-1003", "2026-10-01", "2026-10-31", "Abonnement Logipilote Solo — octobre 2026", "45.00"),
    ],
    promises=[prom("2026-10-14", "2026-10-30", "90.00", "kept", method="card")],
    contacts=[
        email_in("2026-10-14 08:15",
                 "« Bonjour, je pensais que le prélèvement était actif, j'ai changé de banque en juillet. Je régularise "
                 "les deux mois le 30. Par contre 40 € de frais pour 45 € d'abonnement, c'est violent. »", "promise"),
        email("2026-10-15 10:20",
              "Réponse : explication de l'indemnité forfaitaire légale de 40 € (C. com. D441-5) et lien pour signer "
              "un nouveau mandat de prélèvement SEPA.", SOPHIE),
        email("2026-11-02 10:00", "Reçu de paiement : 90 € par carte du 30/10/2026."),
    ],
    notes="Débitrice en Alsace-Moselle : jours fériés locaux (Vendredi saint, 26 décembre) à respecter.",
)

# --------------------------------------------------------------- Régie Dumontel (property manager / landlord)
debtor(
    "D025", "CCR-2025-0025", "cr-immo", "consumer", agent=SOPHIE,
    civility="M.", first_name="Jérôme", last_name="Cazenave",
    email="jerome.cazenave@example.fr", phone="+33 6 39 98 92 50",
    address="14 rue du Port, 40100 Dax", preferred_channel="phone",
    first_letter="2025-03-17",
    enforceable_title={"kind": "jugement", "date": "2025-09-23",
                       "court": "Tribunal judiciaire de Bordeaux (juge des contentieux de la protection)"},
    invoices=[
        inv("DUM-QT-2024-11-0142", "2024-11-01", "2024-11-05", "Loyer et charges — novembre 2024 (58 rue Judaïque, apt 23, Bordeaux)", "845.00"),
        inv("DUM-QT-2024-12-0142", "2024-12-01", "2024-12-05", "Loyer et charges — décembre 2024 (58 rue Judaïque, apt 23, Bordeaux)", "845.00"),
        inv("DUM-QT-2025-01-0142", "2025-01-01", "2025-01-06", "Loyer et charges — janvier 2025 (58 rue Judaïque, apt 23, Bordeaux)", "845.00"),
        inv("DUM-QT-2025-02-0142", "2025-02-01", "2025-02-05", "Loyer et charges — février 2025 (58 rue Judaïque, apt 23, Bordeaux)", "845.00"),
        inv("DUM-DS-2025-0142", "2025-04-10", "2025-05-10",
            "Décompte de sortie : réparations locatives après état des lieux, déduction faite du dépôt de garantie",
            "1126.50"),
    ],
    payments=[pay("2025-03-05", "400.00", "transfer")],
    promises=[
        prom("2026-01-06", "2026-01-12", "300.00", "kept"),
        prom("2026-03-03", "2026-03-10", "300.00", "kept"),
        prom("2026-05-05", "2026-05-29", "300.00", "broken"),
    ],
    contacts=[
        call("2025-03-25 18:10", SOPHIE, "refused",
             "M. Cazenave a quitté le logement fin février ; il juge excessif le coût des peintures retenu à l'état "
             "des lieux et ne veut pas payer davantage que les 400 € déjà versés."),
        letter("2025-04-29", "Mise en demeure de payer (article 1344 du Code civil), décompte des loyers impayés.", SOPHIE),
        email("2025-06-10 11:15",
              "Information : faute d'accord, la Régie Dumontel a décidé de saisir le juge des contentieux de la protection.",
              SOPHIE),
        letter("2025-10-07",
               "Information : jugement du 23/09/2025 (TJ Bordeaux) condamnant au paiement ; un accord amiable reste "
               "possible.", SOPHIE),
        call("2026-01-06 17:50", SOPHIE, "promise", "Promet 300 € pour le 12/01, puis 300 € tous les deux mois."),
        email("2026-01-13 10:10", "Reçu de paiement : virement de 300 € du 12/01/2026."),
        call("2026-03-03 14:20", SOPHIE, "promise", "Confirme un virement de 300 € le 10/03."),
        email("2026-03-11 10:10", "Reçu de paiement : virement de 300 € du 10/03/2026."),
        call("2026-05-05 12:15", SOPHIE, "promise", "Promet 300 € pour le 29/05."),
        email("2026-06-09 10:40", "Relance : versement du 29/05 non reçu.", SOPHIE),
        call("2026-09-08 14:40", SOPHIE, "no_answer", "Pas de réponse."),
        letter("2026-10-13", "Relance amiable : rappel du décompte et proposition d'échéancier.", SOPHIE),
    ],
    notes="Titre exécutoire (jugement du 23/09/2025). Aucun commissaire de justice mandaté à ce jour : ne pas "
          "évoquer de mesure d'exécution.",
)

debtor(
    "D026", "CCR-2026-0026", "cr-immo", "consumer", agent=CLAIRE, language="en",
    civility="Mr", first_name="Daniel", last_name="Whitaker",
    email="daniel.whitaker@example.com", phone="+33 6 39 98 90 37",
    address="Apt 5, 22 rue Notre-Dame, 33000 Bordeaux", preferred_channel="email",
    hardship=True, first_letter="2026-07-27",
    invoices=[
        inv("DUM-QT-2026-07-0388", "2026-07-01", "2026-07-06", "Rent and service charges — July 2026 (22 rue Notre-Dame, apt 5)", "1120.00"),
        inv("DUM-QT-2026-08-0388", "2026-08-01", "2026-08-05", "Rent and service charges — August 2026 (22 rue Notre-Dame, apt 5)", "1120.00"),
        inv("DUM-QT-2026-09-0388", "2026-09-01", "2026-09-07", "Rent and service charges — September 2026 (22 rue Notre-Dame, apt 5)", "1120.00"),
    ],
    promises=[
        prom("2026-08-12", "2026-08-28", "560.00", "kept"),
        prom("2026-10-01", "2026-10-15", "560.00", "kept"),
        prom("2026-11-03", "2026-11-30", "560.00", "pending"),
    ],
    contacts=[
        call("2026-08-04 11:10", CLAIRE, "hardship_declared",
             "Mr Whitaker was laid off in June by the wine export company he worked for; his unemployment benefit "
             "claim is being processed. Very cooperative, wants to keep the flat."),
        call("2026-08-12 15:20", CLAIRE, "promise", "Promises EUR 560 by 28 August (half a month's rent)."),
        email("2026-08-31 10:00", "Receipt for the transfer of EUR 560 received on 28 August."),
        email("2026-09-22 11:00",
              "Information on housing support: the Fonds de solidarité pour le logement (FSL) and free advice from "
              "the local ADIL.", CLAIRE),
        call("2026-10-01 16:45", CLAIRE, "promise", "Promises another EUR 560 by 15 October."),
        email("2026-10-16 10:00", "Receipt for the transfer of EUR 560 received on 15 October."),
        email_in("2026-11-03 09:20",
                 "\"Good news, I started a new job on 2 November (trial period). I can pay another 560 by 30 November "
                 "and should be able to clear the rest early next year.\"", "promise"),
        email("2026-11-04 10:30", "Confirmation of the EUR 560 payment planned for 30 November; congratulations on the new job.",
              CLAIRE),
    ],
    notes="Locataire en place, de bonne foi ; relances courtoises, en anglais, par e-mail.",
)

debtor(
    "D027", "CCR-2026-0027", "cr-immo", "business", agent=THOMAS,
    civility="M.", first_name="Nicolas", last_name="Ferreira", company_name="SAS Le Comptoir des Chartrons",
    email="direction@comptoir-chartrons.example.fr", phone="+33 5 36 49 88 71",
    address="27 quai des Chartrons, 33000 Bordeaux", preferred_channel="phone",
    first_letter="2026-05-04",
    invoices=[
        inv("DUM-BC-2026-T2-0017", "2026-04-01", "2026-04-01",
            "Loyer commercial et charges — 2e trimestre 2026 (bail commercial du 01/03/2021)", "11850.00", "236.40"),
        inv("DUM-BC-2026-T3-0017", "2026-07-01", "2026-07-01",
            "Loyer commercial et charges — 3e trimestre 2026 (bail commercial du 01/03/2021)", "11850.00", "118.20"),
    ],
    promises=[
        prom("2026-05-07", "2026-05-12", "4000.00", "kept"),
        prom("2026-09-29", "2026-10-16", "3000.00", "broken"),
    ],
    plans=[plan("PL-D027-1", "2026-06-16", "broken", "2026-07-15", ["paid", "missed", "missed", "missed"])],
    contacts=[
        call("2026-05-07 15:00", THOMAS, "promise",
             "M. Ferreira (président) reconnaît le retard : travaux de voirie sur le quai depuis mars, fréquentation "
             "en forte baisse. Annonce un acompte de 4 000 € le 12/05."),
        email("2026-05-13 10:00", "Reçu de paiement : virement de 4 000 € du 12/05/2026."),
        call("2026-06-16 11:30", THOMAS, "plan_agreed", "Accord sur le solde du 2e trimestre en 4 mensualités à partir du 15/07."),
        email("2026-06-16 12:10", "Confirmation de l'échéancier PL-D027-1 (4 mensualités à partir du 15/07/2026).",
              THOMAS, "plan_agreed"),
        email("2026-08-19 10:30", "Relance : échéance du 17/08 non reçue.", THOMAS),
        letter("2026-09-01",
               "Mise en demeure de payer (article 1344 du Code civil) : échéancier PL-D027-1 non respecté et loyer du "
               "3e trimestre impayé.", THOMAS),
        call("2026-09-29 14:45", THOMAS, "promise", "Promesse de 3 000 € au plus tard le 16/10."),
        call("2026-10-21 10:50", THOMAS, "refused",
             "M. Ferreira dit attendre l'indemnisation de la Métropole pour les travaux ; ne peut rien verser avant."),
        letter("2026-11-09",
               "Information : le bailleur étudie les suites à donner, y compris une action judiciaire ; proposition "
               "d'un rendez-vous pour un accord global.", THOMAS),
    ],
    notes="Bail commercial. La Régie étudie une action (clause résolutoire) : décision du créancier, ne pas "
          "l'annoncer comme acquise.",
)

debtor(
    "D028", "CCR-2026-0028", "cr-immo", "consumer", agent=INES,
    civility="Mme", first_name="Fatima", last_name="Benchikh",
    email="fatima.benchikh@example.fr", phone="+33 6 39 98 05 26",
    address="Bât. C, 3 rue Lucien Faure, 33300 Bordeaux", preferred_channel="letter",
    hardship=True, over_indebtedness=True, first_letter="2026-05-18",
    invoices=[
        inv("DUM-QT-2026-03-0251", "2026-03-01", "2026-03-05", "Loyer et charges — mars 2026 (3 rue Lucien Faure, bât. C)", "612.00"),
        inv("DUM-QT-2026-04-0251", "2026-04-01", "2026-04-07", "Loyer et charges — avril 2026 (3 rue Lucien Faure, bât. C)", "612.00"),
        inv("DUM-QT-2026-05-0251", "2026-05-01", "2026-05-05", "Loyer et charges — mai 2026 (3 rue Lucien Faure, bât. C)", "612.00"),
    ],
    payments=[pay("2026-04-20", "250.00", "transfer")],
    promises=[prom("2026-06-10", "2026-06-30", "200.00", "broken")],
    contacts=[
        call("2026-05-26 10:40", INES, "no_answer", "Pas de réponse."),
        call("2026-06-10 18:15", INES, "promise",
             "Mme Benchikh, seule avec trois enfants, explique des retards de versement de ses allocations ; promet "
             "200 € pour le 30/06."),
        letter("2026-07-07", "Relance : versement du 30/06 non reçu, proposition d'échéancier.", INES),
        call("2026-09-15 14:20", INES, "hardship_declared",
             "Explique avoir perdu en août son emploi d'aide à domicile ; cumule d'autres dettes (crédit, énergie)."),
        letter("2026-10-06",
               "Courrier d'information : aides possibles (FSL, ADIL) et proposition d'un échéancier adapté.", INES),
        call_in("2026-11-18 19:30", INES, "over_indebtedness_declared",
                "Mme Benchikh indique avoir déposé un dossier de surendettement à la Banque de France le 16/11/2026 ; "
                "elle enverra le récépissé."),
    ],
    notes="Surendettement déclaré par téléphone le 18/11/2026 (récépissé attendu) : suspendre toute relance.",
)

debtor(
    "D029", "CCR-2026-0029", "cr-immo", "consumer", agent=SOPHIE,
    civility="M.", first_name="Olivier", last_name="Masson",
    email="olivier.masson@example.fr", phone="+33 6 39 98 64 81",
    address="Apt 12, 45 avenue Thiers, 33100 Bordeaux", preferred_channel="email",
    first_letter=None,
    invoices=[
        inv("DUM-QT-2026-10-0077", "2026-10-01", "2026-10-05", "Loyer d'octobre 2026 — reliquat impayé (45 avenue Thiers, apt 12)", "95.00"),
        inv("DUM-RC-2026-0077", "2026-10-15", "2026-11-05", "Régularisation annuelle des charges locatives 2025", "312.40"),
    ],
)

# --------------------------------------------------------------- Forméo Clubs (gym chain)
debtor(
    "D030", "CCR-2022-0030", "cr-fitness", "consumer", agent=YANIS,
    civility="M.", first_name="Kevin", last_name="Da Silva",
    email="kevin.dasilva@example.fr", phone="+33 6 39 98 67 18",
    address="102 boulevard Baille, 13005 Marseille", preferred_channel="phone",
    first_letter="2022-05-23",
    invoices=[
        inv("FRM-2021-118403", "2021-11-01", "2021-11-05", "Abonnement Forméo Premium — mensualité novembre 2021", "49.90"),
        inv("FRM-2021-131877", "2021-12-01", "2021-12-06", "Abonnement Forméo Premium — mensualité décembre 2021", "49.90"),
        inv("FRM-2022-002281", "2022-01-03", "2022-01-15", "Coaching personnel — pack 5 séances", "175.00"),
        inv("FRM-2022-004512", "2022-01-03", "2022-01-05", "Abonnement Forméo Premium — mensualité janvier 2022", "49.90"),
        inv("FRM-2022-017733", "2022-02-01", "2022-02-07", "Abonnement Forméo Premium — mensualité février 2022", "49.90"),
    ],
    payments=[pay("2022-03-02", "49.90", "card")],
    promises=[prom("2022-06-14", "2022-07-08", "100.00", "broken")],
    contacts=[
        call("2022-05-31 10:30", YANIS, "no_answer", "Pas de réponse."),
        call("2022-06-14 17:20", YANIS, "promise", "M. Da Silva promet 100 € pour le 08/07/2022."),
        letter("2022-09-13", "Relance : versement du 08/07/2022 non reçu.", YANIS),
        call("2022-11-11 10:30", YANIS, "no_answer", "Pas de réponse (appel passé un jour férié).", offhours=True),
        call("2023-03-14 14:15", YANIS, "refused",
             "M. Da Silva dit avoir résilié en janvier 2022 à cause d'une mutation à Toulon et ne veut plus entendre "
             "parler de Forméo."),
        letter("2024-02-13", "Relance amiable par courrier simple.", YANIS),
        call("2026-09-29 11:00", YANIS, "no_answer", "Pas de réponse."),
        letter("2026-10-06", "Relance amiable (modèle standard) après reprise du dossier.", YANIS),
    ],
)

debtor(
    "D031", "CCR-2026-0031", "cr-fitness", "consumer", agent=CAMILLE, register="tu",
    civility="Mme", first_name="Léa", last_name="Marchand",
    email="lea.marchand@example.fr", phone="+33 6 39 98 72 93",
    address="8 rue d'Italie, 13006 Marseille", preferred_channel="sms",
    first_letter="2026-07-13",
    invoices=[
        inv("FRM-2026-207714", "2026-06-01", "2026-06-05", "Abonnement Forméo Flex — juin 2026", "44.90"),
        inv("FRM-2026-218305", "2026-07-01", "2026-07-06", "Abonnement Forméo Flex — juillet 2026", "44.90"),
        inv("FRM-2026-229047", "2026-08-01", "2026-08-05", "Abonnement Forméo Flex — août 2026", "44.90"),
        inv("FRM-2026-239950", "2026-09-01", "2026-09-07",
            "Mensualités restantes après résiliation anticipée (septembre à novembre 2026, engagement 12 mois)", "134.70"),
    ],
    promises=[
        prom("2026-07-21", "2026-07-31", "44.90", "broken"),
        prom("2026-09-08", "2026-09-30", "90.00", "broken"),
        prom("2026-10-26", "2026-11-10", "90.00", "kept", method="card"),
    ],
    contacts=[
        sms("2026-07-15 11:00",
            "Bonjour Léa, ici le cabinet de recouvrement amiable mandaté par Forméo. Tu peux nous répondre par SMS "
            "pour trouver une solution ensemble.", CAMILLE),
        sms_in("2026-07-21 12:34", "« Coucou, je peux payer juillet à la fin du mois promis »", "promise"),
        sms("2026-07-21 14:05", "Merci Léa, c'est noté pour le 31/07.", CAMILLE),
        sms("2026-08-04 10:30", "Bonjour Léa, on n'a pas vu passer ton paiement du 31/07. Tout va bien ?", CAMILLE),
        call("2026-08-18 18:30", CAMILLE, "no_answer", "Pas de réponse."),
        call("2026-09-08 12:10", CAMILLE, "promise",
             "Léa explique avoir résilié car elle part en stage à Lyon ; trouve les mensualités restantes injustes "
             "mais reconnaît l'engagement de 12 mois ; promet 90 € pour le 30/09."),
        sms("2026-10-06 10:15", "Bonjour Léa, on n'a pas reçu le paiement prévu fin septembre. On en parle ?", CAMILLE),
        sms_in("2026-10-26 20:15", "« je peux faire 90 le 10 novembre c sur cette fois »", "promise"),
        sms("2026-10-27 10:05", "Top, c'est noté pour le 10/11. Merci Léa !", CAMILLE),
        sms("2026-11-12 10:20", "Paiement bien reçu, merci Léa ! Ton reçu t'a été envoyé par e-mail.", CAMILLE),
    ],
    notes="Tutoiement à la demande de Léa (charte Forméo). SMS de préférence.",
)

debtor(
    "D032", "CCR-2026-0032", "cr-fitness", "consumer", agent=CLAIRE, language="en",
    civility="Mr", first_name="Callum", last_name="Fraser",
    email="callum.fraser@example.com", phone="+44 7700 900527",
    address="14 rue Cardinale, 13100 Aix-en-Provence", preferred_channel="email", opt_outs=["phone"],
    first_letter="2026-07-20",
    invoices=[
        inv("FRM-2026-190385", "2026-05-01", "2026-05-05", "Forméo Premium membership — May 2026", "54.90"),
        inv("FRM-2026-191020", "2026-05-04", "2026-05-15", "Personal training pack (10 sessions)", "320.00"),
        inv("FRM-2026-199410", "2026-06-01", "2026-06-05", "Forméo Premium membership — June 2026", "54.90"),
        inv("FRM-2026-208862", "2026-07-01", "2026-07-06", "Forméo Premium membership — July 2026", "54.90"),
    ],
    payments=[pay("2026-08-20", "100.00", "card")],
    contacts=[
        call("2026-07-28 12:20", CLAIRE, "left_voicemail", "Voicemail left asking for a call back; debt not mentioned."),
        call("2026-07-30 15:10", CLAIRE, "refused", "Mr Fraser answered at work, said it was not a good time and hung up."),
        email_in("2026-07-30 22:05",
                 "\"Please do not call me at work again. Deal with me by email only. I'll pay something in August. "
                 "For the record, I only used 4 of the 10 personal training sessions.\"", "opt_out"),
        email("2026-07-31 10:30", "Confirmation: no more phone calls; we will contact you by e-mail only.", CLAIRE),
        email("2026-08-21 10:00", "Receipt for your card payment of EUR 100 received on 20 August."),
        email("2026-09-15 10:30", "Reminder of the remaining balance with a secure payment link.", CLAIRE),
        email("2026-10-13 11:00", "Reminder with payment options (lump sum or 2 to 6 monthly instalments).", CLAIRE),
        email_in("2026-11-04 19:42",
                 "\"I'll pay the rest after Christmas. Could the PT pack be reduced since I only used 4 sessions?\"",
                 "info_requested"),
    ],
    notes="Opposition aux appels le 30/07/2026 : e-mail uniquement. Question sur le pack coaching à transmettre à Forméo.",
)

debtor(
    "D033", "CCR-2026-0033", "cr-fitness", "consumer", agent=CLAIRE, language="en",
    civility="Ms", first_name="Ashley", last_name="Romero",
    email="ashley.romero@example.com", phone="+33 6 39 98 11 08",
    address="3 place aux Huiles, 13001 Marseille", preferred_channel="email",
    first_letter=None,
    invoices=[inv("FRM-2026-241177", "2026-09-28", "2026-10-05", "Forméo Flex membership — October 2026", "44.90")],
    contacts=[
        email_in("2026-11-12 21:30",
                 "\"Hi, I got a text from Forméo saying my account has been passed to a collection agency. I was back in "
                 "the US for most of October and thought my membership was frozen. What exactly do I owe?\"",
                 "info_requested"),
    ],
)

debtor(
    "D034", "CCR-2026-0034", "cr-fitness", "consumer", agent=INES,
    civility="Mme", first_name="Monique", last_name="Arnaud",
    phone="+33 4 65 71 09 33", address="5 boulevard Rabatau, 13008 Marseille", preferred_channel="phone",
    first_letter="2026-07-27",
    invoices=[
        inv("FRM-2026-150220", "2026-04-01", "2026-04-06", "Abonnement Forméo Sénior Aquagym — avril 2026", "49.00"),
        inv("FRM-2026-161874", "2026-05-01", "2026-05-05", "Abonnement Forméo Sénior Aquagym — mai 2026", "49.00"),
        inv("FRM-2026-172539", "2026-06-01", "2026-06-05", "Abonnement Forméo Sénior Aquagym — juin 2026", "49.00"),
        inv("FRM-2026-183310", "2026-07-01", "2026-07-06", "Abonnement Forméo Sénior Aquagym — juillet 2026", "49.00"),
    ],
    promises=[
        prom("2026-08-18", "2026-08-31", "98.00", "kept", paid="2026-08-28", method="cheque"),
        prom("2026-10-06", "2026-11-30", "98.00", "pending"),
    ],
    contacts=[
        call("2026-08-04 10:30", INES, "no_answer", "Pas de réponse."),
        call("2026-08-11 11:15", INES, "third_party",
             "Sa fille décroche ; message de rappel laissé sans préciser l'objet de l'appel ni mentionner de dette."),
        call_in("2026-08-18 14:50", INES, "promise",
                "Mme Arnaud rappelle et s'excuse : hospitalisée en juin (prothèse de hanche), elle n'a pas vu les "
                "prélèvements rejetés. Enverra un chèque de 98 €."),
        letter("2026-09-02", "Reçu de paiement : chèque de 98 € encaissé le 28/08/2026.", INES),
        call("2026-10-06 10:45", INES, "promise",
             "Propose de régler le solde de 98 € fin novembre, à réception de sa pension de réversion."),
        letter("2026-10-07", "Confirmation écrite de l'engagement de 98 € au plus tard le 30/11/2026.", INES),
    ],
    notes="Personne âgée : parler lentement, confirmer par courrier. Sa fille vit avec elle : ne rien dire de la dette "
          "à un tiers.",
)

# --------------------------------------------------------------- extra files (energy)
debtor(
    "D035", "CCR-2026-0035", "cr-energie", "consumer", agent=CLAIRE, language="en",
    civility="Mr", first_name="Brandon", last_name="Hayes",
    email="brandon.hayes@example.com", phone="+33 6 39 98 77 42",
    address="18 rue Sala, 69002 Lyon", preferred_channel="phone",
    first_letter="2026-10-05",
    invoices=[
        inv("HEL-FA-2026-0420188", "2026-07-28", "2026-08-12", "Electricity and gas — bill for June-July 2026", "176.35"),
        inv("HEL-FA-2026-0479906", "2026-08-26", "2026-09-10", "Final bill after moving out (meter reading of 21/08/2026)", "238.10"),
    ],
    contacts=[
        call("2026-10-13 18:45", CLAIRE, "callback_requested",
             "Mr Hayes says he is driving; asks to be called back on Thursday after 6 pm."),
        call("2026-10-15 18:20", CLAIRE, "info_requested",
             "Says he moved out on 21 August and gave the meter reading himself; asks for a breakdown of the final "
             "bill by e-mail."),
        email("2026-10-15 18:50", "Breakdown of both bills with the meter readings used.", CLAIRE),
        email("2026-11-02 10:30", "Friendly reminder with a secure payment link.", CLAIRE),
        email_in("2026-11-05 07:58",
                 "\"The final bill includes standing charges for September although I left in August. Can Hélioval "
                 "check this?\"", "info_requested"),
        email("2026-11-06 10:15", "Your question has been forwarded to Hélioval Énergie for verification.", CLAIRE),
    ],
)

debtor(
    "D036", "CCR-2026-0036", "cr-energie", "consumer", agent=CAMILLE,
    civility="M.", first_name="Romain", last_name="Gauthier",
    email="romain.gauthier@example.fr", phone="+33 6 39 98 58 20",
    address="2 rue du Lac, 74000 Annecy", preferred_channel="phone",
    first_letter="2026-08-31",
    invoices=[
        inv("HEL-FA-2026-0333560", "2026-05-27", "2026-06-11",
            "Électricité — facture rectificative mars-avril 2026 (relevé réel, annule et remplace la facture estimée)",
            "143.72"),
        inv("HEL-FA-2026-0401877", "2026-06-26", "2026-07-13", "Électricité — facture mai-juin 2026", "118.40"),
    ],
    promises=[
        prom("2026-09-17", "2026-09-30", "130.00", "kept", paid="2026-09-29", method="card"),
        prom("2026-09-17", "2026-10-30", "132.12", "broken"),
    ],
    disputes=[dispute("2026-05-04",
                      "Contestation d'une facture estimée (index surestimé) ; index réel transmis. Réclamation "
                      "acceptée par Hélioval : facture rectificative émise le 27/05/2026.", "upheld")],
    contacts=[
        call("2026-09-08 10:10", CAMILLE, "left_voicemail", "Message laissé, sans mention de la dette."),
        call("2026-09-17 14:25", CAMILLE, "callback_requested", "M. Gauthier demande à être rappelé en fin de journée."),
        call("2026-09-17 18:40", CAMILLE, "promise",
             "Pensait que la facture rectificative annulait toute la dette ; accepte de régler en deux fois : 130 € "
             "fin septembre, le solde fin octobre."),
        email("2026-09-30 10:00", "Reçu de paiement : 130 € par carte du 29/09/2026."),
        email("2026-11-04 10:30", "Relance : le second versement prévu fin octobre n'a pas été reçu.", CAMILLE),
        call("2026-11-10 12:10", CAMILLE, "no_answer", "Pas de réponse."),
    ],
)


# =========================================================================== checks and output
def _check() -> list[str]:
    problems: list[str] = []
    cred_ids = {c["id"] for c in CREDITORS}
    all_numbers: set[str] = set()
    for r in DEBTORS:
        i = r["id"]
        owed = sum(x["principal_cents"] + x["interest_cents"] + x["other_cents"] for x in r["invoices"])
        paid = sum(p["amount_cents"] for p in r["payments"])
        if r["creditor_id"] not in cred_ids:
            problems.append(f"{i}: unknown creditor")
        for x in r["invoices"]:
            if x["number"] in all_numbers:
                problems.append(f"{i}: invoice number {x['number']} reused")
            all_numbers.add(x["number"])
            if r["kind"] == "consumer" and x["other_cents"]:
                problems.append(f"{i}: other_cents on a consumer invoice")
            if r["kind"] == "business" and x["other_cents"] not in (0, 4000):
                problems.append(f"{i}: business other_cents must be 0 or the 40 EUR indemnity")
        if paid > owed:
            problems.append(f"{i}: paid > owed")
        if (owed - paid == 0) != (r["status"] == "closed"):
            problems.append(f"{i}: zero balance iff closed")
        if r["email"] and not r["email"].endswith(("@example.com", "@example.fr", ".example.fr", ".example.com")):
            problems.append(f"{i}: e-mail outside example domains")
        for p in r["payments"]:
            if d(p["date"]) > TODAY:
                problems.append(f"{i}: payment in the future")
        for p in r["promises"]:
            if d(p["made_on"]) > TODAY or d(p["due_date"]) < d(p["made_on"]):
                problems.append(f"{i}: promise dates")
            if p["status"] == "pending" and d(p["due_date"]) < TODAY:
                problems.append(f"{i}: pending promise already due")
            if p["status"] != "pending" and d(p["due_date"]) >= TODAY:
                problems.append(f"{i}: {p['status']} promise not yet due")
        for pl in r["plans"]:
            sts = [x["status"] for x in pl["instalments"]]
            for x in pl["instalments"]:
                due = d(x["due_date"])
                if x["status"] in ("paid", "missed") and due >= TODAY:
                    problems.append(f"{i}: {pl['reference']} {x['status']} instalment in the future")
                if x["status"] == "due" and due < TODAY:
                    problems.append(f"{i}: {pl['reference']} 'due' instalment in the past")
            ok = {"active": "due" in sts and "missed" not in sts, "completed": set(sts) == {"paid"},
                  "broken": "missed" in sts, "cancelled": True}[pl["status"]]
            if not ok:
                problems.append(f"{i}: plan {pl['reference']} status {pl['status']} vs instalments {sts}")
        for x in r["disputes"]:
            if d(x["opened_on"]) > TODAY:
                problems.append(f"{i}: dispute in the future")
        fl = r["first_letter"]
        outs = [c for c in r["contacts"] if c["direction"] == "out"]
        if fl is None and outs:
            problems.append(f"{i}: outbound contacts without a first letter")
        if fl is not None:
            first = min(dt.datetime.fromisoformat(c["at"]) for c in outs)
            if first.date() != d(fl["date"]) or outs[0]["channel"] != "letter":
                problems.append(f"{i}: first outbound contact is not the first letter")
        offhours = {a for (dd, a) in _OFFHOURS if dd == i}
        for c in r["contacts"]:
            when = dt.datetime.fromisoformat(c["at"])
            if when.date() > TODAY:
                problems.append(f"{i}: contact in the future")
            if c["direction"] != "out":
                continue
            # the guard's and the cadence's call windows (a window's end, 20:00, is outside)
            local = when.astimezone(PARIS)
            inside = in_call_hours(when)
            if c["at"] in offhours:
                if inside or local.year >= 2025:
                    problems.append(f"{i}: contact flagged off-hours is not ({c['at']})")
            elif not inside:
                problems.append(f"{i}: outbound contact outside hours / weekend / holiday: {c['at']}")
    return problems


def render() -> str:
    lines = []  # no "//" comment line: every line is a JSON object, for readers other than the importer
    for rec in CREDITORS + sorted(DEBTORS, key=lambda r: r["id"]):
        lines.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    problems = _check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    text = render()
    sys.path.insert(0, str(ROOT))
    from agent.portfolio import parse_lines

    creditors, debtors = parse_lines(text.splitlines(), "generated")
    if "--check" in argv:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print(f"{len(creditors)} creditors, {len(debtors)} debtors; {OUT.name} is "
              f"{'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(creditors)} creditors, {len(debtors)} debtors, "
          f"{sum(len(x.contacts) for x in debtors)} contacts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
