"""The retention policy of personal data (``knowledge/policy/retention.yaml``): a strict model loaded at
start-up (a broken file stops the service). Applied by :mod:`agent.gdpr`; kept apart so the runtime can
load it without importing what erasure touches (outbox, letters)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.errors import ConfigError

Action = Literal["pseudonymise", "erase", "hash", "keep"]


class KindPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    description: str = Field(min_length=3)
    days: int = Field(ge=1, le=36_500)
    from_: Literal["record_date", "last_activity"] = Field(alias="from")
    only_closed_files: bool
    legal_basis: str = Field(min_length=10)
    on_expiry: Action
    on_erase: Action


class Kinds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    identity: KindPolicy
    correspondence: KindPolicy
    audit_texts: KindPolicy
    accounting: KindPolicy


ALLOWED: dict[str, frozenset[str]] = {
    "identity": frozenset({"pseudonymise", "keep"}),
    "correspondence": frozenset({"erase", "keep"}),
    "audit_texts": frozenset({"hash", "keep"}),
    "accounting": frozenset({"keep"}),  # accounting records are never deleted by this tool
}


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    kinds: Kinds

    @model_validator(mode="after")
    def _actions_fit_kinds(self) -> RetentionPolicy:
        for name, allowed in ALLOWED.items():
            kind: KindPolicy = getattr(self.kinds, name)
            for which in ("on_expiry", "on_erase"):
                if getattr(kind, which) not in allowed:
                    raise ValueError(f"kinds.{name}.{which}: {getattr(kind, which)!r} is not possible for this "
                                     f"kind; use one of {', '.join(sorted(allowed))}")
        return self


def load_retention_policy(path: Path) -> RetentionPolicy:
    """Load and validate the retention policy; any problem raises ConfigError naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"retention policy file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"retention policy {path}: cannot be read: {exc}") from None
    try:
        return RetentionPolicy.model_validate(data)
    except ValidationError as exc:
        lines = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"retention policy {path}: {lines}") from None


