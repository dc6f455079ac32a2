"""Append-only, hash-chained audit trail.

Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any event breaks the chain, which ``verify()`` detects. Appends serialise on the
database (the sequence number is the primary key: two writers cannot take the same one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agent import clock
from agent.db.models import AuditEvent

GENESIS = "0" * 64


def _canonical(seq: int, at: dt.datetime, actor: str, kind: str, debtor_id: str | None,
               payload: dict[str, Any], prev_hash: str) -> bytes:
    body = {"seq": seq, "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "actor": actor,
            "kind": kind, "debtor_id": debtor_id, "payload": payload, "prev": prev_hash}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _jsonable(payload: dict[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(payload, BaseModel):
        data: dict[str, Any] = payload.model_dump(mode="json")
        return data
    out: dict[str, Any] = json.loads(json.dumps(payload, default=str, ensure_ascii=False))
    return out


def append(session: Session, kind: str, *, actor: str, debtor_id: str | None = None,
           payload: dict[str, Any] | BaseModel | None = None, at: dt.datetime | None = None) -> AuditEvent:
    """Add one event inside the caller's transaction (it commits or rolls back with the caller's work)."""
    data = _jsonable(payload or {})
    at = at or clock.current().utcnow()
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        # Take SQLite's write lock now so that reading the chain head and appending are atomic.
        session.execute(update(AuditEvent).where(AuditEvent.seq == -1).values(actor=AuditEvent.actor))
    last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    digest = hashlib.sha256(_canonical(seq, at, actor, kind, debtor_id, data, prev)).hexdigest()
    event = AuditEvent(seq=seq, at=at, actor=actor, kind=kind, debtor_id=debtor_id, payload=data,
                       prev_hash=prev, hash=digest)
    session.add(event)
    session.flush()
    return event


class VerifyResult(BaseModel):
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head: str


def verify(session: Session) -> VerifyResult:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for ev in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        count += 1
        if ev.seq != expected_seq:
            return VerifyResult(ok=False, events=count, first_bad_seq=ev.seq,
                                problem=f"gap: expected seq {expected_seq}", head=prev)
        if ev.prev_hash != prev:
            return VerifyResult(ok=False, events=count, first_bad_seq=ev.seq, problem="broken link", head=prev)
        digest = hashlib.sha256(
            _canonical(ev.seq, ev.at, ev.actor, ev.kind, ev.debtor_id, ev.payload, ev.prev_hash)).hexdigest()
        if digest != ev.hash:
            return VerifyResult(ok=False, events=count, first_bad_seq=ev.seq, problem="content altered", head=prev)
        prev = ev.hash
        expected_seq += 1
    return VerifyResult(ok=True, events=count, head=prev)


def iter_events(session: Session, *, kind: str | None = None, debtor_id: str | None = None) -> Iterator[AuditEvent]:
    q = select(AuditEvent).order_by(AuditEvent.seq)
    if kind:
        q = q.where(AuditEvent.kind == kind)
    if debtor_id:
        q = q.where(AuditEvent.debtor_id == debtor_id)
    yield from session.execute(q).scalars()


def event_json(ev: AuditEvent) -> dict[str, Any]:
    return {"seq": ev.seq, "at": ev.at.isoformat(), "actor": ev.actor, "kind": ev.kind,
            "debtor_id": ev.debtor_id, "payload": ev.payload, "prev_hash": ev.prev_hash, "hash": ev.hash}


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
