"""Versioned prompt files (``prompts/llm/<id>.v<version>.yaml``) and a strict renderer.

A prompt declares its variables. Rendering replaces ``{{name}}`` in the *trusted* template text in
one pass; a missing or an extra variable raises, and so does a template that uses an undeclared
variable or declares one it never uses. Substituted values are never scanned again, so text
coming from a debtor cannot act as template code. Variables listed in ``data_variables`` (the
debtor's message, the conversation) are untrusted: angle brackets are neutralised so the text
cannot close or open the ``<debtor_message>`` delimiters that wrap it in the template.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.errors import ConfigError
from agent.yamlio import load_yaml

VAR_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
FILE_RE = re.compile(r"^(?P<id>[a-z0-9_]+)\.v(?P<version>\d+)\.ya?ml$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PromptError(ValueError):
    """A prompt rendered with missing, extra or invalid variables."""


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(ge=1)
    description: str = ""
    variables: tuple[str, ...]
    data_variables: tuple[str, ...] = ()
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)
    feedback: str = Field(min_length=1)  # the "ask again" message after a guard block
    feedback_variables: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _declared(self) -> PromptTemplate:
        used = set(VAR_RE.findall(self.system)) | set(VAR_RE.findall(self.user))
        declared = set(self.variables)
        if used - declared:
            raise ValueError(f"template uses undeclared variables: {sorted(used - declared)}")
        if declared - used:
            raise ValueError(f"declared variables never used: {sorted(declared - used)}")
        if set(self.data_variables) - declared:
            raise ValueError("data_variables must be declared variables")
        fb_used = set(VAR_RE.findall(self.feedback))
        if fb_used != set(self.feedback_variables):
            raise ValueError(f"feedback variables mismatch: used {sorted(fb_used)}, "
                             f"declared {sorted(self.feedback_variables)}")
        return self

    @property
    def ref(self) -> str:
        """What every draft records: ``<id>@<version>``."""
        return f"{self.id}@{self.version}"

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(system, user) messages."""
        _check_names(set(values), set(self.variables))
        data = set(self.data_variables)
        clean = {k: (escape_data(v) if k in data else _text(k, v)) for k, v in values.items()}
        return substitute(self.system, clean), substitute(self.user, clean)

    def render_feedback(self, values: dict[str, str]) -> str:
        _check_names(set(values), set(self.feedback_variables))
        return substitute(self.feedback, {k: escape_data(v) for k, v in values.items()})


def _check_names(given: set[str], declared: set[str]) -> None:
    if declared - given:
        raise PromptError(f"missing prompt variables: {sorted(declared - given)}")
    if given - declared:
        raise PromptError(f"unknown prompt variables: {sorted(given - declared)}")


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise PromptError(f"prompt variable {name!r} must be a string, not {type(value).__name__}")
    return value


def escape_data(value: object) -> str:
    """Untrusted text: no control characters, no angle brackets (so no delimiter tags)."""
    if not isinstance(value, str):
        raise PromptError("data variables must be strings")
    return _CONTROL.sub(" ", value).replace("<", "‹").replace(">", "›")


def substitute(template: str, values: dict[str, str]) -> str:
    """One pass over the trusted template; inserted values are never re-scanned."""
    return VAR_RE.sub(lambda m: values[m.group(1)], template)


def _scan(folder: Path) -> dict[str, dict[int, Path]]:
    found: dict[str, dict[int, Path]] = {}
    if not folder.is_dir():
        raise ConfigError(f"LLM prompt folder not found: {folder}")
    for path in sorted(folder.iterdir()):
        m = FILE_RE.match(path.name)
        if m:
            found.setdefault(m["id"], {})[int(m["version"])] = path
    return found


@lru_cache(maxsize=16)
def load_prompt(folder: Path, prompt_id: str, version: int | None = None) -> PromptTemplate:
    """The given version of a prompt, or its latest one. Broken files raise ConfigError."""
    versions = _scan(folder).get(prompt_id)
    if not versions:
        raise ConfigError(f"no prompt {prompt_id!r} in {folder}")
    chosen = max(versions) if version is None else version
    path = versions.get(chosen)
    if path is None:
        raise ConfigError(f"prompt {prompt_id!r} has no version {chosen} in {folder}")
    try:
        raw = load_yaml(path)
        prompt = PromptTemplate.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid prompt file {path.name}: {exc}") from exc
    if prompt.id != prompt_id or prompt.version != chosen:
        raise ConfigError(f"{path.name}: id/version inside the file ({prompt.ref}) do not match its name")
    return prompt
