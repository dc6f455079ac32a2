"""``create_app()``: the FastAPI factory. Routers are one module per resource under ``api/routers``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agent import __version__
from agent.runtime import Runtime
from agent.settings import Settings, get_settings
from api import problems

ROUTERS = ("health", "guard", "plans", "widget", "debtors", "conversations", "facade", "admin", "evals")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Policies are validated here, before the app exists: a broken policy stops start-up.
    rt = runtime or Runtime.start(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(
        title="Amiable",
        version=__version__,
        description="Guarded, grounded drafting for amicable debt recovery.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    problems.install(app)
    for name in ROUTERS:
        module = importlib.import_module(f"api.routers.{name}")
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app, rt)
    return app
