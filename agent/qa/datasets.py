"""Load scenario datasets (YAML or JSONL); every error names the file, the line and the field."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from agent.errors import InputValidationError
from agent.qa.schema import DatasetFile, Scenario


class DatasetError(InputValidationError):
    """A dataset problem, located as ``file:line: field: message``."""

    def __init__(self, path: Path | str, line: int | None, field: str, message: str) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        text = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        super().__init__(text)
        self.path = str(path)
        self.line = line
        self.field = field


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: str
    line: int


@dataclass(frozen=True)
class Dataset:
    cases: list[LoadedScenario]
    files: list[str]
    sha256: str

    @property
    def scenarios(self) -> list[Scenario]:
        return [c.scenario for c in self.cases]


def _loc_text(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_at(node: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """The deepest YAML node along a pydantic error location (for its line number)."""
    current = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            nxt = None
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    nxt = value
                    break
            if nxt is None:
                return current
            current = nxt
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            return current
    return current


def _first_error(exc: ValidationError) -> tuple[tuple[int | str, ...], str]:
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("function-after",)))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown field (not in the scenario schema)"
    elif err["type"] == "literal_error" or err["type"] == "enum":
        msg = err["msg"]
    return loc, msg


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in, same safe semantics


def load_yaml(path: Path) -> list[LoadedScenario]:
    text = _read(path)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DatasetError(path, line, "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if root is None:
        raise DatasetError(path, 1, "", "empty dataset")
    data: Any = _LOADER("").construct_document(root)  # one parse (libyaml): the node tree keeps line numbers
    if isinstance(data, list):  # a bare list of scenarios is accepted too
        data = {"version": 1, "scenarios": data}
        root = yaml.MappingNode("tag:yaml.org,2002:map",
                                [(yaml.ScalarNode("tag:yaml.org,2002:str", "scenarios"), root)])
    if not isinstance(data, dict):
        raise DatasetError(path, root.start_mark.line + 1, "", "expected a mapping with 'scenarios'")
    try:
        parsed = DatasetFile.model_validate(data)
    except ValidationError as exc:
        loc, msg = _first_error(exc)
        node = _node_at(root, loc)
        field = _loc_text(loc)
        scen = _scenario_id(data, loc)
        if scen:
            field = f"{field} (scenario {scen})"
        raise DatasetError(path, node.start_mark.line + 1, field, msg) from exc
    seq = _node_at(root, ("scenarios",))
    out = []
    for i, sc in enumerate(parsed.scenarios):
        line = seq.value[i].start_mark.line + 1 if isinstance(seq, yaml.SequenceNode) else 1
        out.append(LoadedScenario(sc, str(path), line))
    return out


def _scenario_id(data: dict[str, Any], loc: Sequence[int | str]) -> str | None:
    if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
        items = data.get("scenarios")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            sid = items[loc[1]].get("id")
            return str(sid) if sid is not None else None
    return None


def load_jsonl(path: Path) -> list[LoadedScenario]:
    text = _read(path)
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DatasetError(path, n, "", f"not valid JSON (column {exc.colno}: {exc.msg})") from exc
        if not isinstance(obj, dict):
            raise DatasetError(path, n, "", "expected a JSON object (one scenario per line)")
        try:
            sc = Scenario.model_validate(obj)
        except ValidationError as exc:
            loc, msg = _first_error(exc)
            field = _loc_text(loc)
            if obj.get("id") is not None:
                field = f"{field} (scenario {obj['id']})"
            raise DatasetError(path, n, field, msg) from exc
        out.append(LoadedScenario(sc, str(path), n))
    if not out:
        raise DatasetError(path, None, "", "no scenarios")
    return out


def _read(path: Path) -> str:
    if not path.is_file():
        raise DatasetError(path, None, "", "dataset file not found")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(path, None, "", f"not valid UTF-8 (byte {exc.start})") from exc


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its *.yaml, *.yml and *.jsonl files (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml", ".jsonl")))
        else:
            out.append(p)
    return out


def load_dataset(paths: Iterable[Path]) -> Dataset:
    files = expand(paths)
    if not files:
        raise InputValidationError("no dataset files given")
    cases: list[LoadedScenario] = []
    digest = hashlib.sha256()
    seen: dict[str, LoadedScenario] = {}
    for path in files:
        if path.suffix in (".yaml", ".yml"):
            loaded = load_yaml(path)
        elif path.suffix == ".jsonl":
            loaded = load_jsonl(path)
        else:
            raise DatasetError(path, None, "", "unsupported dataset format (use .yaml, .yml or .jsonl)")
        for case in loaded:
            prev = seen.get(case.scenario.id)
            if prev is not None:
                raise DatasetError(case.path, case.line, "id",
                                   f"duplicate scenario id {case.scenario.id!r} (first at {prev.path}:{prev.line})")
            seen[case.scenario.id] = case
        cases.extend(loaded)
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Dataset(cases=cases, files=[str(f) for f in files], sha256=digest.hexdigest())
