"""History lookup at 10k, 100k and 1M chunks through the product's per-debtor store (agent/kb/history.py).

    .venv/bin/python bench/bench_history.py [--sizes 10000,100000,1000000] [--queries 1000]

Synthetic 512-d float32 unit vectors (past what embedding allows), ~10 chunks per debtor, are written
with ``HistoryStore.write`` (what ``KnowledgeIndex.ingest_history`` calls once it has embedded) into a
throw-away store; each query then goes through ``KnowledgeIndex.search_history`` (the drafting path)
with a distinct text (no hit-cache help), a random debtor and a fresh random vector. Prints the write
rate, the file size and p50/p95 per size with the load average. Target: p95 < 5 ms at 1M.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.kb.embeddings import OfflineEmbeddings
from agent.kb.history import StoredChunk
from agent.kb.index import KnowledgeIndex
from bench.figures import emit, pct


class Synthetic(OfflineEmbeddings):
    """No model: the bench passes every vector itself (an accidental embedding call fails loudly)."""

    name = "synthetic"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError("synthetic vectors are written directly")

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError("synthetic vectors are passed directly")


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def grow(index: KnowledgeIndex, rng: np.random.Generator, start: int, stop: int, per: int, dim: int) -> None:
    """Debtors ``start // per`` .. ``stop // per - 1``, ``per`` chunks each, 2,000 debtors a transaction."""
    first, last = start // per, stop // per
    for lo in range(first, last, 2_000):
        hi = min(last, lo + 2_000)
        vectors = unit(rng, (hi - lo) * per, dim)
        rows = []
        for d in range(lo, hi):
            debtor = f"d{d}"
            chunks = [StoredChunk(id=f"{debtor}:{i:016x}", digest=f"{d}-{i}", text=f"note {i} of {debtor}",
                                  at="2026-01-01T10:00:00+01:00", channel="note", direction="in")
                      for i in range(per)]
            rows.append((debtor, chunks, vectors[(d - lo) * per:(d - lo + 1) * per]))
        index.history.write(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--per-debtor", type=int, default=10)
    ap.add_argument("--dim", type=int, default=512)
    args = ap.parse_args()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="amiable-bench-history-") as tmp:
        client = chromadb.PersistentClient(path=str(Path(tmp) / "chroma"),
                                           settings=ChromaSettings(anonymized_telemetry=False))
        store_file = Path(tmp) / "history_synthetic.sqlite3"
        index = KnowledgeIndex(client, Synthetic(args.dim), [], store_file)
        have = 0
        for size in [int(s) for s in args.sizes.split(",")]:
            t0 = time.perf_counter()
            grow(index, rng, have, size, args.per_debtor, args.dim)
            emit("history", f"store write to {size:,} chunks", (size - have) / (time.perf_counter() - t0),
                 "chunks/s", size=size, file_mb=round(store_file.stat().st_size / 1e6))
            have = size
            debtors = size // args.per_debtor
            lat: list[float] = []
            for i in range(args.queries):
                d = f"d{int(rng.integers(debtors))}"
                q = unit(rng, 1, args.dim)[0]
                t = time.perf_counter()
                hits = index.search_history(d, f"query {size} {i}", k=3, vector=q)
                lat.append((time.perf_counter() - t) * 1000)
                if len(hits) != 3 or any(h.debtor_id != d for h in hits):
                    print(f"history: wrong hits for {d}", file=sys.stderr)
                    return 1
            emit("history", f"query p50 at {size:,}", pct(lat, 50), "ms", size=size, queries=args.queries)
            emit("history", f"query p95 at {size:,}", pct(lat, 95), "ms", size=size, queries=args.queries,
                 target="< 5 ms at 1M")
        index.history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
