"""The learned layer: one-vs-rest logistic regression over the offline sentence embedding (numpy only).

Trained on the corpus TRAIN split, per-label thresholds calibrated on DEV (see agent.understanding.train);
weights ship as ``prompts/intents/model.npz`` with a JSON manifest (the corpus hashes they came from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.errors import ConfigError


def sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out: np.ndarray = x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-9)
    return out


def fit_ovr(x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3, epochs: int = 400, lr: float = 0.5,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Weights (dim x labels) and biases (labels,) by full-batch gradient descent with class balancing.

    Deterministic (no sampling; ``seed`` only breaks ties at initialisation, which is zero).
    """
    del seed
    n, dim = x.shape
    k = y.shape[1]
    w = np.zeros((dim, k))
    b = np.zeros(k)
    pos = y.sum(axis=0)
    # balanced weights: positives and negatives of each label weigh the same in total
    wp = np.where(pos > 0, n / (2.0 * np.maximum(pos, 1)), 0.0)
    wn = n / (2.0 * np.maximum(n - pos, 1))
    sw = y * wp + (1 - y) * wn
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, epochs + 1):  # Adam: fast and stable on this small convex problem
        p = sigmoid(x @ w + b)
        g = sw * (p - y) / n
        gw = x.T @ g + l2 * w
        gb = g.sum(axis=0)
        m_w = 0.9 * m_w + 0.1 * gw
        v_w = 0.999 * v_w + 0.001 * gw**2
        m_b = 0.9 * m_b + 0.1 * gb
        v_b = 0.999 * v_b + 0.001 * gb**2
        w -= lr * 0.1 * (m_w / (1 - 0.9**t)) / (np.sqrt(v_w / (1 - 0.999**t)) + 1e-8)
        b -= lr * 0.1 * (m_b / (1 - 0.9**t)) / (np.sqrt(v_b / (1 - 0.999**t)) + 1e-8)
    return w, b


@dataclass(frozen=True)
class Classifier:
    labels: tuple[str, ...]
    weights: np.ndarray  # dim x labels
    bias: np.ndarray
    thresholds: np.ndarray
    manifest: dict[str, object]

    def proba(self, vector: np.ndarray) -> np.ndarray:
        return sigmoid(normalise(vector) @ self.weights + self.bias)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            thresholds=self.thresholds.astype(np.float32), labels=np.array(self.labels))
        manifest_path(path).write_text(json.dumps(self.manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def manifest_path(model: Path) -> Path:
    return model.with_suffix(".json")


def load_classifier(path: Path) -> Classifier | None:
    """The shipped classifier, or None when none was trained yet (rules alone then)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            labels = tuple(str(x) for x in z["labels"])
            clf = Classifier(labels=labels, weights=z["weights"].astype(np.float64), bias=z["bias"].astype(np.float64),
                             thresholds=z["thresholds"].astype(np.float64),
                             manifest=json.loads(manifest_path(path).read_text(encoding="utf-8")))
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"intent model {path} unusable: {exc}") from exc
    if clf.weights.shape[1] != len(labels) or clf.thresholds.shape != (len(labels),):
        raise ConfigError(f"intent model {path}: shapes do not match its {len(labels)} labels")
    return clf
