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
from sqlalchemy import select

from agent.auth import Principal, authenticate, holds_any, looks_like_api_key
from agent.db.service_models import Conversation, DraftRecord
from agent.errors import NotFoundError, UserError
from agent.runtime import Runtime
from api.ratelimit import RateLimiter

bearer_scheme = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer amk_...`")
header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key in `X-API-Key`")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="amiable"'}


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers=_CHALLENGE)


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def credentials_of(request: Request) -> tuple[HTTPAuthorizationCredentials | None, str | None]:
    """The two credential forms of a request, for routes that authenticate conditionally."""
    auth = request.headers.get("authorization") or ""
    bearer = (HTTPAuthorizationCredentials(scheme="Bearer", credentials=auth[7:].strip())
              if auth[:7].lower() == "bearer " and auth[7:].strip() else None)
    return bearer, request.headers.get("x-api-key")


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
    limiter: RateLimiter = request.app.state.limiter
    ip = client_ip(request)
    limiter.check("ip_auth_failures", ip)  # 429 while this address is locked out for bad credentials
    try:
        principal = _authenticate(rt, token.strip())
    except HTTPException:
        limiter.spend("ip_auth_failures", ip)
        raise
    limiter.hit("key", principal.key_id)
    request.state.principal = principal
    return principal


def _authenticate(rt: Runtime, token: str) -> Principal:
    if not looks_like_api_key(token):
        if token.startswith("v1."):
            raise _unauthorized("debtor widget links are not valid on agent routes; use an API key")
        raise _unauthorized("invalid API key")
    try:
        with rt.session() as s:
            return authenticate(s, token, rt.settings.secret.get_secret_value())
    except UserError as exc:
        raise _unauthorized(exc.message) from exc


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


# ---------------------------------------------------------------------------- creditor scope
# A scoped key (agent.auth.Principal.creditors) sees only its creditors' files. Each check below
# raises exactly the NotFoundError an unknown id gets, so a 404 never tells a scoped caller that a
# file exists elsewhere. Unscoped keys skip the extra query.
def check_debtor(rt: Runtime, who: Principal, debtor_id: str) -> None:
    if who.creditors is None:
        return
    from agent.db.repo import debtor_in_scope

    with rt.session() as s:
        if not debtor_in_scope(s, debtor_id, who.creditors):
            raise NotFoundError(f"unknown debtor: {debtor_id!r}")


def _owner_in_scope(rt: Runtime, who: Principal, table: type[Conversation] | type[DraftRecord], row_id: str
                    ) -> bool:
    from agent.db.repo import debtor_in_scope

    with rt.session() as s:
        debtor_id = s.execute(select(table.debtor_id).where(table.id == row_id)).scalar_one_or_none()
        return debtor_id is None or debtor_in_scope(s, debtor_id, who.creditors)  # unknown: the route's own 404


def check_conversation(rt: Runtime, who: Principal, conv_id: str) -> None:
    if who.creditors is not None and not _owner_in_scope(rt, who, Conversation, conv_id):
        raise NotFoundError(f"unknown conversation: {conv_id!r}")


def check_draft(rt: Runtime, who: Principal, draft_id: str) -> None:
    if who.creditors is not None and not _owner_in_scope(rt, who, DraftRecord, draft_id):
        raise NotFoundError(f"unknown draft: {draft_id!r}")


def scoped_debtor_ids(rt: Runtime, who: Principal) -> set[str] | None:
    """The debtor ids a scoped caller may see (None: unscoped, every debtor)."""
    if who.creditors is None:
        return None
    from agent.db.repo import list_debtor_ids

    with rt.session() as s:
        return set(list_debtor_ids(s, creditors=who.creditors))
