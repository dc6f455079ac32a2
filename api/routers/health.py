"""Liveness and readiness (no authentication) and Prometheus metrics (admin role, unless
``settings.metrics_public`` for a service bound to an internal network)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from agent.runtime import Runtime
from api.security import credentials_of as _credentials
from api.security import get_principal, require_role

log = logging.getLogger("amiable.api.health")
router = APIRouter(tags=["health"])


# Health checks never wait for the request thread pool (busy drafts cannot starve them): /healthz runs on
# the event loop, /readyz runs its probes on its own two threads, bounded by READY_TIMEOUT_S.
_ready_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="amiable-readyz")
READY_TIMEOUT_S = 5.0


@router.get("/healthz", summary="Liveness: the process answers (no auth)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: writable database, vector store, armed guard, policies (no auth)",
            responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request) -> JSONResponse:
    rt: Runtime = request.app.state.runtime  # no sync dependency: those would wait for the request pool
    loop = asyncio.get_running_loop()
    try:
        checks = await asyncio.wait_for(loop.run_in_executor(_ready_pool, _checks, rt), READY_TIMEOUT_S)
    except TimeoutError:
        checks = {"probes": {"ok": False, "error": f"readiness probes took more than {READY_TIMEOUT_S:g} s"}}
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


def _write_probe(s: Session) -> dict[str, Any]:
    """A write that changes nothing: a read-only database is not ready. A busy one (another writer holds
    the lock) is writable: the probe waits at most 200 ms for the lock, never the 30 s busy timeout."""
    sqlite = s.get_bind().dialect.name == "sqlite"
    try:
        if sqlite:
            s.execute(text("PRAGMA busy_timeout=200"))
        s.execute(text("UPDATE audit_events SET actor = actor WHERE seq = -1"))
    except OperationalError as exc:
        s.rollback()
        if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
            return {"writable": "busy"}
        raise
    finally:
        if sqlite:
            s.execute(text("PRAGMA busy_timeout=30000"))
    s.rollback()
    return {"writable": True}


def _checks(rt: Runtime) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        with rt.session() as s:
            s.execute(text("SELECT 1"))
            checks["database"] = {"ok": True, **_write_probe(s)}
    except Exception as exc:  # noqa: BLE001 - report any database fault as not ready
        log.warning("readyz: database: %s", exc)
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        counts = rt.index.counts()
        ok = int(counts.get("guidelines", 0)) > 0
        checks["vector_store"] = {"ok": ok, "counts": counts,
                                  **({} if ok else {"error": "no guidelines indexed: run `amiable init`"})}
    except Exception as exc:  # noqa: BLE001 - report any vector-store fault as not ready
        log.warning("readyz: vector store: %s", exc)
        checks["vector_store"] = {"ok": False, "error": type(exc).__name__}
    try:
        armed = bool(rt.guard.armed)
        checks["policy"] = {"ok": armed, "guard": getattr(getattr(rt.guard, "policy", None), "version", "loaded"),
                            "guard_armed": armed, "plans": str(getattr(rt.plan_policy, "version", "loaded")),
                            **({} if armed else {"error": "the guard policy can block nothing "
                                                          "(allow_no_blocking: true): nothing may be sent"})}
    except Exception as exc:  # noqa: BLE001 - report any policy fault as not ready
        checks["policy"] = {"ok": False, "error": type(exc).__name__}
    return checks


@router.get("/metrics", summary="Prometheus metrics (role: admin)", response_class=Response)
def metrics(request: Request) -> Response:
    if not request.app.state.metrics_public:
        principal = get_principal(request, *_credentials(request))
        require_role("admin")(principal)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
