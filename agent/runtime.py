"""The runtime container and composition root: every long-lived component, built explicitly (never at
import time).

Start-up loads and validates every policy file first (firm, guard, plan, cadence): a broken policy
raises ConfigError and nothing starts. Heavy components (embedding model, vector store) are built on
first use. Components that do not depend on the clock (policies, guard, contact windows, planner,
index, composer, circuit breaker) live in one :class:`Components` object that runtimes derived with
:meth:`Runtime.with_clock` share (replays, evaluations); each runtime keeps its own clock and drafting
service.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    from agent.cadence import CadencePolicy, Planner
    from agent.calendar import ContactWindows
    from agent.drafting.composer import Composer, OfflineComposer
    from agent.drafting.intent import IntentDetector
    from agent.drafting.pipeline import DraftingService
    from agent.guard import Guard
    from agent.kb.index import KnowledgeIndex
    from agent.llm.resilience import CircuitBreaker
    from agent.plans.policy import PlanPolicy
    from agent.retention import RetentionPolicy


def check_data_dir(settings: Settings) -> None:
    """The data dir must exist (it is created) and be writable: database, index and secret live there."""
    d = settings.data_dir
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"AMIABLE_DATA_DIR {d} cannot be created: {exc.strerror}") from None
    if not os.access(d, os.W_OK | os.X_OK):
        raise ConfigError(f"AMIABLE_DATA_DIR {d} is not writable")


class Components:
    """What a runtime builds once and shares with the runtimes derived from it (no clock inside)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    @cached_property
    def firm(self) -> Firm:
        return load_firm(self.settings.firm_file)

    @cached_property
    def guard(self) -> Guard:
        from agent.guard import build_guard
        from agent.guard.policy import load_guard_policy

        return build_guard(load_guard_policy(self.settings.guard_policy_file), self.firm)  # rules + learned layer

    @cached_property
    def plan_policy(self) -> PlanPolicy:
        from agent.plans.policy import load_plan_policy

        return load_plan_policy(self.settings.plan_policy_file)

    @cached_property
    def cadence_policy(self) -> CadencePolicy:
        from agent.cadence import load_cadence_policy

        return load_cadence_policy(self.settings.cadence_policy_file)

    @cached_property
    def retention(self) -> RetentionPolicy:
        from agent.retention import load_retention_policy

        return load_retention_policy(self.settings.retention_policy_file)

    @cached_property
    def contact_windows(self) -> ContactWindows:
        """Call windows of the guard policy + the notes wordings of prompts/points (read on first use, as drafting)."""
        from agent.calendar import ContactWindows

        return ContactWindows.from_policy(self.guard.policy,
                                          notes_file=self.settings.prompts_dir / "points" / "notes_flags.yaml")

    @cached_property
    def planner(self) -> Planner:
        from agent.cadence import Planner

        return Planner(self.cadence_policy, self.guard.policy, self.contact_windows)

    @cached_property
    def index(self) -> KnowledgeIndex:
        from agent.kb.index import KnowledgeIndex

        with self._lock:
            return KnowledgeIndex.open(self.settings)

    @cached_property
    def offline_composer(self) -> OfflineComposer:
        from agent.drafting.composer import OfflineComposer
        from agent.drafting.library import load_library
        from agent.drafting.points import load_points

        prompts = self.settings.prompts_dir
        return OfflineComposer(load_library(prompts / "library"), load_points(prompts / "points" / "points.yaml"))

    @cached_property
    def llm_breaker(self) -> CircuitBreaker | None:
        """The configured endpoint's circuit breaker (None without an endpoint)."""
        from agent.llm.config import resolve
        from agent.llm.resilience import breaker_for

        cfg = resolve(self.settings)
        if cfg is None:
            return None
        return breaker_for(cfg.endpoint_key, threshold=cfg.breaker_threshold, cooldown_s=cfg.breaker_cooldown_s)

    @cached_property
    def composer(self) -> Composer:
        """The LLM composer when an endpoint is configured (no SDK client before a draft), else the offline one."""
        if not (self.settings.llm_base_url and self.settings.llm_model):
            return self.offline_composer
        from agent.llm.composer import build_llm_composer

        return build_llm_composer(self.settings, self.guard, self.offline_composer, breaker=self.llm_breaker)


class Runtime:
    """One clock + the shared components + the drafting service that uses both."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None,
                 components: Components | None = None) -> None:
        self.settings = settings
        self.components = components or Components(settings)
        self._clock = clock
        self._lock = threading.Lock()
        self._detector: IntentDetector | None = None

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        rt = cls(settings)
        # Fail fast on any broken policy or config file.
        _ = rt.clock, rt.firm, rt.guard, rt.plan_policy, rt.cadence_policy, rt.contact_windows, rt.retention
        install_clock(rt.clock)
        check_data_dir(settings)
        _ = settings.secret  # generated and kept in the data dir on first start when none is configured
        init_db(settings.effective_database_url)  # ConfigError if it cannot be opened
        from agent import audit

        audit.configure(settings)
        return rt

    def with_clock(self, clock: Clock) -> Runtime:
        """A runtime on another clock (a replay as of a stored date, an evaluation's frozen day) sharing
        this one's policies, guard, index, composer and warmed-up intent detector."""
        settings = self.settings.model_copy(update={"today": clock.fixed_today, "now": clock.fixed_now})
        derived = Runtime(settings, clock=clock, components=self.components)
        derived._detector = self._detector
        return derived

    @cached_property
    def clock(self) -> Clock:
        """The one clock of this runtime: every date and timestamp the product computes or stamps."""
        return self._clock if self._clock is not None else Clock.from_settings(self.settings)

    # ---------------------------------------------------------------- shared components
    @property
    def firm(self) -> Firm:
        return self.components.firm

    @property
    def guard(self) -> Guard:
        return self.components.guard

    @property
    def plan_policy(self) -> PlanPolicy:
        return self.components.plan_policy

    @property
    def cadence_policy(self) -> CadencePolicy:
        return self.components.cadence_policy

    @property
    def contact_windows(self) -> ContactWindows:
        return self.components.contact_windows

    @property
    def planner(self) -> Planner:
        return self.components.planner

    @property
    def retention(self) -> RetentionPolicy:
        return self.components.retention

    @property
    def index(self) -> KnowledgeIndex:
        return self.components.index

    @property
    def composer(self) -> Composer:
        return self.components.composer

    # ---------------------------------------------------------------- per runtime
    @property
    def detector(self) -> IntentDetector:
        """The intent detector (examples embedded once, on first use); shared with derived runtimes."""
        if self._detector is None:
            from agent.drafting.intent import IntentDetector

            with self._lock:
                if self._detector is None:
                    self._detector = IntentDetector(self.settings.prompts_dir / "intents" / "examples.yaml",
                                                    self.index.embeddings)
        return self._detector

    @cached_property
    def drafting(self) -> DraftingService:
        from agent.drafting.pipeline import DraftingService

        return DraftingService(self)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings.effective_database_url) as s:
            yield s
