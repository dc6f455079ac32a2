"""The debtor corpus: schema, spans, split hygiene, frozen test split, reached counts."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from agent.corpus import DebtorItem, load_corpus, load_split, notes_of, parse_lines, sources_markdown
from agent.errors import InputValidationError

CORPUS = Path(__file__).resolve().parents[2] / "evals" / "corpus" / "debtor"
# Reached when the test split was frozen; lower only with a reason in the commit message.
MIN_ITEMS = 416
MIN_FR_ORIGINAL = 70
MIN_EN_ORIGINAL = 296
MIN_FR_TRANSLATED = 50
TEST_SIZE = 83
MIN_SPLIT_SIZES = {"train": 272, "dev": 61}
TEST_LABELS_PRESENT: dict[str, tuple[str, ...]] = {
    "en": (
        "hardship", "dispute", "already_paid", "promise_to_pay", "asks_for_plan", "asks_for_details",
        "refuses", "stop_contact", "prescription", "third_party", "complaint", "crisis",
    ),
    "fr": ("hardship", "dispute", "already_paid", "asks_for_plan", "prescription", "third_party", "crisis"),
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[DebtorItem]]:
    return load_corpus(CORPUS)


def test_every_line_is_a_valid_item(corpus: dict[str, list[DebtorItem]]) -> None:
    for split, items in corpus.items():
        raw = [line for line in (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(raw) == len(items)
        assert all(item.split == split for item in items)


def test_ids_are_unique(corpus: dict[str, list[DebtorItem]]) -> None:
    ids = Counter(item.id for items in corpus.values() for item in items)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_span_matches_its_text(corpus: dict[str, list[DebtorItem]]) -> None:
    for items in corpus.values():
        for item in items:
            for detail in item.details:
                assert item.text[detail.start : detail.end] == detail.text, item.id


def test_no_source_group_in_two_splits(corpus: dict[str, list[DebtorItem]]) -> None:
    seen: dict[str, set[str]] = {}
    for split, items in corpus.items():
        for item in items:
            seen.setdefault(item.source_group, set()).add(split)
    assert {group: splits for group, splits in seen.items() if len(splits) > 1} == {}


def test_translations_only_in_train(corpus: dict[str, list[DebtorItem]]) -> None:
    for split, items in corpus.items():
        if split != "train":
            assert [item.id for item in items if item.translated_from] == []


def test_every_item_names_its_source_and_licence(corpus: dict[str, list[DebtorItem]]) -> None:
    for items in corpus.values():
        for item in items:
            assert item.source.startswith(("http://", "https://")) or "@" in item.source, item.id
            assert len(item.licence) > 10, item.id


def test_schema_rejects_a_span_that_does_not_match() -> None:
    line = {
        "id": "x", "lang": "en", "text": "I paid $50 last week", "labels": ["already_paid"],
        "details": [{"kind": "payment_claimed", "text": "$60", "start": 7, "end": 10}],
        "source": "https://example.org", "source_group": "g", "licence": "public domain", "split": "train",
    }
    with pytest.raises(InputValidationError, match="does not match"):
        parse_lines([json.dumps(line)], origin="inline")


def test_schema_rejects_translation_outside_train() -> None:
    line = {
        "id": "x", "lang": "fr", "text": "J'ai payé", "labels": ["already_paid"], "source": "https://example.org",
        "source_group": "g", "licence": "public domain", "split": "dev", "translated_from": "en",
    }
    with pytest.raises(InputValidationError, match="train split only"):
        parse_lines([json.dumps(line)], origin="inline")


def test_schema_rejects_other_with_another_label() -> None:
    line = {
        "id": "x", "lang": "en", "text": "hello", "labels": ["other", "dispute"], "source": "https://example.org",
        "source_group": "g", "licence": "public domain", "split": "train",
    }
    with pytest.raises(InputValidationError, match="'other' only"):
        parse_lines([json.dumps(line)], origin="inline")


def test_train_split_loads_on_its_own() -> None:
    items = load_split(CORPUS / "train.jsonl")
    assert items and all(isinstance(item, DebtorItem) for item in items)


def test_test_split_is_frozen() -> None:
    digest = hashlib.sha256((CORPUS / "test.jsonl").read_bytes()).hexdigest()
    recorded = (CORPUS / "test.sha256").read_text(encoding="utf-8").split()[0]
    assert digest == recorded, "test.jsonl changed: the test split is frozen (see GUIDE.md)"


def test_reached_counts(corpus: dict[str, list[DebtorItem]]) -> None:
    items = [item for split_items in corpus.values() for item in split_items]
    original = [item for item in items if item.translated_from is None]
    assert len(items) >= MIN_ITEMS
    assert sum(item.lang == "fr" for item in original) >= MIN_FR_ORIGINAL
    assert sum(item.lang == "en" for item in original) >= MIN_EN_ORIGINAL
    assert sum(item.translated_from is not None for item in items) >= MIN_FR_TRANSLATED
    assert len(corpus["test"]) == TEST_SIZE
    for split, minimum in MIN_SPLIT_SIZES.items():
        assert len(corpus[split]) >= minimum, split


def test_hard_classes_are_in_the_test_split(corpus: dict[str, list[DebtorItem]]) -> None:
    for lang, labels in TEST_LABELS_PRESENT.items():
        present = {label for item in corpus["test"] if item.lang == lang for label in item.labels}
        assert set(labels) <= present, (lang, sorted(set(labels) - present))


def test_sources_md_is_generated_from_the_corpus_as_it_is(corpus: dict[str, list[DebtorItem]]) -> None:
    """SOURCES.md is `python -m agent.corpus` output: its table and totals follow every added item."""
    current = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert current == sources_markdown(corpus, notes_of(current)), "stale SOURCES.md: run python -m agent.corpus"


def test_sources_table_counts_each_group_once_per_split() -> None:
    items = [DebtorItem.model_validate({
        "id": f"x{i}", "lang": lang, "text": "t", "labels": ["other"], "source": f"https://site.example/{i}",
        "source_group": group, "licence": "public web page, quoted", "split": "dev"})
        for i, (lang, group) in enumerate([("fr", "a.example"), ("en", "a.example"), ("en", "b.example")])]
    md = sources_markdown({"dev": items}, "## Notes\n\n- hand-written")
    assert "| a.example | dev | en,fr | 2 |" in md and "| b.example | dev | en | 1 |" in md
    assert "Total: 3 items (en: 2, fr: 1)." in md and md.rstrip().endswith("- hand-written")
