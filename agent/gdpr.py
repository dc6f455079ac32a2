"""Personal data of debtors: retention policy, access export, erasure and the retention purge.

* :func:`load_retention_policy` reads ``knowledge/policy/retention.yaml`` (strict model, loaded at
  start-up: a broken file stops the service).
* :func:`export_person` gathers everything stored about one debtor (GDPR art. 15 / 20) as JSON.
* :func:`erase_person` applies each kind's ``on_erase`` (art. 17): identity pseudonymised, texts
  emptied, audit texts replaced by their keyed digest (the chain still verifies, see
  :func:`agent.audit.erase_texts`), accounting kept (legal obligation). The file is closed.
* :func:`purge` applies each kind's ``on_expiry`` to what is older than the policy allows.

Every run is audited (``gdpr.exported`` / ``gdpr.erased`` / ``gdpr.purged``); erasure events carry
the digests of the erased identity fields, never the values.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent import audit
from agent.db import models as m
from agent.db.repo import debtor_in_scope, get_debtor_row, load_file
from agent.db.service_models import Conversation, ConversationMessage, DraftRecord
from agent.outbox.models import DeliveryEvent, OutboxMessage
from agent.retention import ALLOWED, Action, KindPolicy, RetentionPolicy
from agent.retention import load_retention_policy as load_retention_policy  # re-exported

if TYPE_CHECKING:
    from agent.runtime import Runtime

ERASED_NAME = "[erased]"
IDENTITY_FIELDS = ("civility", "first_name", "last_name", "company_name", "email", "phone", "address", "notes",
                   "hold_reason")
# Audit payload keys whose strings are structure, not personal text (kept by erase and purge).
AUDIT_KEEP_KEYS = frozenset({
    "draft_id", "task_id", "plan_id", "dispute_id", "contact_id", "conversation_id", "key_id", "message_id",
    "channel", "status", "kind", "verdict", "policy_version", "action", "source", "method", "frequency",
    "reference", "creditor_id", "debtor_id", "sha256", "code", "rule", "family", "severity", "lang",
    "intent", "via", "option_id", "idempotency_key", "outcome", "direction", "first_letter_ref",
    "bank_ref", "matched_by",  # camt.053 bank references: what prevents booking a statement twice
})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+-]+Z?)?$")


# ---------------------------------------------------------------------------- export
def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.key in skip:
            continue
        value = getattr(obj, col.key)
        out[col.key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


def export_person(session: Session, debtor_id: str, *, actor: str) -> dict[str, Any]:
    """Everything stored about the debtor, as JSON-ready data (and the export is audited)."""
    row = get_debtor_row(session, debtor_id)
    convs = list(session.execute(select(Conversation).where(Conversation.debtor_id == row.id)
                                 .order_by(Conversation.created_at)).scalars())
    messages = list(session.execute(
        select(ConversationMessage).where(ConversationMessage.conversation_id.in_([c.id for c in convs]))
        .order_by(ConversationMessage.id)).scalars()) if convs else []
    drafts = list(session.execute(select(DraftRecord).where(DraftRecord.debtor_id == row.id)
                                  .order_by(DraftRecord.created_at)).scalars())
    outbox = list(session.execute(select(OutboxMessage).where(OutboxMessage.debtor_id == row.id)
                                  .order_by(OutboxMessage.created_at)).scalars())
    deliveries = list(session.execute(select(DeliveryEvent).where(DeliveryEvent.debtor_id == row.id)
                                      .order_by(DeliveryEvent.id)).scalars())
    tasks = list(session.execute(select(m.Task).where(m.Task.debtor_id == row.id).order_by(m.Task.id)).scalars())
    events = [audit.event_json(e) for e in audit.iter_events(session, debtor_id=row.id)]
    data: dict[str, Any] = {
        "format": "amiable.gdpr-export/v1",
        "debtor": _row(row),
        "creditor": _row(row.creditor),
        "invoices": [_row(i) for i in row.invoices],
        "payments": [_row(p) for p in row.payments],
        "promises": [_row(p) for p in row.promises],
        "plans": [{**_row(p), "instalments": [_row(i) for i in p.instalments]} for p in row.plans],
        "contacts": [_row(c) for c in row.contacts],
        "disputes": [_row(d) for d in row.disputes],
        "tasks": [_row(t) for t in tasks],
        "conversations": [{**_row(c), "messages": [_row(x) for x in messages if x.conversation_id == c.id]}
                          for c in convs],
        "drafts": [_row(d) for d in drafts],
        "outbox": [_row(o) for o in outbox],
        "deliveries": [_row(d) for d in deliveries],
        "audit_events": events,
    }
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    audit.append(session, "gdpr.exported", actor=actor, debtor_id=row.id, payload={"counts": counts})
    return data


# ---------------------------------------------------------------------------- erase / purge steps
def _keep_audit_text(key: str | None, text: str) -> bool:
    return (key is not None and key in AUDIT_KEEP_KEYS) or bool(_ISO_DATE.match(text)) or text == ""


def _erase_audit(session: Session, events: list[m.AuditEvent], *, dry_run: bool) -> tuple[int, int, int]:
    """(events changed, texts replaced by digests, legacy events left) for ``events``."""
    changed = texts = legacy = 0
    for ev in events:
        if ev.kind.startswith("gdpr."):
            continue
        if dry_run:
            n = _count_texts(ev.payload, None)
        else:
            got = audit.erase_texts(session, ev, _keep_audit_text)
            if got is None:
                legacy += 1
                continue
            n = got
        if n:
            changed += 1
            texts += n
    return changed, texts, legacy


def _count_texts(value: Any, key: str | None) -> int:
    if isinstance(value, str):
        return 0 if _keep_audit_text(key, value) else 1
    if isinstance(value, dict):
        if set(value) == {audit.ERASED}:
            return 0
        return sum(_count_texts(v, k) for k, v in value.items())
    if isinstance(value, list):
        return sum(_count_texts(v, key) for v in value)
    return 0


class _Texts:
    """The correspondence texts of a set of records: counted, and emptied unless dry-run."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.counts: dict[str, int] = {}
        self.files: list[str] = []
        self.reindex: set[str] = set()  # debtors whose indexed history (contacts, disputes) changed

    def clear(self, what: str, obj: Any, **empty: Any) -> None:
        if all(getattr(obj, k) in (v, None) for k, v in empty.items()):
            return  # already erased
        self.counts[what] = self.counts.get(what, 0) + 1
        if isinstance(obj, m.Contact | m.Dispute):
            self.reindex.add(obj.debtor_id)
        if not self.dry_run:
            for k, v in empty.items():
                setattr(obj, k, v)

    def outbox(self, o: OutboxMessage) -> None:
        if o.pdf_path and not self.dry_run:
            self.files.append(o.pdf_path)
        self.clear("outbox_messages", o, text="", html="", subject="", to_address="", pdf_path="", last_error="")


def _erase_correspondence(session: Session, t: _Texts, debtor_ids: list[str] | None,
                          cutoff: dt.datetime | None) -> None:
    """Empty texts of the given debtors (all their records) or of every record older than ``cutoff``."""
    day = cutoff.date() if cutoff is not None else None
    convs = select(Conversation.id)
    if debtor_ids is not None:
        convs = convs.where(Conversation.debtor_id.in_(debtor_ids))
    q: Any = select(ConversationMessage).where(ConversationMessage.conversation_id.in_(convs))
    if cutoff is not None:
        q = q.where(ConversationMessage.created_at < cutoff)
    for msg in session.execute(q).scalars():
        t.clear("conversation_messages", msg, text="")
    q = select(DraftRecord)
    if debtor_ids is not None:
        q = q.where(DraftRecord.debtor_id.in_(debtor_ids))
    if cutoff is not None:
        q = q.where(DraftRecord.created_at < cutoff)
    for d in session.execute(q).scalars():
        t.clear("drafts", d, text="", draft={}, request={}, guard={})
    q = select(OutboxMessage)
    if debtor_ids is not None:
        q = q.where(OutboxMessage.debtor_id.in_(debtor_ids))
    if cutoff is not None:
        q = q.where(OutboxMessage.created_at < cutoff, OutboxMessage.status != "queued")
    for o in session.execute(q).scalars():
        t.outbox(o)
    q = select(DeliveryEvent)
    if debtor_ids is not None:
        q = q.where(DeliveryEvent.debtor_id.in_(debtor_ids))
    if cutoff is not None:
        q = q.where(DeliveryEvent.at < cutoff)
    for ev in session.execute(q).scalars():
        t.clear("delivery_details", ev, detail="")
    q = select(m.Contact)
    if debtor_ids is not None:
        q = q.where(m.Contact.debtor_id.in_(debtor_ids))
    if cutoff is not None:
        q = q.where(m.Contact.at < cutoff)
    for c in session.execute(q).scalars():
        t.clear("contact_summaries", c, summary="")
    q = select(m.Dispute)
    if debtor_ids is not None:
        q = q.where(m.Dispute.debtor_id.in_(debtor_ids))
    if day is not None:
        q = q.where(m.Dispute.opened_on < day, m.Dispute.status != "open")
    for d in session.execute(q).scalars():
        t.clear("dispute_reasons", d, reason="")
    q = select(m.Task)
    if debtor_ids is not None:
        q = q.where(m.Task.debtor_id.in_(debtor_ids))
    if cutoff is not None:
        q = q.where(m.Task.created_at < cutoff, m.Task.status != "open")
    for task in session.execute(q).scalars():
        if task.payload != {"erased": True}:
            t.counts["task_details"] = t.counts.get("task_details", 0) + 1
            if not t.dry_run:
                task.payload = {"erased": True}


def _pseudonymise(row: m.Debtor, key: bytes, *, dry_run: bool) -> dict[str, str]:
    """Digests of the identity fields that held something; the fields emptied unless dry-run."""
    digests = {f: audit.text_digest(key, getattr(row, f)) for f in IDENTITY_FIELDS
               if getattr(row, f) and getattr(row, f) != ERASED_NAME}
    if not dry_run:
        for f in IDENTITY_FIELDS:
            setattr(row, f, "")
        row.last_name = ERASED_NAME
        row.status = "closed"
        row.version += 1
    return digests


def is_pseudonymised(row: m.Debtor) -> bool:
    return row.last_name == ERASED_NAME and not any(getattr(row, f) for f in IDENTITY_FIELDS if f != "last_name")


class EraseReport(BaseModel):
    debtor_id: str
    dry_run: bool
    identity_fields: list[str]
    texts: dict[str, int]
    audit_events_changed: int
    audit_texts_hashed: int
    audit_events_legacy: int = Field(description="events written before sealing: texts left, chain intact")
    kept: list[str]
    files: list[str] = Field(default_factory=list, description="letter PDFs to delete once committed")
    reindex: list[str] = Field(default_factory=list, description="debtors whose history index to rebuild")


def erase_person(session: Session, debtor_id: str, policy: RetentionPolicy, *, actor: str,
                 dry_run: bool = False) -> EraseReport:
    """Erase or pseudonymise one debtor's personal data by the policy's ``on_erase`` (see module doc)."""
    row = get_debtor_row(session, debtor_id)
    kinds = policy.kinds
    key = audit.text_key(session)
    kept = [name for name in ALLOWED if getattr(kinds, name).on_erase == "keep"]
    texts = _Texts(dry_run)
    if kinds.correspondence.on_erase == "erase":
        _erase_correspondence(session, texts, [row.id], None)
    changed = hashed = legacy = 0
    if kinds.audit_texts.on_erase == "hash":
        events = list(audit.iter_events(session, debtor_id=row.id))
        changed, hashed, legacy = _erase_audit(session, events, dry_run=dry_run)
    digests = _pseudonymise(row, key, dry_run=dry_run) if kinds.identity.on_erase == "pseudonymise" else {}
    rep = EraseReport(debtor_id=row.id, dry_run=dry_run, identity_fields=sorted(digests), texts=texts.counts,
                      audit_events_changed=changed, audit_texts_hashed=hashed, audit_events_legacy=legacy,
                      kept=kept, files=texts.files, reindex=sorted(texts.reindex | {row.id}))
    if not dry_run:
        session.flush()
        audit.append(session, "gdpr.erased", actor=actor, debtor_id=row.id,
                     payload={"identity_digests": digests, "texts": texts.counts, "audit_events_changed": changed,
                              "audit_texts_hashed": hashed, "audit_events_legacy": legacy, "kept": kept})
    return rep


class PurgeKind(BaseModel):
    kind: str
    action: Action
    cutoff: dt.date
    counts: dict[str, int]


class PurgeReport(BaseModel):
    dry_run: bool
    today: dt.date
    kinds: list[PurgeKind]
    files: list[str] = Field(default_factory=list)
    reindex: list[str] = Field(default_factory=list)


def _last_activity(session: Session) -> dict[str, dt.datetime]:
    """Each debtor's latest audit event or contact (the start of the identity retention)."""
    out: dict[str, dt.datetime] = {}
    for did, at in session.execute(select(m.AuditEvent.debtor_id, func.max(m.AuditEvent.at))
                                   .where(m.AuditEvent.debtor_id.is_not(None)).group_by(m.AuditEvent.debtor_id)):
        if did is not None:
            out[did] = at
    for did, at in session.execute(select(m.Contact.debtor_id, func.max(m.Contact.at)).group_by(m.Contact.debtor_id)):
        if at is not None and (did not in out or at > out[did]):
            out[did] = at
    return {k: (v if v.tzinfo else v.replace(tzinfo=dt.UTC)) for k, v in out.items()}


def purge(session: Session, policy: RetentionPolicy, *, now: dt.datetime, actor: str,
          dry_run: bool = False) -> PurgeReport:
    """Apply each kind's ``on_expiry`` to the data older than its retention (``now`` from the clock)."""
    kinds = policy.kinds
    out: list[PurgeKind] = []
    key = audit.text_key(session)

    def cutoff(k: KindPolicy) -> dt.datetime:
        return now - dt.timedelta(days=k.days)

    # correspondence: records dated before the cutoff
    k = kinds.correspondence
    texts = _Texts(dry_run)
    if k.on_expiry == "erase":
        _erase_correspondence(session, texts, None, cutoff(k))
    out.append(PurgeKind(kind="correspondence", action=k.on_expiry, cutoff=cutoff(k).date(), counts=texts.counts))
    # audit texts: events about a debtor older than the cutoff
    k = kinds.audit_texts
    counts: dict[str, int] = {}
    if k.on_expiry == "hash":
        events = list(session.execute(select(m.AuditEvent).where(m.AuditEvent.debtor_id.is_not(None),
                                                                 m.AuditEvent.at < cutoff(k))
                                      .order_by(m.AuditEvent.seq)).scalars())
        changed, hashed, legacy = _erase_audit(session, events, dry_run=dry_run)
        counts = {"events": changed, "texts": hashed, "legacy_events_left": legacy}
    out.append(PurgeKind(kind="audit_texts", action=k.on_expiry, cutoff=cutoff(k).date(), counts=counts))
    # identity: closed files (if the policy says so) without activity since the cutoff
    k = kinds.identity
    files = 0
    if k.on_expiry == "pseudonymise":
        last = _last_activity(session)
        q = select(m.Debtor)
        if k.only_closed_files:
            q = q.where(m.Debtor.status == "closed")
        for row in session.execute(q.order_by(m.Debtor.id)).scalars():
            at = last.get(row.id)
            if at is None or at >= cutoff(k) or is_pseudonymised(row):
                continue
            digests = _pseudonymise(row, key, dry_run=dry_run)
            files += 1
            if not dry_run:
                audit.append(session, "gdpr.pseudonymised", actor=actor, debtor_id=row.id,
                             payload={"identity_digests": digests, "reason": "retention",
                                      "last_activity": at.isoformat()})
    out.append(PurgeKind(kind="identity", action=k.on_expiry, cutoff=cutoff(k).date(), counts={"files": files}))
    k = kinds.accounting  # always "keep": reported for the record
    out.append(PurgeKind(kind="accounting", action=k.on_expiry, cutoff=cutoff(k).date(), counts={}))
    rep = PurgeReport(dry_run=dry_run, today=now.date(), kinds=out, files=texts.files, reindex=sorted(texts.reindex))
    if not dry_run:
        session.flush()
        audit.append(session, "gdpr.purged", actor=actor,
                     payload={"kinds": [x.model_dump(mode="json") for x in out]})
    return rep


def after_commit(rt: Runtime, rep: EraseReport | PurgeReport) -> int:
    """Once an erase or purge committed: drop the erased texts from the history index (Chroma keeps
    contact summaries and dispute reasons) and delete the letter files. Returns the files deleted."""
    if rep.dry_run:
        return 0
    if rep.reindex:
        with rt.session() as s:
            files = [load_file(s, i, rt.clock.today()) for i in rep.reindex if debtor_in_scope(s, i, None)]
        rt.index.ingest_history(files)
    if isinstance(rep, EraseReport):
        compact_sqlite(rt.settings.effective_database_url)
    return delete_files(rep.files, rt.settings.data_dir)


def compact_sqlite(url: str) -> bool:
    """SQLite keeps old page images in free pages and the WAL: rebuild the file so an erased text is
    gone from the disk too (VACUUM, then truncate the WAL). Other databases: nothing to do here."""
    from agent.db.session import get_engine

    engine = get_engine(url)
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return True


def delete_files(paths: list[str], data_dir: Path) -> int:
    """Delete letter PDFs listed by an erase/purge once it committed (only inside the data dir)."""
    done = 0
    root = data_dir.resolve()
    for p in paths:
        path = Path(p).resolve()
        if root in path.parents and path.is_file():
            path.unlink()
            done += 1
    return done
