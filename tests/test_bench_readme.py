"""The README's benchmark table is generated from bench/figures.json and cannot drift from it."""

from __future__ import annotations

import json
from pathlib import Path

from bench.figures import load_baseline, ratio_text, with_ratio
from bench.readme import current_block, render_block, replace_block
from bench.run_all import BENCHES

REPO = Path(__file__).resolve().parent.parent


def _figures() -> dict[str, object]:
    data: dict[str, object] = json.loads((REPO / "bench" / "figures.json").read_text(encoding="utf-8"))
    return data


def test_readme_block_is_the_rendering_of_figures_json() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    busy_file = REPO / "bench" / "figures-busy.json"
    busy = json.loads(busy_file.read_text(encoding="utf-8")) if busy_file.is_file() else None
    assert current_block(readme) == render_block(_figures(), busy), \
        "README figures block is stale: run `python bench/make_figures_md.py`"


def test_every_figure_carries_its_load_and_its_ratio_to_the_baseline() -> None:
    baseline = load_baseline()
    figures = _figures()["figures"]
    assert isinstance(figures, list) and figures
    for f in figures:
        assert " on " in f["load"] and f["load"].split("/")[0].replace(".", "").isdigit(), f
        bare = {k: v for k, v in f.items() if k not in ("ratio", "ratio_text", "baseline")}
        assert with_ratio(bare, baseline)["ratio_text"] == f["ratio_text"], f["name"]
    assert any("baseline" in f for f in figures)


def test_ratio_direction_follows_the_unit() -> None:
    assert ratio_text(5.0, "ms", {"value": 10.0, "unit": "ms"}) == "x0.5 of today's 10 ms (2x better)"
    assert ratio_text(5.0, "drafts/s", {"value": 10.0, "unit": "drafts/s"}).endswith("(2x worse)")
    assert ratio_text(1.0, "ms", None) == "no baseline (not measured before)"


def test_the_busy_run_is_shown_beside_figure_by_figure() -> None:
    fig = {"bench": "history", "name": "query p95 at 1,000,000", "value": 0.1, "unit": "ms", "target": "< 5 ms",
           "load": "0.50/0.40/0.30 on 2 cores", "ratio_text": "no baseline (not measured before)"}
    busy = {"run": {"started_at": "B"}, "figures": [{**fig, "value": 0.3, "load": "17.81/18.40/15.07 on 2 cores"}]}
    block = render_block({"figures": [fig, {**fig, "name": "other"}]}, busy)
    assert "| 0.3 ms (17.81/18.40/15.07) |" in block and block.count(" — |") == 1


def test_replacing_the_block_keeps_the_rest_of_the_readme() -> None:
    text = "intro\n" + render_block({"figures": []}) + "\noutro\n"
    out = replace_block(text, "X")
    assert out == "intro\nX\noutro\n"


def test_run_all_lists_only_benches_that_exist_or_are_marked_optional() -> None:
    for b in BENCHES:
        cmd = b.full or b.quick
        assert cmd is not None
        assert b.optional or (REPO / "bench" / cmd[0]).is_file(), b.name
    assert any(b.optional and b.name == "scaleout" for b in BENCHES)
