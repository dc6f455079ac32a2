"""Guard benchmark: judgement on real collector text, evasion, latency per length, throughput, baselines.

Run: ``python bench/bench_guard.py [CORPUS_JSONL] [--reps N] [--quick]``; CORPUS_JSONL defaults to the frozen
test split ``evals/corpus/collector/test.jsonl`` (schema: id, lang, text, label lawful|unlawful, family,
jurisdiction FR|US|UK, source...). Prints, in one run:

1. recall (unlawful items blocked) and false-positive rate (lawful items blocked) per language and per
   family on the corpus split, no debtor file (the jurisdiction of each item is passed with the check);
2. the evasion suite (tests/guard/evasion.yaml x every evasion kind): share still blocked;
3. latency per length (300 B to 1 MB) on distinct texts (never the same text twice, so no cache is
   measured), p50 / p99 and the per-KB cost of each length divided by the per-KB cost at 2 KB;
4. throughput on distinct mixed 300 B - 2 KB texts (one process, one core);
5. side by side on the same distinct 2 KB texts: an equivalent of llm-guard's BanSubstrings in ``str``
   mode (llm-guard is not installed: its algorithm, lowercase then ``substring in text`` over the same
   phrase list, is reimplemented here and labelled so) and an Aho-Corasick scan (pyahocorasick) of the
   trigger words (the floor), with the ratios.

The script only uses ``Guard(policy, firm).check(text, GuardContext(...))``, so it also runs against an
older checkout (``PYTHONPATH=<old worktree> python bench/bench_guard.py``) to compare figures.
Targets (issue 12): recall >= 0.95 and FPR <= 0.05 per language; 100 % of evasions blocked; 2 KB p99 < 1 ms;
>= 5,000 msg/s mixed; 1 MB under 1 s; per-KB cost at 1 MB within 2x of 2 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from agent.firm import load_firm  # noqa: E402
from agent.guard import Guard, GuardContext  # noqa: E402
from agent.guard.policy import GuardPolicy, load_guard_policy  # noqa: E402
from agent.settings import REPO_ROOT  # noqa: E402
from tests.guard.factories import build  # noqa: E402

SIZES = (300, 2_000, 8_000, 32_000, 100_000, 256_000, 1_000_000)
COUNTS = {300: 1000, 2_000: 1000, 8_000: 200, 32_000: 60, 100_000: 16, 256_000: 6, 1_000_000: 3}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _policy(jurisdiction: str) -> GuardPolicy:
    data = load_guard_policy(REPO_ROOT / "knowledge" / "policy" / "guard.yaml").model_dump()
    fields = GuardPolicy.model_fields
    if jurisdiction in ("FR", "US") or "uk" in fields:
        data["jurisdiction"] = jurisdiction
    for key in ("max_chars", "max_text_chars"):  # measure long texts too (the service refuses > max_chars)
        if key in fields:
            data[key] = 2_000_000
    if "time_budget_ms" in fields:
        data["time_budget_ms"] = 600_000
    return GuardPolicy.model_validate(data)


def load() -> str:
    """The machine's load average (1, 5, 15 min): the figures are wall times on a shared host."""
    return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


def learned_layer() -> Any:
    """The shipped learned layer (agent.guard.learned), or None on code that has none."""
    try:
        from agent.guard.learned import default_layer
    except ImportError:
        return None
    return default_layer()


class Guards:
    """One guard, or (older code without a per-check jurisdiction) one guard per jurisdiction; rules only,
    or rules + the learned layer (``learned``)."""

    def __init__(self, learned: Any = None) -> None:
        self.firm = load_firm(REPO_ROOT / "knowledge" / "policy" / "firm.yaml")
        self.per_check = "jurisdiction" in GuardContext.model_fields
        self.learned = learned
        self._guards: dict[str, Guard] = {}

    def guard(self, jurisdiction: str = "FR") -> Guard:
        key = "FR" if self.per_check else (jurisdiction if jurisdiction in ("FR", "US") else "FR")
        if key not in self._guards:
            extra = {"learned": self.learned} if self.learned is not None else {}
            self._guards[key] = Guard(_policy(key), firm=self.firm, **extra)
        return self._guards[key]

    def check(self, text: str, lang: str | None = None, jurisdiction: str = "FR", **ctx: Any) -> Any:
        data: dict[str, Any] = {"lang": lang, **ctx}
        if self.per_check:
            data["jurisdiction"] = jurisdiction
        return self.guard(jurisdiction).check(text, GuardContext(**data))


# -- 1. corpus ---------------------------------------------------------------------------------

def corpus_metrics(guards: Guards, path: Path, label: str = "rules only") -> None:
    if not path.is_file():
        print(f"corpus: {path} not found (skipped)")
        return
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for item in items:
        report = guards.check(item["text"], item.get("lang"), item.get("jurisdiction") or "FR")
        blocked = report.verdict == "block"
        for key in (("lang", item.get("lang", "?")), ("family", item.get("family") or "-"), ("all", "all")):
            row = rows.setdefault(key, {"unlawful": 0, "caught": 0, "warned": 0, "lawful": 0, "false": 0, "flagged": 0})
            if item["label"] == "unlawful":
                row["unlawful"] += 1
                row["caught"] += blocked
                row["warned"] += report.verdict == "warn"
            else:
                row["lawful"] += 1
                row["false"] += blocked
                row["flagged"] += report.verdict != "pass"
    print(f"corpus: {path} ({len(items)} items, no debtor file), {label}")
    print(f"  {'group':28} {'unlawful':>8} {'recall':>7} {'warned':>7} {'lawful':>7} {'FPR':>6} {'lawful flagged':>14}")
    for (kind, name), row in sorted(rows.items(), key=lambda kv: ({"all": 0, "lang": 1, "family": 2}[kv[0][0]], kv[0][1])):
        recall = row["caught"] / row["unlawful"] if row["unlawful"] else float("nan")
        warned = row["warned"] / row["unlawful"] if row["unlawful"] else float("nan")
        fpr = row["false"] / row["lawful"] if row["lawful"] else float("nan")
        flagged = row["flagged"] / row["lawful"] if row["lawful"] else float("nan")
        print(f"  {kind + ' ' + name:28} {row['unlawful']:>8} {recall:>7.3f} {warned:>7.3f} {row['lawful']:>7} {fpr:>6.3f} "
              f"{flagged:>14.3f}")


# -- 2. evasion --------------------------------------------------------------------------------

def evasion_suite(guards: Guards, path: Path) -> None:
    if not path.is_file():
        print(f"evasion: {path} not found (skipped)")
        return
    from tests.guard.test_evasion import EVASIONS, _replace

    suite = yaml.safe_load(path.read_text(encoding="utf-8"))
    per_kind: dict[str, list[int]] = {}
    for item in suite:
        for kind, fn in EVASIONS.items():
            text = _replace(item["text"], item["word"], fn(item["word"]))
            extra: dict[str, Any] = dict(item.get("ctx") or {})
            report = guards.check(text, item["lang"], item.get("jurisdiction", "FR"), debtor=build(item.get("file")), **extra)
            ok = item["rule"] in {f.rule_id for f in report.findings if f.severity == "block"}
            per_kind.setdefault(kind, []).append(int(ok))
    total = sum(sum(v) for v in per_kind.values())
    n = sum(len(v) for v in per_kind.values())
    print(f"evasion suite: {len(suite)} triggers x {len(per_kind)} kinds: {total}/{n} still blocked ({total / n:.1%})")
    print("  " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(per_kind.items())))


# -- 3-5. speed ---------------------------------------------------------------------------------

def _sentences(corpus: Path | None) -> list[str]:
    from tests.guard.test_cases import CASES

    out = [c["text"] for c in CASES]
    train = corpus.parent / "train.jsonl" if corpus is not None else None
    if train is not None and train.is_file():  # texts only for length filler, never for judgement
        out += [json.loads(x)["text"] for x in train.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [s.strip() for s in out if s.strip()]


def distinct_texts(pool: list[str], size: int, n: int, rng: random.Random) -> list[str]:
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n:
        parts: list[str] = [f"Réf. {rng.randrange(10**8):08d}."]
        length = len(parts[0])
        while length < size:
            s = rng.choice(pool)
            parts.append(s)
            length += len(s) + 1
        text = " ".join(parts)[:size]
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def _time(fn: Callable[[str], object], texts: list[str]) -> list[float]:
    out = []
    clock = time.perf_counter
    for t in texts:
        t0 = clock()
        fn(t)
        out.append((clock() - t0) * 1000)
    return out


def latency(guards: Guards, pool: list[str], quick: bool, max_size: int = SIZES[-1]) -> None:
    rng = random.Random(20261203)
    g = guards.guard("FR")
    g.check(pool[0])  # build lazy tables once
    print(f"latency on distinct texts (no file, FR frame, one core), rules only; {load()}:")
    print(f"  {'size':>9} {'texts':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'ms/KB':>8} {'x 2KB/KB':>8}")
    per_kb_2k = None
    for size in (s for s in SIZES if s <= max_size):
        n = max(2, COUNTS[size] // (4 if quick else 1))
        texts = distinct_texts(pool, size, n, rng)
        times = _time(g.check, texts)
        p50 = statistics.median(times)
        per_kb = p50 / (size / 1000)
        if size == 2_000:
            per_kb_2k = per_kb
        ratio = f"{per_kb / per_kb_2k:8.2f}" if per_kb_2k else f"{'':>8}"
        print(f"  {size:>9,} {n:>6} {p50:>9.3f} {pct(times, 0.99):>9.3f} {max(times):>9.3f} {per_kb:>8.4f} {ratio}")


def throughput(guards: Guards, pool: list[str], quick: bool) -> None:
    rng = random.Random(7)
    g = guards.guard("FR")
    n = 1500 if quick else 5000
    texts = [distinct_texts(pool, rng.randint(300, 2000), 1, rng)[0] for _ in range(n)]
    c0 = time.process_time()
    t0 = time.perf_counter()
    for t in texts:
        g.check(t)
    wall = n / (time.perf_counter() - t0)
    cpu = n / (time.process_time() - c0)
    print(f"throughput, {n} distinct mixed 300 B - 2 KB texts, no file, rules only: {wall:,.0f} msg/s wall, "
          f"{cpu:,.0f} msg/s CPU; {load()}")


def learned_latency(pool: list[str], quick: bool, layer: Any) -> None:
    """2 KB distinct texts through rules + the learned layer (embedding included)."""
    if layer is None:
        print("learned layer: none ships (skipped)")
        return
    rng = random.Random(4)
    g = Guards(learned=layer).guard("FR")
    g.check(pool[0])  # load the embedding once
    texts = distinct_texts(pool, 2_000, 100 if quick else 300, rng)
    times = _time(g.check, texts)
    alone = statistics.mean(g.check(t).timings_ms.get("LEARNED", 0.0) for t in texts[:50])
    print(f"with the learned layer, {len(texts)} distinct 2 KB texts: p50 {statistics.median(times):.2f} ms, "
          f"p99 {pct(times, 0.99):.2f} ms, max {max(times):.2f} ms (learned layer alone, mean {alone:.2f} ms); {load()}")


def _trigger_words() -> list[str]:
    from agent.guard.registry import rules

    words: set[str] = set()
    for cls in rules().values():
        words |= set(getattr(cls, "triggers", frozenset()))
    return sorted(w for w in words if len(w) >= 2)


def baselines(guards: Guards, pool: list[str], quick: bool) -> None:
    import ahocorasick

    rng = random.Random(11)
    texts = distinct_texts(pool, 2_000, 300 if quick else 1000, rng)
    words = _trigger_words()
    lowered = [w.lower() for w in words]

    def ban_substrings_str(text: str) -> list[str]:
        # llm-guard BanSubstrings(match_type="str", case_sensitive=False, contains_all=False), reimplemented:
        # lowercase the text, keep every listed substring it contains
        t = text.lower()
        return [s for s in lowered if s in t]

    auto = ahocorasick.Automaton()
    for i, w in enumerate(lowered):
        auto.add_word(w, i)
    auto.make_automaton()

    def aho(text: str) -> int:
        return sum(1 for _ in auto.iter(text.lower()))

    g = guards.guard("FR")
    ours = _time(g.check, texts)
    ban = _time(ban_substrings_str, texts)
    ac = _time(aho, texts)
    m_ours, m_ban, m_ac = statistics.mean(ours), statistics.mean(ban), statistics.mean(ac)
    print(f"side by side, {len(texts)} distinct 2 KB texts, {len(words)} trigger words (mean ms per text); {load()}:")
    print(f"  guard (rules)                           {m_ours:8.4f}  p99 {pct(ours, 0.99):.4f}")
    print(f"  BanSubstrings str mode (reimplemented)  {m_ban:8.4f}  guard / this = {m_ours / m_ban:.2f}x")
    print(f"  Aho-Corasick (pyahocorasick), floor     {m_ac:8.4f}  guard / this = {m_ours / m_ac:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "evals" / "corpus" / "collector" / "test.jsonl"))
    parser.add_argument("--evasion", default=str(ROOT / "tests" / "guard" / "evasion.yaml"))
    parser.add_argument("--quick", action="store_true", help="fewer texts per row")
    parser.add_argument("--max-size", type=int, default=SIZES[-1], help="longest latency row (characters)")
    parser.add_argument("--skip", default="",
                        help="comma list of sections to skip: corpus,evasion,latency,throughput,baselines,learned")
    args = parser.parse_args()
    skip = set(args.skip.split(",")) - {""}
    guards = Guards()
    corpus = Path(args.corpus)
    layer = learned_layer() if "learned" not in skip else None
    print(f"guard code: {Path(sys.modules['agent.guard'].__file__ or '').parent}; {load()}")
    if "corpus" not in skip:
        corpus_metrics(guards, corpus)
        if layer is not None:
            corpus_metrics(Guards(learned=layer), corpus, "rules + learned layer")
    if "evasion" not in skip:
        evasion_suite(guards, Path(args.evasion))
    pool = _sentences(corpus)
    if "latency" not in skip:
        latency(guards, pool, args.quick, args.max_size)
    if "throughput" not in skip:
        throughput(guards, pool, args.quick)
    if "baselines" not in skip:
        baselines(guards, pool, args.quick)
    if "learned" not in skip:
        learned_latency(pool, args.quick, layer)


if __name__ == "__main__":
    main()
