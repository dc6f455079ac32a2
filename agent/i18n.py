"""One message catalogue for every text a user sees (console, widget, QA report, CLI messages).

The catalogue is data: ``prompts/ui/<area>.yaml`` files, each a mapping ``messages: {key: {fr: ..., en: ...}}``.
Keys are dotted and start with the area's name (``widget.error.months_range``). Every message exists in
every supported language, and each language uses exactly the same ``{placeholders}``; a file that breaks
either rule stops start-up with a ``ConfigError`` naming the file and the key.

Messages are rendered with ``str.format_map`` on the *catalogue's* text only: values (which may come from a
debtor) are inserted as plain strings and never interpreted as template code. A missing variable raises
``MissingMessageVariable`` (an internal error: a code bug, not a user mistake).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from agent.errors import ConfigError, InternalError, validation_problems

UiLang = Literal["fr", "en"]
LANGS: tuple[UiLang, ...] = ("fr", "en")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "prompts" / "ui"


class MissingMessageVariable(InternalError):
    """A message was rendered without one of its placeholders."""


class UnknownMessage(InternalError):
    """A key that no catalogue file defines (a code bug: every visible text must be in the catalogue)."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fr: str
    en: str

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    messages: dict[str, _Message]


def placeholders(text: str) -> frozenset[str]:
    """The ``{names}`` a message uses (``{{`` escapes excluded); positional or attribute fields are refused."""
    names: set[str] = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"placeholder {{{field}}} must be a plain name")
        names.add(field)
    return frozenset(names)


class Catalogue:
    """All messages of all areas, validated once."""

    def __init__(self, messages: Mapping[str, _Message]) -> None:
        self._messages = dict(messages)

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> Catalogue:
        if not directory.is_dir():
            raise ConfigError(f"message catalogue folder not found: {directory}")
        merged: dict[str, _Message] = {}
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise ConfigError(f"message catalogue folder {directory} holds no .yaml file")
        for path in files:
            area = path.stem
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8"))
                parsed = _CatalogueFile.model_validate(raw)
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise ConfigError(f"message catalogue {path} is not valid YAML: {exc}") from exc
            except ValidationError as exc:
                raise ConfigError(f"message catalogue {path} is invalid: {validation_problems(exc.errors())}") from exc
            for key, message in parsed.messages.items():
                if not key.startswith(f"{area}."):
                    raise ConfigError(f"message catalogue {path}: key {key!r} must start with '{area}.'")
                if key in merged:
                    raise ConfigError(f"message catalogue {path}: key {key!r} is defined twice")
                try:
                    fr, en = placeholders(message.fr), placeholders(message.en)
                except ValueError as exc:
                    raise ConfigError(f"message catalogue {path}: {key}: {exc}") from exc
                if fr != en:
                    raise ConfigError(f"message catalogue {path}: {key}: placeholders differ between fr "
                                      f"{sorted(fr)} and en {sorted(en)}")
                merged[key] = message
        return cls(merged)

    def __contains__(self, key: object) -> bool:
        return key in self._messages

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self._messages if k.startswith(prefix))

    def text(self, key: str, lang: str, /, **values: object) -> str:
        """The message in ``lang`` (``fr`` unless ``en``), its placeholders filled with ``values``."""
        message = self._messages.get(key)
        if message is None:
            raise UnknownMessage(f"no catalogue message {key!r}")
        template = message.en if lang == "en" else message.fr
        needed = placeholders(template)
        missing = needed - values.keys()
        if missing:
            raise MissingMessageVariable(f"message {key!r} needs {sorted(missing)}")
        return template.format_map({name: str(values[name]) for name in needed})

    def bundle(self, lang: str, prefix: str) -> dict[str, str]:
        """Every raw message under ``prefix`` in one language (for a page's script to render itself)."""
        return {k: (m.en if lang == "en" else m.fr) for k, m in self._messages.items() if k.startswith(prefix)}

    def all_texts(self, lang: str) -> set[str]:
        return {(m.en if lang == "en" else m.fr) for m in self._messages.values()}


@lru_cache(maxsize=2)
def get_catalogue(directory: Path = DEFAULT_DIR) -> Catalogue:
    return Catalogue.load(directory)


def t(key: str, lang: str, /, **values: object) -> str:
    """Shorthand for ``get_catalogue().text(...)``."""
    return get_catalogue().text(key, lang, **values)
