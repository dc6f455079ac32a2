"""The QA report at 360 and 1280 px, in French and English: summary, navigation, filters by failed dimension,
language and tag (CSS only), no horizontal overflow, chart labels not clipped, every visible string from the
catalogue. Screenshots in tests/artifacts/eval/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.i18n import get_catalogue
from tests.browser.catalogue_check import assert_in_catalogue
from tests.qa.conftest import MINI, qa_runtime, qa_settings, write  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def report_dir(qa_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    from agent.qa import runner

    tmp = tmp_path_factory.mktemp("report-i18n")
    ds = write(tmp / "mini.yaml", MINI)
    scenarios = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
    runner.run(qa_runtime, runner.RunConfig(datasets=[ds, scenarios], out_dir=tmp / "run", limit=45))
    return tmp / "run"


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width"), [("fr", 360), ("fr", 1280), ("en", 360), ("en", 1280)])
def test_report_reads_at_every_width_in_both_languages(browser: Any, report_dir: Path, artifacts_dir: Path,
                                                       lang: str, width: int) -> None:
    cat = get_catalogue()
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((report_dir / ("report.html" if lang == "fr" else "report.en.html")).as_uri())
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("#summary").is_visible() and page.locator("nav.top a").count() == 5
        assert cat.text("report.summary.title", lang) == page.inner_text("#summary")
        assert_in_catalogue(page, lang)
        scroll_w = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_w <= width, f"{scroll_w}px wide at {width}px"

        # chart labels fit their column (nothing clipped by the bars or the frame)
        clipped = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg')].flatMap(svg => {
            const bar = svg.querySelector('rect'); const limit = bar ? bar.x.baseVal.value : 0;
            const vb = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].filter(t => {
                const b = t.getBBox(); const x = t.x.baseVal[0].value;
                return (x === 0 && b.width > limit) || b.x + b.width > vb + 0.5; }).map(t => t.textContent); })""")
        assert clipped == []

        # filters: each value of each group shows exactly the failures carrying it; 'all' shows them all
        failures = page.locator("details.failure")
        total = failures.count()
        assert total >= 2
        classes = [set((f.get_attribute("class") or "").split()) for f in failures.all()]
        selective = 0
        for kind in ("dim", "lang", "tag"):
            radios = page.locator(f"#filter-{kind} input[type=radio]")
            assert radios.count() >= 2, kind  # "all" + at least one value
            for n in range(1, radios.count()):
                cls = (radios.nth(n).get_attribute("id") or "")[2:]
                page.locator(f"#filter-{kind} label").nth(n).click()
                flags = page.eval_on_selector_all("details.failure", "els => els.map(e => e.checkVisibility())")
                visible = [i for i, on in enumerate(flags) if on]
                assert visible == [i for i, c in enumerate(classes) if cls in c], (kind, n)
                selective += 0 < len(visible) < total
            page.locator(f"#filter-{kind} label").first.click()
        assert selective >= 2
        page.locator("#filter-dim label").nth(1).click()
        shown = [f for f in failures.all() if f.is_visible()]
        shown[0].locator("summary").click()
        reasons = shown[0].locator(".reason")
        assert reasons.count() >= 1 and all(r.inner_text().strip() for r in reasons.all())
        assert_in_catalogue(page, lang)
        out = artifacts_dir / "eval"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"report-{lang}-{width}.png"), full_page=True)
        page.locator("#filter-dim label").first.click()
        assert sum(1 for f in failures.all() if f.is_visible()) == total
        assert errors == []
    finally:
        ctx.close()
