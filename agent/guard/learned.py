"""The guard's learned layer: window-level classifier on the shipped offline embedding (USE v3), for recall.

The text is cut into windows of consecutive clauses (at most ``WINDOW_CHARS`` normalised characters); each
window is embedded and scored by a logistic "unlawful" head and a one-vs-rest category head (the eight
unlawful families of the collector corpus). Weights are data (``knowledge/policy/guard-learned/model.npz``
+ ``model.json`` with the sha256 of the corpus splits), retrained by ``amiable guard train`` (fit on TRAIN,
thresholds chosen on DEV, TEST never read). No download at run time.

How a learned finding combines with the rules (the rules stay the source of context-aware decisions):

* a window that a rule finding already covers adds nothing (the rule decided, with the file as context);
* a window holding a lawful look-alike the rules know (a lexicon entry's ``lawful`` phrase, an
  informational clause, a statement of the debtor's rights) never blocks: at most a warn;
* otherwise a score at or above the DEV-chosen ``block`` threshold blocks, between ``warn`` and ``block``
  it warns.

Every finding carries the span, the category, the score and the two nearest labelled TRAIN examples with
their sources, so an agent sees why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.corpus_collector import UNLAWFUL_FAMILIES
from agent.errors import ConfigError
from agent.firm import load_yaml_model
from agent.guard.base import Finding, GuardContext, Jurisdiction, Neighbour
from agent.guard.normalize import Doc
from agent.settings import REPO_ROOT
from agent.understanding.classifier import normalise as unit  # re-exported: train.py and the tests use it
from agent.understanding.classifier import sigmoid

FAMILY = "LEARNED"
MODEL_DIR = REPO_ROOT / "knowledge" / "policy" / "guard-learned"
MODEL_FILE = MODEL_DIR / "model.npz"
CATEGORY_FILE = MODEL_DIR / "categories.yaml"
CATEGORIES: tuple[str, ...] = UNLAWFUL_FAMILIES
WINDOW_CHARS = 320  # normalised characters per window (a sentence or two)
EMBED_CHARS = 1000  # longest text handed to the embedding


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryText(_Strict):
    explanation: str = Field(min_length=10)
    basis: dict[Jurisdiction, str]
    rewording: dict[Literal["fr", "en"], str]

    @model_validator(mode="after")
    def _complete(self) -> CategoryText:
        if set(self.basis) != {"FR", "US", "UK"} or set(self.rewording) != {"fr", "en"}:
            raise ValueError("basis needs FR, US and UK; rewording needs fr and en")
        return self


class CategoryFile(_Strict):
    categories: dict[str, CategoryText]

    @model_validator(mode="after")
    def _all_categories(self) -> CategoryFile:
        missing, extra = set(CATEGORIES) - set(self.categories), set(self.categories) - set(CATEGORIES)
        if missing or extra:
            raise ValueError(f"categories must be exactly {list(CATEGORIES)} (missing {sorted(missing)}, "
                             f"unknown {sorted(extra)})")
        return self


def load_categories(path: Path = CATEGORY_FILE) -> CategoryFile:
    return load_yaml_model(path, CategoryFile, "guard learned-layer categories")


def windows(doc: Doc, width: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Windows on ``doc.norm``: consecutive clauses merged up to ``width`` characters; a longer clause is
    cut at spaces into pieces of about ``width``. Linear in the text length."""
    norm = doc.norm
    b = doc.bounds()
    out: list[tuple[int, int]] = []
    cur_a = cur_b = -1
    for i in range(len(b) - 1):
        a, z = b[i], b[i + 1]
        while a < z and norm[a].isspace():
            a += 1
        if z - a < 2:
            continue
        while z - a > width:  # a long clause: cut on a space near the width
            cut = norm.rfind(" ", a + width // 2, a + width)
            if cur_a >= 0:
                out.append((cur_a, cur_b))
                cur_a = -1
            if cut > a:
                out.append((a, cut))
                a = cut + 1
            else:
                out.append((a, a + width))
                a += width
        if a >= z:
            continue
        if cur_a >= 0 and z - cur_a <= width:
            cur_b = z
        else:
            if cur_a >= 0:
                out.append((cur_a, cur_b))
            cur_a, cur_b = a, z
    if cur_a >= 0:
        out.append((cur_a, cur_b))
    return [(a, z) for a, z in out if norm[a:z].strip()]


@dataclass(frozen=True)
class Example:
    """A labelled TRAIN item, for the nearest-example explanation."""

    id: str
    label: str
    family: str
    source: str
    text: str


@dataclass(frozen=True)
class LearnedModel:
    w_unlawful: np.ndarray  # (dim,)
    b_unlawful: float
    w_category: np.ndarray  # (dim, categories)
    b_category: np.ndarray  # (categories,)
    block_threshold: float
    warn_threshold: float
    example_vectors: np.ndarray  # (train items, dim), unit rows
    examples: tuple[Example, ...]
    manifest: dict[str, Any] = field(default_factory=dict)

    def scores(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(unlawful) per row, category probabilities per row) for raw embedding rows."""
        x = unit(vectors)
        return sigmoid(x @ self.w_unlawful + self.b_unlawful), sigmoid(x @ self.w_category + self.b_category)

    def nearest(self, vector: np.ndarray, k: int = 2) -> list[tuple[Example, float]]:
        sims = self.example_vectors @ unit(vector)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(self.examples[int(i)], float(sims[int(i)])) for i in order]

    def save(self, path: Path = MODEL_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path, w_unlawful=self.w_unlawful.astype(np.float32), b_unlawful=np.float32(self.b_unlawful),
            w_category=self.w_category.astype(np.float32), b_category=self.b_category.astype(np.float32),
            example_vectors=self.example_vectors.astype(np.float16),
            categories=np.array(CATEGORIES),
        )
        manifest = {**self.manifest, "block_threshold": self.block_threshold, "warn_threshold": self.warn_threshold,
                    "examples": [e.__dict__ for e in self.examples]}
        path.with_suffix(".json").write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                             encoding="utf-8")


def load_model(path: Path = MODEL_FILE) -> LearnedModel | None:
    """The shipped model, or None when none was trained (rules alone then). A broken file is a ConfigError."""
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with np.load(path, allow_pickle=False) as z:
            cats = tuple(str(c) for c in z["categories"])
            model = LearnedModel(
                w_unlawful=z["w_unlawful"].astype(np.float64), b_unlawful=float(z["b_unlawful"]),
                w_category=z["w_category"].astype(np.float64), b_category=z["b_category"].astype(np.float64),
                block_threshold=float(manifest["block_threshold"]), warn_threshold=float(manifest["warn_threshold"]),
                example_vectors=unit(z["example_vectors"].astype(np.float64)),
                examples=tuple(Example(**e) for e in manifest["examples"]), manifest=manifest,
            )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"guard learned model {path} unusable: {exc}") from exc
    if cats != CATEGORIES:
        raise ConfigError(f"guard learned model {path}: categories {list(cats)} differ from {list(CATEGORIES)}; "
                          "retrain with `amiable guard train`")
    dim = model.w_unlawful.shape[0]
    if model.w_category.shape != (dim, len(CATEGORIES)) or model.example_vectors.shape != (len(model.examples), dim):
        raise ConfigError(f"guard learned model {path}: shapes do not match")
    if not 0.0 < model.warn_threshold <= model.block_threshold <= 1.0:
        raise ConfigError(f"guard learned model {path}: thresholds must satisfy 0 < warn <= block <= 1")
    return model


@dataclass(frozen=True)
class Scored:
    start: int  # normalised offsets
    end: int
    score: float
    category: str
    category_score: float
    vector: np.ndarray


class LearnedLayer:
    """Scores windows and turns the confident ones into findings (see the module docstring)."""

    family = FAMILY

    def __init__(self, model: LearnedModel, embeddings: Any, categories: CategoryFile | None = None, *,
                 max_windows: int = 64) -> None:
        if model.manifest.get("embedding") not in (None, getattr(embeddings, "name", None)):
            raise ConfigError(f"guard learned model was trained on embedding {model.manifest.get('embedding')!r}, "
                              f"not {getattr(embeddings, 'name', None)!r}: retrain with `amiable guard train`")
        self.model = model
        self.embeddings = embeddings
        self.categories = categories or load_categories()
        self.max_windows = max_windows

    def score(self, doc: Doc, spans: list[tuple[int, int]] | None = None) -> list[Scored]:
        """Scores of ``spans`` (default: the doc's first ``max_windows`` windows), one embedding call."""
        spans = windows(doc)[: self.max_windows] if spans is None else spans
        if not spans:
            return []
        texts = [doc.norm[a:b][:EMBED_CHARS] for a, b in spans]
        vecs = np.asarray(self.embeddings.embed_documents(texts), dtype=np.float64)
        p, pc = self.model.scores(vecs)
        out = []
        for i, (a, b) in enumerate(spans):
            j = int(np.argmax(pc[i]))
            out.append(Scored(a, b, float(p[i]), CATEGORIES[j], float(pc[i, j]), vecs[i]))
        return out

    def findings(self, doc: Doc, ctx: GuardContext, rule_findings: list[Finding],
                 lawful_known: Any = None) -> list[Finding]:
        """Learned findings for ``doc`` given what the rules found; ``lawful_known(doc, a, b)`` says whether
        the rules know a lawful look-alike in the normalised window [a, b)."""
        del ctx
        m = self.model
        covered = [(f.span.start, f.span.end) for f in rule_findings if f.span is not None and f.family != "GUARD"]
        todo = []
        for a0, b0 in windows(doc)[: self.max_windows]:
            ra, rb = doc.raw_range(a0, b0)
            if not any(a < rb and ra < b for a, b in covered):  # a rule already judged it: not even embedded
                todo.append((a0, b0))
        out: list[Finding] = []
        for s in self.score(doc, todo):
            if s.score < m.warn_threshold:
                continue
            blocks = s.score >= m.block_threshold
            # the look-alike test runs only for a passage that would block (it may cost one more rule pass)
            known = blocks and lawful_known is not None and bool(lawful_known(doc, s.start, s.end))
            severity: Literal["block", "warn"] = "block" if blocks and not known else "warn"
            out.append(self._finding(doc, s, severity, known))
        return out

    def _finding(self, doc: Doc, s: Scored, severity: Literal["block", "warn"], known: bool) -> Finding:
        text = self.categories.categories[s.category]
        frame: Jurisdiction = "FR" if doc.lang == "fr" or doc.jurisdiction not in ("US", "UK") else doc.jurisdiction  # type: ignore[assignment]
        near = [Neighbour(id=e.id, label=e.label, family=e.family, source=e.source, text=e.text,
                          similarity=round(sim, 3)) for e, sim in self.model.nearest(s.vector)]
        why = (f"{text.explanation} Learned layer score {s.score:.2f} (block at {self.model.block_threshold:.2f}, "
               f"warn at {self.model.warn_threshold:.2f}); nearest labelled examples: "
               + "; ".join(f"{n.id} ({n.label}, {n.family}, {n.source})" for n in near) + ".")
        if known:
            why += " The rules recognise a lawful look-alike in this passage, so it only warns."
        return Finding(
            rule_id=f"{FAMILY}.{s.category.replace('_', '-')}", family=FAMILY, severity=severity,
            span=doc.span(s.start, s.end), explanation=why, legal_basis=text.basis[frame],
            rewording=text.rewording["fr" if doc.lang == "fr" else "en"],
            category=s.category, score=round(s.score, 4), neighbours=near,
        )


@lru_cache(maxsize=1)
def shipped_model() -> LearnedModel | None:
    return load_model(MODEL_FILE)


def default_layer(max_windows: int = 64) -> LearnedLayer | None:
    """The layer on the shipped weights and the product's USE embedding (loaded on first use), or None
    when no model ships."""
    model = shipped_model()
    if model is None:
        return None
    from agent.kb.embeddings import get_embeddings
    from agent.settings import get_settings

    s = get_settings()
    return LearnedLayer(model, get_embeddings("use", threads=s.embedding_threads), load_categories(),
                        max_windows=max_windows)
