"""Guard test helpers: guards built from the real policy and firm files, with optional overrides."""

from __future__ import annotations

from functools import lru_cache

import pytest

from agent.firm import Firm, load_firm
from agent.guard import Guard
from agent.guard.policy import GuardPolicy, load_guard_policy
from agent.settings import REPO_ROOT

POLICY_FILE = REPO_ROOT / "knowledge" / "policy" / "guard.yaml"
FIRM_FILE = REPO_ROOT / "knowledge" / "policy" / "firm.yaml"


@lru_cache(maxsize=4)
def guard_for(jurisdiction: str = "FR") -> Guard:
    policy = load_guard_policy(POLICY_FILE)
    if jurisdiction != policy.jurisdiction:
        policy = GuardPolicy.model_validate({**policy.model_dump(), "jurisdiction": jurisdiction})
    return Guard(policy, firm=load_firm(FIRM_FILE))


@pytest.fixture
def guard() -> Guard:
    return guard_for("FR")


@pytest.fixture
def firm() -> Firm:
    return load_firm(FIRM_FILE)
