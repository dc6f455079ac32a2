"""Alembic migrations on SQLite: a new database, a database made by create_all before migrations (adopted
without losing a row), concurrent start-ups, and the check that the models and the migrations agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect, text

from agent import audit
from agent.db.base import Base
from agent.db.migrate import current_revision, head_revision, schema_diff, upgrade
from agent.db.session import import_models, init_db, session_scope
from agent.errors import ConfigError
from tests.conftest import REPO, make_settings

ALEMBIC = [sys.executable, "-m", "alembic"]


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _tables(engine: sa.Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_a_new_database_is_created_by_the_migrations_and_matches_the_models(tmp_path: Path) -> None:
    import_models()
    engine = init_db(_url(tmp_path / "new.db"))
    assert current_revision(engine) == head_revision()
    assert _tables(engine) == set(Base.metadata.tables) | {"alembic_version"}
    # the check `make migration` relies on: nothing left for autogenerate to write
    assert schema_diff(engine) == []
    assert upgrade(engine) is None  # at head: nothing done


def test_the_check_fails_when_a_model_changes_without_a_migration(tmp_path: Path) -> None:
    """What a forgotten migration looks like to `schema_diff` (the test above would then fail)."""
    import_models()
    engine = init_db(_url(tmp_path / "drift.db"))
    changed = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["api_keys"].append_column(sa.Column("probe_not_in_any_migration", sa.JSON(), nullable=True))
    sa.Table("probe_table_not_in_any_migration", changed, sa.Column("id", sa.Integer, primary_key=True))
    diff = schema_diff(engine, changed)
    kinds = {(d[0], d[2]) if d[0] == "add_column" else (d[0], d[1].name) for d in diff}
    assert ("add_column", "api_keys") in kinds
    assert ("add_table", "probe_table_not_in_any_migration") in kinds


def test_a_create_all_database_is_adopted_without_losing_data(tmp_path: Path) -> None:
    """A database made before migrations (create_all, then a column and an index added since) keeps every
    row, gets what is missing, is stamped at head, and its audit chain still verifies."""
    import_models()
    db = tmp_path / "amiable.db"
    s = make_settings(tmp_path)
    legacy = create_engine(_url(db))
    Base.metadata.create_all(legacy)
    with legacy.begin() as c:
        c.execute(text("ALTER TABLE debtors DROP COLUMN bad_contacts"))
        c.execute(text("DROP INDEX ix_outbox_status"))
        c.execute(text("INSERT INTO creditors (id, name, address, sector, kind, mandate_to_sue) "
                       "VALUES ('C1', 'Acme', '1 rue X', 'energy', 'business', 0)"))
        c.execute(text("INSERT INTO debtors (id, reference, creditor_id, kind, civility, first_name, last_name, "
                       "company_name, language, register, email, phone, address, preferred_channel, opt_outs, "
                       "timezone, hardship, over_indebtedness, vulnerable, status, hold_reason, notes, version) "
                       "VALUES ('D1', 'R1', 'C1', 'consumer', '', 'Ana', 'B', '', 'fr', 'vous', '', '', '', "
                       "'email', '[]', 'Europe/Paris', 0, 0, 0, 'active', '', 'kept', 3)"))
    legacy.dispose()
    engine = create_engine(_url(db))
    with session_scope(s.effective_database_url) as session:  # migrates on first use (init_db)
        for i in range(3):
            audit.append(session, "test.before", actor="test", payload={"i": i})
    assert "alembic_version" in _tables(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT id, notes, version, bad_contacts FROM debtors")).all() == [
            ("D1", "kept", 3, None)]
        assert c.execute(text("SELECT name FROM creditors")).scalar_one() == "Acme"
    assert "ix_outbox_status" in {ix["name"] for ix in inspect(engine).get_indexes("outbox")}
    # what remains is only the column added as nullable to a table that had rows
    assert [(d[0][0], d[0][2], d[0][3]) for d in schema_diff(engine)] == [
        ("modify_nullable", "debtors", "bad_contacts")]
    with session_scope(s.effective_database_url) as session:
        audit.append(session, "test.after", actor="test")
        result = audit.verify(session)
    assert result.ok and result.events == 4, result


_START = """
import sys
from agent.db.session import init_db
from agent.db.migrate import current_revision
print(current_revision(init_db(sys.argv[1])))
"""


def test_concurrent_start_ups_migrate_once(tmp_path: Path) -> None:
    url = _url(tmp_path / "race.db")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _START, url], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-800:] for o in outs]
    assert [o[0].strip() for o in outs] == [head_revision()] * 3
    engine = create_engine(url)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_the_alembic_command_line_upgrades_checks_and_downgrades(tmp_path: Path) -> None:
    """alembic.ini at the repository root drives the same migrations (`make migration` uses it)."""
    url = _url(tmp_path / "cli.db")

    def alembic(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        return subprocess.run([*ALEMBIC, "-x", f"url={url}", *args], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    up = alembic("upgrade", "head")
    assert up.returncode == 0, up.stderr
    check = alembic("check")
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    current = alembic("current")
    assert head_revision() in current.stdout
    down = alembic("downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert _tables(create_engine(url)) == {"alembic_version"}


def test_one_head_and_every_revision_reaches_it() -> None:
    """Two branches that each added a revision on the same parent leave two heads: start-up would refuse."""
    from alembic.script import ScriptDirectory

    from agent.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()], "several heads: set one down_revision to the other"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None and len(revisions) >= 1


def test_a_database_from_a_newer_release_stops_start_up_with_one_line(tmp_path: Path) -> None:

    url = _url(tmp_path / "newer.db")
    engine = init_db(url)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    with pytest.raises(ConfigError, match="cannot migrate the database"):
        init_db(url)
