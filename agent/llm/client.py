"""ChatOpenAI factory. Called lazily by a composer, never at import time.

- ``max_retries=0``: retries, back-off and deadlines are done by :mod:`agent.llm.resilience`'s
  tenacity policy, not by the SDK.
- ``stream_usage=False``: llama.cpp ignores ``stream_options.include_usage`` and we never need it.
- Token limit: ChatOpenAI renames ``max_tokens`` to ``max_completion_tokens``, which llama.cpp's
  server ignores (it then generates up to the context size). Self-hosted endpoints get
  ``max_tokens`` in the request body instead; OpenAI itself gets ``max_completion_tokens``.
- Token counting (``get_num_tokens``) is never called: it downloads tiktoken data.
"""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from agent.llm.config import LLMConfig


def request_timeout(cfg: LLMConfig, seconds: float | None = None) -> float:
    """Seconds for one request: the configured timeout, or less when the deadline is closer.

    A float, not an ``httpx.Timeout``: openai>=3 runs on ``httpx2`` and LangChain caches one
    connection pool per (base URL, hashable timeout).
    """
    return max(0.05, min(cfg.timeout_s, seconds if seconds is not None else cfg.timeout_s))


def make_chat_model(cfg: LLMConfig) -> ChatOpenAI:
    extra: dict[str, object] = {}
    limit: dict[str, int] = {}
    if cfg.is_openai:
        limit["max_tokens"] = cfg.max_output_tokens  # sent as max_completion_tokens
    else:
        extra["max_tokens"] = cfg.max_output_tokens
    return ChatOpenAI(
        model=cfg.model,
        base_url=cfg.base_url,
        api_key=cfg.api_key,
        timeout=request_timeout(cfg),
        max_retries=0,
        temperature=cfg.temperature,
        stream_usage=False,
        use_responses_api=False,
        extra_body=extra or None,
        **limit,
    )
