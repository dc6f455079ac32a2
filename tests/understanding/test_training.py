"""The learned layer's machinery on a tiny self-written corpus (unit examples, never figures)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from agent.kb.embeddings import OfflineEmbeddings
from agent.understanding.classifier import fit_ovr, load_classifier
from agent.understanding.corpus_io import load_items, split_digest
from agent.understanding.train import LEARNED, calibrate, train

INTENTS_DIR = Path(__file__).resolve().parents[2] / "prompts" / "intents"


class BagOfWords(OfflineEmbeddings):
    """A deterministic stand-in embedding: hashed word counts (fakes only stand in for heavy models)."""

    name = "bow-test"
    dim = 64

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            v = np.zeros(self.dim)
            for w in t.lower().split():
                v[int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
            out.append(v.tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _write(folder: Path, split: str, rows: list[tuple[str, list[str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as f:
        for i, (text, labs) in enumerate(rows):
            f.write(json.dumps({"id": f"{split}-{i}", "lang": "en", "text": text, "labels": labs, "details": [],
                                "source": "unit-test", "source_group": "unit", "licence": "n/a", "note": "",
                                "split": split}) + "\n")


def test_fit_ovr_separates_separable_labels() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 8))
    y = np.stack([(x[:, 0] > 0).astype(float), (x[:, 1] > 0.5).astype(float)], axis=1)
    w, b = fit_ovr(x, y, epochs=300)
    pred = (1 / (1 + np.exp(-(x @ w + b)))) >= 0.5
    assert (pred == (y > 0)).mean() > 0.95


def test_calibration_meets_recall_targets_on_dev() -> None:
    k = len(LEARNED)
    crisis = LEARNED.index("crisis")
    y = np.zeros((20, k))
    y[:5, crisis] = 1
    none = LEARNED.index("refuses")  # no dev positive: the classifier stays quiet on it
    p = np.full((20, k), 0.1)
    p[:5, crisis] = [0.9, 0.8, 0.7, 0.3, 0.2]  # two crisis messages the classifier barely sees
    p[5:7, crisis] = 0.25  # two negatives look like crisis: 2/15 false alarms stay under the cap
    t = calibrate(p, y)
    assert t[crisis] <= 0.2  # low enough to catch every crisis item, at the cost of a few false alarms
    p[5:10, crisis] = 0.25  # now 5/15 would be raised: the cap wins, recall is reported short of target
    t2 = calibrate(p, y)
    assert 0.25 < t2[crisis] <= 0.3
    assert t[none] >= 0.9


def test_train_writes_weights_and_a_manifest_of_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, "train", [("please stop calling me", ["stop_contact"]), ("stop texting me now", ["stop_contact"]),
                             ("i lost my job", ["hardship"]), ("no job no money", ["hardship"]),
                             ("thanks got it", ["other"]), ("ok received", ["other"])])
    _write(corpus, "dev", [("stop calling", ["stop_contact"]), ("lost job", ["hardship"]), ("ok thanks", ["other"])])
    _write(corpus, "test", [("never read by training", ["other"])])
    model = tmp_path / "intents" / "model.npz"
    (tmp_path / "intents").mkdir()
    for name in ("rules.yaml", "details.yaml"):
        (tmp_path / "intents" / name).write_text((INTENTS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    clf = train(corpus, BagOfWords(), model)
    manifest = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["train_sha256"] == hashlib.sha256((corpus / "train.jsonl").read_bytes()).hexdigest()
    assert manifest["dev_sha256"] == split_digest(corpus, "dev")
    assert "test_sha256" not in manifest and manifest["embedding"] == "bow-test"
    loaded = load_classifier(model)
    assert loaded is not None and loaded.labels == clf.labels
    p = loaded.proba(np.asarray(BagOfWords().embed_query("please stop calling me")))
    assert p[LEARNED.index("stop_contact")] > p[LEARNED.index("complaint")]


def test_items_jsonl_with_a_split_field_is_read_too(tmp_path: Path) -> None:
    _write(tmp_path / "a", "train", [("x y", ["other"])])
    _write(tmp_path / "a", "dev", [("z", ["other"])])
    combined = tmp_path / "b"
    combined.mkdir()
    (combined / "items.jsonl").write_text((tmp_path / "a" / "train.jsonl").read_text() +
                                          (tmp_path / "a" / "dev.jsonl").read_text(), encoding="utf-8")
    assert [i.id for i in load_items(combined, "dev")] == ["dev-0"]
    assert split_digest(combined, "train") == split_digest(tmp_path / "a", "train")


def test_a_model_trained_on_another_embedding_is_not_used(tmp_path: Path) -> None:
    from agent.understanding.analyzer import Analyzer

    corpus = tmp_path / "corpus"
    _write(corpus, "train", [("stop", ["stop_contact"]), ("job", ["hardship"])])
    _write(corpus, "dev", [("stop", ["stop_contact"])])
    (tmp_path / "intents").mkdir()
    for name in ("rules.yaml", "details.yaml"):
        (tmp_path / "intents" / name).write_text((INTENTS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    train(corpus, BagOfWords(), tmp_path / "intents" / "model.npz")
    other = BagOfWords()
    other.name = "another"
    assert Analyzer(tmp_path / "intents", other).classifier is None
    assert Analyzer(tmp_path / "intents", BagOfWords()).classifier is not None


@pytest.mark.parametrize("missing", ["train", "dev"])
def test_training_needs_train_and_dev(tmp_path: Path, missing: str) -> None:
    from agent.errors import NotFoundError

    for split in ("train", "dev"):
        if split != missing:
            _write(tmp_path / "c", split, [("x", ["other"])])
    with pytest.raises(NotFoundError):
        train(tmp_path / "c", BagOfWords(), tmp_path / "m.npz")


def test_the_cli_retrains_from_a_corpus_folder(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    _write(corpus, "train", [("please stop calling me", ["stop_contact"]), ("i lost my job", ["hardship"]),
                             ("thanks", ["other"])])
    _write(corpus, "dev", [("stop calling", ["stop_contact"])])
    out = tmp_path / "model.npz"
    for name in ("rules.yaml", "details.yaml"):
        (tmp_path / name).write_text((INTENTS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "AMIABLE_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run([sys.executable, "-m", "agent.cli.main", "intents", "train", "--corpus", str(corpus),
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=300,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["train_sha256"] == split_digest(corpus, "train")
    assert out.is_file() and out.with_suffix(".json").is_file()
    missing = subprocess.run([sys.executable, "-m", "agent.cli.main", "intents", "train", "--corpus",
                              str(tmp_path / "nowhere"), "--out", str(out)], capture_output=True, text=True, env=env,
                             timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert missing.returncode == 2 and "no corpus folder" in missing.stderr


def test_recall_critical_threshold_does_not_lean_on_the_rules() -> None:
    """Rules catching every dev crisis must not switch the classifier off: it is the net for paraphrases."""
    k = len(LEARNED)
    crisis = LEARNED.index("crisis")
    y = np.zeros((20, k))
    y[:4, crisis] = 1
    p = np.full((20, k), 0.1)
    p[:4, crisis] = [0.9, 0.6, 0.5, 0.4]
    rule = np.zeros((20, k), dtype=bool)
    rule[:4, crisis] = True  # the rules alone already reach recall 1.0 on dev
    t = calibrate(p, y, rule)
    assert t[crisis] <= 0.4  # the classifier alone still catches every dev crisis item


def test_labels_with_a_recall_target_trade_some_precision_for_it() -> None:
    """dispute: max F1 would stop at recall 0.8; a threshold reaching 0.9 at precision >= 0.6 is preferred."""
    k = len(LEARNED)
    dispute = LEARNED.index("dispute")
    y = np.zeros((20, k))
    y[:10, dispute] = 1
    p = np.full((20, k), 0.1)
    p[:10, dispute] = [0.9] * 8 + [0.35, 0.35]  # two hard positives...
    p[10:13, dispute] = 0.38  # ...below three negatives
    t = calibrate(p, y)
    assert t[dispute] <= 0.35  # max F1 alone (recall 0.8, precision 1.0) would be above 0.38
    pred = p[:, dispute] >= t[dispute]
    assert pred[:10].mean() >= 0.9 and pred[10:].sum() <= 3
