"""/readyz reports a disarmed guard (a policy under which nothing can block) as not ready."""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from tests.conftest import REPO, make_settings


def _ready(tmp: Path, policy_file: Path | None = None) -> dict[str, object]:
    from agent.runtime import Runtime
    from api.app import create_app

    s = make_settings(tmp, **({"guard_policy_file": policy_file} if policy_file else {}))
    with TestClient(create_app(s, Runtime.start(s))) as c:
        r = c.get("/readyz")
        assert r.status_code in (200, 503)
        policy = r.json()["checks"]["policy"]
        assert isinstance(policy, dict)
        return policy


def test_readyz_says_the_guard_is_armed(tmp_path: Path) -> None:
    policy = _ready(tmp_path)
    assert policy["ok"] is True and policy["guard_armed"] is True


def test_readyz_fails_on_a_disarmed_guard(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "knowledge" / "policy" / "guard.yaml").read_text(encoding="utf-8"))
    data["enabled_families"] = ["TONE"]
    data["allow_no_blocking"] = True
    shadow = tmp_path / "guard-shadow.yaml"
    shadow.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    policy = _ready(tmp_path / "data", shadow)
    assert policy["ok"] is False and policy["guard_armed"] is False
    assert "nothing may be sent" in str(policy["error"])
