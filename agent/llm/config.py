"""Backend settings for LLM drafting, resolved and validated once per composer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr

from agent.errors import ConfigError
from agent.settings import Settings

#: Sent when a self-hosted endpoint needs no key (the OpenAI SDK refuses an empty one).
NO_KEY = "sk-no-key-required"
OPENAI_HOSTS = frozenset({"api.openai.com"})


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: SecretStr
    timeout_s: float = 20.0  # one HTTP request (connect + each read)
    deadline_s: float = 45.0  # a whole draft: every attempt, wait and guard round
    max_retries: int = 3  # transport retries per model call (429, 5xx, timeouts, connection errors)
    guard_retries: int = 2  # times the model is asked again with the guard's findings
    max_output_tokens: int = 700
    temperature: float = 0.2
    breaker_threshold: int = 3  # consecutive failed calls that open the circuit
    breaker_cooldown_s: float = 30.0  # open time before one probe call is let through
    max_message_chars: int = 8_000  # debtor text sent to the model (the rest is cut, and said so)
    max_concurrency: int = 8  # model calls in flight (the composer's own executor, not the request pool)

    @property
    def endpoint_key(self) -> str:
        """Identifies an endpoint for the circuit breaker and the structured-output mode cache."""
        return f"{self.base_url}|{self.model}"

    @property
    def is_openai(self) -> bool:
        return (urlsplit(self.base_url).hostname or "") in OPENAI_HOSTS

    def __repr__(self) -> str:  # never print the key
        return f"LLMConfig(base_url={self.base_url!r}, model={self.model!r})"


def validate_base_url(url: str) -> str:
    """An absolute http(s) URL with a host, no credentials, query or fragment; no trailing slash."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"AMIABLE_LLM_BASE_URL is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"AMIABLE_LLM_BASE_URL must start with http:// or https:// (got {raw[:80]!r})")
    if not parts.hostname:
        raise ConfigError("AMIABLE_LLM_BASE_URL has no host")
    if parts.username or parts.password:
        raise ConfigError("AMIABLE_LLM_BASE_URL must not carry credentials; use AMIABLE_LLM_API_KEY")
    if parts.query or parts.fragment:
        raise ConfigError("AMIABLE_LLM_BASE_URL must not have a query string or fragment")
    if port == 0:
        raise ConfigError("AMIABLE_LLM_BASE_URL has port 0")
    return raw.rstrip("/")


def resolve_api_key(settings: Settings, *, base_url: str) -> SecretStr:
    """AMIABLE_LLM_API_KEY, else OPENAI_API_KEY, else a dummy key for self-hosted endpoints."""
    if settings.llm_api_key is not None and settings.llm_api_key.get_secret_value().strip():
        return SecretStr(settings.llm_api_key.get_secret_value().strip())
    env = os.environ.get("OPENAI_API_KEY", "").strip()
    if env:
        return SecretStr(env)
    if (urlsplit(base_url).hostname or "") in OPENAI_HOSTS:
        raise ConfigError("the OpenAI API needs a key: set AMIABLE_LLM_API_KEY or OPENAI_API_KEY")
    return SecretStr(NO_KEY)


def resolve(settings: Settings) -> LLMConfig | None:
    """The LLM backend, or None when it is not configured (the offline composer is used)."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    base_url = validate_base_url(settings.llm_base_url)
    model = settings.llm_model.strip()
    if not model:
        raise ConfigError("AMIABLE_LLM_MODEL is empty")
    if settings.llm_timeout_s <= 0 or settings.llm_deadline_s <= 0:
        raise ConfigError("AMIABLE_LLM_TIMEOUT_S and AMIABLE_LLM_DEADLINE_S must be positive")
    if settings.llm_max_retries < 0 or settings.llm_guard_retries < 0:
        raise ConfigError("AMIABLE_LLM_MAX_RETRIES and AMIABLE_LLM_GUARD_RETRIES must be >= 0")
    return LLMConfig(
        base_url=base_url, model=model, api_key=resolve_api_key(settings, base_url=base_url),
        timeout_s=min(settings.llm_timeout_s, settings.llm_deadline_s), deadline_s=settings.llm_deadline_s,
        max_retries=settings.llm_max_retries, guard_retries=settings.llm_guard_retries,
        max_message_chars=min(8_000, settings.max_message_chars), max_concurrency=settings.llm_max_concurrency,
    )
