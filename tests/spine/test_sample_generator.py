"""The sample portfolio is data (knowledge/portfolio/sample_portfolio.yaml) expanded by a small generator that
uses the product's plan engine and calendar; it reproduces the committed JSONL exactly."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import pytest

from agent.plans.engine import split_amounts
from tests.conftest import REPO


@pytest.fixture(scope="module")
def gen() -> Any:
    spec = importlib.util.spec_from_file_location("make_sample_portfolio", REPO / "scripts" / "make_sample_portfolio.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.load()
    return mod


def test_the_generator_reproduces_the_committed_portfolio(gen: Any) -> None:
    assert gen._check() == []
    assert gen.render() == (REPO / "knowledge" / "portfolio" / "sample_portfolio.jsonl").read_text(encoding="utf-8")
    assert len(gen.CREDITORS) == 6 and len(gen.DEBTORS) == 36


def test_plans_come_from_the_plan_engine_and_the_calendar(gen: Any) -> None:
    plans = [p for r in gen.DEBTORS for p in r["plans"]]
    assert len(plans) >= 3
    for p in plans:
        amounts = [i["amount_cents"] for i in p["instalments"]]
        assert amounts == split_amounts(sum(amounts), len(amounts))
        for i in p["instalments"]:
            due = dt.date.fromisoformat(i["due_date"])
            assert gen.CALENDAR.is_business_day(due), (p["reference"], due)


def test_a_broken_entry_is_caught(gen: Any, tmp_path: Any) -> None:
    import yaml

    data = yaml.safe_load((REPO / "knowledge" / "portfolio" / "sample_portfolio.yaml").read_text(encoding="utf-8"))
    data["debtors"][0]["payments"] = [{"date": "2027-01-05", "amount_cents": 100, "method": "card", "reference": ""}]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        gen.load(bad)
        assert any("payment in the future" in p for p in gen._check())
    finally:
        gen.load()
