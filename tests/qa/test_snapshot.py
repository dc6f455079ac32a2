"""Runs are isolated from the live database and replayable bit for bit from their manifest; every failed
evaluator says why; the report is in French and English with a summary and filters; no runner/report cycle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent.errors import InputValidationError
from agent.qa import runner
from agent.qa.report import failure_reason, reason_of
from tests.conftest import REPO, TODAY, copy_template, make_settings
from tests.qa.conftest import MINI, write


@pytest.fixture(scope="module")
def own_runtime(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Any:
    """A runtime on its own data dir: this module changes the live database."""
    from agent.runtime import Runtime

    return Runtime.start(make_settings(copy_template(ingested_template, tmp_path_factory.mktemp("qa-snap"))))


def _cfg(out: Path, ds: Path | None = None, **kw: Any) -> runner.RunConfig:
    return runner.RunConfig(datasets=[ds] if ds else [], out_dir=out, **kw)


def test_replay_is_identical_after_the_live_database_changed(own_runtime: Any, tmp_path: Path) -> None:
    from agent.payments import record

    ds = write(tmp_path / "mini.yaml", MINI)
    first = runner.run(own_runtime, _cfg(tmp_path / "a", ds))
    snap = first["snapshot"]
    assert (tmp_path / "a" / "snapshot.json").is_file() and len(snap["sha256"]) == 64
    assert snap["as_of"] == TODAY.isoformat()
    before = (tmp_path / "a" / "results.jsonl").read_bytes()

    # the live file changes: D002 pays most of what it owes (the hardship scenario's balance and plan change)
    with own_runtime.session() as s:
        record(s, "D002", 20_000, TODAY, actor="test")

    live = runner.run(own_runtime, _cfg(tmp_path / "live", ds))
    assert (tmp_path / "live" / "results.jsonl").read_bytes() != before, "the change must matter to a live run"
    assert live["snapshot"]["sha256"] != snap["sha256"]

    replay = runner.run(own_runtime, _cfg(tmp_path / "b", replay=tmp_path / "a"))
    again = runner.run(own_runtime, _cfg(tmp_path / "c", replay=tmp_path / "a"))
    assert (tmp_path / "b" / "results.jsonl").read_bytes() == before
    assert (tmp_path / "c" / "results.jsonl").read_bytes() == before
    assert (tmp_path / "b" / "snapshot.json").read_bytes() == (tmp_path / "a" / "snapshot.json").read_bytes()
    assert replay["replay_of"] == "a" and again["snapshot"]["sha256"] == snap["sha256"]
    assert "duration_ms" not in json.loads(before.splitlines()[0])


def test_a_changed_snapshot_or_dataset_is_refused(own_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    runner.run(own_runtime, _cfg(tmp_path / "a", ds, limit=1))
    snap = tmp_path / "a" / "snapshot.json"
    snap.write_bytes(snap.read_bytes().replace(b'"D002"', b'"D002" ', 1))
    with pytest.raises(InputValidationError, match="sha256 differs"):
        runner.prepare(own_runtime, _cfg(tmp_path / "b", replay=tmp_path / "a"))
    runner.run(own_runtime, _cfg(tmp_path / "c", ds, limit=1))
    write(ds, MINI.replace("Hello, what exactly", "Hi, what exactly"))
    with pytest.raises(InputValidationError, match="datasets changed"):
        runner.prepare(own_runtime, _cfg(tmp_path / "d", replay=tmp_path / "c"))


def test_every_failed_evaluator_gives_a_reason_in_both_languages(own_runtime: Any, tmp_path: Path) -> None:
    ds = REPO / "evals" / "scenarios"
    runner.run(own_runtime, _cfg(tmp_path / "r", ds, limit=40))
    rows = runner.read_results(tmp_path / "r" / "results.jsonl")
    failed = [(n, s) for r in rows for n, s in (r.get("scores") or {}).items() if s and not s["passed"]]
    assert failed, "the first 40 scenarios should hold at least one failed evaluator"
    for name, score in failed:
        key, _ = reason_of(name, score)
        fr, en = failure_reason(name, score, "fr"), failure_reason(name, score, "en")
        assert fr.strip() and en.strip() and fr != en, (name, fr, en)
        if name in ("tone", "readability", "grounding", "intent", "length", "compliance", "expectations", "plan"):
            assert key != "report.reason.generic", (name, score.get("details"))
    html = (tmp_path / "r" / "report.en.html").read_text(encoding="utf-8")
    assert '— ""' not in html and "— <span" in html


def test_tone_reason_names_the_low_sub_scores() -> None:
    score = {"value": 0.79, "passed": False, "subscores": {"politeness": 1.0, "empathy": 0.3, "firmness": 0.9},
             "details": {"counts": {"insults": 0}}}
    assert failure_reason("tone", score, "en") == "sub-score too low: empathy 0.30 (minimum 0.40)"
    assert failure_reason("tone", score, "fr") == "sous-score trop bas : empathy 0.30 (minimum 0,40)"


def test_report_does_not_import_the_runner() -> None:
    code = "import sys, agent.qa.report; print('agent.qa.runner' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"
    assert "runtime.__dict__" not in (REPO / "agent" / "qa" / "runner.py").read_text(encoding="utf-8")
