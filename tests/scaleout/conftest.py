"""Scale-out fixtures: one PostgreSQL cluster and one Chroma server per test session (per xdist worker),
a data dir initialised by the real `amiable init` against both, and the API in uvicorn with two workers.

When a binary is missing the suite is skipped on a developer machine and fails under ``CI=true``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO, TODAY, make_settings, stop_process
from tests.scaleout.servers import Chroma, MissingServer, Postgres, chroma_server, free_port, postgres_server

SECRET = "scaleout-test-secret-key-0123456789abcdef"


def _missing(exc: MissingServer) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"scale-out suite cannot run in CI: {exc}", pytrace=False)
    pytest.skip(f"scale-out suite skipped: {exc}")


@pytest.fixture(scope="session")
def pg() -> Iterator[Postgres]:
    try:
        with postgres_server() as server:
            yield server
    except MissingServer as exc:
        _missing(exc)


@pytest.fixture(scope="session")
def chroma() -> Iterator[Chroma]:
    try:
        with chroma_server() as server:
            yield server
    except MissingServer as exc:
        _missing(exc)


@dataclass
class ScaleEnv:
    data_dir: Path
    database_url: str
    chroma: Chroma
    env: dict[str, str]
    init_stdout: str

    def settings(self) -> Any:
        return make_settings(self.data_dir, secret_key=SECRET, database_url=self.database_url,
                             chroma_host=self.chroma.host, chroma_port=self.chroma.port)


def amiable(env: dict[str, str], *args: str, timeout_s: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout_s, check=False)


@pytest.fixture(scope="session")
def scale_env(pg: Postgres, chroma: Chroma, tmp_path_factory: pytest.TempPathFactory) -> ScaleEnv:
    """`amiable init` (migrations, sample portfolio, index) into PostgreSQL and the Chroma server."""
    data = tmp_path_factory.mktemp("scaleout")
    url = pg.create_database("amiable")
    env = {**os.environ, "AMIABLE_ENVIRONMENT": "test", "AMIABLE_TODAY": TODAY.isoformat(),
           "AMIABLE_SECRET_KEY": SECRET, "AMIABLE_DATA_DIR": str(data), "AMIABLE_DATABASE_URL": url,
           "AMIABLE_CHROMA_HOST": chroma.host, "AMIABLE_CHROMA_PORT": str(chroma.port),
           "PYTHONPATH": str(REPO), "ANONYMIZED_TELEMETRY": "False"}
    done = amiable(env, "init")
    if done.returncode != 0:
        raise RuntimeError(f"amiable init against PostgreSQL + Chroma server failed ({done.returncode}):\n"
                           f"{done.stderr[:2000]}\n...\n{done.stderr[-3000:]}")
    return ScaleEnv(data_dir=data, database_url=url, chroma=chroma, env=env, init_stdout=done.stdout)


@dataclass
class Live:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def start_api(env: dict[str, str], log: Path, *, workers: int = 2, port: int | None = None) -> Live:
    """`uvicorn api.app:create_app --factory --workers N` on 127.0.0.1, answering /readyz."""
    port = port or free_port()
    fh = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
                             "warning"], cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    fh.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited ({proc.returncode}): {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return Live(url, proc, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_api(Live(url, proc, log))
    raise RuntimeError(f"uvicorn did not become ready in 180 s: {log.read_text(errors='replace')[-3000:]}")


def stop_api(live: Live) -> None:
    stop_process(live.proc, grace_s=30, kill_wait_s=30)


@pytest.fixture(scope="session")
def live(scale_env: ScaleEnv) -> Iterator[Live]:
    server = start_api(scale_env.env, scale_env.data_dir / "uvicorn.log", workers=2)
    try:
        yield server
    finally:
        stop_api(server)


@pytest.fixture(scope="session")
def agent_key(scale_env: ScaleEnv) -> str:
    from agent.auth import create_key

    s = scale_env.settings()
    from agent.db.session import session_scope

    with session_scope(s.effective_database_url) as session:
        _, key = create_key(session, name="scaleout-agent", role="agent", secret_key=SECRET, actor="test")
    return key


@pytest.fixture(scope="session")
def qa_key(scale_env: ScaleEnv) -> str:
    from agent.auth import create_key
    from agent.db.session import session_scope

    with session_scope(scale_env.settings().effective_database_url) as session:
        _, key = create_key(session, name="scaleout-qa", role="qa", secret_key=SECRET, actor="test")
    return key
