"""History lookup at 10k, 100k and 1M chunks: by the debtor's chunk ids (numpy ranking) vs the old filter.

    .venv/bin/python bench/bench_history.py [--sizes 10000,100000,1000000] [--queries 300]

Synthetic 512-d unit vectors are added straight to a throw-away Chroma store through the same
``KnowledgeIndex`` (past what embedding allows), ~10 chunks per debtor, with the debtor manifest the
ingestion writes. Each query uses a distinct text (no hit-cache help) and a fresh random vector.
The old ``where={"debtor_id": ...}`` filtered search is timed too up to ``--filter-max`` chunks.
Prints p50/p95 per size with the load average. Target: p95 < 5 ms at 1M.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.kb.embeddings import OfflineEmbeddings
from agent.kb.index import KnowledgeIndex
from bench.figures import emit, pct


class Synthetic(OfflineEmbeddings):
    name = "synthetic"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError("synthetic vectors are added directly")

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError("synthetic vectors are passed directly")


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    out: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def grow(index: KnowledgeIndex, rng: np.random.Generator, start: int, stop: int, per: int, dim: int,
         batch: int) -> None:
    coll = index.history._collection
    for lo in range(start, stop, batch):
        hi = min(stop, lo + batch)
        ids = [f"d{n // per}:{n % per}" for n in range(lo, hi)]
        coll.add(ids=ids, embeddings=unit(rng, hi - lo, dim), documents=[f"note {n}" for n in range(lo, hi)],
                 metadatas=[{"debtor_id": f"d{n // per}", "at": "2026-01-01", "channel": "note"}
                            for n in range(lo, hi)])
        debtors = sorted({n // per for n in range(lo, hi)})
        index.history_ids.upsert(
            ids=[f"d{d}" for d in debtors],
            documents=[json.dumps([f"d{d}:{i}" for i in range(per) if d * per + i < hi])
                       for d in debtors],
            embeddings=[[1.0]] * len(debtors), metadatas=[{"n": per}] * len(debtors))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--filter-queries", type=int, default=30)
    ap.add_argument("--filter-max", type=int, default=100_000)
    ap.add_argument("--per-debtor", type=int, default=10)
    ap.add_argument("--dim", type=int, default=512)
    args = ap.parse_args()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="amiable-bench-history-") as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=ChromaSettings(anonymized_telemetry=False))
        index = KnowledgeIndex(client, Synthetic(args.dim), [])
        batch = min(5_000, int(client.get_max_batch_size()))
        have = 0
        for size in [int(s) for s in args.sizes.split(",")]:
            t0 = time.perf_counter()
            grow(index, rng, have, size, args.per_debtor, args.dim, batch)
            emit("history", f"add {size - have} synthetic chunks", (size - have) / (time.perf_counter() - t0),
                 "chunks/s", size=size)
            have = size
            debtors = size // args.per_debtor
            lat: list[float] = []
            for i in range(args.queries):
                d = f"d{int(rng.integers(debtors))}"
                q = unit(rng, 1, args.dim)[0]
                t = time.perf_counter()
                hits = index.search_history(d, f"query {size} {i}", k=3, vector=q)
                lat.append((time.perf_counter() - t) * 1000)
                if not hits or any(h.debtor_id != d for h in hits):
                    print(f"history: wrong hits for {d}", file=sys.stderr)
                    return 1
            emit("history", f"by ids p50 at {size:,}", pct(lat, 50), "ms", size=size, p95=round(pct(lat, 95), 3))
            emit("history", f"by ids p95 at {size:,}", pct(lat, 95), "ms", size=size, target="< 5 ms at 1M")
            if size <= args.filter_max:
                old: list[float] = []
                for _ in range(args.filter_queries):
                    d = f"d{int(rng.integers(debtors))}"
                    q = unit(rng, 1, args.dim)[0]
                    t = time.perf_counter()
                    index._search_filtered(d, q, 3)
                    old.append((time.perf_counter() - t) * 1000)
                emit("history", f"old filter p50 at {size:,}", pct(old, 50), "ms", size=size,
                     p95=round(pct(old, 95), 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
