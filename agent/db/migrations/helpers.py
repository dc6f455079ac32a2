"""Idempotent schema operations for migrations.

A database made before migrations existed (``create_all``), or on a branch that added a column before
its migration was written, may already hold a table, column or index a migration creates. These
helpers create only what is missing, so ``upgrade`` adopts such a database without losing a row.
Use them in new revisions instead of ``op.add_column`` / ``op.create_index`` / ``op.create_table``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op


def _inspector() -> sa.Inspector:
    return sa.inspect(op.get_bind())


def has_table(name: str) -> bool:
    return _inspector().has_table(name)


def has_column(table: str, column: str) -> bool:
    return column in {c["name"] for c in _inspector().get_columns(table)}


def add_column(table: str, column: sa.Column[Any]) -> bool:
    """Add ``column`` unless it exists. On a table with rows a NOT NULL column needs a server default;
    without one it is added as nullable (old rows read as NULL). Returns whether it was added."""
    if has_column(table, column.name):
        return False
    if not column.nullable and column.server_default is None and not column.primary_key:
        column = column._copy()
        column.nullable = True
    op.add_column(table, column)
    return True


def create_table(name: str, *elements: Any, **kw: Any) -> None:
    """``op.create_table`` for a new database; on an existing table, add its missing columns only."""
    if not has_table(name):
        op.create_table(name, *elements, **kw)
        return
    for element in elements:
        if isinstance(element, sa.Column) and not element.primary_key:
            add_column(name, element)


def create_index(name: str, table: str, columns: list[str], **kw: Any) -> None:
    if name not in {ix["name"] for ix in _inspector().get_indexes(table)}:
        op.create_index(name, table, columns, **kw)
