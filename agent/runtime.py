"""The runtime container: every long-lived component, built explicitly (never at import time).

Start-up loads and validates every policy file first: a broken policy raises ConfigError and
nothing starts. Heavy components (embedding model, vector store) are built on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from agent.clock import Clock
from agent.clock import install as install_clock
from agent.db.session import init_db, session_scope
from agent.errors import ConfigError
from agent.firm import Firm, load_firm
from agent.settings import Settings

if TYPE_CHECKING:
    from agent.drafting.pipeline import DraftingService
    from agent.guard import Guard
    from agent.kb.index import KnowledgeIndex
    from agent.plans.policy import PlanPolicy


def check_data_dir(settings: Settings) -> None:
    """The data dir must exist (it is created) and be writable: database, index and secret live there."""
    d = settings.data_dir
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"AMIABLE_DATA_DIR {d} cannot be created: {exc.strerror}") from None
    if not os.access(d, os.W_OK | os.X_OK):
        raise ConfigError(f"AMIABLE_DATA_DIR {d} is not writable")


@dataclass
class Runtime:
    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        rt = cls(settings)
        # Fail fast on any broken policy or config file.
        _ = rt.clock, rt.firm, rt.guard, rt.plan_policy
        install_clock(rt.clock)
        check_data_dir(settings)
        _ = settings.secret  # generated and kept in the data dir on first start when none is configured
        init_db(settings.effective_database_url)  # ConfigError if it cannot be opened
        from agent import audit

        audit.configure(settings)
        return rt

    @cached_property
    def clock(self) -> Clock:
        """The one clock of this runtime: every date and timestamp the product computes or stamps."""
        return Clock.from_settings(self.settings)

    @cached_property
    def firm(self) -> Firm:
        return load_firm(self.settings.firm_file)

    @cached_property
    def guard(self) -> Guard:
        from agent.guard import Guard
        from agent.guard.policy import load_guard_policy

        return Guard(load_guard_policy(self.settings.guard_policy_file), firm=self.firm)

    @cached_property
    def plan_policy(self) -> PlanPolicy:
        from agent.plans.policy import load_plan_policy

        return load_plan_policy(self.settings.plan_policy_file)

    @cached_property
    def index(self) -> KnowledgeIndex:
        from agent.kb.index import KnowledgeIndex

        with self._lock:
            return KnowledgeIndex.open(self.settings)

    @cached_property
    def drafting(self) -> DraftingService:
        from agent.drafting.pipeline import DraftingService

        return DraftingService(self)

    @property
    def drafting_if_started(self) -> DraftingService | None:
        """The drafting service if it was already built (never builds it): lets others reuse its warm parts."""
        return self.__dict__.get("drafting")

    def with_clock(self, clock: Clock) -> Runtime:
        """A runtime sharing this one's loaded parts (policies, guard, index) but reading time from ``clock``."""
        twin = Runtime(self.settings)
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("firm", "guard", "plan_policy", "index")})
        twin.__dict__["clock"] = clock
        return twin

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings.effective_database_url) as s:
            yield s
