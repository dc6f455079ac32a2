"""The collector corpus (issue 12): frozen test split, schema, spans, split hygiene and counts."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from agent.corpus_collector import CORPUS_DIR, SPLITS, UNLAWFUL_FAMILIES, CollectorItem, load_all, load_split
from agent.errors import ConfigError

# The real counts reached (update only together with the data, never the frozen test split).
EXPECTED_TOTAL = {"train": 266, "dev": 86, "test": 53}
EXPECTED_FR_MIN = 204
EXPECTED_UNLAWFUL = 117


@pytest.fixture(scope="module")
def splits() -> dict[str, list[CollectorItem]]:
    return load_all()


def test_test_split_checksum_is_frozen() -> None:
    recorded = (CORPUS_DIR / "test.sha256").read_text(encoding="utf-8").split()[0]
    actual = hashlib.sha256((CORPUS_DIR / "test.jsonl").read_bytes()).hexdigest()
    assert actual == recorded, "the test split is frozen: it must not be edited"


def test_every_line_is_a_valid_item(splits: dict[str, list[CollectorItem]]) -> None:
    for split in SPLITS:
        raw = [line for line in split_lines(split) if line.strip()]
        assert len(raw) == len(splits[split])
        for line in raw:
            data = json.loads(line)
            assert CollectorItem.model_validate(data).id == data["id"]


def split_lines(split: str) -> list[str]:
    return (CORPUS_DIR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()


def test_ids_are_unique(splits: dict[str, list[CollectorItem]]) -> None:
    ids = [it.id for s in SPLITS for it in splits[s]]
    assert len(ids) == len(set(ids))


def test_no_text_twice(splits: dict[str, list[CollectorItem]]) -> None:
    texts = Counter(" ".join(it.text.casefold().split()) for s in SPLITS for it in splits[s])
    assert [t for t, n in texts.items() if n > 1] == []


def test_spans_lie_inside_the_text(splits: dict[str, list[CollectorItem]]) -> None:
    for split in SPLITS:
        for it in splits[split]:
            for span, piece in zip(it.spans, it.span_texts(), strict=True):
                assert piece == it.text[span.start : span.end]
                assert piece.strip(), f"{it.id}: empty span"


def test_no_source_group_in_two_splits(splits: dict[str, list[CollectorItem]]) -> None:
    owner: dict[str, str] = {}
    for split in SPLITS:
        for it in splits[split]:
            assert owner.setdefault(it.source_group, split) == split, it.source_group


def test_translations_only_in_train(splits: dict[str, list[CollectorItem]]) -> None:
    assert all(it.translated_from is None for s in ("dev", "test") for it in splits[s])


def test_families(splits: dict[str, list[CollectorItem]]) -> None:
    for split in SPLITS:
        for it in splits[split]:
            if it.label == "unlawful":
                assert it.family in UNLAWFUL_FAMILIES
            else:
                assert it.family not in UNLAWFUL_FAMILIES


def test_counts_reached(splits: dict[str, list[CollectorItem]]) -> None:
    assert {s: len(splits[s]) for s in SPLITS} == EXPECTED_TOTAL
    fr = sum(1 for s in SPLITS for it in splits[s] if it.lang == "fr")
    assert fr >= EXPECTED_FR_MIN
    unlawful = sum(1 for s in SPLITS for it in splits[s] if it.label == "unlawful")
    assert unlawful == EXPECTED_UNLAWFUL
    for split in SPLITS:
        labels = Counter(it.label for it in splits[split])
        assert labels["lawful"] > 0 and labels["unlawful"] > 0, split


def test_load_split_reports_the_bad_line(tmp_path: Path) -> None:
    root = tmp_path
    good = (CORPUS_DIR / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad = json.loads(good)
    bad["spans"] = [{"start": 0, "end": len(bad["text"]) + 5}]
    (root / "dev.jsonl").write_text(good + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dev\.jsonl:2:"):
        load_split("dev", root)
    with pytest.raises(ConfigError, match="unknown split"):
        load_split("validation")
