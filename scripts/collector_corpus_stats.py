#!/usr/bin/env python
"""Print the collector corpus counts: per split, language, label, family, jurisdiction and source group.

Run: PYTHONPATH=. python scripts/collector_corpus_stats.py [--by-source]
"""

from __future__ import annotations

import argparse
from collections import Counter

from agent.corpus_collector import SPLITS, CollectorItem, load_all


def _table(title: str, rows: dict[str, Counter[str]], keys: list[str]) -> None:
    print(f"\n## {title}")
    print(f"{'':44s}" + "".join(f"{s:>8s}" for s in (*SPLITS, "total")))
    for key in keys:
        counts = [rows[s][key] for s in SPLITS]
        print(f"{key[:44]:44s}" + "".join(f"{c:8d}" for c in counts) + f"{sum(counts):8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--by-source", action="store_true", help="also print the counts per source group")
    args = parser.parse_args()
    splits = load_all()
    items: list[CollectorItem] = [it for s in SPLITS for it in splits[s]]
    print(f"collector corpus: {len(items)} items")
    views = {
        "language": lambda it: it.lang,
        "label": lambda it: it.label,
        "language x label": lambda it: f"{it.lang} {it.label}",
        "family (unlawful)": lambda it: it.family if it.label == "unlawful" else "",
        "jurisdiction": lambda it: it.jurisdiction,
        "translated": lambda it: "translated" if it.translated_from else "original",
    }
    if args.by_source:
        views["source group"] = lambda it: it.source_group
    for title, key in views.items():
        rows = {s: Counter(key(it) for it in splits[s]) for s in SPLITS}
        keys = sorted({k for c in rows.values() for k in c if k})
        _table(title, rows, keys)
    groups = {s: len({it.source_group for it in splits[s]}) for s in SPLITS}
    print("\nsource groups per split: " + ", ".join(f"{s} {n}" for s, n in groups.items()))


if __name__ == "__main__":
    main()
