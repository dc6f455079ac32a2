"""The guard: the last deterministic gate before any debtor sees a text.

``check(text, ctx)`` returns a typed ``GuardReport``; the default ``Guard`` is built lazily from the
settings (policy + firm) on first use, never at import time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from agent.guard.base import Finding, GuardContext, GuardReport, Span
from agent.guard.pipeline import Guard

if TYPE_CHECKING:
    from agent.firm import Firm
    from agent.guard.policy import GuardPolicy

__all__ = ["Finding", "Guard", "GuardContext", "GuardReport", "Span", "build_guard", "check", "default_guard"]

_lock = threading.Lock()
_default: Guard | None = None


def build_guard(policy: GuardPolicy, firm: Firm, *, learned: bool = True) -> Guard:
    """The product's guard: the rules of ``policy`` plus, when the policy enables it and weights ship, the
    learned layer on the shipped embedding (loaded on first use)."""
    layer = None
    if learned and policy.learned.enabled:
        from agent.guard.learned import default_layer

        layer = default_layer(policy.learned.max_windows)
    return Guard(policy, firm=firm, learned=layer)


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
                _default = build_guard(load_guard_policy(s.guard_policy_file), load_firm(s.firm_file))
    return _default


def check(text: str, ctx: GuardContext | None = None, *, guard: Guard | None = None) -> GuardReport:
    """Check one text with its context; InputValidationError on empty or binary input, PayloadTooLargeError
    (HTTP 413) past the policy's max_chars."""
    return (guard or default_guard()).check(text, ctx)
