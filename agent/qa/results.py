"""Run files and their summary: names, reading ``results.jsonl``, per-dimension aggregates.

Shared by the runner (which writes runs) and the report (which reads them), so neither imports the other's
module for these.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

RESULTS = "results.jsonl"
MANIFEST = "run.json"
REPORT = "report.html"
SNAPSHOT = "snapshot.json"


def read_results(path: Path) -> list[dict[str, Any]]:
    """Every complete result line (a torn last line from an interruption is ignored)."""
    if not path.is_file():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "case_id" in obj:
            out.append(obj)
    return out


def case_overall(scores: dict[str, Any]) -> tuple[float | None, bool]:
    vals = [s for s in scores.values() if s is not None]
    if not vals:
        return None, False
    return round(statistics.fmean(s["value"] for s in vals), 4), all(s["passed"] for s in vals)


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per dimension (and tone sub-dimension): n, mean, pass rate; broken down by intent, language, channel."""
    def dims_of(r: dict[str, Any]) -> Iterator[tuple[str, float, bool]]:
        if r.get("error"):
            return
        for name, s in r["scores"].items():
            if s is None:
                continue
            yield name, float(s["value"]), bool(s["passed"])
            for sub, v in (s.get("subscores") or {}).items():
                yield f"{name}.{sub}", float(v), float(v) >= 0.5
        if r.get("sendable") and r["scores"].get("compliance") is not None:
            c = r["scores"]["compliance"]
            yield "compliance_sendable", float(c["value"]), bool(c["passed"])
        if r.get("overall") is not None:
            yield "overall", float(r["overall"]), bool(r.get("passed"))

    def agg(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
        acc: dict[str, list[tuple[float, bool]]] = {}
        for r in rows:
            for name, v, p in dims_of(r):
                acc.setdefault(name, []).append((v, p))
        return {k: {"n": len(v), "mean": round(statistics.fmean(x for x, _ in v), 4),
                    "pass_rate": round(sum(1 for _, p in v if p) / len(v), 4)} for k, v in sorted(acc.items())}

    def group(key: Callable[[dict[str, Any]], str]) -> dict[str, dict[str, dict[str, float]]]:
        buckets: dict[str, list[dict[str, Any]]] = {}
        for r in results:
            buckets.setdefault(key(r), []).append(r)
        return {k: agg(v) for k, v in sorted(buckets.items())}

    ok = [r for r in results if not r.get("error")]
    return {
        "cases": len(results),
        "errors": len(results) - len(ok),
        "passed": sum(1 for r in ok if r.get("passed")),
        "sendable": sum(1 for r in ok if r.get("sendable")),
        "dimensions": agg(results),
        "by_intent": group(lambda r: r.get("expected_intent") or r.get("intent") or "unknown"),
        "by_lang": group(lambda r: r.get("lang") or "?"),
        "by_channel": group(lambda r: r.get("channel") or "?"),
    }
