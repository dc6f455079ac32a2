"""Scale-out load benchmark: 1 API worker vs 2 API workers behind one PostgreSQL database and one Chroma server.

    .venv/bin/python bench/bench_scaleout.py [--clients 16] [--seconds 15] [--rounds 2] [--workers 1,2] [--no-fsync]

Starts a throw-away PostgreSQL cluster (Debian's `postgresql` binaries, 127.0.0.1, free port, fsync on by
default) and a Chroma server (`chroma run`), runs the real `amiable init` against both, creates an agent
key, then for each worker count N starts N ``uvicorn api.app:create_app --factory`` processes, each on its
own free loopback port (warmed up one by one), all up for the whole run, and drives one configuration at a
time closed-loop, each client sending its requests to the N processes in turn (a tiny round-robin), with --clients
concurrent clients for --seconds per phase, the worker counts in ABBA order over --rounds (on a shared host
the background load drifts; alternating keeps that drift from favouring one side):

* ``draft``: POST /v1/conversations/{id}/messages, every message distinct (bench/messages.py: cold caches);
* ``mixed``: the same drafts for half of the requests, guard checks and debtor reads for the other half.

Prints p50 / p95 latency, completed requests per second, errors (non-2xx or transport errors) and the load
average for each (round, workers, phase), then pooled over the rounds, then checks the HMAC audit chain (GET /v1/audit/verify). Nothing is
asserted; servers are always stopped and their directories removed. Every figure is also a FIGURE line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import emit, loadavg, pct
from bench.messages import Feed, distinct_messages
from tests.conftest import TODAY
from tests.scaleout.conftest import SECRET, Live, amiable, start_api, stop_api
from tests.scaleout.servers import chroma_server, postgres_server

GUARD_TEXTS = [
    "Bonjour, nous vous proposons un échéancier adapté à votre situation. Quel créneau vous convient ?",
    "Dernier avis avant saisie : notre huissier passera sous 48 h.",
    "Les frais de recouvrement amiable restent à la charge de notre client.",
]
DEBTORS = [f"D{n:03d}" for n in range(1, 37)]


def load(urls: list[str], key: str, clients: int, seconds: float, phase: str,
         feed: Feed) -> tuple[list[float], int, list[str]]:
    """Closed loop: each client sends its next request as soon as the last one answered, to the API
    processes in turn (the tiny round-robin in front of two workers)."""
    lat: list[float] = []
    errors = 0
    samples: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)
    stop = [0.0]

    def client(i: int) -> None:
        nonlocal errors
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
            conv = c.post(f"{urls[0]}/v1/conversations", json={"debtor_id": DEBTORS[i % len(DEBTORS)]}).json()["id"]
            if start.wait() == 0:
                stop[0] = time.monotonic() + seconds
            while not stop[0]:
                time.sleep(0.001)
            n = 0
            while time.monotonic() < stop[0]:
                url = urls[(i + n) % len(urls)]
                kind = "draft" if phase == "draft" or n % 2 == 0 else ("guard" if n % 4 == 1 else "read")
                t0 = time.perf_counter()
                try:
                    if kind == "draft":
                        r = c.post(f"{url}/v1/conversations/{conv}/messages", json={"message": feed.next()})
                    elif kind == "guard":
                        r = c.post(f"{url}/v1/guard/check", json={"text": GUARD_TEXTS[(i + n) % len(GUARD_TEXTS)],
                                                            "debtor_id": DEBTORS[(i + n) % len(DEBTORS)]})
                    else:
                        r = c.get(f"{url}/v1/debtors/{DEBTORS[(i + n) % len(DEBTORS)]}")
                    ok, detail = 200 <= r.status_code < 300, f"{kind} {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, f"{kind} {type(exc).__name__}"
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if ok:
                        lat.append(ms)
                    else:
                        errors += 1
                        if len(samples) < 5:
                            samples.append(detail)
                n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=2, help="rounds; even ones run the worker counts in reverse")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts to measure")
    ap.add_argument("--no-fsync", action="store_true", help="PostgreSQL with fsync and synchronous_commit off")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    feed = Feed(distinct_messages(50_000, seed=23))
    with tempfile.TemporaryDirectory(prefix="amiable-bench-scaleout-") as tmp, \
            postgres_server(fsync=not args.no_fsync) as pg, chroma_server() as chroma:
        data = Path(tmp) / "data"
        url = pg.create_database("amiable")
        env = {**os.environ, "AMIABLE_ENVIRONMENT": "test", "AMIABLE_TODAY": TODAY.isoformat(),
               "AMIABLE_SECRET_KEY": SECRET, "AMIABLE_DATA_DIR": str(data), "AMIABLE_DATABASE_URL": url,
               "AMIABLE_CHROMA_HOST": chroma.host, "AMIABLE_CHROMA_PORT": str(chroma.port),
               "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "ANONYMIZED_TELEMETRY": "False"}
        t0 = time.monotonic()
        done = amiable(env, "init", timeout_s=1800)
        if done.returncode != 0:
            raise SystemExit(f"amiable init failed: {done.stderr[-2000:]}")
        print(f"amiable init into PostgreSQL {pg.port} + Chroma server {chroma.port}: {time.monotonic() - t0:.1f}s; "
              f"PostgreSQL fsync {'off' if args.no_fsync else 'on'}", flush=True)
        made = amiable(env, "keys", "create", "--name", "bench", "--role", "admin")
        key = made.stdout.strip().splitlines()[-1] if made.stdout.strip() else ""  # printed once, last line
        if made.returncode != 0 or not key:
            raise SystemExit(f"cannot create a key: {made.stdout[-500:]} {made.stderr[-500:]}")
        print(f"{args.clients} closed-loop clients, {args.seconds:.0f}s per phase, {args.rounds} rounds in ABBA order "
              f"(both servers up the whole time), {os.cpu_count()} CPUs (clients, workers, PostgreSQL and Chroma "
              f"share them)", flush=True)
        lives: dict[int, list[Live]] = {}
        try:
            for workers in counts:  # N workers = N uvicorn processes on N ports, one database, one Chroma
                lives[workers] = []
                for w in range(workers):
                    live = start_api(env, Path(tmp) / f"uvicorn-{workers}-{w}.log", workers=1)
                    lives[workers].append(live)
                    with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {key}"},
                                      timeout=120) as c:
                        for d in DEBTORS[:4]:  # warm-up: the worker loads its embedding model and index
                            conv = c.post("/v1/conversations", json={"debtor_id": d}).json()["id"]
                            c.post(f"/v1/conversations/{conv}/messages", json={"message": feed.next()})
            pooled: dict[tuple[int, str], tuple[list[float], int]] = {}
            for rnd in range(args.rounds):
                for workers in (counts if rnd % 2 == 0 else list(reversed(counts))):
                    for phase in ("draft", "mixed"):
                        lat, errors, samples = load([live.url for live in lives[workers]], key, args.clients, args.seconds, phase, feed)
                        p50 = statistics.median(lat) if lat else float("nan")
                        print(f"round {rnd + 1}: {workers} worker(s) {phase:5s}: {len(lat)} ok, {errors} errors, "
                              f"{len(lat) / args.seconds:.1f} req/s, p50 {p50:.1f} ms, p95 {pct(lat, 95):.1f} ms   "
                              f"(load {loadavg()})", flush=True)
                        for sample in samples:
                            print(f"   error: {sample}")
                        old_lat, old_err = pooled.get((workers, phase), ([], 0))
                        pooled[(workers, phase)] = (old_lat + lat, old_err + errors)
            print("--- all rounds pooled ---")
            total_s = args.seconds * args.rounds
            for (workers, phase), (lat, errors) in sorted(pooled.items(), key=lambda kv: (kv[0][1], kv[0][0])):
                p50 = statistics.median(lat) if lat else float("nan")
                rate = len(lat) / total_s
                print(f"{workers} worker(s) {phase:5s}: {len(lat)} ok, {errors} errors, {rate:.1f} req/s, "
                      f"p50 {p50:.1f} ms, p95 {pct(lat, 95):.1f} ms", flush=True)
                emit("scaleout", f"{phase} {workers}w p95", pct(lat, 95), "ms", p50=round(p50, 1),
                     rate=round(rate, 1), errors=errors, workers=workers, clients=args.clients)
            with httpx.Client(base_url=lives[counts[0]][0].url, headers={"Authorization": f"Bearer {key}"},
                              timeout=300) as c:
                v = c.get("/v1/audit/verify").json()
            print(f"audit chain after every phase: ok={v.get('ok')} events={v.get('events')}", flush=True)
        finally:
            for group in lives.values():
                for live in group:
                    stop_api(live)

if __name__ == "__main__":
    main()
