"""One family list: the rule registry (``@register``) is the source; the policy and guard.yaml agree with it,
and rule modules share detectors through ``rules/detectors.py`` instead of importing each other's names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from agent.errors import ConfigError
from agent.guard import policy as policy_mod
from agent.guard.policy import policy_or_error
from agent.guard.registry import families, register, rules, warn_only_families
from agent.guard.rules._common import BaseRule
from tests.guard.conftest import POLICY_FILE

RULES_DIR = Path(__file__).resolve().parents[2] / "agent" / "guard" / "rules"


def test_registry_policy_and_guard_yaml_agree() -> None:
    reg = families()
    assert len(reg) == len(set(reg)) >= 17
    assert policy_mod.ALL_FAMILIES == reg
    shipped = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    assert tuple(shipped["enabled_families"]) == reg, "guard.yaml must list every registered family, in pipeline order"
    assert policy_mod.WARN_ONLY_FAMILIES == warn_only_families() == frozenset({"TONE"})
    for family, cls in rules().items():
        assert cls.family == family and issubclass(cls, BaseRule)


def test_every_rule_module_registers_its_rules() -> None:
    modules = {p.stem for p in RULES_DIR.glob("*.py") if not p.stem.startswith("_") and p.stem != "detectors"}
    registered = {cls.__module__.rsplit(".", 1)[1] for cls in rules().values()}
    assert modules == registered


def test_the_policy_rejects_a_family_the_registry_does_not_know() -> None:
    base = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="FR-NOPE"):
        policy_or_error({**base, "enabled_families": [*base["enabled_families"], "FR-NOPE"]})
    with pytest.raises(ConfigError, match="names no known family"):
        policy_or_error({**base, "severity_overrides": {"XX-NOPE.rule": "warn"}})
    assert policy_or_error({**base, "severity_overrides": {"LEARNED": "warn"}}).severity_overrides == {"LEARNED": "warn"}


def test_register_refuses_a_second_family_or_a_shared_order() -> None:
    class Twin(BaseRule):
        family = "FR-THREAT"

    with pytest.raises(ValueError, match="registered twice"):
        register(order=999)(Twin)

    class Clash(BaseRule):
        family = "ZZ-TEST-ONLY"

    with pytest.raises(ValueError, match="share order"):
        register(order=10)(Clash)
    assert "ZZ-TEST-ONLY" not in families()


def _module_imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module, names, at module level) for every ``from agent.guard.rules.X import ...`` of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    return [(n.module or "", [a.name for a in n.names], id(n) in top)
            for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("agent.guard.rules.")]


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.stem)
def test_rules_share_detectors_instead_of_importing_each_other(path: Path) -> None:
    for module, names, top_level in _module_imports(path):
        sibling = module.rsplit(".", 1)[1]
        if sibling in ("_common", "detectors"):
            continue
        assert not top_level, f"{path.name} imports {names} from rule module {sibling}: move shared code to detectors.py"
        assert not [n for n in names if n.startswith("_")], f"{path.name} imports private names {names} from {sibling}"
