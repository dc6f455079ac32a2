"""Tables of the agent service (API keys, conversations, drafts). Owned by the service component.

An API key is never stored: only its public prefix (to find the row) and a keyed hash of the
whole key (see agent.auth). Drafts carry a ``version`` for optimistic locking: every state change
is a conditional UPDATE on (id, version), so two agents acting on the same draft cannot both win.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent import clock
from agent.db.base import Base


def _now() -> dt.datetime:
    return clock.current().utcnow()


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(128))  # HMAC-SHA256(pepper, key), hex
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # creditor ids this key is limited to (JSON list); NULL = every creditor (see agent.auth scope)
    creditors: Mapped[list[Any] | None] = mapped_column(default=None)


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    channel: Mapped[str | None] = mapped_column(String(20), default=None)
    lang: Mapped[str | None] = mapped_column(String(5), default=None)


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # debtor (pasted by the agent) | instruction | assistant
    text: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(32), default=None)
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class DraftRecord(Base):
    __tablename__ = "draft_records"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True, default=None)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(32), default=None)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the DraftRequest that produced it
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the Draft as generated (JSON)
    text: Mapped[str] = mapped_column(Text)  # the current text (possibly edited by the agent)
    guard: Mapped[dict[str, Any]] = mapped_column(default=dict)  # guard report of the current text
    status: Mapped[str] = mapped_column(String(20), default="generated")
    version: Mapped[int] = mapped_column(default=1)
    debtor_version: Mapped[int] = mapped_column(default=1)  # Debtor.version when the draft was made
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
    approved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    sent_by: Mapped[str | None] = mapped_column(String(100), default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    contact_id: Mapped[int | None] = mapped_column(default=None)
    __table_args__ = (Index("ix_draft_debtor_status", "debtor_id", "status"),)
