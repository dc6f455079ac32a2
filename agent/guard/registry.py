"""The rule registry: every rule family registers itself with ``@register(order=N)`` on its class.

The family list is derived from here and nowhere else: the pipeline's order, the policy's validation of
``enabled_families`` / ``severity_overrides`` (``agent.guard.policy``), the warn-only set and the bench.
``tests/guard/test_registry.py`` checks that the registry, the policy and ``knowledge/policy/guard.yaml``
agree. Rule modules are imported on first use (``rules()``), never at import time of this module.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from agent.guard.rules._common import BaseRule

R = TypeVar("R", bound="type[BaseRule]")

_RULES: dict[str, type[BaseRule]] = {}
_ORDER: dict[str, int] = {}
_WARN_ONLY: set[str] = set()
_lock = threading.Lock()
_loaded = False


def register(*, order: int, warn_only: bool = False) -> Callable[[R], R]:
    """Class decorator: register a rule family (its ``family`` attribute) at position ``order`` in the pipeline.
    ``warn_only``: the family never blocks (a policy enabling only such families cannot block anything)."""

    def deco(cls: R) -> R:
        family = cls.family
        if not family:
            raise TypeError(f"{cls.__name__} has no family")
        other = _RULES.get(family)
        if other is not None and other.__qualname__ != cls.__qualname__:
            raise ValueError(f"rule family {family} registered twice ({other.__qualname__}, {cls.__qualname__})")
        clash = [f for f, o in _ORDER.items() if o == order and f != family]
        if clash:
            raise ValueError(f"rule families {family} and {clash[0]} share order {order}")
        _RULES[family] = cls
        _ORDER[family] = order
        if warn_only:
            _WARN_ONLY.add(family)
        return cls

    return deco


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        import agent.guard.rules as pkg

        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_") and info.name != "detectors":
                importlib.import_module(f"{pkg.__name__}.{info.name}")
        _loaded = True


def rules() -> dict[str, type[BaseRule]]:
    """Family id -> rule class, in pipeline order."""
    _load()
    return {f: _RULES[f] for f in sorted(_RULES, key=_ORDER.__getitem__)}


def families() -> tuple[str, ...]:
    """Every registered family, in pipeline order."""
    return tuple(rules())


def warn_only_families() -> frozenset[str]:
    _load()
    return frozenset(_WARN_ONLY)
