"""`--help` is readable (no `<bool>` next to flags) and `make run` reuses its console key."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

@pytest.mark.parametrize("command", [[], ["draft"], ["debtors"], ["eval", "run"], ["keys", "create"], ["serve"]])
def test_help_is_readable(command: list[str]) -> None:
    r = subprocess.run([sys.executable, "-m", "agent.cli.main", *command, "--help"], capture_output=True, text=True,
                       cwd=REPO, env={**os.environ, "COLUMNS": "100"}, check=False)
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout and "--help" in r.stdout
    assert "<bool>" not in r.stdout and "Traceback" not in r.stderr

@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_key_is_created_once_then_shown_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "AMIABLE_DATA_DIR": str(data), "AMIABLE_ENVIRONMENT": "test",
           "AMIABLE_SECRET_KEY": "test-secret-key-not-for-production-0000000", "PYTHONPATH": str(REPO)}
    env.pop("AMIABLE_DATABASE_URL", None)
    bin_dir = str(Path(sys.executable).parent)

    def run_key() -> list[str]:
        r = subprocess.run(["make", "-s", "--no-print-directory", "run-key", f"BIN={bin_dir}"], cwd=REPO, env=env,
                           capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
        return [line for line in r.stdout.splitlines() if line.startswith("amk_")]

    first = run_key()
    assert len(first) == 1
    key_file = data / "make-run.key"
    assert key_file.read_text().strip() == first[0] and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run_key() == first  # reused, not another key
    listed = subprocess.run([sys.executable, "-m", "agent.cli.main", "keys", "list", "--json"], cwd=REPO, env=env,
                            capture_output=True, text=True, check=True).stdout

    rows = json.loads(listed)
    assert len(rows) == 1
    subprocess.run([sys.executable, "-m", "agent.cli.main", "keys", "revoke", rows[0]["id"]], cwd=REPO, env=env,
                   capture_output=True, text=True, check=True)
    second = run_key()
    assert len(second) == 1 and second != first  # a revoked key is replaced
