"""Runs: results + manifest + report, resume after interruption, threshold gate, compare, external, CLI errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.qa import runner
from agent.qa.compare import bootstrap_ci, compare_results, compare_runs
from tests.qa.conftest import MINI, SCENARIOS, THRESHOLDS, write

REPO = Path(__file__).resolve().parents[2]


def cfg(tmp: Path, ds: Path, **kw: Any) -> runner.RunConfig:
    return runner.RunConfig(datasets=[ds], out_dir=tmp / "run", **kw)


def test_run_writes_results_manifest_report(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    m = runner.run(qa_runtime, cfg(tmp_path, ds))
    results = runner.read_results(tmp_path / "run" / "results.jsonl")
    assert [r["case_id"] for r in results] == ["m-hardship", "m-details", "m-dispute", "m-third", "m-inline"]
    assert m["status"] == "completed" and m["cases"] == 5 and m["backend"] == "offline"
    assert m["evaluators"]["compliance"] == "1" and m["versions"]["library"]
    assert m["summary"]["dimensions"]["compliance"]["n"] == 5
    assert all(r["error"] is None for r in results)
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Score moyen par dimension" in html and "<script" not in html
    english = (tmp_path / "run" / "report.en.html").read_text(encoding="utf-8")
    assert "Mean score per dimension" in english and "<script" not in english


def test_resume_skips_finished_cases(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    prep = runner.prepare(qa_runtime, cfg(tmp_path, ds))
    calls = {"n": 0}

    def stop_after_two() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    m1 = runner.run_cases(prep, stop=stop_after_two)
    path = tmp_path / "run" / "results.jsonl"
    assert len(runner.read_results(path)) == 2
    assert json.loads((tmp_path / "run" / "run.json").read_text())["summary"]["cases"] == 2
    assert m1["resumed_cases"] == 0
    with path.open("a", encoding="utf-8") as fh:  # a torn line, as after a kill mid-write
        fh.write('{"case_id": "m-det')
    first_two = [r["case_id"] for r in runner.read_results(path)]
    prep2 = runner.prepare(qa_runtime, cfg(tmp_path, ds))
    seen: list[str] = []
    original = runner._run_one

    def spy(p: runner.PreparedRun, c: Any) -> dict[str, Any]:
        seen.append(c.scenario.id)
        return original(p, c)

    runner._run_one = spy  # type: ignore[assignment]
    try:
        m2 = runner.run_cases(prep2)
    finally:
        runner._run_one = original  # type: ignore[assignment]
    assert m2["resumed_cases"] == 2 and m2["status"] == "completed"
    assert not set(seen) & set(first_two) and len(seen) == 3
    ids = [r["case_id"] for r in runner.read_results(path)]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 5


def test_changed_evaluators_invalidate_resume(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    runner.run(qa_runtime, cfg(tmp_path, ds, evaluators=["tone"], limit=2))
    m = runner.run(qa_runtime, cfg(tmp_path, ds, evaluators=["tone", "length"], limit=2))
    assert m["resumed_cases"] == 0
    rows = runner.read_results(tmp_path / "run" / "results.jsonl")
    assert len(rows) == 2 and all("length" in r["scores"] for r in rows)


def test_validation_before_the_run(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI.replace("debtor_id: D033", "debtor_id: D999"))
    with pytest.raises(runner.MissingDebtorError, match=r"mini.yaml:\d+: debtor_id: unknown debtor 'D999'"):
        runner.prepare(qa_runtime, cfg(tmp_path, ds))
    ok = write(tmp_path / "ok.yaml", MINI)
    from agent.qa.evaluators import UnknownEvaluatorError

    with pytest.raises(UnknownEvaluatorError):
        runner.prepare(qa_runtime, cfg(tmp_path, ok, evaluators=["politeness"]))
    assert not (tmp_path / "run").exists()
    th = write(tmp_path / "th.yaml", "version: 1\nmean: {tonality: 0.5}\n")
    with pytest.raises(runner.InputValidationError, match="tonality"):
        runner.prepare(qa_runtime, cfg(tmp_path, ok, thresholds=th))


def test_llm_backend_needs_configuration(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    with pytest.raises(runner.ConfigError, match="AMIABLE_LLM_BASE_URL"):
        runner.prepare(qa_runtime, cfg(tmp_path, ds, backend="llm"))


def test_gate_reports_violations() -> None:
    summary = {"cases": 10, "errors": 1, "dimensions": {"compliance": {"n": 10, "mean": 0.9, "pass_rate": 0.9},
                                                        "tone": {"n": 10, "mean": 0.8, "pass_rate": 1.0}}}
    th = runner.Thresholds(pass_rate={"compliance": 1.0}, mean={"tone": 0.7, "grounding": 0.5}, min_cases=20)
    v = runner.gate(summary, th)
    assert any(x.startswith("compliance: pass rate 90.0%") for x in v)
    assert any("grounding: no scored case" in x for x in v)
    assert any(x.startswith("cases: 10 < 20") for x in v) and any(x.startswith("errors") for x in v)
    assert not any(x.startswith("tone") for x in v)


def _cli(qa_settings: Any, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> Any:
    from typer.testing import CliRunner

    from agent.cli.evals import app
    from agent.settings import get_settings

    monkeypatch.setenv("AMIABLE_DATA_DIR", str(qa_settings.data_dir))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()


def test_cli_gate_exit_codes(qa_settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    strict = write(tmp_path / "strict.yaml", "version: 1\nmean: {tone: 0.999}\nmin_cases: 1\n")
    loose = write(tmp_path / "loose.yaml", "version: 1\npass_rate: {compliance_sendable: 1.0}\nmin_cases: 1\n")
    r = _cli(qa_settings, monkeypatch, ["run", "-d", str(ds), "--out", str(tmp_path / "a"), "--thresholds",
                                        str(strict)])
    assert r.exit_code == 1, r.output
    assert "threshold failed: tone: mean" in r.output
    r = _cli(qa_settings, monkeypatch, ["run", "-d", str(ds), "--out", str(tmp_path / "a"), "--thresholds",
                                        str(loose)])
    assert r.exit_code == 0, r.output
    assert "thresholds passed" in r.output


def test_cli_clear_errors_before_the_run(qa_settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", MINI.replace("    lang: en\n    channel: sms", "    lang: de\n    channel: sms"))
    r = _cli(qa_settings, monkeypatch, ["run", "-d", str(bad), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and f"error: {bad}:" in r.output and "lang" in r.output
    ok = write(tmp_path / "ok.yaml", MINI)
    r = _cli(qa_settings, monkeypatch, ["run", "-d", str(ok), "--out", str(tmp_path / "x"), "--evaluators", "tone,nope"])
    assert r.exit_code == 2 and "unknown evaluator(s): nope" in r.output
    missing = write(tmp_path / "m.yaml", MINI.replace("D011", "D404"))
    r = _cli(qa_settings, monkeypatch, ["run", "-d", str(missing), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "unknown debtor 'D404'" in r.output
    assert not (tmp_path / "x").exists()


def test_bootstrap_ci_and_compare() -> None:
    import numpy as np

    lo, hi = bootstrap_ci(np.array([0.1] * 30 + [0.2] * 30))
    assert 0.1 <= lo < hi <= 0.2
    zero_lo, zero_hi = bootstrap_ci(np.array([-0.1, 0.1] * 20))
    assert zero_lo < 0 < zero_hi

    def res(cid: str, tone: float, passed: bool) -> dict[str, Any]:
        return {"case_id": cid, "error": None, "overall": tone, "passed": passed,
                "scores": {"tone": {"value": tone, "passed": passed, "subscores": {}}}}

    a = {f"c{i}": res(f"c{i}", 0.6, True) for i in range(20)}
    b = {f"c{i}": res(f"c{i}", 0.8 if i < 18 else 0.3, i < 18) for i in range(20)}
    cmp = compare_results(a, b)
    tone = next(r for r in cmp["dimensions"] if r["dimension"] == "tone")
    assert tone["delta"] == pytest.approx((18 * 0.2 - 2 * 0.3) / 20)
    assert tone["ci95"][0] <= tone["delta"] <= tone["ci95"][1]
    assert {c["case_id"] for c in cmp["changed"]} == {f"c{i}" for i in range(20)}
    assert compare_results(a, b) == cmp  # fixed seed: reproducible


def test_compare_two_runs_on_disk(qa_runtime: Any, tmp_path: Path) -> None:
    ds = write(tmp_path / "mini.yaml", MINI)
    a = runner.run(qa_runtime, runner.RunConfig(datasets=[ds], out_dir=tmp_path / "A"))
    assert a["status"] == "completed"
    b_dir = tmp_path / "B"
    b_dir.mkdir()
    rows = runner.read_results(tmp_path / "A" / "results.jsonl")
    rows[0]["scores"]["tone"]["value"] = 0.1
    rows[0]["scores"]["tone"]["passed"] = False
    (b_dir / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cmp = compare_runs(tmp_path / "A", b_dir)
    assert cmp["common_cases"] == 5
    assert [c["case_id"] for c in cmp["changed"]] == [rows[0]["case_id"]]


def test_external_messages_scored_with_the_same_report(qa_runtime: Any, tmp_path: Path) -> None:
    from agent.qa.external import score_external

    src = REPO / "evals" / "external" / "sample_sent_messages.jsonl"
    m = score_external(qa_runtime, src, tmp_path / "ext")
    rows = {r["case_id"]: r for r in runner.read_results(tmp_path / "ext" / "results.jsonl")}
    assert len(rows) == m["cases"] >= 10
    assert rows["ext-001"]["scores"]["compliance"]["passed"]
    assert not rows["ext-002"]["scores"]["compliance"]["passed"]  # sommation + saisie + frais
    assert not rows["ext-004"]["scores"]["tone"]["passed"]
    assert not rows["ext-006"]["scores"]["compliance"]["passed"]
    assert rows["ext-007"]["scores"]["grounding"] is None  # no debtor: nothing to trace against
    html = (tmp_path / "ext" / "report.html").read_text(encoding="utf-8")
    assert "ext-002" in html and "<mark" in html
    csv_path = write(tmp_path / "sent.csv", 'id,debtor_id,channel,lang,text\nc1,D001,sms,fr,"Bonjour, '
                     'merci de nous rappeler quand cela vous convient."\nc2,D404,email,fr,Bonjour\n')
    with pytest.raises(runner.MissingDebtorError, match=r"sent.csv:3: debtor_id"):
        score_external(qa_runtime, csv_path, tmp_path / "ext2")


def test_report_escapes_user_text(tmp_path: Path) -> None:
    from agent.qa.report import highlight, render

    assert highlight("<b>a</b> saisie", [{"start": 9, "end": 15, "note": "block X"}]) == \
        '&lt;b&gt;a&lt;/b&gt; <mark class="block" title="block X">saisie</mark>'
    rec = {"case_id": "x<script>", "incoming": "<img src=x onerror=alert(1)>", "text": "<script>alert(1)</script>",
           "passed": False, "error": None, "lang": "fr", "channel": "email", "overall": 0.1,
           "scores": {"tone": {"value": 0.1, "passed": False, "details": {}, "spans": [], "subscores": {}}}}
    html = render({"run_id": "r", "evaluators": {"tone": "1"}}, [rec])
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_full_offline_scenario_set_passes_the_gate(qa_runtime: Any, tmp_path: Path) -> None:
    """The CI gate: every scenario, offline; sendable drafts are 100 % compliant; thresholds hold."""
    m = runner.run(qa_runtime, runner.RunConfig(datasets=[SCENARIOS], out_dir=tmp_path / "full",
                                                thresholds=THRESHOLDS))
    s = m["summary"]
    assert s["cases"] >= 80 and s["errors"] == 0
    assert s["dimensions"]["compliance_sendable"]["pass_rate"] == 1.0
    rows = runner.read_results(tmp_path / "full" / "results.jsonl")
    for r in rows:
        if r["sendable"]:
            assert r["scores"]["compliance"]["passed"], r["case_id"]
    assert m["thresholds"]["violations"] == [], m["thresholds"]["violations"]
