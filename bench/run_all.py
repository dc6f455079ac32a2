"""Run every benchmark one after the other; collect their figures, each with its ratio to today's, into
bench/figures.json.

Run: ``make bench`` or ``.venv/bin/python bench/run_all.py [--quick] [--only NAME ...]``. Each bench
prints its figures with the machine's load average (``FIGURE {json}`` lines, see bench/figures.py);
this script runs ``amiable init`` once for the benches that need an ingested data dir, gathers the
figures, adds each one's ratio to bench/baseline.json and prints them all at the end; then
``bench/make_figures_md.py`` writes bench/FIGURES.md and the README's figures block from the JSON.
Nothing is asserted. On a shared host, read every figure beside its load average.

Adding a bench: one ``Bench`` line below. ``optional=True`` benches run only when their file exists
(hook for ``bench_scaleout.py``, two workers on PostgreSQL, which needs its own services).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.datadir import TEMPLATE_ENV, make_template  # noqa: E402
from bench.figures import load_baseline, loadavg, with_ratio  # noqa: E402

RESULTS = HERE / "figures.json"


@dataclass(frozen=True)
class Bench:
    name: str
    full: list[str]
    quick: list[str] | None  # None: not run with --quick
    optional: bool = False  # skipped (said so) while the script does not exist yet


BENCHES = [
    Bench("threads", ["bench_threads.py", "--queries", "100", "--batch", "64"],
          ["bench_threads.py", "--queries", "40", "--batch", "32"]),
    Bench("history", ["bench_history.py", "--sizes", "10000,100000,1000000", "--queries", "1000"],
          ["bench_history.py", "--sizes", "10000,100000", "--queries", "300"]),
    Bench("ingest", ["bench_ingest.py", "--history-chunks", "2000"], ["bench_ingest.py", "--history-chunks", "500"]),
    Bench("service", ["bench_service.py", "--agents", "20", "--seconds", "15", "--think-ms", "1000",
                      "--closed-seconds", "15"],
          ["bench_service.py", "--agents", "20", "--seconds", "6", "--think-ms", "1000", "--closed-seconds", "6"]),
    Bench("eval", ["bench_eval.py", "--cases", "1000"], None),
    Bench("memory", ["bench_memory.py", "--n", "10000", "--every", "1000", "--warmup", "5000"],
          ["bench_memory.py", "--n", "2000", "--every", "500", "--warmup", "1000"]),
    Bench("retrieval", ["bench_retrieval.py", "--embedding", "use"], None),  # `--embedding both` adds e5 (~3 min)
    Bench("guard", ["bench_guard.py"], None),
    Bench("plans", ["bench_plans.py", "--seconds", "5"], None),
    Bench("llm", ["bench_llm.py", "--n", "200"], None),
    Bench("letters", ["bench_letters.py"], None),
    Bench("slow-llm", ["bench_slow_llm.py", "--drafts", "45"], None),
    # Two service workers on one PostgreSQL (another engineer's bench): runs once the file is there.
    Bench("scaleout", ["bench_scaleout.py"], None, optional=True),
]
NEEDS_TEMPLATE = {"service", "memory", "slow-llm", "scaleout"}


def run_one(bench: Bench, cmd: list[str], env: dict[str, str], figures: list[dict[str, object]]) -> int:
    print(f"\n=== {bench.name}: python bench/{' '.join(cmd)}   (load {loadavg()})", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / cmd[0]), *cmd[1:]], cwd=HERE.parent, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FIGURE "):
            figures.append({**json.loads(line[len("FIGURE "):]), "command": "python bench/" + " ".join(cmd),
                            "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        else:
            print(line, end="", flush=True)
    rc = proc.wait()
    print(f"--- {bench.name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
    return rc


def save(out: Path, figures: list[dict[str, object]], started: str, t_start: float, load_start: str, quick: bool,
         done: list[str]) -> list[dict[str, object]]:
    """Write the figures so far with their ratios (after every bench: an interrupted run keeps what it measured)."""
    baseline = load_baseline()
    rated = [with_ratio({k: v for k, v in f.items() if k not in ("ratio", "ratio_text", "baseline")}, baseline)
             for f in figures]
    run = {"started_at": started, "seconds": round(time.perf_counter() - t_start), "quick": quick,
           "load_at_start": load_start, "load_at_end": loadavg(), "benches": done}
    out.write_text(json.dumps({"run": run, "figures": rated}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return rated


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs; skip benches without a quick form")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    started, t_start, load_start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), time.perf_counter(), loadavg()
    figures: list[dict[str, object]] = []
    if args.out.is_file() and args.only:  # partial run: keep the other benches' last figures
        figures = [f for f in json.loads(args.out.read_text(encoding="utf-8"))["figures"]
                   if f.get("bench") not in set(args.only)]
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="amiable-bench-template-") as tmp:
        env = dict(os.environ)
        todo = []
        for b in chosen:
            cmd = b.quick if args.quick else b.full
            if cmd is None:
                continue
            if b.optional and not (HERE / cmd[0]).is_file():
                print(f"=== {b.name}: skipped (bench/{cmd[0]} not there yet)")
                continue
            todo.append((b, cmd))
        if any(b.name in NEEDS_TEMPLATE for b, _ in todo) and not env.get(TEMPLATE_ENV):
            t0 = time.perf_counter()
            print(f"=== amiable init into a shared template   (load {loadavg()})", flush=True)
            print("amiable init:", make_template(Path(tmp)), f"({time.perf_counter() - t0:.0f} s)", flush=True)
            env[TEMPLATE_ENV] = tmp
        for n, (b, cmd) in enumerate(todo, 1):
            failed += run_one(b, cmd, env, figures) != 0
            save(args.out, figures, started, t_start, load_start, args.quick, [x.name for x, _ in todo[:n]])
    seconds = time.perf_counter() - t_start
    figures = save(args.out, figures, started, t_start, load_start, args.quick, [b.name for b, _ in todo])
    print("\n=== every figure, with its ratio to today's (bench/baseline.json) and the load when measured")
    for f in figures:
        print(f"{f['bench']:>9}: {f['name']} = {float(f['value']):g} {f['unit']}   (load {f['load']})   "  # type: ignore[arg-type]
              f"{f['ratio_text']}")
    print(f"{len(figures)} figures -> {args.out} in {seconds / 60:.1f} min"
          + (f"; {failed} bench(es) failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
