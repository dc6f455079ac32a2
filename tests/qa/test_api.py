"""HTTP: launch a run in the background, follow progress, fetch the report (router mounted alone)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.qa.conftest import MINI


@pytest.fixture
def client(qa_runtime: Any, tmp_path: Path) -> Any:
    from api.routers import evals

    evals_dir = tmp_path / "evals"
    (evals_dir / "sets").mkdir(parents=True)
    (evals_dir / "sets" / "mini.yaml").write_text(MINI, encoding="utf-8")
    rt = type(qa_runtime)(qa_runtime.settings.model_copy(update={"evals_dir": evals_dir}))
    rt.__dict__.update({k: v for k, v in qa_runtime.__dict__.items() if k in ("firm", "guard", "plan_policy", "index")})
    app = FastAPI()
    app.state.runtime = rt
    app.include_router(evals.router)
    return TestClient(app)


def test_launch_follow_and_fetch_report(client: Any) -> None:
    r = client.post("/v1/evals/runs", json={"datasets": ["sets/mini.yaml"], "thresholds": None, "limit": 3})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    status: dict[str, Any] = {}
    for _ in range(600):
        status = client.get(f"/v1/evals/runs/{run_id}").json()
        if status["status"] in ("completed", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "completed", status
    assert status["done"] == status["total"] == 3
    assert status["summary"]["cases"] == 3
    rep = client.get(f"/v1/evals/runs/{run_id}/report")
    assert rep.status_code == 200 and "<svg" in rep.text
    assert "default-src 'none'" in rep.headers["content-security-policy"]


def test_bad_requests_are_rejected_before_running(client: Any) -> None:
    r = client.post("/v1/evals/runs", json={"datasets": ["../../etc/passwd"]})
    assert r.status_code == 422 and "outside the evals folder" in r.text
    r = client.post("/v1/evals/runs", json={"datasets": ["sets/mini.yaml"], "evaluators": ["nope"], "thresholds": None})
    assert r.status_code == 400 and "unknown evaluator" in r.text
    r = client.post("/v1/evals/runs", json={"datasets": ["sets/missing.yaml"], "thresholds": None})
    assert r.status_code == 422 and "not found" in r.text
    assert client.get("/v1/evals/runs/20260101T000000-abcdef").status_code == 404
    assert client.get("/v1/evals/runs/..%2F..%2Fetc/report").status_code == 404
