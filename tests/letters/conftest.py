"""A fresh database with the sample portfolio per test (letters write to the file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, make_settings

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


def fresh_runtime(tmp: Path, **overrides: Any) -> Any:
    from agent.db.session import session_scope
    from agent.portfolio import import_portfolio
    from agent.runtime import Runtime

    s = make_settings(tmp, **overrides)
    with session_scope(s.effective_database_url) as session:
        import_portfolio(session, s.portfolio_file)
    return Runtime.start(s)


@pytest.fixture
def rt(tmp_path: Path) -> Any:
    return fresh_runtime(tmp_path)
