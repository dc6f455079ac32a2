"""Append-only, HMAC-chained audit trail with a signed head kept outside the database.

Each event's hash is an HMAC-SHA256 (key derived from the secret, never stored in the database)
over its content and the previous event's hash, so editing, deleting or reordering any event
breaks the chain, and nobody without the key can recompute it. After every commit that appended
events, the signed head (event count + last hash, HMAC'd) is written to ``data_dir/audit.head``;
``verify()`` checks the chain AND that the database still holds the head's count with the head's
hash, so deleting the last rows (truncation) or every row (wipe) is detected too. Rows past the
head (a crash between commit and head write) are accepted only if their HMAC chain is valid.
Appends serialise on the database: SQLite's write lock, taken before the chain head is read, or on
PostgreSQL a transaction-level advisory lock (``pg_advisory_xact_lock``), so concurrent requests and
API workers on one database extend the chain one at a time (the sequence number is the primary key).

Erasable texts: the HMAC covers a *sealed* payload in which every string is replaced by its keyed
digest (``h:<hmac>``). A text can therefore be erased later (GDPR) by storing
``{"$erased": <digest>}`` in its place: the chain still verifies, and nobody can put back a
different text. Events written before sealing (plain payload HMAC) still verify, but their texts
cannot be erased without breaking the chain (``erase_texts`` leaves them and says so).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.orm import Session

from agent import clock
from agent.db.models import AuditEvent
from agent.errors import ConfigError

if TYPE_CHECKING:
    from agent.settings import Settings

GENESIS = "0" * 64
# PostgreSQL advisory lock key (any bigint constant) that serialises appends to the chain.
PG_AUDIT_LOCK = 0x616D6961626C6502
HEAD_FILE = "audit.head"


@dataclass(frozen=True)
class AuditConfig:
    key: bytes
    head_path: Path


_configs: dict[str, AuditConfig] = {}
_head_lock = threading.Lock()


def _url_key(url: str) -> str:
    from agent.db.session import get_engine

    return get_engine(url).url.render_as_string(hide_password=False)


def configure(settings: Settings) -> AuditConfig:
    """Register the audit key (derived from the secret) and head file for the settings' database."""
    key = hmac.new(settings.secret.get_secret_value().encode("utf-8"), b"amiable/audit/v1", hashlib.sha256).digest()
    cfg = AuditConfig(key=key, head_path=settings.data_dir / HEAD_FILE)
    _configs[_url_key(settings.effective_database_url)] = cfg
    return cfg


def _config(session: Session) -> AuditConfig:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    name = engine.url.render_as_string(hide_password=False)
    cfg = _configs.get(name)
    if cfg is None:
        from agent.settings import get_settings

        s = get_settings()
        if _url_key(s.effective_database_url) == name:
            return configure(s)
        raise ConfigError("the audit trail of this database has no key configured (start a Runtime)")
    return cfg


class Head(BaseModel):
    count: int
    hash: str
    sig: str


def _head_sig(key: bytes, count: int, last: str) -> str:
    return hmac.new(key, f"amiable/audit-head/v1:{count}:{last}".encode("ascii"), hashlib.sha256).hexdigest()


def read_head(path: Path) -> Head | None:
    try:
        return Head.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as exc:
        raise ConfigError(f"cannot read the audit head {path}: {type(exc).__name__}") from None


def write_head(cfg: AuditConfig, count: int, last: str) -> None:
    """Advance the signed head to (count, last); never moves it backwards (concurrent committers)."""
    path = cfg.head_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _head_lock, open(path.with_suffix(".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_head(path)
        if current is not None and current.count >= count:
            return
        tmp = path.with_suffix(".tmp")
        body = Head(count=count, hash=last, sig=_head_sig(cfg.key, count, last)).model_dump_json()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


@event.listens_for(Session, "after_commit")
def _publish_head(session: Session) -> None:
    pending = session.info.pop("audit_head", None)
    if pending is not None:
        cfg, count, last = pending
        write_head(cfg, count, last)


@event.listens_for(Session, "after_rollback")
def _drop_head(session: Session) -> None:
    session.info.pop("audit_head", None)


def _canonical(seq: int, at: dt.datetime, actor: str, kind: str, debtor_id: str | None,
               payload: dict[str, Any], prev_hash: str) -> bytes:
    body = {"seq": seq, "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "actor": actor,
            "kind": kind, "debtor_id": debtor_id, "payload": payload, "prev": prev_hash}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


ERASED = "$erased"


def text_key(session: Session) -> bytes:
    """The audit key of the session's database (for :func:`text_digest`)."""
    return _config(session).key


def text_digest(key: bytes, text: str) -> str:
    """The keyed digest that stands for an (erased) text in the sealed payload."""
    return hmac.new(key, b"amiable/audit-text/v1:" + text.encode("utf-8"), hashlib.sha256).hexdigest()


def _sealed(key: bytes, value: Any) -> Any:
    if isinstance(value, str):
        return "h:" + text_digest(key, value)
    if isinstance(value, dict):
        if set(value) == {ERASED} and isinstance(value[ERASED], str):
            return "h:" + value[ERASED]
        return {k: _sealed(key, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sealed(key, v) for v in value]
    return value


def _digest(key: bytes, seq: int, at: dt.datetime, actor: str, kind: str, debtor_id: str | None,
            payload: dict[str, Any], prev_hash: str, *, sealed: bool = True) -> str:
    body = _sealed(key, payload) if sealed else payload
    return hmac.new(key, _canonical(seq, at, actor, kind, debtor_id, body, prev_hash), hashlib.sha256).hexdigest()


def _event_ok(key: bytes, ev: AuditEvent, *, sealed: bool) -> bool:
    digest = _digest(key, ev.seq, ev.at, ev.actor, ev.kind, ev.debtor_id, ev.payload, ev.prev_hash, sealed=sealed)
    return hmac.compare_digest(digest, ev.hash)


def erase_texts(session: Session, ev: AuditEvent, keep: Any) -> int | None:
    """Replace the texts of ``ev``'s payload by their digests, except where ``keep(key, text)`` is true.

    Returns how many texts were erased, or None for an event written before sealing (left as is:
    erasing it would break the chain). The event's hash is unchanged and still verifies."""
    cfg = _config(session)
    if not _event_ok(cfg.key, ev, sealed=True):
        return None
    erased = 0

    def walk(value: Any, name: str | None) -> Any:
        nonlocal erased
        if isinstance(value, str):
            if keep(name, value):
                return value
            erased += 1
            return {ERASED: text_digest(cfg.key, value)}
        if isinstance(value, dict):
            if set(value) == {ERASED}:
                return value
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, name) for v in value]
        return value

    new = walk(ev.payload, None)
    if erased:
        ev.payload = new
        session.flush()
    return erased


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
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # Take SQLite's write lock now so that reading the chain head and appending are atomic.
        session.execute(update(AuditEvent).where(AuditEvent.seq == -1).values(actor=AuditEvent.actor))
    elif dialect == "postgresql":
        # Concurrent appenders (threads, workers, hosts) queue here until the holder commits or rolls
        # back; READ COMMITTED then shows each the previous appender's row, so seq and prev never repeat.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_AUDIT_LOCK})
    else:
        raise ConfigError(f"the audit trail supports SQLite and PostgreSQL, not {dialect}")
    last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    cfg = _config(session)
    digest = _digest(cfg.key, seq, at, actor, kind, debtor_id, data, prev)
    ev = AuditEvent(seq=seq, at=at, actor=actor, kind=kind, debtor_id=debtor_id, payload=data,
                    prev_hash=prev, hash=digest)
    session.add(ev)
    session.flush()
    session.info["audit_head"] = (cfg, seq, digest)  # written to the head file after the commit
    return ev


class VerifyResult(BaseModel):
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head: str


def verify(session: Session) -> VerifyResult:
    """Chain (HMAC per event) and signed head (count + last hash outside the database)."""
    cfg = _config(session)
    head = read_head(cfg.head_path)
    if head is not None and not hmac.compare_digest(head.sig, _head_sig(cfg.key, head.count, head.hash)):
        return VerifyResult(ok=False, events=0, problem="audit head signature invalid", head=GENESIS)
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
        # sealed payload (erasable texts); events written before sealing: the plain payload
        if not _event_ok(cfg.key, ev, sealed=True) and not _event_ok(cfg.key, ev, sealed=False):
            return VerifyResult(ok=False, events=count, first_bad_seq=ev.seq, problem="content altered", head=prev)
        if head is not None and ev.seq == head.count and not hmac.compare_digest(ev.hash, head.hash):
            return VerifyResult(ok=False, events=count, first_bad_seq=ev.seq,
                                problem="event differs from the signed head", head=prev)
        prev = ev.hash
        expected_seq += 1
    if head is None and count > 0:
        return VerifyResult(ok=False, events=count, problem=f"no signed head ({cfg.head_path}) for {count} events",
                            head=prev)
    if head is not None and count < head.count:
        return VerifyResult(ok=False, events=count, first_bad_seq=count + 1,
                            problem=f"truncated: the signed head records {head.count} events, the database holds "
                                    f"{count}", head=prev)
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
