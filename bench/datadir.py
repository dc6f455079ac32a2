"""A throw-away ingested data dir for the benchmarks: ``amiable init`` in a subprocess, then a runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def ingested_data_dir(tmp: Path) -> tuple[Any, Any]:
    """(settings, runtime) on ``tmp/data``, built like the tests' template (sample portfolio + full index)."""
    from tests.conftest import init_data_dir
    from tests.service.conftest import build_data_dir

    template = tmp / "template"
    template.mkdir(parents=True, exist_ok=True)
    out = init_data_dir(template, secret="bench-secret-key-not-for-production", timeout_s=1200)
    print("amiable init:", " | ".join(line.strip() for line in out.splitlines()[-4:]), flush=True)
    return build_data_dir(tmp / "data", template)  # type: ignore[no-untyped-call]
