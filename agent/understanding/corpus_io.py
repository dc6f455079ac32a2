"""Read the debtor-text corpus (``evals/corpus/debtor/``) for training and the benchmark.

Accepts one file per split (``train.jsonl``, ``dev.jsonl``, ``test.jsonl``) or one ``items.jsonl``
whose items carry a ``split``. Only the fields this package needs are read (id, lang, text, labels,
details); the corpus schema itself is validated by its owner's loader and tests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import InputValidationError, NotFoundError

DEFAULT_CORPUS = Path("evals/corpus/debtor")


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    text: str
    labels: tuple[str, ...]
    details: tuple[dict[str, object], ...] = field(default_factory=tuple)


def _raw_lines(folder: Path, split: str) -> list[str]:
    per_split = folder / f"{split}.jsonl"
    if per_split.is_file():
        return [ln for ln in per_split.read_text(encoding="utf-8").splitlines(keepends=True) if ln.strip()]
    combined = folder / "items.jsonl"
    if combined.is_file():
        out = []
        for ln in combined.read_text(encoding="utf-8").splitlines(keepends=True):
            if ln.strip() and json.loads(ln).get("split") == split:
                out.append(ln)
        return out
    raise NotFoundError(f"no {split} split in {folder} (expected {split}.jsonl or items.jsonl)")


def split_digest(folder: Path, split: str) -> str:
    """sha256 of the split's JSON lines as stored (for a per-split file: the file's own sha256)."""
    h = hashlib.sha256()
    for ln in _raw_lines(folder, split):
        h.update(ln.encode("utf-8"))
    return h.hexdigest()


def load_items(folder: Path, split: str) -> list[Item]:
    items: list[Item] = []
    for number, ln in enumerate(_raw_lines(folder, split), start=1):
        try:
            d = json.loads(ln)
            items.append(Item(id=str(d["id"]), lang=str(d["lang"]), text=str(d["text"]),
                              labels=tuple(str(x) for x in d["labels"]),
                              details=tuple(d.get("details") or ())))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputValidationError(f"{folder}/{split} line {number}: unusable item ({exc})") from exc
    return items
