"""One clock: no product module reads the wall clock on its own (agent/clock.py is the only place)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO

# datetime.now(), dt.datetime.utcnow(), date.today(), datetime.today(), time.time(), time.localtime(), ...
WALL_CLOCK = re.compile(
    r"\b(?:datetime|date)\s*\.\s*(?:now|utcnow|today)\s*\("
    r"|\btime\s*\.\s*(?:time|time_ns|localtime|gmtime|ctime|strftime)\s*\("
    r"|\bfrom\s+time\s+import\s+[^\n]*\b(?:time|localtime|gmtime)\b"
)
ALLOWED = {Path("agent/clock.py")}
SCANNED = ("agent", "api", "scripts")


def offenders(root: Path) -> list[str]:
    out: list[str] = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root)
            if rel in ALLOWED:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if WALL_CLOCK.search(code):
                    out.append(f"{rel}:{n}: {line.strip()}")
    return out


def test_no_module_reads_the_wall_clock() -> None:
    found = offenders(REPO)
    assert not found, "read the time from the runtime's clock (agent/clock.py), not here:\n" + "\n".join(found)


def test_the_lint_catches_each_spelling(tmp_path: Path) -> None:
    (tmp_path / "agent").mkdir()
    samples = ["x = dt.datetime.now(dt.UTC)", "d = date.today()", "t = time.time()", "u = datetime.utcnow()",
               "from time import time", "s = time.strftime('%Y')"]
    for i, line in enumerate(samples):
        (tmp_path / "agent" / f"m{i}.py").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "agent" / "ok.py").write_text("t0 = time.monotonic()\np = time.perf_counter()\n", encoding="utf-8")
    found = offenders(tmp_path)
    assert len(found) == len(samples), found
    assert not any("ok.py" in f for f in found)
