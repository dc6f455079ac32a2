"""QA evaluation runs over HTTP (qa role; the dependency is added in api/app.py).

POST /v1/evals/runs launches a run in a background thread and returns its id; GET /v1/evals/runs/{id}
reports progress; GET /v1/evals/runs/{id}/report serves the HTML report. Datasets are named relative to
the evals folder (no path may escape it). Runs live under ``data_dir/evals/<id>``.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from agent.auth import Principal
from agent.errors import AmiableError
from agent.runtime import Runtime
from api.deps import RuntimeDep
from api.security import scoped_debtor_ids

router = APIRouter(prefix="/v1/evals", tags=["evals"])

_RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")
_lock = threading.Lock()
_runs: dict[str, dict[str, Any]] = {}  # run id -> {"progress": Progress, "thread": Thread, "error": str | None}
_reserved: dict[str, int] = {}  # API key id -> launches being prepared


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    datasets: list[str] = Field(default_factory=lambda: ["scenarios"], min_length=1, max_length=20,
                                description="paths relative to the evals folder (files or folders)")
    backend: Literal["offline", "llm"] = "offline"
    evaluators: list[str] | None = None
    limit: int | None = Field(default=None, ge=1, le=100_000)
    thresholds: str | None = Field(default="thresholds.yaml", description="relative to the evals folder; null: none")


class RunCreated(BaseModel):
    id: str
    status: str
    progress_url: str
    report_url: str


def _inside(base: Path, rel: str) -> Path:
    p = (base / rel).resolve()
    if p != base.resolve() and base.resolve() not in p.parents:
        raise HTTPException(status_code=422, detail=f"{rel!r} is outside the evals folder")
    return p


def _runs_dir(rt: Runtime) -> Path:
    return rt.settings.data_dir / "evals"


def _run_dir(rt: Runtime, run_id: str) -> Path:
    if not _RUN_ID.match(run_id):
        raise HTTPException(status_code=404, detail="unknown run")
    return _runs_dir(rt) / run_id


@router.post("/runs", status_code=202, response_model=RunCreated)
def launch_run(body: RunRequest, rt: RuntimeDep, request: Request) -> RunCreated:
    """Validate the request (datasets, evaluators, debtors) then run it in a background thread.

    At most ``settings.max_eval_runs_per_key`` runs per API key at a time (429 beyond)."""

    principal = getattr(request.state, "principal", None)
    owner = getattr(principal, "key_id", "anonymous")
    limit = int(getattr(request.app.state, "max_eval_runs_per_key", 2))
    with _lock:  # check and reserve atomically: concurrent launches cannot overshoot the limit
        running = _reserved.get(owner, 0) + sum(1 for e in _runs.values()
                                                 if e.get("owner") == owner and e["thread"].is_alive())
        if running >= limit:
            raise HTTPException(status_code=429, detail=f"this key already has {running} evaluation runs in "
                                                        f"progress (limit {limit}); wait for one to finish",
                                headers={"Retry-After": "30"})
        _reserved[owner] = _reserved.get(owner, 0) + 1
    visible = scoped_debtor_ids(rt, principal) if isinstance(principal, Principal) else None
    try:
        return _launch(body, rt, owner, visible)
    finally:
        with _lock:
            _reserved[owner] -= 1


def _in_scope(prep: Any, visible: set[str] | None) -> None:
    """A scoped key's run may name only its creditors' debtors; another's reads like an unknown one."""
    from agent.qa.runner import MissingDebtorError

    if visible is None:
        return
    for c in prep.cases:
        d = c.scenario.debtor_id
        if d is not None and d not in visible:
            raise MissingDebtorError(f"{c.path}:{c.line}: debtor_id: unknown debtor {d!r} (scenario {c.scenario.id})")


def _launch(body: RunRequest, rt: Runtime, owner: str, visible: set[str] | None = None) -> RunCreated:
    from agent.qa import runner

    evals = rt.settings.evals_dir
    datasets = [_inside(evals, d) for d in body.datasets]
    thresholds = _inside(evals, body.thresholds) if body.thresholds else None
    run_id = runner.new_run_id(rt.clock)
    cfg = runner.RunConfig(datasets=datasets, backend=body.backend, out_dir=_runs_dir(rt) / run_id,
                           evaluators=body.evaluators, limit=body.limit, resume=False, thresholds=thresholds)
    try:
        prep = runner.prepare(rt, cfg)
        _in_scope(prep, visible)
    except AmiableError as exc:
        raise HTTPException(status_code=exc.http_status if exc.http_status < 500 else 422,
                            detail=exc.message) from exc
    progress = runner.Progress(total=len(prep.cases), status="queued")
    entry: dict[str, Any] = {"progress": progress, "error": None, "owner": owner}

    def work() -> None:
        try:
            manifest = runner.run_cases(prep, progress)
            entry["gate"] = manifest.get("thresholds")
        except Exception as exc:  # noqa: BLE001 - reported through GET /runs/{id}, never lost silently
            progress.status = "failed"
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]

    thread = threading.Thread(target=work, name=f"eval-{run_id}", daemon=True)
    entry["thread"] = thread
    with _lock:
        _runs[run_id] = entry
    thread.start()
    return RunCreated(id=run_id, status=progress.status, progress_url=f"/v1/evals/runs/{run_id}",
                      report_url=f"/v1/evals/runs/{run_id}/report")


class RunStatus(BaseModel):
    """A run's progress (while it runs here) or its manifest's summary (once finished, found on disk)."""

    id: str
    status: str | None
    total: int | None = None
    done: int | None = None
    skipped: int | None = None
    failed: int | None = None
    message: str | None = None
    elapsed_s: float | None = None
    summary: Any = None  # the manifest's summary, as written by the runner
    thresholds: Any = None  # the gate's thresholds and outcome, as written by the runner
    error: str | None = None


@router.get("/runs/{run_id}", response_model=RunStatus, summary="Progress or manifest of an eval run (role: qa)")
def run_status(run_id: str, rt: RuntimeDep) -> dict[str, Any]:
    """Progress of a run launched here, or the manifest of a finished run found on disk."""
    import json

    run_dir = _run_dir(rt, run_id)
    with _lock:
        entry = _runs.get(run_id)
    if entry is not None:
        out: dict[str, Any] = {"id": run_id, **entry["progress"].as_dict(), "error": entry["error"]}
        if entry.get("gate") is not None:
            out["thresholds"] = entry["gate"]
        if (run_dir / "run.json").is_file() and out["status"] == "completed":
            out["summary"] = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("summary")
        return out
    manifest = run_dir / "run.json"
    if not manifest.is_file():
        raise HTTPException(status_code=404, detail="unknown run")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {"id": run_id, "status": data.get("status"), "total": data.get("cases"), "summary": data.get("summary"),
            "thresholds": data.get("thresholds"), "error": None}


_REPORT_FILES = {"fr": "report.html", "en": "report.en.html"}


@router.get("/runs/{run_id}/report", response_class=HTMLResponse,
            summary="The run's HTML report, in French (default) or English (?lang=en)")
def run_report(run_id: str, rt: RuntimeDep, lang: Literal["fr", "en"] = "fr") -> HTMLResponse:
    return _report(rt, run_id, lang)


@router.get("/runs/{run_id}/report.en.html", response_class=HTMLResponse, include_in_schema=False)
def run_report_en(run_id: str, rt: RuntimeDep) -> HTMLResponse:  # the French report links to it relatively
    return _report(rt, run_id, "en")


@router.get("/runs/{run_id}/report.html", response_class=HTMLResponse, include_in_schema=False)
def run_report_fr(run_id: str, rt: RuntimeDep) -> HTMLResponse:
    return _report(rt, run_id, "fr")


def _report(rt: Runtime, run_id: str, lang: str) -> HTMLResponse:
    path = _run_dir(rt, run_id) / _REPORT_FILES[lang]
    if not path.is_file():
        raise HTTPException(status_code=404, detail="no report yet (the run is unknown or still running)")
    return HTMLResponse(path.read_text(encoding="utf-8"),
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                            "img-src data:; frame-ancestors 'self'"})
