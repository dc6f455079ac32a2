"""Compare two runs: per-dimension deltas (B - A) on the cases both runs scored, with paired bootstrap
95 % confidence intervals (numpy, fixed seed), and the cases whose result changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import NotFoundError
from agent.qa.runner import MANIFEST, RESULTS, read_results

CHANGE = 0.1  # a score moving by at least this much counts as a change


def _values(r: dict[str, Any]) -> dict[str, tuple[float, bool]]:
    out: dict[str, tuple[float, bool]] = {}
    if r.get("error"):
        return out
    for name, s in (r.get("scores") or {}).items():
        if s is None:
            continue
        out[name] = (float(s["value"]), bool(s["passed"]))
        for sub, v in (s.get("subscores") or {}).items():
            out[f"{name}.{sub}"] = (float(v), float(v) >= 0.5)
    if r.get("overall") is not None:
        out["overall"] = (float(r["overall"]), bool(r.get("passed")))
    return out


def bootstrap_ci(deltas: np.ndarray, *, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    if len(deltas) == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(deltas), size=(resamples, len(deltas)))
    means = deltas[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _load(run: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    if not (run / RESULTS).is_file():
        raise NotFoundError(f"{run}: not a run folder (no {RESULTS})")
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8")) if (run / MANIFEST).is_file() else {}
    return manifest, {r["case_id"]: r for r in read_results(run / RESULTS)}


def compare_results(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]], *, resamples: int = 2000,
                    seed: int = 0) -> dict[str, Any]:
    common = sorted(set(a) & set(b))
    va = {k: _values(a[k]) for k in common}
    vb = {k: _values(b[k]) for k in common}
    dims = sorted({d for k in common for d in va[k]} & {d for k in common for d in vb[k]})
    rows = []
    for d in dims:
        ids = [k for k in common if d in va[k] and d in vb[k]]
        xa = np.array([va[k][d][0] for k in ids], dtype=float)
        xb = np.array([vb[k][d][0] for k in ids], dtype=float)
        delta = xb - xa
        lo, hi = bootstrap_ci(delta, resamples=resamples, seed=seed)
        rows.append({
            "dimension": d, "n": len(ids),
            "mean_a": round(float(xa.mean()), 4) if len(ids) else None,
            "mean_b": round(float(xb.mean()), 4) if len(ids) else None,
            "delta": round(float(delta.mean()), 4) if len(ids) else 0.0,
            "ci95": [round(lo, 4), round(hi, 4)],
            "pass_rate_a": round(sum(va[k][d][1] for k in ids) / len(ids), 4) if ids else None,
            "pass_rate_b": round(sum(vb[k][d][1] for k in ids) / len(ids), 4) if ids else None,
            "significant": bool(ids) and (lo > 0 or hi < 0),
        })
    changed = []
    for k in common:
        moves = []
        for d in sorted(set(va[k]) | set(vb[k])):
            sa, sb = va[k].get(d), vb[k].get(d)
            if sa is None or sb is None:
                continue
            if sa[1] != sb[1] or abs(sb[0] - sa[0]) >= CHANGE:
                moves.append({"dimension": d, "a": round(sa[0], 4), "b": round(sb[0], 4),
                              "passed_a": sa[1], "passed_b": sb[1]})
        text_changed = (a[k].get("text") or "") != (b[k].get("text") or "")
        if moves or bool(a[k].get("passed")) != bool(b[k].get("passed")):
            changed.append({"case_id": k, "passed_a": bool(a[k].get("passed")), "passed_b": bool(b[k].get("passed")),
                            "text_changed": text_changed, "moves": moves})
    return {"common_cases": len(common), "only_a": sorted(set(a) - set(b)), "only_b": sorted(set(b) - set(a)),
            "dimensions": rows, "changed": changed, "resamples": resamples, "seed": seed}


def compare_runs(run_a: Path, run_b: Path, *, resamples: int = 2000, seed: int = 0) -> dict[str, Any]:
    ma, a = _load(run_a)
    mb, b = _load(run_b)
    out = compare_results(a, b, resamples=resamples, seed=seed)
    out["run_a"] = {"path": str(run_a), "backend": ma.get("backend"), "versions": ma.get("versions"),
                    "dataset_sha256": ma.get("dataset_sha256")}
    out["run_b"] = {"path": str(run_b), "backend": mb.get("backend"), "versions": mb.get("versions"),
                    "dataset_sha256": mb.get("dataset_sha256")}
    return out


def format_comparison(cmp: dict[str, Any]) -> str:
    lines = [f"A: {cmp['run_a']['path']}  B: {cmp['run_b']['path']}  common cases: {cmp['common_cases']}"]
    if cmp["run_a"].get("dataset_sha256") != cmp["run_b"].get("dataset_sha256"):
        lines.append("note: the runs used different datasets; only common case ids are compared")
    lines.append(f"{'dimension':24} {'n':>5} {'A':>7} {'B':>7} {'delta':>8}  {'95% CI':>18}  pass A -> B")
    for r in cmp["dimensions"]:
        star = " *" if r["significant"] else ""
        lines.append(f"{r['dimension']:24} {r['n']:>5} {r['mean_a']:>7.3f} {r['mean_b']:>7.3f} {r['delta']:>+8.3f}  "
                     f"[{r['ci95'][0]:+.3f}, {r['ci95'][1]:+.3f}]  {r['pass_rate_a'] * 100:5.1f}% -> "
                     f"{r['pass_rate_b'] * 100:5.1f}%{star}")
    lines.append("(* the 95 % bootstrap interval excludes 0)")
    lines.append(f"changed cases: {len(cmp['changed'])}")
    for c in cmp["changed"][:50]:
        moves = ", ".join(f"{m['dimension']} {m['a']:.2f}->{m['b']:.2f}" for m in c["moves"][:4])
        verdict = f"{'pass' if c['passed_a'] else 'FAIL'} -> {'pass' if c['passed_b'] else 'FAIL'}"
        lines.append(f"  {c['case_id']:28} {verdict:12} {moves}")
    if cmp["only_a"] or cmp["only_b"]:
        lines.append(f"only in A: {len(cmp['only_a'])}  only in B: {len(cmp['only_b'])}")
    return "\n".join(lines)
