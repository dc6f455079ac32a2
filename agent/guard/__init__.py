"""The guard: the last deterministic gate before any debtor sees a text.

``check(text, ctx)`` returns a typed ``GuardReport``; the default ``Guard`` is built lazily from the
settings (policy + firm) on first use, never at import time.
"""

from __future__ import annotations

import threading

from agent.guard.base import Finding, GuardContext, GuardReport, Span
from agent.guard.pipeline import Guard

__all__ = ["Finding", "Guard", "GuardContext", "GuardReport", "Span", "check", "default_guard"]

_lock = threading.Lock()
_default: Guard | None = None


def default_guard() -> Guard:
    """The Guard built from settings (guard_policy_file + firm_file), once."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from agent.firm import load_firm
                from agent.guard.policy import load_guard_policy
                from agent.settings import get_settings

                s = get_settings()
                _default = Guard(load_guard_policy(s.guard_policy_file), firm=load_firm(s.firm_file))
    return _default


def check(text: str, ctx: GuardContext | None = None, *, guard: Guard | None = None) -> GuardReport:
    """Check one text with its context; InputValidationError on empty or binary input, PayloadTooLargeError
    (HTTP 413) past the policy's max_chars."""
    return (guard or default_guard()).check(text, ctx)
