"""A database created before the outbox (no debtors.bad_contacts column) still opens and reads files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from agent.db.repo import load_file
from agent.db.session import add_missing_columns, init_db, session_scope
from agent.portfolio import import_portfolio
from tests.conftest import TODAY, make_settings


def test_old_database_gets_the_new_column(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    url = s.effective_database_url
    with session_scope(url) as session:
        import_portfolio(session, s.portfolio_file)
    raw = create_engine(url)
    with raw.begin() as conn:
        conn.execute(text('ALTER TABLE debtors DROP COLUMN bad_contacts'))
    assert "bad_contacts" not in {c["name"] for c in inspect(raw).get_columns("debtors")}
    assert add_missing_columns(raw) == ["debtors.bad_contacts"]
    assert add_missing_columns(raw) == []  # idempotent
    raw.dispose()
    init_db(url)
    with session_scope(url) as session:
        assert load_file(session, "D001", TODAY).bad_contacts == ()
