"""FastAPI dependencies as ``Annotated`` aliases; tests override them with ``app.dependency_overrides``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from agent.runtime import Runtime
from agent.settings import Settings


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings_dep(rt: RuntimeDep) -> Settings:
    return rt.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(rt: RuntimeDep) -> Iterator[Session]:
    with rt.session() as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]


# Role dependencies (see api.security): every agent-side route declares one of these.
from api.security import (  # noqa: E402
    AdminDep,
    AgentDep,
    AuditorDep,
    PrincipalDep,
    QaDep,
    ReaderDep,
    require_role,
)

__all__ = ["AdminDep", "AgentDep", "AuditorDep", "PrincipalDep", "QaDep", "ReaderDep", "RuntimeDep", "SessionDep",
           "SettingsDep", "get_runtime", "get_session", "get_settings_dep", "require_role"]
