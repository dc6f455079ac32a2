"""Alembic revisions (files named YYYYMMDD_REV_slug.py; see the README, "Database migrations")."""
