"""Schema migrations (Alembic), run by `amiable init` and at every start-up (``init_db``).

* a new database is created by the migrations (``upgrade head``);
* a database at the head revision is left alone (one query, no Alembic machinery);
* a database made by ``create_all`` before migrations existed has no ``alembic_version`` table: the
  baseline revision is idempotent (``agent.db.migrations.helpers``: it creates only the tables, columns
  and indexes that are missing), so the same ``upgrade head`` adopts it without touching a row.

Concurrent start-ups (two API workers, two ``amiable`` commands) serialise on a migration lock: a
PostgreSQL advisory lock, or a file lock beside a SQLite database file.

Adding a revision (see the README, "Database migrations"): change the models, then
``make migration MSG="api keys: creditor scope"`` (``alembic revision --autogenerate`` against a
throw-away SQLite database at head); ``tests/test_migrations.py`` fails while models and migrations differ.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, text

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant: the advisory lock key of "migrating this database" (pg_advisory_lock takes a bigint).
PG_MIGRATION_LOCK = 0x616D6961626C6501


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """Migrations never import product types: UTCDateTime is stored as a plain DateTime."""
    from agent.db.base import UTCDateTime

    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def context_options(dialect: str) -> dict[str, Any]:
    """Options of the migration context, shared by env.py (revisions) and ``schema_diff`` (the check)."""
    return {"compare_type": True, "compare_server_default": False, "render_as_batch": dialect == "sqlite",
            "render_item": _render_item}


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_file(engine: Engine) -> Path | None:
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migrator at a time per database (held across the whole upgrade)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
        return
    path = _sqlite_file(engine)
    if path is None:
        yield
        return
    with open(path.with_name(path.name + ".migrate.lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database to ``revision`` (default head). Returns the revision it was at before, or
    None when nothing had to be done."""
    target = head_revision() if revision == "head" else revision
    before = current_revision(engine)
    if before == target:
        return None
    with migration_lock(engine):
        before = current_revision(engine)  # another process may have migrated while we waited
        if before == target:
            return None
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    log.info("database migrated from %s to %s", before or "nothing", target)
    return before or "base"


def schema_diff(engine: Engine, metadata: MetaData | None = None) -> list[Any]:
    """What autogenerate would put in a new revision (``alembic check``): empty when the models (or
    ``metadata``) and the database agree."""
    if metadata is None:
        from agent.db.base import Base, import_models

        import_models()
        metadata = Base.metadata
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=context_options(engine.dialect.name))
        return list(compare_metadata(ctx, metadata))
