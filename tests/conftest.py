"""Shared fixtures. Network is blocked (loopback only); "today" is frozen; data lives in tmp dirs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TODAY = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if host not in ("localhost",) and (ip is None or not ip.is_loopback):
            raise RuntimeError(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _block_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _test_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    base = tmp_path_factory.mktemp("amiable")
    saved = dict(os.environ)
    os.environ.update({
        "AMIABLE_ENVIRONMENT": "test",
        "AMIABLE_SECRET_KEY": "test-secret-key-not-for-production",
        "AMIABLE_TODAY": TODAY.isoformat(),
        "AMIABLE_DATA_DIR": str(base / "data"),
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    })
    for k in ("AMIABLE_LLM_BASE_URL", "AMIABLE_LLM_MODEL", "AMIABLE_LLM_API_KEY", "OPENAI_API_KEY",
              "AMIABLE_DATABASE_URL"):
        os.environ.pop(k, None)
    from agent.settings import get_settings

    get_settings.cache_clear()
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def frozen_clock():  # type: ignore[no-untyped-def]
    """The clock every runtime in the test session uses: TODAY frozen, time of day ticking (Europe/Paris)."""
    import zoneinfo

    from agent.clock import Clock

    return Clock(tz=zoneinfo.ZoneInfo("Europe/Paris"), fixed_today=TODAY)


def now_ts() -> float:
    """POSIX seconds of the frozen clock's now (widget token issue times)."""
    return float(frozen_clock().timestamp())


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (servers started by tests bind to loopback only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(tmp: Path, **overrides: object):  # type: ignore[no-untyped-def]
    from agent.settings import Settings

    values: dict[str, object] = {"data_dir": tmp, "environment": "test",
                                 "secret_key": "test-secret-key-not-for-production", "today": TODAY}
    values.update(overrides)
    s = Settings(**values)  # type: ignore[arg-type]
    from agent import audit

    audit.configure(s)  # the audit key and signed head of this data dir (Runtime.start does the same)
    return s


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Fresh settings on an empty tmp data dir (database created on first use)."""
    return make_settings(tmp_path)


def init_data_dir(dest: Path, *, secret: str = "test-secret-key-not-for-production", timeout_s: int = 900) -> str:
    """Run the real `amiable init` (sample portfolio + full index) into ``dest`` in a subprocess, so Chroma
    has flushed and closed it when this returns; the command's stdout is returned."""
    env = {**os.environ, "AMIABLE_ENVIRONMENT": "test", "AMIABLE_TODAY": TODAY.isoformat(),
           "AMIABLE_SECRET_KEY": secret, "AMIABLE_DATA_DIR": str(dest)}
    for k in ("AMIABLE_DATABASE_URL", "AMIABLE_CHROMA_PATH", "AMIABLE_CHROMA_HOST"):
        env.pop(k, None)
    done = subprocess.run([sys.executable, "-m", "agent.cli.main", "init"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"amiable init failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def _shared_tmp(factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run shares (the base temp dir itself without xdist)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def ingested_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir holding the sample portfolio and the full index, built ONCE per test run by
    `amiable init` in a subprocess (so Chroma has flushed and closed it) and shared by every worker;
    suites copy it (``copy_template``) instead of importing and embedding everything again."""
    from filelock import FileLock

    root = _shared_tmp(tmp_path_factory)
    template = root / "ingested-template"
    with FileLock(str(root / "ingested-template.lock")):
        if not (template / ".complete").is_file():
            work = root / "ingested-template.partial"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            (work / ".complete").write_text(init_data_dir(work), encoding="utf-8")
            shutil.rmtree(template, ignore_errors=True)
            work.rename(template)
    return template


def copy_template(template: Path, dest: Path) -> Path:
    """A private, writable copy of the ingested data dir."""
    shutil.copytree(template, dest, dirs_exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def loaded_settings(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path):  # type: ignore[no-untyped-def]
    """Settings on a private copy of the ingested data dir (sample portfolio imported, index built)."""
    return make_settings(copy_template(ingested_template, tmp_path_factory.mktemp("loaded")))


@pytest.fixture(scope="session")
def loaded_runtime(loaded_settings):  # type: ignore[no-untyped-def]
    from agent.runtime import Runtime

    return Runtime.start(loaded_settings)


def load_debtor(settings, debtor_id: str):  # type: ignore[no-untyped-def]
    """The DebtorFile of a sample debtor as of TODAY."""
    from agent.db.repo import load_file
    from agent.db.session import session_scope

    with session_scope(settings.effective_database_url) as session:
        return load_file(session, debtor_id, TODAY)


@pytest.fixture(scope="session")
def ingested_runtime(loaded_runtime):  # type: ignore[no-untyped-def]
    """The loaded runtime with guidelines and every debtor's history indexed (from the template)."""
    return loaded_runtime


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str], *, grace_s: float = 15,
                 kill_wait_s: float = 5) -> None:
    """Stop a server a test started: SIGTERM, then SIGKILL if it has not exited within ``grace_s``."""
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=kill_wait_s)
