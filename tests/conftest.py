"""Shared fixtures. Network is blocked (loopback only); "today" is frozen; data lives in tmp dirs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
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


@pytest.fixture(scope="session")
def loaded_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings whose database holds the sample portfolio (imported once per session)."""
    from agent.db.session import session_scope
    from agent.portfolio import import_portfolio

    s = make_settings(tmp_path_factory.mktemp("loaded"))
    with session_scope(s.effective_database_url) as session:
        import_portfolio(session, s.portfolio_file)
    return s


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
    """The loaded runtime with guidelines and every debtor's history indexed."""
    from agent.db.repo import list_debtor_ids, load_file

    index = loaded_runtime.index
    index.ingest_guidelines()
    with loaded_runtime.session() as s:
        files = [load_file(s, i, TODAY) for i in list_debtor_ids(s)]
    index.ingest_history(files)
    return loaded_runtime
