"""Helpers shared by CLI commands: settings, output, error-to-exit-code mapping."""

from __future__ import annotations

import sys

import typer

from agent.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_text_arg(text: str | None, file: str | None) -> str:
    """Text from --text, --file (``-`` is stdin) or stdin; bytes must be UTF-8."""
    if text is not None and file is not None:
        raise fail("give --text or --file, not both")
    if text is not None:
        return text
    if file is None or file == "-":
        if sys.stdin.isatty():
            raise fail("no input: pass --file FILE, --text TEXT, or pipe text on stdin")
        raw = sys.stdin.buffer.read()
        where = "stdin"
    else:
        try:
            with open(file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror}") from exc
        where = file
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"{where} is not valid UTF-8 text (byte {exc.start})") from exc
