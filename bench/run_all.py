"""Run every benchmark one after the other (they print their own figures; nothing is asserted).

Run: ``make bench`` or ``.venv/bin/python bench/run_all.py``. Takes a few minutes; run it on a quiet machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("retrieval", ["bench_retrieval.py"]),
    ("guard", ["bench_guard.py"]),
    ("plans + widget API", ["bench_plans.py", "--seconds", "5"]),
    ("LLM pipeline overhead", ["bench_llm.py", "--n", "200"]),
    ("agent service (20 agents)", ["bench_service.py", "--agents", "20", "--seconds", "20"]),
    ("QA evaluations (1,000 scenarios)", ["bench_eval.py", "--cases", "1000"]),
    ("letters + outbox (local SMTP)", ["bench_letters.py"]),
    ("slow LLM endpoint (45 drafts)", ["bench_slow_llm.py", "--drafts", "45"]),
]


def main() -> int:
    failed = 0
    for title, args in BENCHES:
        print(f"\n=== {title}: python bench/{' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]], cwd=HERE.parent)
        print(f"--- {title}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
