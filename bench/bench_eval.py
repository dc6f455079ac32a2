"""Benchmark: 1,000 offline evaluation cases, drafting + all evaluators, cold (distinct) then warm.

    .venv/bin/python bench/bench_eval.py [--cases 1000] [--keep DIR]

Setup (portfolio import, index ingestion into a temporary data dir) is not timed; the run is, report
included. The cold run gives every replica a distinct message (``vary_replicas``: embeddings and hit
caches do not help); the warm run replays the plain replicated set. Prints seconds and cases/s with
the load average. Target: 1,000 distinct cases in under 20 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--keep", type=Path, default=None, help="write the run folder here")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from agent import audit
    from agent.db.repo import list_debtor_ids, load_file
    from agent.db.session import session_scope
    from agent.kb.index import KnowledgeIndex
    from agent.portfolio import import_portfolio
    from agent.qa import runner
    from agent.runtime import Runtime
    from agent.settings import Settings
    from bench.figures import emit

    today = dt.date(2026, 11, 23)
    with tempfile.TemporaryDirectory(prefix="amiable-bench-") as tmp:
        s = Settings(data_dir=Path(tmp), today=today, environment="development")
        audit.configure(s)  # the audit key of this data dir (what Runtime.start does)
        t_setup = time.perf_counter()
        with session_scope(s.effective_database_url) as session:
            import_portfolio(session, s.portfolio_file)
        index = KnowledgeIndex.open(s)
        index.ingest_guidelines()
        with session_scope(s.effective_database_url) as session:
            index.ingest_history([load_file(session, i, today) for i in list_debtor_ids(session)])
        rt = Runtime.start(s)
        _ = rt.drafting.detector  # the intent examples are embedded once per process: setup, not run
        setup = time.perf_counter() - t_setup
        out = args.keep or Path(tmp) / "run"
        print(f"setup (import + ingest, not timed): {setup:.1f} s")
        for phase, vary in (("cold, distinct messages", True), ("warm, replicated set", False)):
            cfg = runner.RunConfig(datasets=[REPO / "evals" / "scenarios"], out_dir=out / phase.split(",")[0],
                                   resume=False, replicate_to=args.cases, vary_replicas=vary)
            t0 = time.perf_counter()
            prep = runner.prepare(rt, cfg)  # reuses the runtime's warmed-up intent detector
            manifest = runner.run_cases(prep, show_bar=False)
            total = time.perf_counter() - t0
            n = manifest["summary"]["cases"]
            emit("eval", f"{n} cases ({phase})", total, "s", rate=round(n / total, 1),
                 errors=manifest["summary"]["errors"], target="< 20 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
