"""A throw-away ingested data dir for the benchmarks: ``amiable init`` in a subprocess, then a runtime.

``bench/run_all.py`` runs ``amiable init`` once and passes the result in ``AMIABLE_BENCH_TEMPLATE``; each
bench then copies it instead of importing and embedding everything again (a bench run alone inits its own).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

TEMPLATE_ENV = "AMIABLE_BENCH_TEMPLATE"
SECRET = "bench-secret-key-not-for-production"


def make_template(template: Path) -> str:
    """``amiable init`` into ``template``; returns its last output lines (import, guidelines, history)."""
    from tests.conftest import init_data_dir

    template.mkdir(parents=True, exist_ok=True)
    out = init_data_dir(template, secret=SECRET, timeout_s=1200)
    return " | ".join(line.strip() for line in out.splitlines()[-4:])


def ingested_data_dir(tmp: Path) -> tuple[Any, Any]:
    """(settings, runtime) on ``tmp/data``, built like the tests' template (sample portfolio + full index)."""
    from tests.service.conftest import build_data_dir

    shared = os.environ.get(TEMPLATE_ENV)
    if shared and Path(shared, "amiable.db").is_file():
        template = Path(shared)
    else:
        template = tmp / "template"
        print("amiable init:", make_template(template), flush=True)
    return build_data_dir(tmp / "data", template)  # type: ignore[no-untyped-call]
