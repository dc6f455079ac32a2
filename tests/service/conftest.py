"""Service fixtures: one ingested data dir per session, an app over it, keys for every role."""

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
from fastapi.testclient import TestClient

from tests.conftest import REPO, TODAY, copy_template, free_port, make_settings, stop_process


def build_data_dir(tmp: Path, template: Path):  # type: ignore[no-untyped-def]
    """A copy of the session's ingested data dir (what `amiable init` makes) in ``tmp``, and its runtime."""
    from agent.runtime import Runtime

    s = make_settings(copy_template(template, tmp))
    return s, Runtime.start(s)


@dataclass
class Keys:
    agent: str
    agent2: str
    qa: str
    admin: str
    revoked: str
    revoked_id: str


def make_keys(rt: Any) -> Keys:
    from agent.auth import create_key, revoke_key

    secret = rt.settings.secret.get_secret_value()
    out: dict[str, str] = {}
    with rt.session() as s:
        for name, role in (("agent", "agent"), ("agent2", "agent"), ("qa", "qa"), ("admin", "admin"),
                           ("revoked", "agent")):
            row, key = create_key(s, name=f"test-{name}", role=role, secret_key=secret, actor="test")
            out[name] = key
            if name == "revoked":
                out["revoked_id"] = row.id
    with rt.session() as s:
        revoke_key(s, out["revoked_id"], actor="test")
    return Keys(**out)


@pytest.fixture(scope="session")
def service_env(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("service")
    s, rt = build_data_dir(tmp, ingested_template)
    return s, rt, make_keys(rt)


@pytest.fixture(scope="session")
def service_rt(service_env):  # type: ignore[no-untyped-def]
    return service_env[1]


@pytest.fixture(scope="session")
def keys(service_env) -> Keys:  # type: ignore[no-untyped-def]
    return service_env[2]


@pytest.fixture(scope="session")
def client(service_env) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from api.app import create_app

    s, rt, _ = service_env
    with TestClient(create_app(s, rt)) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class LiveServer:
    url: str
    proc: subprocess.Popen[bytes]


def start_server(data_dir: Path, log: Path, **extra_env: str) -> LiveServer:
    """uvicorn in a subprocess on a free loopback port, over an already-initialised data dir."""
    port = free_port()
    env = {**os.environ, "AMIABLE_DATA_DIR": str(data_dir), "AMIABLE_TODAY": TODAY.isoformat(),
           "AMIABLE_ENVIRONMENT": "test", "AMIABLE_SECRET_KEY": "test-secret-key-not-for-production", **extra_env}
    fh = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(url, proc)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not start in 90 s")


def stop_server(server: LiveServer) -> None:
    stop_process(server.proc, grace_s=15, kill_wait_s=5)


@pytest.fixture(scope="session")
def live_service(service_env, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    s, _, _ = service_env
    server = start_server(s.data_dir, tmp_path_factory.mktemp("logs") / "uvicorn.log")
    try:
        # warm up (embedding model, index) so client timeouts are not hit by the first request
        yield server
    finally:
        stop_server(server)
