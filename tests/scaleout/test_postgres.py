"""Migrations and the audit chain on a real PostgreSQL server (started by the suite on 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import create_engine, inspect, text

from agent import audit
from agent.db.base import Base
from agent.db.migrate import current_revision, head_revision, schema_diff
from agent.db.session import import_models, init_db, session_scope
from tests.conftest import REPO, make_settings
from tests.scaleout.servers import Postgres


def test_migrations_create_the_schema_and_match_the_models(pg: Postgres) -> None:
    import_models()
    engine = init_db(pg.create_database("fresh"))
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    assert schema_diff(engine) == []


def test_a_create_all_database_is_adopted_without_losing_data(pg: Postgres) -> None:
    import_models()
    url = pg.create_database("legacy")
    legacy = create_engine(url)
    Base.metadata.create_all(legacy)
    with legacy.begin() as c:
        c.execute(text("ALTER TABLE api_keys DROP COLUMN created_by"))
        c.execute(text("DROP INDEX ix_audit_kind_debtor"))
        c.execute(text("INSERT INTO creditors (id, name, address, sector, kind, mandate_to_sue) "
                       "VALUES ('C1', 'Acme', '1 rue X', 'energy', 'business', false)"))
        c.execute(text("INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at) "
                       "VALUES ('k1', 'old', 'agent', 'am_x', 'h', now())"))
    legacy.dispose()
    engine = init_db(url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT name FROM creditors")).scalar_one() == "Acme"
        assert c.execute(text("SELECT id, created_by FROM api_keys")).all() == [("k1", None)]
    assert "ix_audit_kind_debtor" in {ix["name"] for ix in inspect(engine).get_indexes("audit_events")}
    assert [(d[0][0], d[0][2], d[0][3]) for d in schema_diff(engine)] == [
        ("modify_nullable", "api_keys", "created_by")]


_START = """
import sys
from agent.db.session import init_db
from agent.db.migrate import current_revision
print(current_revision(init_db(sys.argv[1])))
"""


def test_concurrent_start_ups_migrate_once(pg: Postgres) -> None:
    url = pg.create_database("race")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _START, url], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-800:] for o in outs]
    assert [o[0].strip() for o in outs] == [head_revision()] * 3
    with create_engine(url).connect() as c:
        assert c.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_concurrent_audit_appends_keep_one_verifiable_chain(pg: Postgres, tmp_path: Path) -> None:
    """8 threads, each its own connection and transaction, append 20 events each: no duplicate sequence
    number (the bug seen before: 23 of 60 requests failed), no gap, and the HMAC chain verifies."""
    s = make_settings(tmp_path, database_url=pg.create_database("audit"))
    url = s.effective_database_url
    init_db(url)
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        for i in range(20):
            try:
                with session_scope(url) as session:
                    audit.append(session, "test.concurrent", actor=f"t{n}", payload={"n": n, "i": i})
                    # more work in the same transaction after the append, as a draft or an accept does
                    session.execute(sa.select(sa.func.count()).select_from(audit.AuditEvent)).scalar_one()
            except sa.exc.SQLAlchemyError as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    with session_scope(url) as session:
        result = audit.verify(session)
        seqs = [ev.seq for ev in audit.iter_events(session)]
    assert result.ok, result
    assert result.events == 160 and seqs == list(range(1, 161))
    assert audit.read_head(tmp_path / audit.HEAD_FILE).count == 160  # type: ignore[union-attr]
