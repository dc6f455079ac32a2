"""CLI commands of the agent service (serve, keys, audit). Placeholder until it lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach service commands to the root app."""
