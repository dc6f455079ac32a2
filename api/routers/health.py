"""Liveness, readiness and Prometheus metrics (no authentication: bind them to an internal network)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import RuntimeDep

log = logging.getLogger("amiable.api.health")
router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers (no auth)")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database, vector store and policies loaded (no auth)",
            responses={503: {"description": "a dependency is not ready"}})
def readyz(rt: RuntimeDep) -> JSONResponse:
    checks: dict[str, dict[str, Any]] = {}
    try:
        with rt.session() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
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
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics (no auth)", response_class=Response)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
