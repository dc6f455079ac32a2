"""Helpers of the security suite: the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TODAY

SECRET = "security-test-secret-key-not-for-production"


def cli(args: list[str], data_dir: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """``amiable ARGS`` over ``data_dir``; an env value of None removes the variable."""
    full = {**os.environ, "AMIABLE_DATA_DIR": str(data_dir), "AMIABLE_TODAY": TODAY.isoformat(),
            "AMIABLE_ENVIRONMENT": "test", "AMIABLE_SECRET_KEY": SECRET}
    for k, v in env.items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], capture_output=True, text=True,
                          env=full, cwd=REPO, timeout=300, check=False)
