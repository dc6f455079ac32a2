"""Account facts: every value a draft may state, computed from the debtor file and the plan quote only."""

from __future__ import annotations

from agent import fmt
from agent.domain import DebtorFile
from agent.drafting.models import Fact
from agent.firm import Firm
from agent.plans.models import PlanOption

_LABELS = {
    "balance": ("Solde dû", "Balance due"),
    "principal": ("Principal", "Principal"),
    "interest": ("Intérêts", "Interest"),
    "other_sums": ("Autres sommes", "Other sums"),
    "creditor_name": ("Créancier", "Creditor"),
    "reference": ("Référence du dossier", "File reference"),
    "invoice_count": ("Nombre de factures", "Number of invoices"),
    "invoice_list": ("Factures", "Invoices"),
    "oldest_invoice_number": ("Plus ancienne facture impayée", "Oldest unpaid invoice"),
    "oldest_due_date": ("Échéance la plus ancienne", "Oldest due date"),
    "last_payment_amount": ("Dernier paiement", "Last payment"),
    "last_payment_date": ("Date du dernier paiement", "Last payment date"),
    "first_letter_ref": ("Référence de la première lettre", "First letter reference"),
    "first_letter_date": ("Date de la première lettre", "First letter date"),
    "plan_options": ("Options d'échéancier", "Plan options"),
    "plan_offer": ("Échéancier proposé", "Offered plan"),
    "plan_next_due": ("Prochaine échéance du plan", "Next plan instalment date"),
    "plan_next_amount": ("Montant de la prochaine échéance", "Next plan instalment amount"),
    "debtor_name": ("Débiteur", "Debtor"),
}


def _freq(option: PlanOption, lang: str) -> str:
    fr = {"monthly": "mensualités", "biweekly": "versements toutes les deux semaines",
          "weekly": "versements hebdomadaires", "once": "versement"}
    en = {"monthly": "monthly instalments", "biweekly": "fortnightly instalments",
          "weekly": "weekly instalments", "once": "payment"}
    return (fr if lang == "fr" else en)[option.frequency]


def describe_option(option: PlanOption, lang: str) -> str:
    """One sentence, exact amounts and dates from the engine's schedule."""
    first, last = option.instalments[0], option.instalments[-1]
    if option.count == 1:
        if lang == "fr":
            s = f"un paiement unique de {fmt.money(option.total_cents, lang)} avant le {fmt.date(first.due_date, lang)}"
            if option.discount_cents:
                s += f" (remise de {fmt.money(option.discount_cents, lang)} incluse)"
            return s
        s = f"a single payment of {fmt.money(option.total_cents, lang)} by {fmt.date(first.due_date, lang)}"
        if option.discount_cents:
            s += f" (including a {fmt.money(option.discount_cents, lang)} discount)"
        return s
    same = all(i.amount_cents == first.amount_cents for i in option.instalments)
    if lang == "fr":
        if same:
            body = f"{option.count} {_freq(option, lang)} de {fmt.money(first.amount_cents, lang)}"
        else:
            body = (f"{option.count} {_freq(option, lang)} de {fmt.money(first.amount_cents, lang)} "
                    f"(dernière échéance : {fmt.money(last.amount_cents, lang)})")
        return (f"{body}, du {fmt.date(first.due_date, lang)} au {fmt.date(last.due_date, lang)}, "
                f"soit {fmt.money(option.total_cents, lang)} au total")
    if same:
        body = f"{option.count} {_freq(option, lang)} of {fmt.money(first.amount_cents, lang)}"
    else:
        body = (f"{option.count} {_freq(option, lang)} of {fmt.money(first.amount_cents, lang)} "
                f"(final instalment: {fmt.money(last.amount_cents, lang)})")
    return (f"{body}, from {fmt.date(first.due_date, lang)} to {fmt.date(last.due_date, lang)}, "
            f"{fmt.money(option.total_cents, lang)} in total")


def salutation(file: DebtorFile, lang: str) -> str:
    if lang == "fr":
        if file.kind == "business":
            return "Madame, Monsieur,"
        civ = {"M.": "Monsieur", "Mme": "Madame", "Mlle": "Madame", "Mr": "Monsieur", "Mrs": "Madame",
               "Ms": "Madame", "Miss": "Madame", "Dr": "Docteur"}.get(file.civility, "")  # civility in French
        return f"Bonjour {civ} {file.last_name},".replace("  ", " ") if civ else f"Bonjour {file.display_name},"
    if file.kind == "business":
        return "Dear Sir or Madam,"
    civ = {"M.": "Mr", "Mme": "Ms", "Mlle": "Ms", "Mr": "Mr", "Mrs": "Mrs", "Ms": "Ms", "Miss": "Miss",
           "Dr": "Dr"}.get(file.civility, "")
    return f"Dear {civ} {file.last_name},".replace("  ", " ") if civ else f"Dear {file.display_name},"


def build_values(file: DebtorFile, firm: Firm, lang: str, options: list[PlanOption],
                 chosen: PlanOption | None) -> tuple[dict[str, str], dict[str, str]]:
    """(placeholder values, source of each value in the file)."""
    s = file.signals
    values: dict[str, str] = {}
    source: dict[str, str] = {}

    def put(key: str, value: str, src: str) -> None:
        values[key] = value
        source[key] = src

    put("salutation", salutation(file, lang), "debtor.identity")
    put("debtor_name", file.display_name, "debtor.identity")
    put("creditor_name", file.creditor.name, "creditor.name")
    put("reference", file.reference, "debtor.reference")
    put("balance", fmt.money(s.balance_cents, lang), "signals.balance_cents")
    put("principal", fmt.money(s.principal_due_cents, lang), "signals.principal_due_cents")
    put("interest", fmt.money(s.interest_due_cents, lang), "signals.interest_due_cents")
    put("other_sums", fmt.money(s.other_due_cents, lang), "signals.other_due_cents")
    put("invoice_count", str(len(file.invoices)), "invoices")
    lines = []
    for inv in file.invoices:
        if lang == "fr":
            lines.append(f"- facture {inv.number} du {fmt.date(inv.issue_date, lang)} : {fmt.money(inv.total_cents, lang)}")
        else:
            lines.append(f"- invoice {inv.number} of {fmt.date(inv.issue_date, lang)}: {fmt.money(inv.total_cents, lang)}")
    put("invoice_list", "\n".join(lines), "invoices")
    unpaid = [i for i in file.invoices if s.oldest_due_date and i.due_date == s.oldest_due_date]
    if unpaid:
        put("oldest_invoice_number", unpaid[0].number, f"invoices[{unpaid[0].number}].number")
        put("oldest_due_date", fmt.date(unpaid[0].due_date, lang), f"invoices[{unpaid[0].number}].due_date")
    if file.payments:
        last = max(file.payments, key=lambda p: p.date)
        put("last_payment_amount", fmt.money(last.amount_cents, lang), f"payments[{last.date}].amount_cents")
        put("last_payment_date", fmt.date(last.date, lang), f"payments[{last.date}].date")
    if file.first_letter_ref and file.first_letter_date:
        put("first_letter_ref", file.first_letter_ref, "debtor.first_letter_ref")
        put("first_letter_date", fmt.date(file.first_letter_date, lang), "debtor.first_letter_date")
    if options:
        put("plan_options", "\n".join(f"- {describe_option(o, lang)}" for o in options), "plan_engine.quote")
    if chosen is not None:
        put("plan_offer", describe_option(chosen, lang), f"plan_engine.option[{chosen.id}]")
    plan = file.active_plan
    if plan is not None:
        nxt = next((i for i in plan.instalments if i.status == "due"), None)
        if nxt is not None:
            put("plan_next_due", fmt.date(nxt.due_date, lang), f"plans[{plan.reference}].instalments[{nxt.seq}]")
            put("plan_next_amount", fmt.money(nxt.amount_cents, lang),
                f"plans[{plan.reference}].instalments[{nxt.seq}]")
    fr = lang == "fr"
    put("firm_name", firm.name, "firm.name")
    put("firm_phone", firm.phone, "firm.phone")
    put("firm_email", firm.email, "firm.email")
    put("widget_hint", "Vous pouvez consulter le détail et choisir une solution à tout moment depuis votre espace "
        "de paiement sécurisé." if fr else "You can see the details and choose an option at any time in your "
        "secure payment space.", "firm.widget")
    put("free_advice", firm.free_advice_fr if fr else firm.free_advice_en, "firm.free_advice")
    put("callback_hint", "Quel jour et quel créneau vous conviendraient pour en parler ?" if fr else
        "Which day and time would suit you best to talk about it?", "firm.callback")
    put("signature", f"Bien cordialement,\nLe service relation clients\n{firm.name} — {firm.phone}" if fr else
        f"Kind regards,\nCustomer relations team\n{firm.name} — {firm.phone}", "firm.identity")
    return values, source


AVAILABILITY = {
    "balance": "balance", "invoices": "invoice_list", "last_payment": "last_payment_amount",
    "first_letter_ref": "first_letter_ref", "first_letter_date": "first_letter_date",
    "plan_options": "plan_options", "plan_offer": "plan_offer", "active_plan": "plan_next_due", "firm": "firm_name",
}


def available(values: dict[str, str], file: DebtorFile) -> set[str]:
    out = {name for name, key in AVAILABILITY.items() if key in values}
    if file.signals.balance_cents <= 0:
        out.discard("balance")
    return out


def facts_used(template_placeholders: set[str], values: dict[str, str], source: dict[str, str],
               lang: str) -> list[Fact]:
    facts = []
    for key in sorted(template_placeholders):
        if key in _LABELS and key in values:
            label = _LABELS[key][0 if lang == "fr" else 1]
            facts.append(Fact(key=key, label=label, value=values[key], source=source[key]))
    return facts


def situation(file: DebtorFile) -> dict[str, bool]:
    return {
        "time_barred": file.signals.time_barred,
        "disputed": file.disputed or file.status == "on_hold",
        "vulnerable": file.hardship or file.over_indebtedness or file.vulnerable,
        "over_indebtedness": file.over_indebtedness,
        "hardship_flag": file.hardship,
        "has_active_plan": file.active_plan is not None,
        "business": file.kind == "business",
        "first_letter_sent": bool(file.first_letter_ref and file.first_letter_date),
        "has_payments": bool(file.payments),
        "zero_balance": file.signals.balance_cents <= 0,
    }
