"""RSS of one process over many distinct drafts (bounded caches: flat after warm-up).

    .venv/bin/python bench/bench_memory.py [--n 10000] [--every 1000]

Drafts in-process (offline composer, not recorded) on distinct messages (bench/messages.py) across
the sample debtors; prints RSS every ``--every`` drafts and the query-vector cache's bytes.
Then the growth per draft after ``--warmup`` drafts with the query-vector cache taken apart: that cache
is bounded (``AMIABLE_VECTOR_CACHE_MB``, 64 MB ~ 30,000 vectors) and so keeps filling at ~2 KB a
distinct draft up to its bound. Target: under 500 MB after 10,000 distinct drafts, flat after warm-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.datadir import ingested_data_dir
from bench.figures import emit
from bench.messages import distinct_messages


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--every", type=int, default=1_000)
    ap.add_argument("--warmup", type=int, default=2_000, help="drafts counted as warm-up (a multiple of --every)")
    args = ap.parse_args()
    from agent.db.repo import list_debtor_ids
    from agent.drafting.models import DraftRequest

    with tempfile.TemporaryDirectory(prefix="amiable-bench-mem-") as tmp:
        _, rt = ingested_data_dir(Path(tmp))
        with rt.session() as s:
            debtors = list_debtor_ids(s)
        messages = distinct_messages(args.n)
        t0 = time.perf_counter()
        warm: tuple[int, float] | None = None
        for n, text in enumerate(messages, 1):
            rt.drafting.draft(DraftRequest(debtor_id=debtors[n % len(debtors)], message=text), record=False)
            if n == 1 or n % args.every == 0:
                rss, cache = rss_mb(), rt.index._vectors.bytes / 1e6
                extra = {"target": "< 500 MB at 10,000"} if n == args.n else {}
                emit("memory", f"RSS after {n:,} distinct drafts", rss, "MB", vector_cache_mb=round(cache, 1),
                     rss_minus_vector_cache_mb=round(rss - cache, 1),
                     drafts_per_s=round(n / (time.perf_counter() - t0), 1), **extra)
                if n == args.warmup:
                    warm = (n, rss - cache)
        if warm is not None and args.n > warm[0]:  # the bounded query-vector cache (64 MB) fills for ~30k drafts
            emit("memory", f"growth after {warm[0]:,} drafts, vector cache apart",
                 (rss_mb() - rt.index._vectors.bytes / 1e6 - warm[1]) * 1e3 / (args.n - warm[0]), "KB/draft",
                 vector_cache_kb_per_draft=round(rt.index._vectors.bytes / 1e3 / args.n, 2),
                 target="flat after warm-up")
    return 0


if __name__ == "__main__":
    sys.exit(main())
