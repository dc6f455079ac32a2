"""One YAML loader for every policy, prompt, lexicon and data file, and the strict model base.

``load_yaml`` parses with libyaml's ``CSafeLoader`` when PyYAML was built with it (about 10x faster on
the lexicons and libraries) and the pure-Python ``SafeLoader`` otherwise: both are *safe* loaders, so
no tag can build an arbitrary object. ``load_yaml_model`` validates the result into a strict pydantic
model and turns every problem into one ``ConfigError`` naming the file and the field, which stops
start-up with a clear message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ConfigError, validation_problems

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

T = TypeVar("T", bound=BaseModel)


class Strict(BaseModel):
    """Base of every model read from a data file: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader available."""
    return yaml.load(text, Loader=SafeLoader)


def load_yaml(path: Path) -> Any:
    """The parsed content of a UTF-8 YAML file (``yaml.YAMLError`` / ``OSError`` propagate)."""
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


def load_yaml_model(path: Path, model: type[T], what: str) -> T:
    """Load a YAML file into a strict model; any problem is a ConfigError naming file and field."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} file not found: {path}")
    try:
        data = load_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} file {path} is not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{what} file {path} cannot be read: {exc.strerror or exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path} must be a mapping at top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc.errors())
        raise ConfigError(f"{what} file {path} is invalid: {problems}") from exc
