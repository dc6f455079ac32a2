"""Compose a letter for a debtor file: values from the file, the firm and the plan engine, the
template rendered, the final text guarded (blocked = not produced), then text, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import html

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from agent import audit, fmt
from agent.db import models as m
from agent.domain import DebtorFile
from agent.drafting.facts import describe_option
from agent.errors import ConflictError, GuardBlockedError, UserError
from agent.firm import Firm
from agent.guard import Guard
from agent.guard.base import GuardContext, GuardReport
from agent.letters.templates import LetterKind, LetterTemplate
from agent.plans.engine import quote_for_file
from agent.plans.links import make_token, widget_url
from agent.plans.policy import PlanPolicy
from agent.settings import Settings

REF_CODES = {"first": "PL", "notice": "MD"}


class Letter(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: LetterKind
    reference: str
    date: dt.date
    debtor_id: str
    lang: str
    template_ref: str
    subject: str
    text: str
    widget_url: str
    guard: GuardReport
    authorised_amounts_cents: tuple[int, ...] = ()  # the plan engine's amounts quoted in the letter

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def html(self) -> str:
        return to_html(self)


def formal_address(file: DebtorFile) -> str:
    if file.kind == "business":
        return "Madame, Monsieur"
    return {"M.": "Monsieur", "Mme": "Madame", "Mlle": "Madame"}.get(file.civility, "Madame, Monsieur")


def letter_reference(file: DebtorFile, kind: LetterKind, today: dt.date) -> str:
    return f"{file.reference}-{REF_CODES[kind]}-{today:%Y%m%d}"


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def build_values(file: DebtorFile, firm: Firm, plans: PlanPolicy, settings: Settings, *, kind: LetterKind,
                 today: dt.date, now_ts: float) -> tuple[dict[str, str], frozenset[int]]:
    """Every template variable, each taken from the file, the firm identity or the plan engine."""
    s = file.signals
    if s.balance_cents <= 0:
        raise UserError(f"debtor {file.id} owes nothing: no letter to send")
    lang = "fr"
    invoices = [
        f"facture {i.number} du {fmt.date(i.issue_date, lang)} (échéance {fmt.date(i.due_date, lang)})"
        + (f", {i.description}" if i.description else "") + f" : {fmt.money(i.total_cents, lang)}"
        for i in file.invoices
    ]
    if file.payments:
        invoices.append(f"déduction faite de vos paiements : {fmt.money(s.total_paid_cents, lang)}")
    options = quote_for_file(file, plans, today=today)
    authorised = frozenset({o.total_cents for o in options} | {o.discount_cents for o in options}
                           | {i.amount_cents for o in options for i in o.instalments}) - {0}
    token = make_token(file.id, secret=settings.secret.get_secret_value(),
                       ttl_hours=settings.letter_link_ttl_hours, now=now_ts)
    values = {
        "firm_name": firm.name, "firm_legal_form": firm.legal_form, "firm_address": firm.address,
        "firm_activity": firm.activity_fr, "firm_phone": firm.phone, "firm_email": firm.email,
        "creditor_name": file.creditor.name, "creditor_address": file.creditor.address,
        "debtor_name": file.display_name, "debtor_address": file.address or "(adresse non renseignée)",
        "formal_address": formal_address(file),
        "letter_ref": letter_reference(file, kind, today), "letter_date": fmt.date(today, lang),
        "file_reference": file.reference,
        "invoice_list": _bullets(invoices),
        "principal": fmt.money(s.principal_due_cents, lang), "interest": fmt.money(s.interest_due_cents, lang),
        "other_sums": fmt.money(s.other_due_cents, lang), "balance": fmt.money(s.balance_cents, lang),
        "payment_methods": _bullets(list(firm.payment_methods_fr)),
        "plan_options": _bullets([describe_option(o, lang) for o in options]) or "- paiement en une fois",
        "widget_link": widget_url(settings.effective_public_base_url, token),
        "free_advice": firm.free_advice_fr,
    }
    if kind == "first":
        values |= {"l111_8_para2": firm.l111_8_paragraphs[0], "l111_8_para3": firm.l111_8_paragraphs[1],
                   "l111_8_version": fmt.date(dt.date.fromisoformat(firm.l111_8_version), lang)}
    else:
        if not (file.first_letter_ref and file.first_letter_date):
            raise UserError(f"debtor {file.id} has no first letter recorded: send the first letter "
                            "(amiable letter first) before a formal notice")
        values |= {"first_letter_ref": file.first_letter_ref,
                   "first_letter_date": fmt.date(file.first_letter_date, lang),
                   "deadline": fmt.date(today + dt.timedelta(days=settings.notice_days), lang)}
    return values, authorised


def compose(file: DebtorFile, *, template: LetterTemplate, firm: Firm, plans: PlanPolicy, guard: Guard,
            settings: Settings, today: dt.date, now_ts: float) -> Letter:
    """The guarded letter; GuardBlockedError (nothing produced) when the guard blocks the final text."""
    if template.kind == "first" and file.first_letter_ref:
        raise ConflictError(f"debtor {file.id} already has a first letter ({file.first_letter_ref} of "
                            f"{file.first_letter_date}): later letters recall it instead")
    values, authorised = build_values(file, firm, plans, settings, kind=template.kind, today=today, now_ts=now_ts)
    subject, text = template.render(values)
    ctx = GuardContext(lang=template.lang, channel="letter", first_letter=template.kind == "first", debtor=file,
                       authorised_amounts_cents=authorised)
    report = guard.check(text, ctx)
    if report.verdict == "block":
        blocking = "; ".join(f"{f.rule_id}: {f.explanation}" for f in report.findings if f.severity == "block")
        raise GuardBlockedError(f"the guard blocked the {template.kind} letter for {file.id}: {blocking}",
                                detail=report.model_dump(mode="json"))
    return Letter(kind=template.kind, reference=values["letter_ref"], date=today, debtor_id=file.id,
                  lang=template.lang, template_ref=template.ref, subject=subject, text=text,
                  widget_url=values["widget_link"], guard=report,
                  authorised_amounts_cents=tuple(sorted(authorised)))


def record(session: Session, letter: Letter, *, actor: str, at: dt.datetime) -> None:
    """Audit the letter; a first letter's reference and date go on the file (later drafts cite them)."""
    if letter.kind == "first":
        row = session.get(m.Debtor, letter.debtor_id)
        if row is None:
            raise UserError(f"unknown debtor: {letter.debtor_id}")
        if row.first_letter_ref:
            raise ConflictError(f"debtor {letter.debtor_id} already has a first letter ({row.first_letter_ref})")
        row.first_letter_ref = letter.reference
        row.first_letter_date = letter.date
        row.version += 1
    audit.append(session, f"letter.{letter.kind}", actor=actor, debtor_id=letter.debtor_id, at=at,
                 payload={"reference": letter.reference, "date": letter.date.isoformat(),
                          "template": letter.template_ref, "sha256": letter.sha256,
                          "guard": letter.guard.verdict})


# ------------------------------------------------------------------------------------ HTML

def blocks(text: str) -> list[tuple[str, list[str]]]:
    """The body as (kind, lines) blocks: heading, quote, table, bullets, para (shared by HTML and PDF)."""
    out: list[tuple[str, list[str]]] = []
    for chunk in text.strip().split("\n\n"):
        lines = [ln.rstrip() for ln in chunk.strip("\n").split("\n") if ln.strip()]
        if not lines:
            continue
        if lines[0].startswith("# "):
            out.append(("heading", [lines[0][2:]]))
        elif all(ln.startswith("> ") for ln in lines):
            out.append(("quote", [ln[2:] for ln in lines]))
        elif all(ln.startswith("|") for ln in lines):
            out.append(("table", lines))
        else:
            out.append(("para", lines))
    return out


def plain_text(text: str) -> str:
    """The email/SMS body: markup signs removed, same words."""
    out: list[str] = []
    for kind, lines in blocks(text):
        if kind == "heading":
            out.append(lines[0].upper())
        elif kind == "quote":
            out.append("\n".join(f"« {ln} »" for ln in lines))
        elif kind == "table":
            out.append("\n".join(" : ".join(c.strip() for c in ln.strip("|").split("|")) for ln in lines))
        else:
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _inline(line: str, link: str) -> str:
    esc = html.escape(line)
    if link and html.escape(link) in esc:
        esc = esc.replace(html.escape(link), f'<a href="{html.escape(link, quote=True)}">{html.escape(link)}</a>')
    return esc


def to_html(letter: Letter, qr_svg: str = "") -> str:
    parts = [f'<!doctype html><html lang="{letter.lang}"><head><meta charset="utf-8">'
             f"<title>{html.escape(letter.subject)}</title></head><body>"]
    for kind, lines in blocks(letter.text):
        if kind == "heading":
            parts.append(f"<h1>{html.escape(lines[0])}</h1>")
        elif kind == "quote":
            parts.append("".join(f"<blockquote>{html.escape(ln)}</blockquote>" for ln in lines))
        elif kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(ln)) + "</tr>"
                           for ln in lines)
            parts.append(f"<table>{rows}</table>")
        else:
            items = [ln for ln in lines if ln.startswith("- ")]
            head = [ln for ln in lines if not ln.startswith("- ")]
            if head:
                parts.append("<p>" + "<br>".join(_inline(ln, letter.widget_url) for ln in head) + "</p>")
            if items:
                parts.append("<ul>" + "".join(f"<li>{_inline(ln[2:], letter.widget_url)}</li>" for ln in items)
                             + "</ul>")
            if qr_svg and any(letter.widget_url in ln for ln in lines):
                parts.append(f'<div class="qr">{qr_svg}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)
