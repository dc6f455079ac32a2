"""The admin sync API: dry run reports without writing, a real sync applies, errors name the line, role admin only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent.db import models as m
from agent.settings import REPO_ROOT
from tests.service.conftest import Keys, auth, build_data_dir, make_keys

SAMPLE = REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Iterator[tuple[Any, Keys, TestClient]]:
    from api.app import create_app

    s, rt = build_data_dir(tmp_path_factory.mktemp("admin-sync"), ingested_template)
    keys = make_keys(rt)
    with TestClient(create_app(s, rt)) as c:
        yield rt, keys, c


def _export(amount_delta: int = 100) -> str:
    out = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("id") == "D003":
            rec["invoices"][0]["principal_cents"] += amount_delta
        out.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(out) + "\n"


def _principal(rt: Any) -> int:
    with rt.session() as s:
        return s.get(m.Debtor, "D003").invoices[0].principal_cents  # type: ignore[no-any-return,union-attr]


def test_dry_run_then_sync(env: Any) -> None:
    rt, keys, client = env
    before = _principal(rt)
    body = {"content": _export(), "source": "export-3.jsonl", "dry_run": True}
    dry = client.post("/v1/admin/portfolio/sync", headers=auth(keys.admin), json=body)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["updated"], dry.json()["unchanged"]) == (1, 35) and _principal(rt) == before
    real = client.post("/v1/admin/portfolio/sync", headers=auth(keys.admin), json={**body, "dry_run": False}).json()
    assert real["updated"] == 1 and _principal(rt) == before + 100


def test_agents_cannot_sync_and_errors_name_the_line(env: Any) -> None:
    rt, keys, client = env
    assert client.post("/v1/admin/portfolio/sync", headers=auth(keys.agent),
                       json={"content": _export()}).status_code == 403
    lines = _export(5).splitlines()
    lines[7] = lines[7].replace('"kind": "consumer"', '"kind": "robot"')
    before = _principal(rt)
    r = client.post("/v1/admin/portfolio/sync", headers=auth(keys.admin),
                    json={"content": "\n".join(lines), "source": "bad.jsonl"})
    assert r.status_code == 422 and "bad.jsonl:8: kind" in r.text
    assert _principal(rt) == before
