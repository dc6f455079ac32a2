"""Embedding thread control: query latency and batch rate with 1 and 2 BLAS threads (threadpoolctl).

    .venv/bin/python bench/bench_threads.py [--queries 100] [--batch 64]

Distinct texts (bench/messages.py), so no cache is involved. Model load is timed and reported apart.
Also checks that the limit is really applied (threadpoolctl's view inside the call).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.kb.embeddings import USEEmbeddings
from bench.figures import emit, pct
from bench.messages import distinct_messages


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    texts = distinct_messages(args.queries * 2 + args.batch * 4)
    emb = USEEmbeddings(threads=1, ingest_threads=2)
    t0 = time.perf_counter()
    emb.embed_query("chargement du modèle")
    emit("threads", "model load (apart from any rate)", time.perf_counter() - t0, "s")
    from threadpoolctl import threadpool_info

    print("BLAS pools:", [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()])
    offset = 0
    for n in (1, 2):
        emb._threads = n
        lat = []
        for text in texts[offset:offset + args.queries]:
            t = time.perf_counter()
            emb.embed_query(text)
            lat.append((time.perf_counter() - t) * 1000)
        offset += args.queries
        emit("threads", f"query embedding p95, {n} BLAS thread(s)", pct(lat, 95), "ms", p50=round(pct(lat, 50), 2))
    for n in (1, 2):
        emb._ingest_threads = n
        part = texts[offset:offset + args.batch * 2]
        offset += args.batch * 2
        t = time.perf_counter()
        for i in range(0, len(part), args.batch):
            emb.embed_documents(part[i:i + args.batch])
        emit("threads", f"batch embedding rate, {n} BLAS thread(s)", len(part) / (time.perf_counter() - t),
             "texts/s", batch=args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
