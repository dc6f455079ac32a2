"""Engine and session factory, created on demand (never at import time)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent.db.base import MODEL_MODULES as MODEL_MODULES  # re-exported
from agent.db.base import Base
from agent.db.base import import_models as import_models  # re-exported
from agent.errors import ConfigError

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    # hide_parameters: SQL errors and SQL logging never carry bound values (debtor messages, key hashes)
    kwargs: dict[str, object] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:  # a server database: a pool sized by the settings, connections checked before use
        from agent.settings import get_settings

        s = get_settings()
        kwargs.update(pool_size=s.db_pool_size, max_overflow=s.db_max_overflow, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def init_db(url: str) -> Engine:
    """Bring the database to the latest migration (created, adopted or upgraded; see agent.db.migrate)
    and return the engine."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"the database directory {folder} cannot be created: {exc.strerror}") from None
    import_models()
    engine = get_engine(url)
    from alembic.util.exc import CommandError

    from agent.db.migrate import upgrade

    try:
        upgrade(engine)
    except OperationalError as exc:
        first = (str(exc.orig).splitlines() or [""])[0][:200]
        raise ConfigError(f"cannot open the database: {first}") from None
    except CommandError as exc:  # e.g. a revision this version does not know (a newer release migrated it)
        raise ConfigError(f"cannot migrate the database: {str(exc).splitlines()[0][:300]}") from None
    return engine


def add_missing_columns(engine: Engine) -> list[str]:
    """Columns added to an existing table since the database was created (create_all only makes
    missing tables): added as nullable columns, old rows read as NULL (empty). Returns what was added."""
    insp = inspect(engine)
    added: list[str] = []
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if not insp.has_table(table.name):
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name in have or col.primary_key:
                    continue
                kind = col.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {kind}'))
                added.append(f"{table.name}.{col.name}")
    for name in added:
        log.warning("database schema: added missing column %s", name)
    return added


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=init_db(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error (nothing half-written)."""
    session = _factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
