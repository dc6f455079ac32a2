"""Administration: API keys (role: admin), audit verify / export (qa or admin), replay (qa)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from agent import audit
from agent import auth as keys
from agent import conversations as svc
from agent.auth import Role
from agent.db.models import AuditEvent
from agent.errors import NotFoundError
from agent.sync import SyncReport
from api.deps import AdminDep, AuditorDep, QaDep, RuntimeDep
from api.security import scoped_debtor_ids

router = APIRouter(tags=["admin"])


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Role
    creditors: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=200, description="limit the key to these creditors' files (default: every "
                                                  "creditor); not for admin keys")


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    prefix: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None
    creditors: list[str] | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="the API key: shown once, never stored")


def _key_out(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "role": row.role, "prefix": row.prefix, "created_at": row.created_at,
            "created_by": row.created_by, "revoked_at": row.revoked_at, "creditors": row.creditors}


@router.post("/v1/admin/keys", status_code=201, response_model=KeyCreated,
             summary="Create an API key; the key is returned once (role: admin)")
def create_key(body: KeyIn, rt: RuntimeDep, who: AdminDep) -> KeyCreated:
    with rt.session() as s:
        row, key = keys.create_key(s, name=body.name, role=body.role,
                                   secret_key=rt.settings.secret.get_secret_value(), actor=who.actor,
                                   creditors=body.creditors)
        return KeyCreated(**_key_out(row), key=key)


@router.get("/v1/admin/keys", response_model=list[KeyOut], summary="List API keys (no secrets) (role: admin)")
def list_keys(rt: RuntimeDep, _: AdminDep) -> list[KeyOut]:
    with rt.session() as s:
        return [KeyOut(**_key_out(r)) for r in keys.list_keys(s)]


@router.delete("/v1/admin/keys/{key_id}", response_model=KeyOut, summary="Revoke an API key (role: admin)")
def revoke_key(key_id: Annotated[str, Path(max_length=32)], rt: RuntimeDep, who: AdminDep) -> KeyOut:
    with rt.session() as s:
        return KeyOut(**_key_out(keys.revoke_key(s, key_id, actor=who.actor)))


@router.get("/v1/audit/verify", response_model=audit.VerifyResult,
            summary="Verify the hash chain of the audit trail (role: qa or admin)")
def verify(rt: RuntimeDep, _: AuditorDep) -> audit.VerifyResult:
    with rt.session() as s:
        return audit.verify(s)


class AuditEventOut(BaseModel):
    """One audit event as stored (payload texts erased on request appear as ``{"$erased": digest}``)."""

    seq: int
    at: str
    actor: str
    kind: str
    debtor_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@router.get("/v1/audit/events", response_model=list[AuditEventOut],
            summary="Audit events, filtered (role: qa or admin)")
def events(rt: RuntimeDep, who: AuditorDep,
           kind: Annotated[str | None, Query(max_length=60)] = None,
           debtor_id: Annotated[str | None, Query(max_length=64)] = None,
           limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    visible = scoped_debtor_ids(rt, who)  # a scoped key sees only its creditors' files' events
    with rt.session() as s:
        out = [audit.event_json(e) for e in audit.iter_events(s, kind=kind, debtor_id=debtor_id)
               if visible is None or e.debtor_id in visible]
    return out[-limit:]


@router.get("/v1/audit/export", summary="Export the audit trail as JSONL (role: qa or admin)",
            response_class=StreamingResponse)
def export(rt: RuntimeDep, who: AuditorDep) -> StreamingResponse:
    visible = scoped_debtor_ids(rt, who)  # a scoped key exports only its creditors' files' events
    with rt.session() as s:
        lines = [json.dumps(audit.event_json(e), ensure_ascii=False, default=str) + "\n" for e in audit.iter_events(s)
                 if visible is None or e.debtor_id in visible]

    def gen() -> Iterator[str]:
        yield from lines

    return StreamingResponse(gen(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'})


@router.post("/v1/audit/replay/{seq}", response_model=svc.ReplayResult,
             summary="Replay a draft from its audit event and compare (role: qa)")
def replay(seq: Annotated[int, Path(ge=1)], rt: RuntimeDep, who: QaDep) -> dict[str, Any]:
    visible = scoped_debtor_ids(rt, who)
    if visible is not None:
        with rt.session() as s:
            ev = s.get(AuditEvent, seq)
            if ev is None or ev.debtor_id not in visible:
                raise NotFoundError(f"no audit event with seq {seq}")
    return dataclasses.asdict(svc.replay(rt, seq))


class SyncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["jsonl", "csv", "xlsx"] = "jsonl"
    content: str = Field(min_length=1, max_length=70_000_000,
                         description="the export file's text (UTF-8); for xlsx the workbook in base64")
    source: str = Field(default="api-upload", min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$",
                        description="file name shown in errors and the audit trail")
    dry_run: bool = False
    close_absent: bool = True


@router.post("/v1/admin/portfolio/sync", response_model=SyncReport,
             summary="Sync a creditor export (JSONL, CSV or base64 XLSX with the default mapping); dry_run reports only (role: admin)")
def sync_portfolio(body: SyncIn, rt: RuntimeDep, _: AdminDep) -> SyncReport:
    from agent.sync import sync_text

    mapping = rt.settings.portfolio_file.parent / "csv_mapping.yaml"
    with rt.session() as s:
        return sync_text(s, body.content, fmt=body.format, source=body.source, mapping_file=mapping,
                         close_absent=body.close_absent, dry_run=body.dry_run)
