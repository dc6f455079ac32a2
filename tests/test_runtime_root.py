"""Runtime as the composition root: policies validated at start-up (cadence included), components built
once and shared by runtimes on another clock, no private-attribute tricks in the product code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from agent.clock import Clock
from agent.errors import ConfigError
from agent.runtime import Runtime
from tests.conftest import REPO, TODAY, make_settings


def test_a_broken_cadence_policy_stops_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "cadence.yaml"
    bad.write_text("version: x\nsequence: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cadence policy file .*cadence\.yaml is invalid"):
        Runtime.start(make_settings(tmp_path / "data", cadence_policy_file=bad))
    with pytest.raises(ConfigError, match="cadence policy file not found"):
        Runtime.start(make_settings(tmp_path / "data", cadence_policy_file=tmp_path / "missing.yaml"))


def test_components_are_built_once_and_shared_with_a_runtime_on_another_clock(tmp_path: Path) -> None:
    from agent.cadence import planner_for

    rt = Runtime.start(make_settings(tmp_path))
    assert rt.clock.today() == TODAY
    assert planner_for(rt) is rt.planner is rt.planner
    assert rt.planner.windows is rt.contact_windows and rt.planner.cadence is rt.cadence_policy
    assert rt.composer is rt.components.offline_composer  # no endpoint configured
    past = rt.with_clock(Clock(tz=rt.clock.tz, fixed_today=dt.date(2026, 6, 1)))
    assert past.clock.today() == dt.date(2026, 6, 1) and rt.clock.today() == TODAY
    assert past.guard is rt.guard and past.planner is rt.planner and past.composer is rt.composer
    assert past.drafting is not rt.drafting and past.drafting.rt is past
    assert past.drafting.offline is rt.drafting.offline


def test_no_private_attribute_tricks_in_product_code() -> None:
    pattern = re.compile(r"__dict__\[|object\.__setattr__\((?!self\b)|\.__dict__\.(?:update|get)\(")
    hits = [f"{p.relative_to(REPO)}:{i}" for base in ("agent", "api") for p in sorted((REPO / base).rglob("*.py"))
            if "qa" not in p.relative_to(REPO).parts  # qa/runner.py: the console/QA engineer's part of issue 16
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []
