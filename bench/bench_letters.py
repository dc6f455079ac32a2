"""Benchmark: letter production (compose + guard + PDF + HTML) and outbox email throughput to a local
SMTP server (aiosmtpd on 127.0.0.1). Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_letters.py [--letters 20] [--emails 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import free_port  # noqa: E402

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=20)
    ap.add_argument("--emails", type=int, default=50)
    args = ap.parse_args()
    from aiosmtpd.controller import Controller
    from sqlalchemy import update

    from agent import audit
    from agent.db import models as m
    from agent.db.session import session_scope
    from agent.letters.service import produce
    from agent.outbox.service import enqueue, run
    from agent.portfolio import import_portfolio
    from agent.runtime import Runtime
    from agent.settings import Settings

    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = Settings(data_dir=Path(tmp), environment="test", secret_key="bench-secret-key-not-for-production",
                         today=TODAY, smtp_port=port)
            audit.configure(s)  # the audit key of this data dir (what Runtime.start does)
            with session_scope(s.effective_database_url) as session:
                import_portfolio(session, s.portfolio_file)
            rt = Runtime.start(s)
            times = []
            for i in range(args.letters):
                with rt.session() as session:  # clear the record so the same file can get a first letter again
                    session.execute(update(m.Debtor).where(m.Debtor.id == "D001")
                                    .values(first_letter_ref=None, first_letter_date=None))
                t0 = time.perf_counter()
                done = produce(rt, "D001", "first", now=NOW, out_dir=Path(tmp) / f"l{i}")
                times.append((time.perf_counter() - t0) * 1000)
            print(f"first letter (compose + guard + PDF + HTML + record): n={len(times)} "
                  f"p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms, "
                  f"PDF {done.pdf_path.stat().st_size / 1024:.0f} KiB")
            with rt.session() as session:
                for _ in range(args.emails):
                    enqueue(session, debtor_id="D002", channel="email", now=NOW,
                            text="Rappel de votre dossier CCR-2026-0002.")
            t0 = time.perf_counter()
            report = run(rt, now=NOW)
            took = time.perf_counter() - t0
            print(f"outbox run: {len(report.sent)} sent, {len(report.queued)} queued (contact cap), "
                  f"{took * 1000:.0f} ms, {sink.count} received by SMTP")
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
