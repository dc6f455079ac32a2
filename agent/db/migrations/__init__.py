"""Alembic migrations of the Amiable database (see agent.db.migrate and the README's "Database migrations")."""
