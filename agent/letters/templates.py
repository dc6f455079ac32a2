"""Versioned letter templates (``prompts/letters/<id>.v<version>.yaml``) with strict variables.

Same contract as the LLM prompts (agent.llm.prompts): a template declares its variables, uses every
one of them and no other; rendering with a missing or an extra value raises; values are substituted
in one pass, never scanned again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.errors import ConfigError
from agent.llm.prompts import FILE_RE, VAR_RE, PromptError, substitute
from agent.yamlio import load_yaml_model

LetterKind = Literal["first", "notice"]


class LetterTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: int = Field(ge=1)
    kind: LetterKind
    lang: Literal["fr", "en"]
    description: str = ""
    variables: tuple[str, ...]
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)

    @model_validator(mode="after")
    def _declared(self) -> LetterTemplate:
        used = set(VAR_RE.findall(self.subject)) | set(VAR_RE.findall(self.body))
        declared = set(self.variables)
        if used - declared:
            raise ValueError(f"template uses undeclared variables: {sorted(used - declared)}")
        if declared - used:
            raise ValueError(f"declared variables never used: {sorted(declared - used)}")
        return self

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with every declared variable substituted."""
        given, declared = set(values), set(self.variables)
        if declared - given:
            raise PromptError(f"missing letter variables: {sorted(declared - given)}")
        if given - declared:
            raise PromptError(f"unknown letter variables: {sorted(given - declared)}")
        for k, v in values.items():
            if not isinstance(v, str):
                raise PromptError(f"letter variable {k!r} must be a string, not {type(v).__name__}")
        return substitute(self.subject, values), substitute(self.body, values)


def load_letter_template(prompts_dir: Path, kind: LetterKind, lang: str) -> LetterTemplate:
    """The highest version of the template for ``kind`` in ``lang`` under ``prompts_dir/letters``."""
    folder = prompts_dir / "letters"
    best: tuple[int, Path] | None = None
    for path in sorted(folder.glob("*.y*ml")):
        m = FILE_RE.match(path.name)
        if m is None:
            raise ConfigError(f"letter template file name must be <id>.v<version>.yaml: {path}")
        tpl = load_yaml_model(path, LetterTemplate, "letter template")
        if tpl.id != m["id"] or tpl.version != int(m["version"]):
            raise ConfigError(f"{path}: id/version inside the file disagree with its name")
        if tpl.kind == kind and tpl.lang == lang and (best is None or tpl.version > best[0]):
            best = (tpl.version, path)
    if best is None:
        raise ConfigError(f"no letter template for kind={kind!r} lang={lang!r} in {folder}")
    return load_yaml_model(best[1], LetterTemplate, "letter template")
