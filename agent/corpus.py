"""Schema and loader of the real-text corpora (debtor messages; the collector corpus can reuse it).

Every item is a verbatim excerpt of public text nobody on the project wrote, with its source,
licence and labels. One JSON object per line; one file per split (train/dev/test).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.errors import AmiableError, InputValidationError, NotFoundError, validation_problems

M = TypeVar("M", bound=BaseModel)

Label = Literal[
    "hardship",
    "dispute",
    "already_paid",
    "promise_to_pay",
    "asks_for_plan",
    "asks_for_details",
    "refuses",
    "stop_contact",
    "prescription",
    "third_party",
    "complaint",
    "crisis",
    "other",
]
LABELS: tuple[str, ...] = Label.__args__  # type: ignore[attr-defined]

DetailKind = Literal[
    "amount_offered",
    "promised_date",
    "payment_claimed",
    "channel_preference",
    "time_preference",
    "third_party_role",
    "over_indebtedness_file",
    "identity_theft",
]
DETAIL_KINDS: tuple[str, ...] = DetailKind.__args__  # type: ignore[attr-defined]

Split = Literal["train", "dev", "test"]
SPLITS: tuple[str, ...] = Split.__args__  # type: ignore[attr-defined]


class Detail(BaseModel):
    """A span of the item's text carrying one extracted detail."""

    model_config = ConfigDict(extra="forbid")

    kind: DetailKind
    text: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    value: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Detail:
        if self.end <= self.start:
            raise ValueError("detail end must be after start")
        return self


class DebtorItem(BaseModel):
    """One real message (or excerpt) written by a debtor or by someone chased as one."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    lang: Literal["fr", "en"]
    text: str = Field(min_length=1)
    labels: list[Label] = Field(min_length=1)
    details: list[Detail] = Field(default_factory=list)
    source: str = Field(min_length=1)
    source_group: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    note: str = ""
    split: Split
    translated_from: Literal["en", "fr"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DebtorItem:
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("labels repeat")
        if "other" in self.labels and len(self.labels) > 1:
            raise ValueError("'other' only when no other label applies")
        for detail in self.details:
            if self.text[detail.start : detail.end] != detail.text:
                raise ValueError(f"span {detail.start}:{detail.end} does not match its text {detail.text!r}")
        if self.translated_from is not None and self.split != "train":
            raise ValueError("translated items belong to the train split only")
        return self


def parse_jsonl(lines: Iterable[str], model: type[M], *, origin: str,
                error: type[AmiableError] = InputValidationError) -> list[M]:
    """Parse JSON lines into ``model`` items (blank lines skipped); the first bad line raises ``error``
    as ``origin:LINE: problem``. Shared by the debtor and collector corpora."""
    items: list[M] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(model.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise error(f"{origin}:{number}: not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            raise error(f"{origin}:{number}: {validation_problems(exc.errors())}") from exc
    return items


def parse_lines(lines: Iterable[str], *, origin: str) -> list[DebtorItem]:
    """Parse JSON lines into debtor items; the first bad line raises with its number."""
    return parse_jsonl(lines, DebtorItem, origin=origin)


def load_split(path: Path | str) -> list[DebtorItem]:
    """Load one split file (JSON lines) and validate every item."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"no corpus split at {file}")
    with file.open(encoding="utf-8") as handle:
        return parse_lines(handle, origin=str(file))


def load_corpus(folder: Path | str) -> dict[str, list[DebtorItem]]:
    """Load train/dev/test of a corpus folder; each split's items must carry that split's name."""
    root = Path(folder)
    corpus: dict[str, list[DebtorItem]] = {}
    for split in SPLITS:
        path = root / f"{split}.jsonl"
        if not path.is_file():
            continue
        items = load_split(path)
        wrong = [item.id for item in items if item.split != split]
        if wrong:
            raise InputValidationError(f"{path}: items marked for another split: {wrong[:5]}")
        corpus[split] = items
    return corpus


SOURCES_HEADER = """# Sources of the debtor corpus

Generated with the corpus files; one row per `source_group` (the unit of splitting).

| source_group | split | lang | items | source | licence / terms |
| --- | --- | --- | --- | --- | --- |
"""
NOTES_HEADING = "## Notes"


def _group_sources(sources: list[str]) -> str:
    """Up to three sources of a group; a big group from one repository commit is named by that commit."""
    distinct = sorted(set(sources))
    prefixes = {s.split(":", 1)[0] for s in distinct}
    if len(distinct) > 10 and len(prefixes) == 1 and "@" in next(iter(prefixes)):
        return next(iter(prefixes))
    shown = "<br>".join(distinct[:3])
    return shown + (" …" if len(distinct) > 3 else "")


def sources_markdown(corpus: dict[str, list[DebtorItem]], notes: str = "") -> str:
    """SOURCES.md of a corpus: one row per source group (split, languages, items, sources, licence), the
    totals, then ``notes`` (the hand-written part, kept from the previous file)."""
    items = [item for split in SPLITS for item in corpus.get(split, [])]
    groups: dict[str, list[DebtorItem]] = {}
    for item in items:
        groups.setdefault(item.source_group, []).append(item)
    rows: list[str] = []
    for group, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        splits = ",".join(sorted({m.split for m in members}, key=SPLITS.index))
        langs = ",".join(sorted({m.lang for m in members}))
        licences = [m.licence for m in members]
        licence = max(sorted(set(licences)), key=licences.count)
        rows.append(f"| {group} | {splits} | {langs} | {len(members)} | "
                    f"{_group_sources([m.source for m in members])} | {licence} |")
    by_lang = {lang: sum(i.lang == lang for i in items) for lang in sorted({i.lang for i in items})}
    total = ", ".join(f"{lang}: {n}" for lang, n in by_lang.items())
    out = SOURCES_HEADER + "\n".join(rows) + f"\n\nTotal: {len(items)} items ({total}).\n"
    return out + (f"\n\n{notes.strip()}\n" if notes.strip() else "")


def notes_of(sources_md: str) -> str:
    """The hand-written part of a SOURCES.md: from its ``## Notes`` heading to the end."""
    at = sources_md.find(NOTES_HEADING)
    return sources_md[at:] if at >= 0 else ""


def write_sources(folder: Path | str) -> Path:
    """Regenerate ``folder/SOURCES.md`` from the corpus files, keeping its notes."""
    root = Path(folder)
    path = root / "SOURCES.md"
    notes = notes_of(path.read_text(encoding="utf-8")) if path.is_file() else ""
    path.write_text(sources_markdown(load_corpus(root), notes), encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m agent.corpus [FOLDER]: regenerate SOURCES.md
    import sys

    print(write_sources(sys.argv[1] if len(sys.argv) > 1 else "evals/corpus/debtor"))
