"""A slow OpenAI-compatible endpoint must not stall the service (issue 14, finding 4).

    .venv/bin/python bench/bench_slow_llm.py [--drafts 45] [--deadline 3] [--delay 120]

Builds a throw-away data dir, starts a fake OpenAI-compatible server on 127.0.0.1 that answers
after --delay seconds, starts `uvicorn api.app:create_app` pointed at it with the per-draft
deadline --deadline, fires --drafts concurrent facade drafts and probes /healthz and /readyz
meanwhile. Prints draft latency (p50 / max), health latency (p50 / max) and the backends used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=45)
    ap.add_argument("--deadline", type=float, default=3.0)
    ap.add_argument("--delay", type=float, default=120.0)
    args = ap.parse_args()

    from bench.datadir import ingested_data_dir
    from tests.llm.support import FakeOpenAI, Reply, completion
    from tests.service.conftest import auth, make_keys, start_server, stop_server

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        _, rt = ingested_data_dir(data)
        keys = make_keys(rt)
        with FakeOpenAI([Reply(delay_s=args.delay, body=completion("Bonjour"))]) as fake:
            server = start_server(data / "data", data / "uvicorn.log", AMIABLE_LLM_BASE_URL=fake.base_url,
                                  AMIABLE_LLM_MODEL="bench-model", AMIABLE_LLM_API_KEY="sk-bench-not-a-key",
                                  AMIABLE_LLM_DEADLINE_S=str(args.deadline), AMIABLE_LLM_TIMEOUT_S=str(args.deadline),
                                  AMIABLE_RATE_LIMIT_KEY_PER_MINUTE="1000000")
            try:
                results: list[tuple[float, str]] = []
                lock = threading.Lock()

                def draft(i: int) -> None:
                    body = {"model": "amiable", "metadata": {"debtor_id": f"D{(i % 36) + 1:03d}"},
                            "messages": [{"role": "user", "content": "Je peux payer en plusieurs fois ?"}]}
                    t0 = time.perf_counter()
                    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, headers=auth(keys.agent),
                                   timeout=300)
                    backend = r.json().get("amiable", {}).get("backend", f"HTTP {r.status_code}")
                    with lock:
                        results.append((time.perf_counter() - t0, str(backend)))

                threads = [threading.Thread(target=draft, args=(i,)) for i in range(args.drafts)]
                for t in threads:
                    t.start()
                health: list[float] = []
                ready: list[int] = []
                while any(t.is_alive() for t in threads):
                    t0 = time.perf_counter()
                    httpx.get(f"{server.url}/healthz", timeout=60)
                    health.append(time.perf_counter() - t0)
                    ready.append(httpx.get(f"{server.url}/readyz", timeout=60).status_code)
                    time.sleep(0.1)
                for t in threads:
                    t.join()
                calls = fake.count
            finally:
                stop_server(server)
    lat = sorted(e for e, _ in results)
    print(f"{args.drafts} concurrent drafts, model answers after {args.delay:g} s, deadline {args.deadline:g} s")
    print(f"draft latency: p50 {statistics.median(lat):.2f} s, max {lat[-1]:.2f} s; backends "
          f"{sorted(set(b for _, b in results))}; model calls {calls}")
    print(f"/healthz during the drafts: {len(health)} probes, p50 {statistics.median(health) * 1000:.1f} ms, "
          f"max {max(health) * 1000:.1f} ms; /readyz status codes {sorted(set(ready))}")


if __name__ == "__main__":
    main()
