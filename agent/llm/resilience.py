"""Retries, deadlines and a circuit breaker for calls to an LLM endpoint.

- Retried: HTTP 408, 409, 429 and 5xx, timeouts and connection errors; exponential back-off with
  jitter, or the server's ``Retry-After`` when it sends one. Never retried: other 4xx (bad key,
  bad URL, bad request) - retrying cannot fix them.
- A :class:`Deadline` bounds a whole draft: no wait or attempt starts that cannot end in time.
- :class:`CircuitBreaker`: after ``threshold`` consecutive failed calls the endpoint is skipped
  (the offline composer answers at once) for ``cooldown_s``; then one probe call is let through
  (half-open); its success closes the circuit, its failure opens it again. Thread-safe.
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import httpx
import httpx2  # what openai>=3 runs on; its errors normally arrive wrapped in openai.APIError
import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from agent.clock import Clock, draft_started
from agent.clock import draft_clock as draft_clock  # moved to agent.clock (drafting starts it)

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})
TRANSPORT_ERRORS = (httpx.TransportError, httpx2.TransportError)
HTTP_ERRORS = (httpx.HTTPError, httpx2.HTTPError)
STATUS_ERRORS = (httpx.HTTPStatusError, httpx2.HTTPStatusError)
MAX_RETRY_AFTER_S = 60.0


class UpstreamError(Exception):
    """The endpoint could not give an answer (after retries). ``attempts``: HTTP attempts made."""

    def __init__(self, message: str, *, attempts: int = 0, retryable: bool = False,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.retryable = retryable
        self.status = status


class AttemptTimeout(Exception):
    """One attempt did not finish within its share of the deadline."""


class DeadlineExceeded(UpstreamError):
    pass


class CircuitOpenError(UpstreamError):
    pass


@dataclass
class Deadline:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    start: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start = self.clock()

    def remaining(self) -> float:
        return max(0.0, self.seconds - (self.clock() - self.start))

    def expired(self) -> bool:
        return self.remaining() <= 0.0


def draft_deadline(seconds: float) -> Deadline:
    """The per-draft deadline, counted from the start of the current draft when there is one."""
    start = draft_started()
    return Deadline(seconds) if start is None else Deadline(seconds, start=start)


def status_of(exc: BaseException) -> int | None:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code
    if isinstance(exc, STATUS_ERRORS):
        return exc.response.status_code
    return None


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, AttemptTimeout, *TRANSPORT_ERRORS)):
        return True
    status = status_of(exc)
    if status is not None:
        return status in RETRYABLE_STATUS or status >= 500
    return False


def retry_after_s(exc: BaseException, *, now: float | None = None) -> float | None:
    """Seconds asked by ``Retry-After`` / ``retry-after-ms``, or None."""
    if not isinstance(exc, (openai.APIStatusError, *STATUS_ERRORS)):
        return None
    headers = exc.response.headers
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        secs = when.timestamp() - (Clock.wall_timestamp() if now is None else now)
    if math.isnan(secs) or math.isinf(secs):
        return None
    return max(0.0, secs)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    initial_s: float = 0.25
    max_backoff_s: float = 8.0
    jitter_s: float = 0.25

    def backoff(self, attempt: int) -> float:
        """Exponential with jitter: initial * 2^(n-1), capped, plus up to ``jitter_s``."""
        base = min(self.max_backoff_s, self.initial_s * (2 ** max(0, attempt - 1)))
        return base + random.uniform(0.0, self.jitter_s)

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if exc is not None:
            asked = retry_after_s(exc)
            if asked is not None:
                return min(asked, MAX_RETRY_AFTER_S)
        return self.backoff(state.attempt_number)


class _StopAtDeadline(stop_base):
    """Stop when the next wait (plus a minimal attempt) would not fit in the deadline."""

    def __init__(self, deadline: Deadline, min_attempt_s: float) -> None:
        self.deadline = deadline
        self.min_attempt_s = min_attempt_s

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.upcoming_sleep + self.min_attempt_s >= self.deadline.remaining()


def call_with_retries(fn: Callable[[float], T], *, policy: RetryPolicy, deadline: Deadline,
                      on_attempt: Callable[[], None] | None = None,
                      retryable: Callable[[BaseException], bool] = is_retryable,
                      sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``fn(budget_s)`` with retries; ``budget_s`` is the time left for that attempt.

    Raises :class:`UpstreamError` (with the number of attempts) when nothing worked, and
    :class:`DeadlineExceeded` when the deadline ran out first. Non-retryable errors are wrapped
    at once; exceptions that are not transport errors (parsing, programming) propagate.
    """
    attempts = 0

    def attempt() -> T:
        nonlocal attempts
        remaining = deadline.remaining()
        if remaining <= 0:
            raise AttemptTimeout("deadline reached before the attempt")
        attempts += 1
        if on_attempt is not None:
            on_attempt()
        return fn(remaining)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_retries + 1) | _StopAtDeadline(deadline, 0.05),
        wait=policy.wait,
        retry=retry_if_exception(retryable),
        reraise=True,
        sleep=sleep,
    )
    try:
        return retrying(attempt)
    except (openai.APIError, AttemptTimeout, *HTTP_ERRORS) as exc:
        status = status_of(exc)
        if deadline.expired() or isinstance(exc, AttemptTimeout):
            raise DeadlineExceeded(f"deadline of {deadline.seconds:g} s reached after {attempts} attempt(s) "
                                   f"({describe(exc)})", attempts=attempts, retryable=True, status=status) from exc
        raise UpstreamError(describe(exc) + f" after {attempts} attempt(s)", attempts=attempts,
                            retryable=retryable(exc), status=status) from exc


def describe(exc: BaseException) -> str:
    """One line, no secrets: the error class and status, never the request."""
    status = status_of(exc)
    if isinstance(exc, openai.AuthenticationError):
        return "HTTP 401: the endpoint refused the API key"
    if status is not None:
        return f"HTTP {status} from the LLM endpoint"
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, httpx2.TimeoutException, AttemptTimeout)):
        return "the LLM endpoint timed out"
    if isinstance(exc, (openai.APIConnectionError, *TRANSPORT_ERRORS)):
        return "cannot connect to the LLM endpoint"
    return type(exc).__name__


BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(self, threshold: int = 3, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if threshold < 1 or cooldown_s < 0:
            raise ValueError("threshold must be >= 1 and cooldown_s >= 0")
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one probe at a time is let through."""
        with self._lock:
            state = self._state_locked()
            if state == "closed":
                return True
            if state == "half_open" and not self._probe_in_flight:
                self._probe_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probe_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._probe_in_flight or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._probe_in_flight = False

    def release(self) -> None:
        """A call that was let through ended without telling anything about the endpoint."""
        with self._lock:
            self._probe_in_flight = False

    def retry_in_s(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(key: str, *, threshold: int, cooldown_s: float) -> CircuitBreaker:
    """One breaker per endpoint, shared by every composer in the process."""
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(key)
        if breaker is None:
            breaker = _BREAKERS[key] = CircuitBreaker(threshold, cooldown_s)
        return breaker
