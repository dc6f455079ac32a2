"""Print the counts of a real-text corpus: per split, language, label, detail kind and source.

    PYTHONPATH=. python scripts/corpus_stats.py [evals/corpus/debtor]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from agent.corpus import LABELS, SPLITS, DebtorItem, load_corpus

DEFAULT = Path(__file__).resolve().parent.parent / "evals" / "corpus" / "debtor"


def _table(title: str, rows: dict[str, Counter[str]], keys: list[str]) -> None:
    langs = sorted({lang for counter in rows.values() for lang in counter})
    print(f"\n{title}")
    print(f"  {'':26}" + "".join(f"{lang:>8}" for lang in langs) + f"{'all':>8}")
    for key in keys:
        counter = rows.get(key, Counter())
        print(f"  {key:26}" + "".join(f"{counter[lang]:>8}" for lang in langs) + f"{sum(counter.values()):>8}")


def report(corpus: dict[str, list[DebtorItem]]) -> None:
    items = [item for split in SPLITS for item in corpus.get(split, [])]
    print(f"items: {len(items)}")
    by_split: dict[str, Counter[str]] = {s: Counter(i.lang for i in corpus.get(s, [])) for s in SPLITS}
    _table("per split (by language)", by_split, list(SPLITS))
    translated = Counter(i.lang for i in items if i.translated_from)
    print(f"\ntranslated items (train only): {dict(translated) or 0}")
    for split in SPLITS:
        rows: dict[str, Counter[str]] = {}
        for item in corpus.get(split, []):
            for label in item.labels:
                rows.setdefault(label, Counter())[item.lang] += 1
        _table(f"labels in {split}", rows, list(LABELS))
    details: dict[str, Counter[str]] = {}
    for item in items:
        for detail in item.details:
            details.setdefault(detail.kind, Counter())[item.lang] += 1
    _table("detail spans (all splits)", details, sorted(details))
    sources: Counter[tuple[str, str, str]] = Counter((i.split, i.lang, i.source_group) for i in items)
    print("\nper source group")
    for (split, lang, group), count in sorted(sources.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][2])):
        print(f"  {split:6}{lang:4}{count:>6}  {group}")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    report(load_corpus(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
