"""Application settings: one pydantic-settings class read through a cached ``get_settings()``."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER_SECRETS = {"changethis", "change-me", "changeme", "secret", ""}
MIN_SECRET_BYTES = 32
SECRET_FILE = "secret.key"


def load_or_create_secret(data_dir: Path) -> str:
    """The secret kept in ``data_dir/secret.key`` (0600), created with 48 random bytes on first start."""
    path = data_dir / SECRET_FILE
    try:
        if path.exists():
            value = path.read_text(encoding="utf-8").strip()
            if len(value.encode("utf-8")) >= MIN_SECRET_BYTES:
                return value
            raise ConfigError(f"{path} holds a secret under {MIN_SECRET_BYTES} bytes; delete it to regenerate")
        data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value + "\n")
        return value
    except OSError as exc:
        raise ConfigError(f"cannot read or create the secret file {path}: {exc.strerror}") from exc


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
    # connection pool per process for a server database (PostgreSQL); SQLite ignores them
    db_pool_size: int = Field(default=10, ge=1, le=500)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    knowledge_dir: Path = REPO_ROOT / "knowledge" / "guidelines"
    portfolio_file: Path = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
    prompts_dir: Path = REPO_ROOT / "prompts"
    evals_dir: Path = REPO_ROOT / "evals"
    guard_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "guard.yaml"
    plan_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "plans.yaml"
    firm_file: Path = REPO_ROOT / "knowledge" / "policy" / "firm.yaml"
    cadence_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "cadence.yaml"
    retention_policy_file: Path = REPO_ROOT / "knowledge" / "policy" / "retention.yaml"
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
    # unset: generated once and kept in data_dir/secret.key (0600); see README "Secrets and rotation"
    secret_key: SecretStr | None = None
    # previous secrets still accepted for widget links during a rotation (empty: old links die at once)
    secret_key_grace: list[SecretStr] = Field(default_factory=list)
    token_ttl_hours: int = 72

    # LLM backend (offline composer when base_url and model are unset)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = Field(default=None)
    llm_timeout_s: float = 20.0
    llm_deadline_s: float = 45.0
    llm_max_retries: int = 3
    llm_guard_retries: int = 2
    llm_max_concurrency: int = Field(default=8, ge=1, le=256)  # model calls in flight (own executor)

    # Letters (agent/letters): fonts with French accents (Debian fonts-dejavu-core), the public base
    # URL printed in letters for the widget link, and payment / notice delays in days.
    letter_font_file: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    letter_font_bold_file: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    public_base_url: str = ""  # default: http://host:port
    letter_link_ttl_hours: int = 24 * 30
    notice_days: int = 8

    # Outbox (agent/outbox): SMTP email, SMS provider, postal print batches; sending hours (local time
    # of the debtor, [start, end) hours, Monday=0) and retries.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "Cabinet Concorde Recouvrement <recouvrement@concorde-recouvrement.example.fr>"
    smtp_unsubscribe_mailto: str = "desinscription@concorde-recouvrement.example.fr"
    smtp_timeout_s: float = 10.0
    sms_provider_url: str = ""  # e.g. https://sms.example/api ; POST /messages, GET /events
    sms_sender: str = "CONCORDE"
    outbox_dir: Path | None = None  # default: data_dir / "outbox" (print batches)
    outbox_hours_start: int = 8
    outbox_hours_end: int = 20
    outbox_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5])
    outbox_max_attempts: int = 3

    # HTTP service
    host: str = "127.0.0.1"
    port: int = 8080
    cors_origins: list[str] = Field(default_factory=list)
    frame_ancestors: list[str] = Field(default_factory=lambda: ["'self'"])
    max_body_bytes: int = Field(default=1_048_576, ge=1024)  # every route; the widget has its own 16 KB
    # rate limits (in-memory token buckets, per process): 429 + Retry-After, lockouts audited
    rate_limit_auth_failures_per_minute: int = Field(default=20, ge=1)  # bad API keys / widget links per IP
    rate_limit_key_per_minute: int = Field(default=1200, ge=1)  # requests per API key
    rate_limit_link_per_minute: int = Field(default=120, ge=1)  # requests per widget link
    rate_limit_link_writes_per_hour: int = Field(default=30, ge=1)  # POSTs per widget link (contact, dispute...)
    max_eval_runs_per_key: int = Field(default=2, ge=1)  # concurrent evaluation runs per API key
    docs_enabled: bool | None = None  # /docs and /redoc (CDN assets): default on in development only
    metrics_public: bool = False  # /metrics without the admin role (bind the service to an internal network)

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Self:
        for value in (self.secret_key, *self.secret_key_grace):
            if value is None:
                continue
            raw = value.get_secret_value()
            if raw.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("AMIABLE_SECRET_KEY is a known placeholder; unset it to generate one, or set a "
                                 "random secret")
            if self.environment != "development" and len(raw.encode("utf-8")) < MIN_SECRET_BYTES:
                raise ValueError(f"AMIABLE_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes; use e.g. "
                                 "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        return self

    @property
    def secret(self) -> SecretStr:
        """The configured secret, else the one kept in the data dir (generated on first use)."""
        if self.secret_key is None:
            self.secret_key = SecretStr(load_or_create_secret(self.data_dir))
        assert self.secret_key is not None
        return self.secret_key

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'amiable.db'}"

    @property
    def effective_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def effective_outbox_dir(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def effective_public_base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"



def _env_name(loc: tuple[int | str, ...]) -> str:
    return "AMIABLE_" + "_".join(str(p) for p in loc).upper() if loc else "(settings)"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; any error is a ConfigError of one line without input values."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = [f"{_env_name(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        raise ConfigError("; ".join(parts)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
