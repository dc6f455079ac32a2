"""Alembic environment: used by `amiable init` / start-up (agent.db.migrate passes a connection) and by the
`alembic` command line (alembic.ini at the repository root; the URL from ``-x url=...`` or the settings)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from agent.db.base import Base
from agent.db.migrate import context_options, migration_lock
from agent.db.session import get_engine, import_models

import_models()


def _configure(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      **context_options(connection.dialect.name))


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return str(url)
    from agent.settings import get_settings

    return get_settings().effective_database_url


def run_migrations() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:  # called by agent.db.migrate.upgrade, which holds the migration lock
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = get_engine(_url())
    with migration_lock(engine), engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
run_migrations()
