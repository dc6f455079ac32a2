"""Ingestion rates on distinct inputs, the embedding model load reported apart.

    .venv/bin/python bench/bench_ingest.py [--history-chunks 2000]

Into a throw-away index (``KnowledgeIndex.open`` on a temporary data dir): the model is loaded first
and timed on its own; then the 114 guideline sections go into Chroma (``ingest_guidelines``), then
debtor files built from the sample portfolio with distinct notes (bench/messages.py) go through
``ingest_history`` (the per-debtor store); a second pass over the same files shows the unchanged path.
Prints chunks/s with the load average. Target: >= 50 chunks/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import emit
from bench.messages import distinct_messages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history-chunks", type=int, default=2000)
    args = ap.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from agent import audit
    from agent.db.repo import list_debtor_ids, load_file
    from agent.db.session import session_scope
    from agent.domain import ContactView, DebtorFile
    from agent.kb.index import KnowledgeIndex
    from agent.portfolio import import_portfolio
    from agent.settings import Settings

    today = dt.date(2026, 11, 23)
    with tempfile.TemporaryDirectory(prefix="amiable-bench-ingest-") as tmp:
        s = Settings(data_dir=Path(tmp), today=today, environment="development")
        audit.configure(s)  # the audit key of this data dir (what Runtime.start does)
        with session_scope(s.effective_database_url) as session:
            import_portfolio(session, s.portfolio_file)
        with session_scope(s.effective_database_url) as session:
            sample = [load_file(session, i, today) for i in list_debtor_ids(session)]
        notes = iter(distinct_messages(args.history_chunks + 10, seed=23))
        files: list[DebtorFile] = []
        made = 0
        at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
        while made < args.history_chunks:  # each sample debtor again, under a new id, with fresh notes
            base = sample[len(files) % len(sample)]
            contacts = tuple(ContactView(at=at + dt.timedelta(hours=n), channel="phone", direction="in",
                                         summary=next(notes)) for n in range(min(10, args.history_chunks - made)))
            files.append(base.model_copy(update={"id": f"{base.id}-{len(files)}", "contacts": contacts,
                                                 "disputes": ()}))
            made += len(contacts)
        index = KnowledgeIndex.open(s)
        emit("ingest", "embedding model load (apart from the rates)", index.warm_up(), "s")
        g = index.ingest_guidelines()
        emit("ingest", "guidelines into Chroma", g.chunks_per_s, "chunks/s", chunks=g.added,
             seconds=round(g.seconds, 2), target=">= 50 chunks/s")
        h = index.ingest_history(files)
        emit("ingest", "debtor history into the store", h.chunks_per_s, "chunks/s", chunks=h.added,
             debtors=len(files), seconds=round(h.seconds, 2), target=">= 50 chunks/s")
        again = index.ingest_history(files)
        emit("ingest", "history again, unchanged (skipped)", again.total / again.seconds if again.seconds else 0.0,
             "chunks/s", chunks=again.unchanged, seconds=round(again.seconds, 3))
        index.history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
