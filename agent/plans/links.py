"""Signed, expiring widget links scoped to one debtor file (no login).

Token format: ``v1.<payload>.<signature>``, both parts base64url without padding. The payload is
compact JSON ``{"d": debtor_id, "exp": unix seconds, "n": nonce, "kid": key id}``; the signature is
HMAC-SHA256 over ``v1.<payload>`` with a key derived from ``settings.secret_key`` for this purpose
only. Verification checks the signature in constant time BEFORE reading the payload, then the key
id and the expiry. Every failure raises the same ``InvalidLinkError`` (its ``reason`` is for logs
only): callers must answer identically whatever went wrong, so a token reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets

from agent.errors import UserError

VERSION = "v1"
MAX_TOKEN_CHARS = 512
MAX_TTL_HOURS = 24 * 90


class InvalidLinkError(UserError):
    http_status = 401
    title = "Unauthorized"

    def __init__(self, reason: str) -> None:
        super().__init__("this link is invalid or has expired")
        self.reason = reason


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64d_canonical(text: str) -> bytes:
    """Decode base64url without padding, refusing every spelling but the one ``_b64e`` produces."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    raw = _b64d(text)
    if _b64e(raw) != text:
        raise ValueError("non-canonical base64url")
    return raw


def _derive(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"amiable/widget-link/v1", hashlib.sha256).digest()


def key_id(secret: str) -> str:
    return hashlib.sha256(_derive(secret)).hexdigest()[:8]


def make_token(debtor_id: str, *, secret: str, ttl_hours: float, now: float) -> str:
    """A signed widget token for ``debtor_id`` issued at ``now`` (POSIX seconds of the runtime clock)."""
    if not debtor_id or len(debtor_id) > 64:
        raise UserError("debtor id must be 1 to 64 characters")
    if not 0 < ttl_hours <= MAX_TTL_HOURS:
        raise UserError(f"ttl must be between 0 and {MAX_TTL_HOURS} hours")
    payload = {"d": debtor_id, "exp": int(now + ttl_hours * 3600), "n": secrets.token_urlsafe(9),
               "kid": key_id(secret)}
    body = _b64e(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    signed = f"{VERSION}.{body}"
    sig = hmac.new(_derive(secret), signed.encode("ascii"), hashlib.sha256).digest()
    return f"{signed}.{_b64e(sig)}"


def verify_token(token: str, *, secret: str, now: float) -> str:
    """The debtor id the token grants access to; InvalidLinkError for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise InvalidLinkError("malformed")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise InvalidLinkError("malformed")
    try:
        given = _b64d_canonical(parts[2])
        _b64d_canonical(parts[1])
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise InvalidLinkError("malformed") from exc
    expected = hmac.new(_derive(secret), signed, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise InvalidLinkError("bad signature")
    try:
        payload = json.loads(_b64d(parts[1]))
    except (binascii.Error, ValueError) as exc:
        raise InvalidLinkError("malformed payload") from exc
    if not isinstance(payload, dict):
        raise InvalidLinkError("malformed payload")
    debtor_id, exp, kid = payload.get("d"), payload.get("exp"), payload.get("kid")
    if not isinstance(debtor_id, str) or not isinstance(exp, int) or kid != key_id(secret):
        raise InvalidLinkError("malformed payload")
    if now >= exp:
        raise InvalidLinkError("expired")
    return debtor_id


def verify_token_any(token: str, *, secrets_: list[str], now: float) -> str:
    """``verify_token`` against the current secret then each grace secret (key rotation)."""
    last: InvalidLinkError = InvalidLinkError("no secret")
    for secret in secrets_:
        try:
            return verify_token(token, secret=secret, now=now)
        except InvalidLinkError as exc:
            last = exc
    raise last


def widget_url(base_url: str, token: str) -> str:
    """The link sent to the debtor: the token travels in the fragment, never to server logs or referrers."""
    return f"{base_url.rstrip('/')}/widget/#t={token}"
