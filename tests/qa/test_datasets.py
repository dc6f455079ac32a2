"""Scenario schema and dataset loading: errors name the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.qa.datasets import DatasetError, load_dataset
from agent.qa.schema import Scenario, json_schema_text
from tests.qa.conftest import MINI, SCENARIOS, write


def test_shipped_scenarios_load_and_cover_the_brief() -> None:
    ds = load_dataset([SCENARIOS])
    scs = ds.scenarios
    assert len(scs) >= 80
    fr = sum(1 for s in scs if s.lang == "fr")
    assert fr * 2 >= len(scs), "at least half of the scenarios are French"
    from agent.drafting.models import INTENTS

    expected = {i for s in scs for i in s.expect.intents}
    assert set(INTENTS) <= expected, f"intents never expected: {set(INTENTS) - expected}"
    tags = {t for s in scs for t in s.tags}
    for needed in ("abusive", "distressed", "dispute", "vulnerability", "third_party", "prompt_injection",
                   "time_barred", "b2b"):
        assert needed in tags


def test_published_schema_is_in_sync() -> None:
    path = Path(__file__).resolve().parents[2] / "evals" / "schema" / "scenario.schema.json"
    assert path.read_text(encoding="utf-8") == json_schema_text(), "run `amiable eval schema --write`"
    assert json.loads(path.read_text(encoding="utf-8"))["additionalProperties"] is False


def test_yaml_unknown_field_names_file_line_field(tmp_path: Path) -> None:
    bad = MINI.replace('    message: "Hello, what exactly', '    mesage: "oops"\n    message: "Hello, what exactly')
    p = write(tmp_path / "bad.yaml", bad)
    with pytest.raises(DatasetError) as e:
        load_dataset([p])
    line = bad.splitlines().index('    mesage: "oops"') + 1
    assert e.value.line == line
    assert str(e.value).startswith(f"{p}:{line}: scenarios[1].mesage")
    assert "m-details" in str(e.value)


def test_yaml_bad_value_points_at_the_value_line(tmp_path: Path) -> None:
    bad = MINI.replace("    channel: phone", "    channel: pigeon")
    p = write(tmp_path / "bad.yaml", bad)
    with pytest.raises(DatasetError) as e:
        load_dataset([p])
    assert e.value.line == bad.splitlines().index("    channel: pigeon") + 1
    assert e.value.field.startswith("scenarios[3].channel")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    p = write(tmp_path / "bad.yaml", "version: 1\nscenarios:\n  - id: x\n    title: a: b\n")
    with pytest.raises(DatasetError) as e:
        load_dataset([p])
    assert e.value.line == 4


def test_jsonl_errors_name_line_and_field(tmp_path: Path) -> None:
    ok = {"id": "j1", "lang": "fr", "channel": "email", "debtor_id": "D001", "message": "Bonjour"}
    bad = {**ok, "id": "j2", "expect": {"intent": "happy"}}
    p = write(tmp_path / "set.jsonl", json.dumps(ok) + "\n\n" + json.dumps(bad) + "\n")
    with pytest.raises(DatasetError) as e:
        load_dataset([p])
    assert e.value.line == 3 and e.value.field.startswith("expect.intent")


def test_debtor_or_situation_exactly_one() -> None:
    with pytest.raises(ValueError, match="exactly one of debtor_id or situation"):
        Scenario.model_validate({"id": "x", "lang": "fr", "channel": "sms", "message": "m"})


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", MINI)
    b = write(tmp_path / "b.yaml", MINI)
    with pytest.raises(DatasetError, match="duplicate scenario id 'm-hardship'"):
        load_dataset([a, b])


def test_dataset_hash_changes_with_content(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", MINI)
    h1 = load_dataset([a]).sha256
    write(tmp_path / "a.yaml", MINI.replace("Friday", "Monday"))
    assert load_dataset([a]).sha256 != h1
