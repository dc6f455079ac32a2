"""Fixtures for the LLM tests: a drafting service on the sample portfolio with a swappable composer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from agent.llm.composer import LLMComposer
from agent.llm.prompts import load_prompt
from agent.llm.resilience import CircuitBreaker, RetryPolicy
from agent.llm.structured import ModeCache
from tests.llm.support import PROMPTS, cfg


@pytest.fixture(scope="session")
def service(loaded_runtime):  # type: ignore[no-untyped-def]
    from agent.drafting.pipeline import DraftingService

    return DraftingService(loaded_runtime)  # offline composer: the settings name no LLM endpoint


@pytest.fixture
def with_llm(service) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """``with with_llm(model) as composer:`` - the service drafts with an LLMComposer on ``model``."""

    @contextmanager
    def use(model: BaseChatModel | None = None, **config: Any) -> Iterator[LLMComposer]:
        c = cfg(**config)
        composer = LLMComposer(c, service.offline, service.check, prompt=load_prompt(PROMPTS, "draft_reply"),
                               model=model, breaker=CircuitBreaker(3, 30.0), modes=ModeCache(),
                               policy=RetryPolicy(max_retries=c.max_retries, initial_s=0.01, max_backoff_s=0.05))
        saved = service.composer
        service.composer = composer
        try:
            yield composer
        finally:
            service.composer = saved
            composer.close()

    return use
