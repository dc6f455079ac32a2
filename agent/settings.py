"""Application settings: one pydantic-settings class read through a cached ``get_settings()``."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.clock import Clock

REPO_ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER_SECRETS = {"changethis", "change-me", "changeme", "secret", ""}


class Settings(BaseSettings):
    """Every knob of the product, prefixed ``AMIABLE_`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="AMIABLE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = REPO_ROOT / "var"
    database_url: str = ""  # default: sqlite under data_dir
    chroma_path: Path | None = None  # default: data_dir / "chroma"
    chroma_host: str | None = None  # a Chroma server, past one machine
    chroma_port: int = 8000
    knowledge_dir: Path = REPO_ROOT / "knowledge" / "guidelines"
    portfolio_file: Path = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
    prompts_dir: Path = REPO_ROOT / "prompts"
    evals_dir: Path = REPO_ROOT / "evals"
    guard_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "guard.yaml"
    plan_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "plans.yaml"
    firm_file: Path = REPO_ROOT / "knowledge" / "policy" / "firm.yaml"
    embedding: Literal["use", "e5"] = "use"
    embedding_threads: int = 1  # BLAS threads per request (query embedding); 1 on a shared host
    embedding_ingest_threads: int = 1  # batch embedding (ingestion, prefill); 2 only pays on an idle host
    vector_cache_mb: int = 64  # query-vector cache, float32, bounded in bytes
    hit_cache_entries: int = 4_096  # per search-hit cache (guidelines, history)
    retrieval_k: int = 4
    retrieval_lexical_weight: float = 0.0  # BM25 share in rank fusion (0 = dense only; measured best)
    max_message_chars: int = 20_000
    today: dt.date | None = None  # freeze "today" (tests, replays); default: the real date
    now: dt.datetime | None = None  # freeze the whole clock at this instant (replays, evals)
    timezone: str = "Europe/Paris"  # the firm's timezone: what "today" and call hours mean

    # secrets
    secret_key: SecretStr = SecretStr("changethis")
    token_ttl_hours: int = 72

    # LLM backend (offline composer when base_url and model are unset)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = Field(default=None)
    llm_timeout_s: float = 20.0
    llm_deadline_s: float = 45.0
    llm_max_retries: int = 3
    llm_guard_retries: int = 2

    # HTTP service
    host: str = "127.0.0.1"
    port: int = 8080
    cors_origins: list[str] = Field(default_factory=list)
    frame_ancestors: list[str] = Field(default_factory=lambda: ["'self'"])

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment != "development" and (
            self.secret_key.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
        ):
            raise ValueError(
                "AMIABLE_SECRET_KEY is a placeholder; set a real secret outside development"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'amiable.db'}"

    @property
    def effective_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    def clock(self) -> Clock:
        """A clock for these settings (the runtime keeps one: ``Runtime.clock``)."""
        return Clock.from_settings(self)

    def effective_today(self) -> dt.date:
        return self.clock().today()


@lru_cache
def get_settings() -> Settings:
    return Settings()
