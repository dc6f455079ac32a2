"""Loopback benchmark of the agent service: 20 concurrent agents against a uvicorn subprocess.

    .venv/bin/python bench/bench_service.py [--agents 20] [--seconds 20] [--workers 1]

Builds a throw-away data dir (sample portfolio + index), creates an agent key, starts
``uvicorn api.app:create_app --factory`` on a free 127.0.0.1 port, then:

1. draft endpoint (POST /v1/conversations/{id}/messages, offline composer): each agent posts debtor
   messages in a loop for --seconds; every message is distinct (bench/messages.py), so the "cold"
   phase measures embedding + retrieval for real; a "warm" phase then replays the same messages
   (cache hits) and is reported apart; prints p50 / p95 / p99 latency and throughput;
2. guard endpoint (POST /v1/guard/check): same agents, --seconds; prints req/s and p95.

3. closed loop (``--closed-seconds``): the same agents with no think time on messages not used before:
   drafts/s at saturation (the clients share the 2 cores with the server).

Bounded duration; the server is always terminated. Targets: draft p95 < 150 ms, closed loop >= 60 drafts/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.datadir import ingested_data_dir
from bench.figures import emit, loadavg, pct
from bench.messages import Feed, distinct_messages
from tests.service.conftest import make_keys, start_server, stop_server

WARMUP = distinct_messages(5, seed=99)  # not in the timed pool (other seed, checked below)
GUARD_TEXTS = [
    "Bonjour, nous vous proposons un échéancier adapté à votre situation. Quel créneau vous convient ?",
    "Dernier avis avant saisie : notre huissier passera sous 48 h.",
    "Les frais de recouvrement amiable restent à la charge de notre client.",
]


def run(url: str, key: str, agents: int, seconds: float, kind: str, debtors: list[str],
        think_ms: float = 0.0, feed: Feed | None = None) -> tuple[list[float], int]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    start = threading.Barrier(agents)

    def agent(i: int) -> None:
        nonlocal errors
        rng = random.Random(i)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            conv = None
            if kind == "draft":
                conv = c.post("/v1/conversations", json={"debtor_id": debtors[i % len(debtors)]}).json()["id"]
            start.wait()
            if think_ms:  # agents do not all click at the same millisecond: stagger the first request
                time.sleep(think_ms / 1000 * rng.uniform(0.0, 1.0))
            n = 0
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                if kind == "draft":
                    r = c.post(f"/v1/conversations/{conv}/messages", json={"message": feed.next() if feed else WARMUP[n % 5]})
                else:
                    r = c.post("/v1/guard/check", json={"text": GUARD_TEXTS[(i + n) % len(GUARD_TEXTS)],
                                                        "debtor_id": debtors[i % len(debtors)]})
                dt_ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if r.status_code in (200, 201):
                        lat.append(dt_ms)
                    else:
                        errors += 1
                n += 1
                if think_ms:  # an agent reads the draft before the next request (uniform 0.5x..1.5x)
                    time.sleep(think_ms / 1000 * rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(agents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors


def report(name: str, lat: list[float], errors: int, seconds: float, tag: str = "", think_ms: float = 0.0) -> None:
    if not lat:
        print(f"{name}: no successful request ({errors} errors)")
        return
    print(f"{name}: {len(lat)} ok, {errors} errors, {len(lat) / seconds:.1f} req/s, "
          f"p50 {statistics.median(lat):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
          f"max {max(lat):.1f} ms   (load {loadavg()})")
    if tag:
        extra = {"target": "< 150 ms"} if tag.startswith("draft") else {}
        emit("service", f"{tag} p95", pct(lat, 95), "ms", p50=round(statistics.median(lat), 1),
             rate=round(len(lat) / seconds, 1), errors=errors, think_ms=think_ms, **extra)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--think-ms", type=float, default=0.0,
                    help="mean pause of each agent between requests (0: closed loop, saturation)")
    ap.add_argument("--closed-seconds", type=float, default=10.0,
                    help="then a closed loop (no think time, distinct messages) for drafts/s; 0: skip")
    ap.add_argument("--pool", type=int, default=20_000, help="distinct messages available to the cold phase")
    args = ap.parse_args()
    os.environ.setdefault("AMIABLE_ENVIRONMENT", "test")
    os.environ.setdefault("AMIABLE_SECRET_KEY", "bench-secret-key-not-for-production")
    with tempfile.TemporaryDirectory(prefix="amiable-bench-") as tmp:
        data = Path(tmp)
        t0 = time.monotonic()
        _, rt = ingested_data_dir(data)
        keys = make_keys(rt)
        print(f"data dir ready in {time.monotonic() - t0:.1f}s")
        server = start_server(data / "data", data / "uvicorn.log")
        try:
            debtors = [f"D{n:03d}" for n in range(1, 21)]
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {keys.agent}"}) as c:
                for d in debtors[:3]:  # warm-up (embedding model, index, every message once)
                    conv = c.post("/v1/conversations", json={"debtor_id": d}, timeout=120).json()["id"]
                    for m in WARMUP:
                        c.post(f"/v1/conversations/{conv}/messages", json={"message": m}, timeout=120)
                    c.post("/v1/guard/check", json={"text": GUARD_TEXTS[0]}, timeout=60)
            print(f"server {server.url}: {args.agents} concurrent agents, {args.seconds:.0f}s per phase, "
                  f"think time {args.think_ms:.0f} ms, {os.cpu_count()} CPUs (clients share them)")
            pool = [m for m in distinct_messages(args.pool) if m not in WARMUP]
            feed = Feed(pool)
            lat, err = run(server.url, keys.agent, args.agents, args.seconds, "draft", debtors, args.think_ms, feed)
            if feed.used > len(pool):
                print(f"warning: pool of {len(pool)} exhausted ({feed.used} requests): raise --pool")
            report("draft  cold (distinct messages)", lat, err, args.seconds, "draft cold", args.think_ms)
            warm = Feed(pool[:max(1, min(feed.used, len(pool)))])
            lat, err = run(server.url, keys.agent, args.agents, args.seconds, "draft", debtors, args.think_ms, warm)
            report("draft  warm (same messages again)", lat, err, args.seconds, "draft warm", args.think_ms)
            lat, err = run(server.url, keys.agent, args.agents, args.seconds, "guard", debtors, args.think_ms)
            report("guard  POST /v1/guard/check", lat, err, args.seconds, "guard", args.think_ms)
            if args.closed_seconds > 0:  # saturation: no think time, messages not seen before
                rest = Feed(pool[min(feed.used, len(pool)):] or pool)
                lat, err = run(server.url, keys.agent, args.agents, args.closed_seconds, "draft", debtors, 0.0, rest)
                report("draft  closed loop (no think time, distinct)", lat, err, args.closed_seconds)
                if lat:
                    emit("service", "closed loop drafts/s", len(lat) / args.closed_seconds, "drafts/s",
                         p95=round(pct(lat, 95), 1), errors=err, agents=args.agents, target=">= 60 drafts/s")
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
