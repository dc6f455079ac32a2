"""Shared helpers for the benchmarks: percentiles, the machine's load average, one JSON line per figure.

Every bench prints a human line and a ``FIGURE {json}`` line; ``bench/run_all.py`` collects the latter
into ``bench/results/figures.json`` and ``bench/make_figures_md.py`` turns it into ``bench/FIGURES.md``.
The load average is printed with every figure: on a shared host a figure without it means little.
"""

from __future__ import annotations

import json
import os
from typing import Any


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f} on {os.cpu_count()} cores"


def emit(bench: str, name: str, value: float, unit: str, **extra: Any) -> None:
    """Print one figure (human line, then a machine line) with the load average at that moment."""
    load = loadavg()
    tail = " ".join(f"{k}={v}" for k, v in extra.items())
    print(f"{bench}: {name} = {value:.3f} {unit}   (load {load}) {tail}".rstrip(), flush=True)
    print("FIGURE " + json.dumps({"bench": bench, "name": name, "value": round(value, 4), "unit": unit,
                                  "load": load, **extra}), flush=True)
