"""Signed widget links: round trip, tampering, expiry, foreign keys."""

from __future__ import annotations

import pytest

from agent.plans.links import InvalidLinkError, make_token, verify_token, widget_url
from tests.conftest import now_ts

SECRET = "a-test-secret-of-decent-length"
NOW = now_ts()


def test_round_trip() -> None:
    tok = make_token("D-0001", secret=SECRET, ttl_hours=1, now=NOW)
    assert verify_token(tok, secret=SECRET, now=NOW) == "D-0001"
    assert make_token("D-0001", secret=SECRET, ttl_hours=1, now=NOW) != tok  # nonce
    assert widget_url("https://x.example/", tok) == f"https://x.example/widget/#t={tok}"


def test_expired() -> None:
    tok = make_token("D-0001", secret=SECRET, ttl_hours=1, now=NOW - 7200)
    with pytest.raises(InvalidLinkError) as exc:
        verify_token(tok, secret=SECRET, now=NOW)
    assert exc.value.reason == "expired" and exc.value.http_status == 401


def test_foreign_key() -> None:
    tok = make_token("D-0001", secret="another-secret-entirely", ttl_hours=1, now=NOW)
    with pytest.raises(InvalidLinkError, match="invalid or has expired"):
        verify_token(tok, secret=SECRET, now=NOW)


def _flip(s: str, i: int) -> str:
    c = "A" if s[i] != "A" else "B"
    return s[:i] + c + s[i + 1:]


@pytest.mark.parametrize("mutate", [
    lambda t: _flip(t, 5),  # payload changed
    lambda t: _flip(t, len(t) - 2),  # signature changed
    lambda t: t + "x",
    lambda t: t.replace("v1.", "v2."),
    lambda t: ".".join(t.split(".")[:2]),
    lambda t: "",
    lambda t: "x" * 2000,
    lambda t: "v1.%%%.***",
])
def test_tampered(mutate) -> None:  # type: ignore[no-untyped-def]
    tok = make_token("D-0001", secret=SECRET, ttl_hours=1, now=NOW)
    with pytest.raises(InvalidLinkError):
        verify_token(mutate(tok), secret=SECRET, now=NOW)


def test_swapped_payload_from_another_debtor() -> None:
    a = make_token("D-0001", secret=SECRET, ttl_hours=1, now=NOW).split(".")
    b = make_token("D-0002", secret=SECRET, ttl_hours=1, now=NOW).split(".")
    with pytest.raises(InvalidLinkError):
        verify_token(f"{a[0]}.{b[1]}.{a[2]}", secret=SECRET, now=NOW)


def test_bad_ttl() -> None:
    from agent.errors import UserError

    with pytest.raises(UserError):
        make_token("D-0001", secret=SECRET, ttl_hours=0, now=NOW)
    with pytest.raises(UserError):
        make_token("D-0001", secret=SECRET, ttl_hours=10**6, now=NOW)
