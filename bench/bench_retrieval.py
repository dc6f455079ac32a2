"""Retrieval benchmark: top-1, MRR, recall@5, ingest chunks/s and query p50/p95 for each embedding.

Run: ``.venv/bin/python bench/bench_retrieval.py [--embedding use|e5|both]`` (same as ``amiable retrieval-eval``).
"""

from __future__ import annotations

import sys

from agent.cli.main import run

if __name__ == "__main__":
    sys.argv = ["amiable", "retrieval-eval", *(sys.argv[1:] or ["--embedding", "both"])]
    run()
