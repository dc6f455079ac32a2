"""One analysis of a debtor's message for every component: rules, learned layer, details, warnings."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from agent.kb.embeddings import OfflineEmbeddings
from agent.understanding.classifier import Classifier, load_classifier
from agent.understanding.details import Extractor, Lexicon, load_lexicon
from agent.understanding.models import LABELS, PRIORITY, Analysis, IntentScore, Label
from agent.understanding.rules import Rules, load_rules
from agent.understanding.text import prepare

# A last resort when neither a rule nor the classifier names a label: (message, vector) -> (label, confidence)
Fallback = Callable[[str, "list[float] | None"], "tuple[Label, float] | None"]


class Analyzer:
    def __init__(self, intents_dir: Path, embeddings: OfflineEmbeddings | None = None, *,
                 fallback: Fallback | None = None, model_path: Path | None = None, use_model: bool = True) -> None:
        self.rules: Rules = load_rules(intents_dir / "rules.yaml")
        self.lexicon: Lexicon = load_lexicon(intents_dir / "details.yaml")
        self.extractor = Extractor(self.lexicon)
        self._emb = embeddings
        self._fallback = fallback
        clf = load_classifier(model_path or intents_dir / "model.npz") if use_model else None
        if clf is not None and embeddings is not None and clf.manifest.get("embedding") != embeddings.name:
            clf = None  # trained on another embedding: its weights mean nothing here
        self.classifier: Classifier | None = clf if embeddings is not None else None
        self._lock = threading.Lock()

    def _vector(self, text: str, vector: list[float] | np.ndarray | None) -> np.ndarray | None:
        if self.classifier is None or self._emb is None:
            return None
        if vector is None:
            vector = self._emb.embed_query(text[:2000])
        return np.asarray(vector, dtype=np.float64)

    def analyse(self, message: str, *, today: dt.date, vector: list[float] | np.ndarray | None = None) -> Analysis:
        """Every intent with a confidence, the details with spans. Never raises on odd input."""
        p = prepare(message)
        warnings = list(p.warnings)
        hits = {h.label: h for h in self.rules.hits(p.folded)}
        probs: dict[str, float] = {}
        thresholds: dict[str, float] = {}
        vec = self._vector(p.text, vector) if "no_words" not in warnings else None
        if vec is not None and self.classifier is not None:
            pr = self.classifier.proba(vec)
            probs = {lab: float(pr[i]) for i, lab in enumerate(self.classifier.labels)}
            thresholds = {lab: float(self.classifier.thresholds[i]) for i, lab in enumerate(self.classifier.labels)}
        intents: list[IntentScore] = []
        for label in LABELS:
            if label == "other":
                continue
            prob = probs.get(label, 0.0)
            learned = label in thresholds and prob >= thresholds[label]
            if label in hits:
                h = hits[label]
                intents.append(IntentScore(label=label, confidence=round(max(h.confidence, prob), 3),
                                           method="rule+classifier" if learned else "rule", evidence=h.evidence))
            elif learned:
                intents.append(IntentScore(label=label, confidence=round(prob, 3), method="classifier"))
        if not intents and self._fallback is not None and "no_words" not in warnings:
            guess = self._fallback(p.text, None if vec is None else vec.tolist())
            if guess is not None and guess[0] != "other":
                intents.append(IntentScore(label=guess[0], confidence=round(guess[1], 3), method="knn"))
        if not intents:
            top = max(probs.values(), default=0.0)
            intents.append(IntentScore(label="other", confidence=round(1.0 - top if probs else 0.5, 3),
                                       method="classifier" if probs else "fallback"))
        rank = {lab: i for i, lab in enumerate(PRIORITY)}
        intents.sort(key=lambda s: rank[s.label])
        ruled = [s for s in intents if s.method.startswith("rule")]
        primary = (ruled or intents)[0].label
        stop_channels: list[str] = []
        if "stop_contact" in hits:
            h = hits["stop_contact"]
            stop_channels = self.lexicon.channels_in(p.folded[max(0, h.start - 30):h.end + 50])
        details = self.extractor.extract(p, today)
        if not any(s.label == "third_party" for s in intents):  # a debtor's own relatives are no role
            details = [d for d in details if d.kind != "third_party_role"]
        return Analysis(intents=intents, primary=primary, details=details,
                        injection_suspected=self.rules.injection(p.folded), warnings=warnings,
                        learned=bool(probs), stop_channels=stop_channels)
