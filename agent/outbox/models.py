"""Outbox tables: queued messages and their delivery events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # email | sms | letter
    kind: Mapped[str] = mapped_column(String(20), default="message")  # first | notice | message
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    # queued | sent | delivered | opened | bounced | blocked | suppressed | failed
    first_letter: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)  # the letter/message text (guarded again when sent)
    html: Mapped[str] = mapped_column(Text, default="")
    pdf_path: Mapped[str] = mapped_column(Text, default="")
    letter_ref: Mapped[str] = mapped_column(String(64), default="")
    lrar: Mapped[bool] = mapped_column(default=False)
    authorised_amounts: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    deferred_reason: Mapped[str] = mapped_column(Text, default="")
    to_address: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), default=None)


class DeliveryEvent(Base):
    __tablename__ = "delivery_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    outbox_id: Mapped[str | None] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), default=None)
    kind: Mapped[str] = mapped_column(String(20))  # sent | delivered | opened | bounced | failed | stop
    at: Mapped[dt.datetime]
    detail: Mapped[str] = mapped_column(Text, default="")
