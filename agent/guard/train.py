"""Retrain the guard's learned layer: fit on the collector corpus TRAIN split, choose thresholds on DEV.

TEST is never read. Same approach as ``agent.understanding.train`` (logistic regression with class balancing
on the shipped USE embedding, ``agent.understanding.classifier.fit_ovr``), at window level:

* rows: every TRAIN item's whole text, plus its windows (``learned.windows``): a lawful item's windows are
  negatives, an unlawful item's windows overlapping its annotated ``spans`` are positives of its family
  (its other windows are left out: the guide marks the offending part only);
* heads: P(unlawful) and one-vs-rest over the eight unlawful families (the category of a finding);
* thresholds, on DEV items judged as the guard judges them (rules + layer, no debtor file, the item's
  jurisdiction): ``block`` is, among the thresholds >= ``BLOCK_FLOOR`` whose combined false-block rate on
  the DEV lawful items stays <= ``FPR_CAP``, the highest one reaching the best DEV recall (when the layer
  adds no blocked item on DEV, it blocks only on near-certain scores); ``warn`` (<= block) maximises the
  F1 of "flagged" (warn or block) on DEV.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from agent.corpus_collector import CollectorItem, load_split, split_path
from agent.guard.base import GuardContext
from agent.guard.learned import (
    CATEGORIES,
    EMBED_CHARS,
    FAMILY,
    Example,
    LearnedLayer,
    LearnedModel,
    unit,
    windows,
)
from agent.guard.normalize import normalize
from agent.understanding.classifier import fit_ovr

FPR_CAP = 0.03  # at most this share of DEV lawful items falsely blocked, rules and layer together
# at most this share of DEV lawful items newly warned by the layer, over what the rules alone flag: an agent
# who sees a warning on every third polite sentence stops reading them
WARN_EXTRA_CAP = 0.05
BLOCK_FLOOR = 0.5
WARN_FLOOR = 0.3


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_rows(items: list[CollectorItem]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, y_unlawful (n,), y_category (n, categories)) from TRAIN items (see the module docstring)."""
    texts: list[str] = []
    y: list[float] = []
    yc: list[list[float]] = []

    def add(text: str, unlawful: bool, family: str) -> None:
        texts.append(text[:EMBED_CHARS])
        y.append(1.0 if unlawful else 0.0)
        yc.append([1.0 if unlawful and family == c else 0.0 for c in CATEGORIES])

    for it in items:
        unlawful = it.label == "unlawful"
        doc = normalize(it.text)
        add(doc.norm, unlawful, it.family)
        spans = windows(doc)
        if len(spans) < 2:
            continue
        for a, b in spans:
            if not unlawful:
                add(doc.norm[a:b], False, it.family)
                continue
            ra, rb = doc.raw_range(a, b)
            if any(s.start < rb and ra < s.end for s in it.spans):
                add(doc.norm[a:b], True, it.family)
    return texts, np.array(y), np.array(yc)


def _embed(emb: Any, texts: list[str], batch: int = 64) -> np.ndarray:
    rows: list[list[float]] = []
    for i in range(0, len(texts), batch):
        rows.extend(emb.embed_documents(texts[i:i + batch]))
    return unit(np.asarray(rows, dtype=np.float64))


def dev_outcomes(items: list[CollectorItem], model: LearnedModel, emb: Any, guard_for: Any) -> list[dict[str, Any]]:
    """Per DEV item: whether the rules block / flag it, and each uncovered window's (score, look-alike known)."""
    probe = replace(model, block_threshold=1e-9, warn_threshold=1e-9)
    layer = LearnedLayer(probe, emb)
    out = []
    for it in items:
        guard = guard_for(it.jurisdiction, layer)
        report = guard.check(it.text, GuardContext(lang=it.lang))
        rules = [f for f in report.findings if f.family != FAMILY]
        learned = [(float(f.score or 0.0), f.severity == "warn") for f in report.findings if f.family == FAMILY]
        out.append({"id": it.id, "lang": it.lang, "family": it.family, "unlawful": it.label == "unlawful",
                    "rule_block": any(f.severity == "block" for f in rules), "rule_flag": bool(rules),
                    "windows": learned})
    return out


def decide(o: dict[str, Any], warn_t: float | None, block_t: float | None) -> str:
    """The verdict on one DEV outcome under thresholds (None: no learned layer)."""
    if o["rule_block"]:
        return "block"
    if block_t is not None and any(s >= block_t and not known for s, known in o["windows"]):
        return "block"
    if o["rule_flag"] or (warn_t is not None and any(s >= warn_t for s, _ in o["windows"])):
        return "warn"
    return "pass"


def rates(outcomes: list[dict[str, Any]], warn_t: float | None, block_t: float | None) -> dict[str, float]:
    pos = [o for o in outcomes if o["unlawful"]]
    neg = [o for o in outcomes if not o["unlawful"]]
    v_pos = [decide(o, warn_t, block_t) for o in pos]
    v_neg = [decide(o, warn_t, block_t) for o in neg]
    return {
        "recall": sum(v == "block" for v in v_pos) / max(len(pos), 1),
        "flagged_recall": sum(v != "pass" for v in v_pos) / max(len(pos), 1),
        "fpr": sum(v == "block" for v in v_neg) / max(len(neg), 1),
        "false_flag_rate": sum(v != "pass" for v in v_neg) / max(len(neg), 1),
    }


def choose_thresholds(outcomes: list[dict[str, Any]]) -> tuple[float, float]:
    grid = [round(float(t), 2) for t in np.arange(BLOCK_FLOOR, 0.991, 0.01)]
    ok = [(rates(outcomes, None, t)["recall"], t) for t in grid if rates(outcomes, None, t)["fpr"] <= FPR_CAP]
    best_recall = max((r for r, _ in ok), default=0.0)
    # the most conservative threshold reaching the best DEV recall: the layer blocks no more than DEV shows it should
    block_t = max((t for r, t in ok if r >= best_recall), default=0.99)
    best, best_f = block_t, -1.0
    base_flags = rates(outcomes, None, block_t)["false_flag_rate"]
    for t in [round(float(t), 2) for t in np.arange(WARN_FLOOR, block_t + 1e-9, 0.01)]:
        r = rates(outcomes, t, block_t)
        if r["false_flag_rate"] > base_flags + WARN_EXTRA_CAP:
            continue
        pos = sum(o["unlawful"] for o in outcomes)
        neg = len(outcomes) - pos
        tp = r["flagged_recall"] * pos
        fp = r["false_flag_rate"] * neg
        f1 = 2 * tp / max(2 * tp + fp + (pos - tp), 1e-9)
        if f1 >= best_f:  # ties: the higher threshold (fewer warnings)
            best, best_f = t, f1
    return best, block_t


def train(corpus: Path, emb: Any, out: Path, guard_for: Any) -> tuple[LearnedModel, dict[str, Any]]:
    """Fit, calibrate, save; ``guard_for(jurisdiction, layer)`` builds the rules guard a DEV item is judged by."""
    tr, dev = load_split("train", corpus), load_split("dev", corpus)
    texts, y, yc = training_rows(tr)
    x = _embed(emb, texts)
    w, b = fit_ovr(x, y[:, None])
    wc, bc = fit_ovr(x, yc)
    ex_vecs = _embed(emb, [normalize(it.text).norm[:EMBED_CHARS] for it in tr])
    examples = tuple(Example(id=it.id, label=it.label, family=it.family, source=it.source, text=it.text[:200])
                     for it in tr)
    manifest: dict[str, Any] = {
        "embedding": emb.name, "dim": int(x.shape[1]), "categories": list(CATEGORIES),
        "train_sha256": _sha256(split_path("train", corpus)), "dev_sha256": _sha256(split_path("dev", corpus)),
        "train_items": len(tr), "train_rows": len(texts), "train_positive_rows": int(y.sum()), "dev_items": len(dev),
        "trainer": "agent.guard.train (logistic regression, agent.understanding.classifier.fit_ovr, l2=1e-3, "
                   "400 epochs; windows of learned.WINDOW_CHARS)",
    }
    model = LearnedModel(w_unlawful=w[:, 0], b_unlawful=float(b[0]), w_category=wc, b_category=bc,
                         block_threshold=0.99, warn_threshold=0.99, example_vectors=ex_vecs, examples=examples,
                         manifest=manifest)
    outcomes = dev_outcomes(dev, model, emb, guard_for)
    warn_t, block_t = choose_thresholds(outcomes)
    dev_report = {"rules_only": rates(outcomes, None, None), "with_learned": rates(outcomes, warn_t, block_t),
                  "fpr_cap": FPR_CAP, "warn_extra_cap": WARN_EXTRA_CAP}
    model = replace(model, block_threshold=block_t, warn_threshold=warn_t,
                    manifest={**manifest, "dev_calibration": dev_report})
    model.save(out)
    return model, dev_report
