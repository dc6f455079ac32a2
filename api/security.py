"""Role dependencies for agent routes: ``require_role("agent")`` reads an API key from
``Authorization: Bearer amk_...`` or ``X-API-Key``.

Debtor widget tokens (``v1.<payload>.<sig>``) are never accepted here (401), whatever their
validity; the widget routes in turn accept only widget tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agent.auth import Principal, authenticate, holds_any, looks_like_api_key
from agent.errors import UserError
from agent.runtime import Runtime

bearer_scheme = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer amk_...`")
header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key in `X-API-Key`")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="amiable"'}


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers=_CHALLENGE)


def get_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header_key: Annotated[str | None, Depends(header_scheme)],
) -> Principal:
    rt: Runtime = request.app.state.runtime
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = header_key or (bearer.credentials if bearer is not None else None)
    if not token:
        raise _unauthorized("missing API key: send `Authorization: Bearer amk_...` or `X-API-Key`")
    token = token.strip()
    if not looks_like_api_key(token):
        if token.startswith("v1."):
            raise _unauthorized("debtor widget links are not valid on agent routes; use an API key")
        raise _unauthorized("invalid API key")
    try:
        with rt.session() as s:
            principal = authenticate(s, token, rt.settings.secret.get_secret_value())
    except UserError as exc:
        raise _unauthorized(exc.message) from exc
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency admitting callers who hold any of ``roles`` (admin holds them all)."""
    if not roles:
        raise ValueError("require_role needs at least one role")

    def _check(principal: PrincipalDep) -> Principal:
        if not holds_any(principal.role, roles):
            raise HTTPException(status_code=403,
                                detail=f"this route needs role {' or '.join(roles)}; your key has role "
                                       f"{principal.role}")
        return principal

    _check.required_roles = roles  # type: ignore[attr-defined]
    _check.__name__ = f"require_{'_or_'.join(roles)}"
    return _check


AgentDep = Annotated[Principal, Depends(require_role("agent"))]
ReaderDep = Annotated[Principal, Depends(require_role("agent", "qa"))]
QaDep = Annotated[Principal, Depends(require_role("qa"))]
AuditorDep = Annotated[Principal, Depends(require_role("qa", "admin"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]
