"""Real-browser fixtures (Debian Chromium driven by Playwright's Python package; no browser download).

* ``live_server``: the FastAPI app in a uvicorn subprocess on a free loopback port, on its own data
  dir holding the sample portfolio; ``AMIABLE_TODAY`` is frozen. Session-scoped, terminated at the end.
* ``browser``: one headless Chromium per session, launched with the verified flags (docs/recipes.md).
* ``context`` / ``page``: a fresh 360x740 context per test, ``base_url`` = the live server.
* ``widget_token(debtor_id)``: a signed widget token for that debtor, valid on the live server.

Mark tests ``@pytest.mark.browser``. Without /usr/bin/chromium or the playwright package they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, TODAY, free_port, make_settings, now_ts, stop_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECRET = "browser-test-secret-key-not-for-production"
VIEWPORT = {"width": 360, "height": 740}


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    settings: Any  # agent.settings.Settings pointing at the server's database
    log: Path


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/widget/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer within {timeout_s}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from agent.db.session import session_scope
    from agent.portfolio import import_portfolio

    data_dir = tmp_path_factory.mktemp("live")
    settings = make_settings(data_dir, secret_key=SECRET)
    with session_scope(settings.effective_database_url) as session:
        import_portfolio(session, settings.portfolio_file)
    port = free_port()
    env = {**os.environ, "AMIABLE_ENVIRONMENT": "test", "AMIABLE_SECRET_KEY": SECRET,
           "AMIABLE_TODAY": TODAY.isoformat(), "AMIABLE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("AMIABLE_DATABASE_URL", None)
    log = data_dir / "uvicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield LiveServer(url=url, data_dir=data_dir, settings=settings, log=log)
    finally:
        stop_process(proc, grace_s=10, kill_wait_s=5)


@pytest.fixture(scope="session")
def widget_token(live_server: LiveServer) -> Callable[..., str]:
    from agent.plans.links import make_token

    def _make(debtor_id: str, ttl_hours: float = 1.0) -> str:
        return make_token(debtor_id, secret=SECRET, ttl_hours=ttl_hours, now=now_ts())

    return _make


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    config = tmp_path_factory.mktemp("chromium-config")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                              env={**os.environ, "XDG_CONFIG_HOME": str(config)})
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    ctx = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="fr-FR")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
