"""Widget authentication: ONLY the signed widget token (``Authorization: Bearer <token>`` or
``X-Widget-Token``), never an agent API key. Every failure (malformed, tampered, expired, foreign key,
unknown or removed file) gets the same 401 body, so a token reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from agent.db import models as m
from agent.db.repo import get_debtor_row, to_file
from agent.domain import DebtorFile
from agent.errors import NotFoundError
from agent.plans.links import InvalidLinkError, verify_token_any
from agent.runtime import Runtime
from api.deps import RuntimeDep
from api.ratelimit import RateLimiter
from api.security import client_ip


@dataclass(frozen=True)
class WidgetAuth:
    debtor_id: str
    rt: Runtime


def token_from(authorization: str | None, x_widget_token: str | None) -> str | None:
    token = x_widget_token
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    return token or None


def verify(rt: Runtime, token: str) -> str:
    """The debtor id the token was signed for (InvalidLinkError otherwise)."""
    st = rt.settings
    return verify_token_any(token, secrets_=[st.secret.get_secret_value(),
                                             *(g.get_secret_value() for g in st.secret_key_grace)],
                            now=rt.clock.timestamp())


def widget_auth(
    request: Request,
    rt: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_widget_token: Annotated[str | None, Header()] = None,
) -> WidgetAuth:
    token = token_from(authorization, x_widget_token)
    if not token:
        raise InvalidLinkError("missing")
    limiter: RateLimiter = request.app.state.limiter
    ip = client_ip(request)
    limiter.check("ip_auth_failures", ip)  # 429 while this address is locked out for bad links
    try:
        debtor_id = verify(rt, token)
    except InvalidLinkError:
        limiter.spend("ip_auth_failures", ip)
        raise
    limiter.hit("link", token)
    if request.method == "POST":
        limiter.hit("link_writes", token)  # contact requests, disputes, proposals: each may create agent work
    return WidgetAuth(debtor_id=debtor_id, rt=rt)


AuthDep = Annotated[WidgetAuth, Depends(widget_auth)]


def load(rt: Runtime, debtor_id: str, session: Any) -> tuple[m.Debtor, DebtorFile]:
    """The row and the file of the token's debtor; a removed file is the same 401 as a bad link."""
    try:
        row = get_debtor_row(session, debtor_id)
    except NotFoundError as exc:  # a valid signature for a file that no longer exists: same answer
        raise InvalidLinkError("unknown debtor") from exc
    return row, to_file(row, rt.clock.today())
