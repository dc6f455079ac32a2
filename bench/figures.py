"""Shared helpers for the benchmarks: percentiles, the machine's load average, one JSON line per figure,
and each figure's ratio to today's baseline (bench/baseline.json).

Every bench prints a human line and a ``FIGURE {json}`` line; ``bench/run_all.py`` collects the latter
into ``bench/figures.json`` (with the ratios); ``bench/make_figures_md.py`` turns it into
``bench/FIGURES.md`` and the README's figures block (``bench/readme.py``).
The load average is printed with every figure: on a shared host a figure without it means little.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline.json"
LOWER_IS_BETTER = {"ms", "s", "MB"}


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f} on {os.cpu_count()} cores"


def load_baseline(path: Path = BASELINE) -> dict[tuple[str, str], dict[str, Any]]:
    """(bench, figure name) -> today's figure before this work (value, unit, load, when, source)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(f["bench"], f["name"]): f for f in data["figures"]}


def ratio_text(value: float, unit: str, base: dict[str, Any] | None) -> str:
    """``x0.25 of today's (4.0x better)``, or why there is no ratio."""
    if base is None:
        return "no baseline (not measured before)"
    old = float(base["value"])
    if base.get("unit") != unit or old == 0 or value == 0:
        return f"not comparable with today's {old:g} {base.get('unit')}"
    ratio = value / old
    better = ratio < 1 if unit in LOWER_IS_BETTER else ratio > 1
    factor = max(ratio, 1 / ratio)
    word = "better" if better else "worse"
    return f"x{ratio:.3g} of today's {old:g} {unit} ({factor:.3g}x {word})"


def with_ratio(figure: dict[str, Any], baseline: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    base = baseline.get((str(figure["bench"]), str(figure["name"])))
    out = {**figure, "ratio_text": ratio_text(float(figure["value"]), str(figure["unit"]), base)}
    if base is not None:
        out["baseline"] = {k: base[k] for k in ("value", "unit", "load", "measured_at", "source") if k in base}
        if float(base["value"]):
            out["ratio"] = round(float(figure["value"]) / float(base["value"]), 4)
    return out


def emit(bench: str, name: str, value: float, unit: str, **extra: Any) -> None:
    """Print one figure (human line with its ratio to today's, then a machine line) with the load average."""
    load = loadavg()
    tail = " ".join(f"{k}={v}" for k, v in extra.items())
    try:
        base = load_baseline().get((bench, name))
    except (OSError, ValueError, KeyError):
        base = None
    print(f"{bench}: {name} = {value:.3f} {unit}   (load {load}) {tail}   [{ratio_text(value, unit, base)}]",
          flush=True)
    print("FIGURE " + json.dumps({"bench": bench, "name": name, "value": round(value, 4), "unit": unit,
                                  "load": load, **extra}), flush=True)
