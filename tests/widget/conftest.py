"""Widget API fixtures: a fresh database with the sample portfolio per module, and a TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_settings, now_ts


def fresh_settings(tmp: Path, **overrides: Any) -> Any:
    from agent.db.session import session_scope
    from agent.portfolio import import_portfolio

    s = make_settings(tmp, **overrides)
    with session_scope(s.effective_database_url) as session:
        import_portfolio(session, s.portfolio_file)
    return s


@pytest.fixture(scope="module")
def wsettings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return fresh_settings(tmp_path_factory.mktemp("widget"), cors_origins=["https://firm.example"],
                          frame_ancestors=["'self'", "https://firm.example"])


@pytest.fixture(scope="module")
def client(wsettings: Any) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(wsettings)) as c:
        yield c


def token_for(settings: Any, debtor_id: str, **kw: Any) -> str:
    from agent.plans.links import make_token

    kw.setdefault("now", now_ts())
    return make_token(debtor_id, secret=settings.secret.get_secret_value(), ttl_hours=kw.pop("ttl_hours", 1), **kw)


@pytest.fixture
def auth(wsettings: Any):  # type: ignore[no-untyped-def]
    def _h(debtor_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(wsettings, debtor_id)}"}
    return _h
