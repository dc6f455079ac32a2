"""Offline intent detection for drafting: the debtor-message analyser (agent.understanding) first
(rule phrases in ``prompts/intents/rules.yaml``, then the learned layer ``prompts/intents/model.npz``),
then, when neither names a label, the nearest labelled examples (k-NN over
``prompts/intents/examples.yaml``). Below a similarity floor the intent is ``other``: a wrong guess is
worse than an honest "other". ``detect`` keeps the single primary intent of the draft; ``analyse``
gives every intent with its confidence and the details.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.drafting.models import INTENTS, Intent
from agent.errors import ConfigError
from agent.kb.embeddings import OfflineEmbeddings
from agent.lang import fold
from agent.understanding.analyzer import Analyzer
from agent.understanding.models import Analysis, Label
from agent.yamlio import load_yaml

__all__ = ["IntentDetector", "IntentResult", "fold", "primary_intent"]

# Labels the draft's single `intent` cannot carry map to the reply that fits them best.
_PRIMARY_MAP: dict[str, Intent] = {"prescription": "dispute", "complaint": "other"}


def primary_intent(analysis: Analysis) -> Intent:
    """The draft's single intent: the analysis' primary label, as a label that has a reply of its own."""
    label = _PRIMARY_MAP.get(analysis.primary, analysis.primary)
    return next((i for i in INTENTS if i == label), "other")

class IntentResult(BaseModel):
    intent: Intent
    confidence: float
    method: str  # "rule" | "classifier" | "knn" | "fallback"
    evidence: str = ""
    analysis: Analysis | None = None  # every intent and the details (agent.understanding)


class _ExampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    examples: dict[Intent, dict[str, list[str]]]


class IntentDetector:
    def __init__(self, examples_path: Path, embeddings: OfflineEmbeddings, *, floor: float = 0.45, k: int = 5):
        self._path = examples_path
        self._emb = embeddings
        self._floor = floor
        self._k = k
        self._matrix: np.ndarray | None = None
        self._labels: list[Intent] = []
        self._lock = threading.Lock()
        self._analyzer = Analyzer(examples_path.parent, embeddings, fallback=self._knn)

    def _load(self) -> None:
        try:
            raw = load_yaml(self._path)
            data = _ExampleFile.model_validate(raw)
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"intent examples {self._path} unusable: {exc}") from exc
        texts: list[str] = []
        labels: list[Intent] = []
        for intent, by_lang in data.examples.items():
            for examples in by_lang.values():
                texts.extend(examples)
                labels.extend([intent] * len(examples))
        vecs = np.asarray(self._emb.embed_documents(texts), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        self._matrix, self._labels = vecs, labels

    def _knn(self, message: str, vector: np.ndarray | list[float] | None) -> tuple[Label, float] | None:
        with self._lock:
            if self._matrix is None:
                self._load()
        assert self._matrix is not None
        q = np.asarray(vector if vector is not None else self._emb.embed_query(message[:2000]), dtype=np.float32)
        q = q / (np.linalg.norm(q) + 1e-9)  # a new array: the cached query vector is shared and read-only
        sims = self._matrix @ q
        top = np.argsort(-sims)[: self._k]
        votes: dict[Intent, float] = {}
        for i in top:
            votes[self._labels[i]] = votes.get(self._labels[i], 0.0) + float(sims[i])
        best = max(votes, key=lambda k: votes[k])
        best_sim = max(float(sims[i]) for i in top if self._labels[i] == best)
        if best_sim < self._floor:
            return None
        return best, best_sim

    def analyse(self, message: str, *, today: dt.date, vector: np.ndarray | list[float] | None = None) -> Analysis:
        return self._analyzer.analyse(message, today=today, vector=vector)

    def detect(self, message: str, vector: np.ndarray | list[float] | None = None, *, today: dt.date | None = None,
               analysis: Analysis | None = None) -> IntentResult:
        """The primary intent (compatibility with the single-intent draft)."""
        a = analysis or self.analyse(message, today=today or dt.date(2000, 1, 1), vector=vector)
        intent = primary_intent(a)
        score = next((x for x in a.intents if x.label == a.primary), a.intents[0])
        method = {"rule+classifier": "rule", "classifier": "classifier"}.get(score.method, score.method)
        return IntentResult(intent=intent, confidence=score.confidence, method=method, evidence=score.evidence,
                            analysis=a)
