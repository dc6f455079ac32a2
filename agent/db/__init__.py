"""Persistence: SQLAlchemy 2 models, sessions and repositories (SQLite by default, PostgreSQL ready)."""
