"""A throw-away ingested data dir for the benchmarks: ``amiable init`` in a subprocess, then a runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def ingested_data_dir(tmp: Path) -> tuple[Any, Any]:
    """(settings, runtime) on ``tmp/data``, built like the tests' template (sample portfolio + full index)."""
    from tests.conftest import TODAY
    from tests.service.conftest import build_data_dir

    template = tmp / "template"
    template.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AMIABLE_ENVIRONMENT": "test", "AMIABLE_TODAY": TODAY.isoformat(),
           "AMIABLE_SECRET_KEY": "bench-secret-key-not-for-production", "AMIABLE_DATA_DIR": str(template)}
    for k in ("AMIABLE_DATABASE_URL", "AMIABLE_CHROMA_PATH", "AMIABLE_CHROMA_HOST"):
        env.pop(k, None)
    done = subprocess.run([sys.executable, "-m", "agent.cli.main", "init"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"amiable init failed ({done.returncode}):\n{done.stderr[-3000:]}")
    print("amiable init:", " | ".join(line.strip() for line in done.stdout.splitlines()[-4:]), flush=True)
    return build_data_dir(tmp / "data", template)  # type: ignore[no-untyped-call]
