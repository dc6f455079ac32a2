"""Debtor-message understanding on the corpus: today's analyser against the detector of commit 812995d.

Run: ``python bench/bench_understanding.py --corpus evals/corpus/debtor --split test``
(``--split dev`` while developing; the test split is frozen and only ever REPORTED, never tuned on).

Prints, for French and English separately and together:
* per-intent precision and recall (multi-label: each label of each item counts);
* any-label accuracy (at least one predicted label is a gold label; "other" counts as a label),
  exact-set accuracy and primary-label accuracy (the draft's single intent is one of the gold labels);
* a confusion matrix of gold primary label (the first gold label in the priority order) x predicted primary;
* detail extraction precision / recall / F1 per kind (a predicted span matches an unmatched gold span of
  the same kind that it overlaps);
* latency per message, p50 / p95, one core: the analysis given the embedding (rules + learned layer +
  details) and the full path including the embedding, which the drafting pipeline computes once for
  intent, guidelines and history alike.
The old detector (single label, rules then k-NN over prompts/intents/examples.yaml) is read from git at
commit 812995d and run on the same items; it extracts no details.
Corpus items carry no writing date: relative dates resolve against ``--today`` (default 2000-01-01, before
every item, so that a date a debtor promised is never discarded as past).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, numpy included
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import datetime as dt
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.drafting.intent import IntentDetector  # noqa: E402
from agent.kb.embeddings import get_embeddings  # noqa: E402
from agent.understanding.corpus_io import Item, load_items  # noqa: E402
from agent.understanding.models import DETAIL_KINDS, LABELS, PRIORITY  # noqa: E402

OLD_COMMIT = "812995d"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def old_module() -> ModuleType:
    src = subprocess.run(["git", "show", f"{OLD_COMMIT}:agent/drafting/intent.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "intent_812995d.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("intent_812995d", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["intent_812995d"] = mod  # pydantic resolves the module's annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


def primary_of(labels: set[str]) -> str:
    return next((lab for lab in PRIORITY if lab in labels), "other")


def intent_report(rows: list[tuple[Item, set[str], str]], title: str) -> dict[str, object]:
    n = len(rows)
    print(f"\n  {title}: {n} items")
    if not n:
        return {}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    anyhit = exact = prim = 0
    for item, pred, primary in rows:
        gold = set(item.labels)
        for lab in LABELS:
            if lab in pred and lab in gold:
                tp[lab] += 1
            elif lab in pred:
                fp[lab] += 1
            elif lab in gold:
                fn[lab] += 1
        anyhit += bool(pred & gold)
        exact += pred == gold
        prim += primary in gold
    out: dict[str, object] = {"n": n, "any_label_accuracy": anyhit / n, "exact_set_accuracy": exact / n,
                              "primary_accuracy": prim / n, "per_label": {}}
    print(f"    any-label accuracy {anyhit / n:.3f}   exact-set {exact / n:.3f}   primary-in-gold {prim / n:.3f}")
    print(f"    {'label':<17}{'gold':>6}{'pred':>6}{'precision':>11}{'recall':>8}")
    for lab in LABELS:
        g, p = tp[lab] + fn[lab], tp[lab] + fp[lab]
        if not g and not p:
            continue
        prec = tp[lab] / p if p else float("nan")
        rec = tp[lab] / g if g else float("nan")
        out["per_label"][lab] = {"gold": g, "pred": p, "precision": prec, "recall": rec}  # type: ignore[index]
        print(f"    {lab:<17}{g:>6}{p:>6}{prec:>11.3f}{rec:>8.3f}")
    return out


def confusion(rows: list[tuple[Item, set[str], str]]) -> None:
    labs = [lab for lab in LABELS if any(lab in r[0].labels or lab == r[2] for r in rows)]
    short = {lab: lab[:6] for lab in labs}
    m: Counter[tuple[str, str]] = Counter((primary_of(set(r[0].labels)), r[2]) for r in rows)
    print("    gold primary (rows) x predicted primary (columns)")
    print("    " + " " * 17 + "".join(f"{short[c]:>7}" for c in labs))
    for g in labs:
        print(f"    {g:<17}" + "".join(f"{m[(g, c)]:>7}" for c in labs))


def detail_report(pairs: list[tuple[Item, list[tuple[str, int, int]]]], title: str) -> dict[str, object]:
    tp: Counter[str] = Counter()
    npred: Counter[str] = Counter()
    ngold: Counter[str] = Counter()
    for item, pred in pairs:
        gold = [(str(d["kind"]), int(str(d["start"])), int(str(d["end"]))) for d in item.details]
        used = [False] * len(gold)
        for kind, a, b in pred:
            npred[kind] += 1
            for i, (gk, ga, gb) in enumerate(gold):
                if not used[i] and gk == kind and a < gb and ga < b:
                    used[i] = True
                    tp[kind] += 1
                    break
        for gk, _, _ in gold:
            ngold[gk] += 1
    print(f"\n  details, {title}")
    print(f"    {'kind':<24}{'gold':>6}{'pred':>6}{'precision':>11}{'recall':>8}{'F1':>7}")
    out: dict[str, object] = {}
    for kind in DETAIL_KINDS:
        if not ngold[kind] and not npred[kind]:
            continue
        p = tp[kind] / npred[kind] if npred[kind] else float("nan")
        r = tp[kind] / ngold[kind] if ngold[kind] else float("nan")
        f1 = 2 * p * r / (p + r) if npred[kind] and ngold[kind] and (p + r) else float("nan")
        out[kind] = {"gold": ngold[kind], "pred": npred[kind], "precision": p, "recall": r, "f1": f1}
        print(f"    {kind:<24}{ngold[kind]:>6}{npred[kind]:>6}{p:>11.3f}{r:>8.3f}{f1:>7.3f}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "evals" / "corpus" / "debtor")
    ap.add_argument("--split", choices=("train", "dev", "test"), default="test")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2000, 1, 1))
    ap.add_argument("--no-old", action="store_true", help="skip the detector of commit 812995d")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    items = load_items(args.corpus, args.split)
    print(f"corpus {args.corpus} split {args.split}: {len(items)} items "
          f"({sum(i.lang == 'fr' for i in items)} fr, {sum(i.lang == 'en' for i in items)} en)")
    emb = get_embeddings("use", threads=1)
    examples = ROOT / "prompts" / "intents" / "examples.yaml"
    new = IntentDetector(examples, emb)
    print(f"learned layer: {'on' if new._analyzer.classifier is not None else 'OFF (no prompts/intents/model.npz)'}")
    emb.embed_query("warm-up")
    vectors = emb.embed_documents([i.text[:2000] for i in items])
    figures: dict[str, object] = {"split": args.split, "n": len(items)}
    # --- today's analyser
    rows, pairs, t_analysis, t_full = [], [], [], []
    for item, vec in zip(items, vectors, strict=True):
        t0 = time.perf_counter()
        a = new.analyse(item.text, today=args.today, vector=vec)
        t1 = time.perf_counter()
        pred = {s.label for s in a.intents}
        rows.append((item, pred, a.primary))
        pairs.append((item, [(d.kind, d.start, d.end) for d in a.details]))
        t_analysis.append((t1 - t0) * 1000)
    for item in items[: min(len(items), 200)]:
        t0 = time.perf_counter()
        new.analyse(item.text, today=args.today)
        t_full.append((time.perf_counter() - t0) * 1000)
    print("\n=== today's analyser (agent.understanding via agent.drafting.intent)")
    res: dict[str, object] = {}
    for lang in ("fr", "en"):
        res[lang] = intent_report([r for r in rows if r[0].lang == lang], f"intents, {lang}")
    res["all"] = intent_report(rows, "intents, fr+en")
    confusion(rows)
    det = {lang: detail_report([p for p in pairs if p[0].lang == lang], lang) for lang in ("fr", "en")}
    det["all"] = detail_report(pairs, "fr+en")
    lat = {"analysis_p50_ms": pct(t_analysis, 0.5), "analysis_p95_ms": pct(t_analysis, 0.95),
           "with_embedding_p50_ms": pct(t_full, 0.5), "with_embedding_p95_ms": pct(t_full, 0.95)}
    print(f"\n  latency per message (one core): analysis given the embedding p50 {lat['analysis_p50_ms']:.2f} ms, "
          f"p95 {lat['analysis_p95_ms']:.2f} ms; with the embedding p50 {lat['with_embedding_p50_ms']:.1f} ms, "
          f"p95 {lat['with_embedding_p95_ms']:.1f} ms ({len(t_full)} messages)")
    figures["new"] = {"intents": res, "details": det, "latency": lat}
    # --- the detector of commit 812995d
    if not args.no_old:
        mod = old_module()
        old = mod.IntentDetector(examples, emb)
        orows, t_old = [], []
        for item, vec in zip(items, vectors, strict=True):
            t0 = time.perf_counter()
            r = old.detect(item.text, vector=vec)
            t_old.append((time.perf_counter() - t0) * 1000)
            orows.append((item, {r.intent}, r.intent))
        print(f"\n=== the detector of commit {OLD_COMMIT} (single label, no details)")
        ores: dict[str, object] = {}
        for lang in ("fr", "en"):
            ores[lang] = intent_report([r for r in orows if r[0].lang == lang], f"intents, {lang}")
        ores["all"] = intent_report(orows, "intents, fr+en")
        confusion(orows)
        print(f"\n  latency per message given the embedding: p50 {pct(t_old, 0.5):.2f} ms, p95 {pct(t_old, 0.95):.2f} ms")
        figures["old"] = {"intents": ores, "latency": {"p50_ms": pct(t_old, 0.5), "p95_ms": pct(t_old, 0.95)}}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
