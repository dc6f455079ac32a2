"""The real ``amiable`` CLI in a subprocess: happy path and one-line errors with stable exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TODAY, copy_template


def _run(args: list[str], data_dir: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "AMIABLE_DATA_DIR": str(data_dir), "AMIABLE_TODAY": TODAY.isoformat(),
                "AMIABLE_ENVIRONMENT": "test", "AMIABLE_SECRET_KEY": "cli-test-secret-key-not-for-production", **env}
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], capture_output=True, text=True,
                          env=full_env, cwd=REPO, timeout=600, check=False, input=stdin)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Path:
    """A copy of the data dir that the session's real `amiable init` subprocess built."""
    out = (ingested_template / ".complete").read_text(encoding="utf-8")  # that run's stdout
    assert "imported 36 debtors" in out and "guidelines:" in out and "history:" in out
    return copy_template(ingested_template, tmp_path_factory.mktemp("cli"))


def test_draft_json_from_the_cli(initialised: Path) -> None:
    r = _run(["draft", "--debtor", "D002", "--message", "J'ai perdu mon emploi, je ne peux plus payer.",
              "--json"], initialised)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["intent"] == "hardship" and d["language"] == "fr" and d["sendable"] is True
    assert d["citations"] and d["facts"] and d["guard"]["verdict"] in ("pass", "warn")


def test_second_ingest_changes_nothing(initialised: Path) -> None:
    r = _run(["ingest"], initialised)
    assert r.returncode == 0, r.stderr
    assert "0 added, 0 updated" in r.stdout and "0 removed" in r.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["draft", "--debtor", "NOPE", "--message", "Bonjour"], 3, "unknown debtor"),
        (["draft", "--debtor", "D001", "--message", ""], 2, "message"),
        (["draft", "--debtor", "D001", "--message", "y" * 100_000], 2, "too long"),
        (["draft", "--debtor", "D001", "--message", "Ich kann nicht zahlen, bitte helfen Sie mir schnell."], 2,
         "unsupported language"),
        (["draft", "--debtor", "D001"], 2, "--message"),
    ],
)
def test_bad_draft_input(initialised: Path, args: list[str], code: int, message: str) -> None:
    r = _run(args, initialised)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len([line for line in r.stderr.splitlines() if line.strip() and not line.startswith(("│", "╭", "╰"))]) <= 3


def test_corrupt_portfolio_loads_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.jsonl"
    sample = (REPO / "knowledge" / "portfolio" / "sample_portfolio.jsonl").read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([*sample[:10], '{"type": "debtor", "id": "X"', *sample[10:]]) + "\n", encoding="utf-8")
    r = _run(["import", str(bad)], tmp_path)
    assert r.returncode == 2
    assert "corrupt.jsonl:11: invalid JSON" in r.stderr and "nothing was imported" in r.stderr
    listed = _run(["debtors"], tmp_path)
    assert listed.returncode == 3 and "no debtor files" in listed.stderr


def test_missing_knowledge_folder(tmp_path: Path) -> None:
    r = _run(["ingest"], tmp_path, AMIABLE_KNOWLEDGE_DIR=str(tmp_path / "absent"))
    assert r.returncode == 2
    assert "knowledge folder not found" in r.stderr and "Traceback" not in r.stderr


def test_help_lists_the_commands(tmp_path: Path) -> None:
    r = _run(["--help"], tmp_path)
    assert r.returncode == 0
    for cmd in ("import", "ingest", "draft", "guard", "plan", "eval", "retrieval-eval"):
        assert cmd in r.stdout


def test_draft_reads_the_message_from_a_file_or_stdin_and_ids_in_any_case(initialised: Path, tmp_path: Path) -> None:
    msg = tmp_path / "message.txt"
    msg.write_text("J'ai perdu mon emploi, je ne peux plus payer.\n", encoding="utf-8")
    from_file = _run(["draft", "--debtor", "d002", "--file", str(msg), "--json"], initialised)
    assert from_file.returncode == 0, from_file.stderr
    d = json.loads(from_file.stdout)
    assert d["debtor_id"] == "D002" and d["intent"] == "hardship"
    piped = _run(["draft", "-d", "D002", "-m", "-", "--json"], initialised,
                 stdin="J'ai perdu mon emploi, je ne peux plus payer.")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["intent"] == "hardship"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--message", "Bonjour", "--file", "x.txt"], "exactly one of"),
        (["--file", "does-not-exist.txt"], "no such file"),
    ],
)
def test_draft_message_sources_are_exclusive(initialised: Path, extra: list[str], message: str) -> None:
    r = _run(["draft", "--debtor", "D001", *extra], initialised)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_oversized_file_is_refused_in_one_line(initialised: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("y" * 1_000_000, encoding="utf-8")
    r = _run(["draft", "--debtor", "D001", "--file", str(big)], initialised)
    assert r.returncode == 2 and "message is too long (1000000 characters; the limit is 20000)" in r.stderr


def test_serve_on_a_taken_port_says_so_in_one_line(initialised: Path) -> None:
    import socket

    from tests.conftest import free_port

    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        r = _run(["serve", "--host", "127.0.0.1", "--port", str(port)], initialised)
    assert r.returncode == 4, (r.stdout, r.stderr)
    assert f"127.0.0.1:{port} is already in use" in r.stderr and "Traceback" not in r.stderr
    assert "agent console" not in r.stdout  # no URL printed for a service that will not start
