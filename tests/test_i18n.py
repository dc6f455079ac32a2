"""The message catalogue: every message in every language, same placeholders, broken files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.i18n import Catalogue, MissingMessageVariable, UnknownMessage, get_catalogue, placeholders


def _write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_catalogue_loads_and_renders_both_languages() -> None:
    cat = get_catalogue()
    assert cat.text("common.error.too_long", "fr", limit=20000) == "Ce texte est trop long : 20000 caractères au plus."
    assert cat.text("common.error.too_long", "en", limit=5).startswith("This text is too long: 5 ")


def test_values_are_inserted_as_text_never_as_template(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", "version: 1\nmessages:\n  x.hello:\n    fr: 'Bonjour {name}'\n    en: 'Hello {name}'\n")
    cat = Catalogue.load(tmp_path)
    assert cat.text("x.hello", "en", name="{__class__} {0}") == "Hello {__class__} {0}"


def test_missing_variable_and_unknown_key_raise(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", "version: 1\nmessages:\n  x.hello:\n    fr: 'Bonjour {name}'\n    en: 'Hello {name}'\n")
    cat = Catalogue.load(tmp_path)
    with pytest.raises(MissingMessageVariable):
        cat.text("x.hello", "fr")
    with pytest.raises(UnknownMessage):
        cat.text("x.nope", "fr")


@pytest.mark.parametrize(("body", "fragment"), [
    ("version: 1\nmessages:\n  x.a:\n    fr: 'Salut'\n", "en"),
    ("version: 1\nmessages:\n  x.a:\n    fr: 'Salut {n}'\n    en: 'Hi'\n", "placeholders differ"),
    ("version: 1\nmessages:\n  y.a:\n    fr: 'Salut'\n    en: 'Hi'\n", "must start with 'x.'"),
    ("version: 1\nmessages:\n  x.a:\n    fr: ''\n    en: 'Hi'\n", "must not be empty"),
    ("version: 1\nmessages:\n  x.a:\n    fr: '{0}'\n    en: '{0}'\n", "plain name"),
    ("version: [\n", "not valid YAML"),
])
def test_broken_files_stop_loading_with_the_file_named(tmp_path: Path, body: str, fragment: str) -> None:
    path = _write(tmp_path, "x.yaml", body)
    with pytest.raises(ConfigError) as info:
        Catalogue.load(tmp_path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_placeholders_ignore_escaped_braces() -> None:
    assert placeholders("{{literal}} and {name}") == frozenset({"name"})
