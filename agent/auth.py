"""API keys and roles for the agent service.

Key format: ``amk_<prefix>_<secret>``: the prefix (8 hex characters) is public and finds the row;
the database keeps only HMAC-SHA256 of the whole key under a pepper derived from
``settings.secret_key`` (a fast keyed hash is right for 190-bit random secrets; scrypt is for
human passwords). Verification compares digests in constant time. The plaintext key is shown
once, at creation, and never stored or logged.

Roles (explicit, not ordered strings): ``admin`` holds every role; ``qa`` and ``agent`` are peers
that do not include each other.

Scope: an ``agent`` or ``qa`` key can be limited to a list of creditors (``creditors``; ``None`` =
every creditor). Every query of a scoped caller filters by it, and a debtor file of another
creditor answers exactly like an unknown one (see ``api.security`` and ``agent.db.repo``). An
admin key cannot be scoped: it can create keys, so a scope on it would be decorative.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import audit, clock
from agent.db.models import Creditor
from agent.db.service_models import ApiKey
from agent.errors import InputValidationError, NotFoundError, UserError

Role = Literal["agent", "qa", "admin"]
ROLES: tuple[Role, ...] = ("agent", "qa", "admin")
# Which roles each role holds. admin > qa, admin > agent; qa and agent are separate.
GRANTS: dict[str, frozenset[str]] = {
    "agent": frozenset({"agent"}),
    "qa": frozenset({"qa"}),
    "admin": frozenset({"admin", "qa", "agent"}),
}
KEY_PREFIX = "amk"
_KEY_RE = re.compile(r"^amk_([0-9a-f]{8})_([A-Za-z0-9_-]{20,80})$")


class AuthError(UserError):
    http_status = 401
    title = "Unauthorized"


class ForbiddenError(UserError):
    http_status = 403
    title = "Forbidden"


Scope = frozenset[str] | None  # creditor ids a caller may see; None = all


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: str
    creditors: Scope = None

    def sees(self, creditor_id: str) -> bool:
        return self.creditors is None or creditor_id in self.creditors

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"{self.role}:{self.name}"

    def has(self, role: str) -> bool:
        return role in GRANTS.get(self.role, frozenset())


def holds_any(role: str, required: tuple[str, ...]) -> bool:
    granted = GRANTS.get(role, frozenset())
    return any(r in granted for r in required)


def _pepper(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), b"amiable/api-key/v1", hashlib.sha256).digest()


def hash_key(key: str, secret_key: str) -> str:
    return hmac.new(_pepper(secret_key), key.encode("utf-8"), hashlib.sha256).hexdigest()


def generate_key() -> tuple[str, str]:
    """A new key and its public prefix."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def looks_like_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX + "_")


def check_scope(session: Session, role: str, creditors: list[str] | None) -> list[str] | None:
    """The sorted, de-duplicated creditor list of a new key; every id must exist; admins are never scoped."""
    if creditors is None:
        return None
    wanted = sorted({c.strip() for c in creditors})
    if not wanted or "" in wanted:
        raise InputValidationError("creditor scope: give at least one non-empty creditor id (or none for all)")
    if role == "admin":
        raise InputValidationError("an admin key cannot be limited to creditors (it can create keys)")
    known = set(session.execute(select(Creditor.id).where(Creditor.id.in_(wanted))).scalars())
    missing = [c for c in wanted if c not in known]
    if missing:
        raise InputValidationError(f"unknown creditor(s): {', '.join(missing)}")
    return wanted


def create_key(session: Session, *, name: str, role: str, secret_key: str, actor: str,
               creditors: list[str] | None = None) -> tuple[ApiKey, str]:
    """Store a new key (hash only) and audit it; returns the row and the plaintext, shown once.

    ``creditors`` limits the key to those creditors' files (None: every creditor)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputValidationError("key name must be 1 to 100 characters")
    if role not in ROLES:
        raise InputValidationError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    scope = check_scope(session, role, creditors)
    key, prefix = generate_key()
    row = ApiKey(id=uuid.uuid4().hex[:12], name=name, role=role, prefix=prefix,
                 key_hash=hash_key(key, secret_key), created_at=clock.current().utcnow(), created_by=actor,
                 creditors=scope)
    session.add(row)
    session.flush()
    audit.append(session, "key.created", actor=actor,
                 payload={"key_id": row.id, "name": name, "role": role, "prefix": prefix, "creditors": scope})
    return row, key


def revoke_key(session: Session, key_id: str, *, actor: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError(f"unknown key id: {key_id!r}")
    if row.revoked_at is not None:
        raise UserError(f"key {key_id} is already revoked")
    row.revoked_at = clock.current().utcnow()
    session.flush()
    audit.append(session, "key.revoked", actor=actor,
                 payload={"key_id": row.id, "name": row.name, "role": row.role, "prefix": row.prefix})
    return row


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).order_by(ApiKey.created_at)).scalars())


def authenticate(session: Session, token: str, secret_key: str) -> Principal:
    """The principal of a valid, unrevoked key; AuthError (same message) for anything else."""
    m = _KEY_RE.match(token or "")
    if m is None:
        raise AuthError("invalid API key")
    row = session.execute(select(ApiKey).where(ApiKey.prefix == m.group(1))).scalar_one_or_none()
    expected = row.key_hash if row is not None else hash_key("amk_00000000_" + "x" * 43, secret_key)
    ok = hmac.compare_digest(hash_key(token, secret_key), expected)
    if row is None or not ok:
        raise AuthError("invalid API key")
    if row.revoked_at is not None:
        raise AuthError("this API key has been revoked")
    scope = frozenset(row.creditors) if row.creditors is not None else None
    return Principal(key_id=row.id, name=row.name, role=row.role, creditors=scope)
