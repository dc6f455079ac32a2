"""In-memory token buckets: per API key, per widget link, per client IP (failed credentials).

A bucket holds ``burst`` tokens and refills them evenly over ``period`` seconds. An empty bucket
answers 429 with ``Retry-After`` (seconds until one token is back). The first refusal of a bucket
(the lockout) is written to the audit trail with a keyed hash of the subject, never the raw IP,
key or link. Buckets live in the process: each worker limits on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException

from agent import audit
from agent.runtime import Runtime
from agent.settings import Settings

log = logging.getLogger("amiable.api.ratelimit")
MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float
    locked: bool = False


class RateLimiter:
    def __init__(self, rt: Runtime, *, rates: dict[str, tuple[int, float]],
                 clock: Callable[[], float] = time.monotonic) -> None:  # CLOCK: monotonic, not wall time
        self.rt = rt
        self.rates = rates  # scope -> (burst, period in seconds)
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self._pepper = hmac.new(rt.settings.secret.get_secret_value().encode(), b"amiable/ratelimit/v1",
                                hashlib.sha256).digest()

    def subject(self, raw: str) -> str:
        return hmac.new(self._pepper, raw.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]

    def _refill(self, scope: str, subject: str) -> tuple[_Bucket, float]:
        burst, period = self.rates[scope]
        burst = max(1, burst)
        per_s = burst / max(period, 1e-3)
        now = self.clock()
        b = self._buckets.get((scope, subject))
        if b is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._buckets.clear()  # bounded memory; a flood of subjects only resets the counters
            b = self._buckets[(scope, subject)] = _Bucket(tokens=float(burst), at=now)
        b.tokens = min(float(burst), b.tokens + (now - b.at) * per_s)
        b.at = now
        return b, per_s

    def check(self, scope: str, raw_subject: str) -> None:
        """Raise 429 if the bucket is empty (without taking a token)."""
        subject = self.subject(raw_subject)
        with self._lock:
            b, per_s = self._refill(scope, subject)
            if b.tokens >= 1:
                b.locked = False
                return
            first = not b.locked
            b.locked = True
            retry = max(1, math.ceil((1 - b.tokens) / per_s))
        self._refuse(scope, subject, retry, first)

    def hit(self, scope: str, raw_subject: str) -> None:
        """Take one token; raise 429 when there is none."""
        subject = self.subject(raw_subject)
        with self._lock:
            b, per_s = self._refill(scope, subject)
            if b.tokens >= 1:
                b.tokens -= 1
                b.locked = False
                return
            first = not b.locked
            b.locked = True
            retry = max(1, math.ceil((1 - b.tokens) / per_s))
        self._refuse(scope, subject, retry, first)

    def spend(self, scope: str, raw_subject: str) -> None:
        """Take one token if there is one (a failure being counted); never raises."""
        subject = self.subject(raw_subject)
        with self._lock:
            b, _ = self._refill(scope, subject)
            b.tokens = max(0.0, b.tokens - 1)

    def _refuse(self, scope: str, subject: str, retry: int, first: bool) -> None:
        if first:
            log.warning("rate limit: lockout scope=%s subject=%s retry_after=%ss", scope, subject, retry)
            with self.rt.session() as s:
                audit.append(s, "security.lockout", actor="system:ratelimit",
                             payload={"scope": scope, "subject": subject, "retry_after_s": retry})
        raise HTTPException(status_code=429, detail=f"too many requests ({scope}); retry in {retry} s",
                            headers={"Retry-After": str(retry)})


def limiter_rates(settings: Settings) -> dict[str, tuple[int, float]]:
    return {"ip_auth_failures": (settings.rate_limit_auth_failures_per_minute, 60.0),
            "key": (settings.rate_limit_key_per_minute, 60.0),
            "link": (settings.rate_limit_link_per_minute, 60.0),
            "link_writes": (settings.rate_limit_link_writes_per_hour, 3600.0)}
