"""Channel adapters. Each ``send`` either returns the provider's id or raises a PermanentDeliveryError
(a bounce: never retried) or a TransientDeliveryError (retried with tenacity, then left queued)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from agent.errors import PermanentDeliveryError, TransientDeliveryError
from agent.settings import Settings

T = TypeVar("T")


def with_retries(attempts: int, fn: Callable[[], T]) -> T:
    """Call ``fn``; a TransientDeliveryError is retried (exponential back-off), then re-raised."""
    wrapped = retry(retry=retry_if_exception_type(TransientDeliveryError), stop=stop_after_attempt(attempts),
                    wait=wait_exponential(multiplier=0.2, max=2.0), reraise=True)(fn)
    return wrapped()


@dataclass(frozen=True)
class Outgoing:
    """What an adapter needs: the final (guarded) text and the addressing."""

    outbox_id: str
    to: str
    subject: str
    text: str
    html: str
    reference: str
    pdf_path: str
    lrar: bool
    debtor_name: str
    postal_address: str
    at: dt.datetime


# ------------------------------------------------------------------------------------ email

class EmailAdapter:
    def __init__(self, settings: Settings) -> None:
        self.s = settings

    def build(self, out: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.s.smtp_from
        msg["To"] = out.to
        msg["Subject"] = out.subject
        msg["Date"] = format_datetime(out.at)
        domain = self.s.smtp_unsubscribe_mailto.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = make_msgid(idstring=out.outbox_id, domain=domain)
        msg["List-Unsubscribe"] = (f"<mailto:{self.s.smtp_unsubscribe_mailto}"
                                   f"?subject={quote('STOP ' + out.reference)}>")
        msg["X-Amiable-Reference"] = out.reference
        msg.set_content(out.text)
        if out.html:
            msg.add_alternative(out.html, subtype="html")
        if out.pdf_path and Path(out.pdf_path).is_file():
            msg.add_attachment(Path(out.pdf_path).read_bytes(), maintype="application", subtype="pdf",
                               filename=f"{out.reference}.pdf")
        return msg

    def send(self, out: Outgoing) -> str:
        msg = self.build(out)

        def once() -> str:
            try:
                with smtplib.SMTP(self.s.smtp_host, self.s.smtp_port, timeout=self.s.smtp_timeout_s) as smtp:
                    smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [c for c, _ in exc.recipients.values()]
                err = PermanentDeliveryError if any(c >= 500 for c in codes) else TransientDeliveryError
                raise err(f"recipient refused: {exc.recipients}") from exc
            except smtplib.SMTPResponseException as exc:
                err = PermanentDeliveryError if exc.smtp_code >= 500 else TransientDeliveryError
                raise err(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            except (smtplib.SMTPException, OSError) as exc:
                raise TransientDeliveryError(f"SMTP server unreachable: {exc}") from exc
            return str(msg["Message-ID"])

        return with_retries(self.s.outbox_max_attempts, once)


# -------------------------------------------------------------------------------------- SMS

class SmsAdapter:
    """A provider HTTP API: ``POST {url}/messages`` {to, from, text, reference} -> {id};
    ``GET {url}/events?after=N`` -> [{seq, type: delivered|failed|inbound, id?, from?, text?}]."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.sms_provider_url:
            raise TransientDeliveryError("no SMS provider configured (AMIABLE_SMS_PROVIDER_URL)")
        self.s = settings
        self.client = httpx.Client(base_url=settings.sms_provider_url.rstrip("/"), timeout=10.0, transport=transport)

    def send(self, out: Outgoing) -> str:
        body = {"to": out.to, "from": self.s.sms_sender, "text": out.text, "reference": out.outbox_id}

        def once() -> str:
            try:
                r = self.client.post("/messages", json=body)
            except httpx.HTTPError as exc:
                raise TransientDeliveryError(f"SMS provider unreachable: {exc}") from exc
            if r.status_code >= 500 or r.status_code == 429:
                raise TransientDeliveryError(f"SMS provider {r.status_code}")
            if r.status_code >= 400:
                raise PermanentDeliveryError(f"SMS provider refused the number: {r.status_code} {r.text[:200]}")
            data = r.json()
            return str(data["id"])

        return with_retries(self.s.outbox_max_attempts, once)

    def events(self, after: int) -> list[dict[str, Any]]:
        def once() -> list[dict[str, Any]]:
            try:
                r = self.client.get("/events", params={"after": after})
                r.raise_for_status()
            except httpx.HTTPError as exc:
                raise TransientDeliveryError(f"SMS provider events: {exc}") from exc
            data = r.json()
            if not isinstance(data, list):
                raise TransientDeliveryError("SMS provider events: not a list")
            return data

        return with_retries(self.s.outbox_max_attempts, once)


# ----------------------------------------------------------------------------------- postal

CSV_FIELDS = ["reference", "outbox_id", "recipient", "address", "lrar", "pdf", "queued_at"]


class PostalBatch:
    """Print batch for a mailing house: the PDFs and one CSV per day (LRAR flag per letter)."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.effective_outbox_dir / "print"

    def send(self, out: Outgoing) -> str:
        if not out.pdf_path or not Path(out.pdf_path).is_file():
            raise PermanentDeliveryError(f"postal letter {out.reference} has no PDF")
        if not out.postal_address.strip():
            raise PermanentDeliveryError(f"postal letter {out.reference}: no postal address on the file")
        batch = f"batch-{out.at:%Y%m%d}"
        folder = self.root / batch
        folder.mkdir(parents=True, exist_ok=True)
        pdf_name = f"{out.reference}.pdf"
        shutil.copyfile(out.pdf_path, folder / pdf_name)
        index = folder / "batch.csv"
        new = not index.exists()
        with index.open("a", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
            if new:
                w.writeheader()
            w.writerow({"reference": out.reference, "outbox_id": out.outbox_id, "recipient": out.debtor_name,
                        "address": out.postal_address, "lrar": "yes" if out.lrar else "no", "pdf": pdf_name,
                        "queued_at": out.at.isoformat()})
        return f"{batch}/{pdf_name}"
