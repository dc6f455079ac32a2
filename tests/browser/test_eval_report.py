"""The QA report renders in real headless Chromium (file:// URL): charts, failures, highlights, rewording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.qa.conftest import MINI, qa_runtime, qa_settings, write  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.browser
def test_eval_report_renders_charts_and_failures(browser: Any, qa_runtime: Any, tmp_path: Path,  # noqa: F811
                                                 artifacts_dir: Path) -> None:
    from agent.qa import runner
    from agent.qa.external import score_external
    from agent.qa.report import write_report

    # a scenario run (charts per intent/language) plus the external sample (guard failures with rewording)
    ds = write(tmp_path / "mini.yaml", MINI)
    run_dir = tmp_path / "run"
    runner.run(qa_runtime, runner.RunConfig(datasets=[ds], out_dir=run_dir, write_report=False))
    score_external(qa_runtime, REPO / "evals" / "external" / "sample_sent_messages.jsonl", tmp_path / "ext")
    with (run_dir / runner.RESULTS).open("a", encoding="utf-8") as fh:
        fh.write((tmp_path / "ext" / runner.RESULTS).read_text(encoding="utf-8"))
    report = write_report(run_dir)

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        assert page.title().startswith("Évaluation qualité")
        charts = page.locator("figure.chart")
        assert charts.count() >= 4
        for css_id in ("#chart-dims", "#chart-intent", "#chart-lang", "#chart-tone"):
            box = page.locator(f"{css_id} svg").bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 20, css_id
        assert page.locator("#chart-dims rect.bar").count() >= 8
        widths = page.eval_on_selector_all("#chart-dims rect.bar", "els => els.map(e => e.getBBox().width)")
        assert any(w > 50 for w in widths)
        failures = page.locator("details.failure")
        assert failures.count() >= 3
        bad = page.locator("#case-ext-002")
        assert bad.is_visible()
        assert bad.locator("mark").count() >= 2
        assert bad.locator(".rewording").count() >= 1
        assert page.locator("#dims tbody tr").count() >= 8
        assert errors == []
        out = artifacts_dir / "eval"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / "report.png"), full_page=True)
        assert (out / "report.png").stat().st_size > 10_000
    finally:
        ctx.close()
