"""Run every benchmark one after the other; collect their figures into bench/results/figures.json.

Run: ``make bench`` or ``.venv/bin/python bench/run_all.py [--quick] [--only NAME ...]``. Each bench
prints its figures with the machine's load average (``FIGURE {json}`` lines, see bench/figures.py);
this script gathers them, then ``bench/make_figures_md.py`` writes the committed bench/FIGURES.md.
Nothing is asserted. On a shared host, read every figure beside its load average.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "figures.json"
BENCHES = [
    ("threads", ["bench_threads.py"], ["bench_threads.py", "--queries", "40", "--batch", "32"]),
    ("history", ["bench_history.py"], ["bench_history.py", "--sizes", "10000,100000", "--queries", "200"]),
    ("retrieval", ["bench_retrieval.py"], None),
    ("guard", ["bench_guard.py"], None),
    ("plans", ["bench_plans.py", "--seconds", "5"], None),
    ("llm", ["bench_llm.py", "--n", "200"], None),
    ("service", ["bench_service.py", "--agents", "20", "--seconds", "20", "--think-ms", "1000"],
     ["bench_service.py", "--agents", "20", "--seconds", "8", "--think-ms", "1000"]),
    ("eval", ["bench_eval.py", "--cases", "1000"], None),
    ("memory", ["bench_memory.py", "--n", "10000"], ["bench_memory.py", "--n", "2000"]),
    ("letters", ["bench_letters.py"], None),
    ("slow-llm", ["bench_slow_llm.py", "--drafts", "45"], None),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs; skip benches without a quick form")
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args()
    figures: list[dict[str, object]] = []
    if RESULTS.is_file() and args.only:  # partial run: keep the other benches' last figures
        figures = [f for f in json.loads(RESULTS.read_text(encoding="utf-8"))["figures"]
                   if f.get("bench") not in set(args.only)]
    failed = 0
    for name, full, quick in BENCHES:
        if args.only and name not in args.only:
            continue
        cmd = quick if args.quick else full
        if cmd is None:
            continue
        print(f"\n=== {name}: python bench/{' '.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(HERE / cmd[0]), *cmd[1:]], cwd=HERE.parent,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("FIGURE "):
                figures.append({**json.loads(line[len("FIGURE "):]), "command": "python bench/" + " ".join(cmd),
                                "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
            else:
                print(line, end="", flush=True)
        rc = proc.wait()
        print(f"--- {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        failed += rc != 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"figures": figures}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(figures)} figures -> {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
