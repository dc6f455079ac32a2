"""``create_app()``: the FastAPI factory. Routers are one module per resource under ``api/routers``.

Roles are declared per route inside the routers this component owns (debtors, conversations,
facade, admin); for routers owned by other components the role is declared here, at inclusion
(``ROUTER_ROLES``). The widget router takes no API key: it verifies debtor widget tokens only.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent import __version__
from agent.conversations import GuardBlockedError
from agent.runtime import Runtime
from agent.settings import Settings, get_settings
from api import problems
from api.edge import Edge
from api.ratelimit import RateLimiter, limiter_rates
from api.security import require_role

ROUTERS = ("health", "guard", "plans", "widget", "debtors", "conversations", "facade", "admin", "evals", "ui")
# Roles for routers declared at inclusion (None: the router handles its own auth or needs none).
ROUTER_ROLES: dict[str, tuple[str, ...] | None] = {
    "health": None, "ui": None, "widget": None,  # ui: labels only; widget: debtor tokens only, never API keys
    "guard": ("agent", "qa"), "plans": ("agent",), "evals": ("qa",),
    "debtors": None, "conversations": None, "facade": None, "admin": None,  # declared per route
}
STATIC = Path(__file__).resolve().parent / "static"
_PROBLEM_SCHEMA = {"type": "object", "required": ["type", "title", "status", "detail"],
                   "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                  "status": {"type": "integer"}, "detail": {"type": "string"}},
                   "additionalProperties": True}
# Every route may answer these, always as RFC 9457 problem+json (documented so clients and fuzzers know).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": title, "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}}}
    for code, title in ((400, "Bad request"), (401, "Unauthorized"), (403, "Forbidden"), (404, "Not found"),
                        (409, "Conflict"), (413, "Payload too large"), (422, "Invalid input"),
                        (429, "Too many requests"), (500, "Internal error"), (503, "Not ready"))}


class Metrics:
    """Prometheus metrics on a registry of this app (several apps may live in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("amiable_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("amiable_http_request_seconds", "HTTP request latency", ["method", "route"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10))
        self.in_flight = Gauge("amiable_http_in_flight", "requests in flight", registry=self.registry)


class MetricsMiddleware:
    """Pure ASGI (streaming- and disconnect-safe): counts and times every HTTP request by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, _send)
        finally:
            self.metrics.in_flight.dec()
            route = scope.get("route")
            path = getattr(route, "path", None) or ("static" if str(scope.get("path", "")).startswith(
                ("/console", "/widget")) else "unmatched")
            self.metrics.requests.labels(scope["method"], path, str(status)).inc()
            self.metrics.latency.labels(scope["method"], path).observe(time.perf_counter() - start)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Policies are validated here, before the app exists: a broken policy stops start-up.
    rt = runtime or Runtime.start(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    docs = settings.docs_enabled if settings.docs_enabled is not None else settings.environment == "development"
    app = FastAPI(
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,  # Swagger UI needs its CDN
        title="Amiable",
        version=__version__,
        description="Guarded, grounded drafting for amicable debt recovery. Agent routes take an API key "
                    "(`Authorization: Bearer amk_...` or `X-API-Key`); each route states its role. The "
                    "OpenAI-compatible facade is at `/v1/chat/completions` (model `amiable`; debtor id in "
                    "`metadata.debtor_id`, the `X-Amiable-Debtor` header, or a system line `debtor_id: D001`).",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.metrics = Metrics()
    app.state.metrics_public = settings.metrics_public
    app.state.limiter = RateLimiter(rt, rates=limiter_rates(settings))
    app.state.max_eval_runs_per_key = settings.max_eval_runs_per_key
    problems.install(app)

    @app.exception_handler(GuardBlockedError)
    async def _blocked(_: Request, exc: GuardBlockedError) -> JSONResponse:
        return problems.problem(422, exc.title, exc.message, verdict=exc.report.verdict,
                                findings=[f.model_dump(mode="json") for f in exc.report.findings],
                                policy_version=exc.report.policy_version)

    for name in ROUTERS:
        module = importlib.import_module(f"api.routers.{name}")
        roles = ROUTER_ROLES.get(name)
        deps: list[Any] = [Depends(require_role(*roles))] if roles else []
        app.include_router(module.router, dependencies=deps, responses=PROBLEM_RESPONSES)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app, rt)

    console = STATIC / "console"
    if console.is_dir():
        app.mount("/console", StaticFiles(directory=console, html=True), name="console")

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.add_middleware(Edge, max_body=settings.max_body_bytes, frame_ancestors=list(settings.frame_ancestors))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app
