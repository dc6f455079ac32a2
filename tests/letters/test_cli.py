"""``amiable letter first|notice`` and ``amiable outbox run``: files, exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from tests.conftest import REPO
from tests.letters.conftest import fresh_runtime


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from agent.settings import get_settings

    rt = fresh_runtime(tmp_path / "data")
    monkeypatch.setenv("AMIABLE_DATA_DIR", str(rt.settings.data_dir))
    get_settings.cache_clear()
    yield rt
    get_settings.cache_clear()


def test_first_then_notice_then_postal_outbox(env: Any, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    r = CliRunner().invoke(app, ["letter", "first", "--debtor", "D029", "--out", str(out), "--send", "letter",
                                 "--lrar"])
    assert r.exit_code == 0, r.output
    assert "guard: pass" in r.output and "queued in the outbox" in r.output
    assert len(list(out.glob("*-PL-*.pdf"))) == 1 and len(list(out.glob("*-PL-*.html"))) == 1
    again = CliRunner().invoke(app, ["letter", "first", "--debtor", "D029", "--out", str(out)])
    assert again.exit_code == 2 and "already has a first letter" in again.output
    notice = CliRunner().invoke(app, ["letter", "notice", "--debtor", "D029", "--out", str(out)])
    assert notice.exit_code == 0, notice.output
    assert len(list(out.glob("*-MD-*.pdf"))) == 1
    sent = CliRunner().invoke(app, ["outbox", "run", "--json"])
    assert sent.exit_code == 0, sent.output
    assert '"sent": [' in sent.output and '"bounced": []' in sent.output


def test_blocked_letter_exit_1(env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.settings import get_settings

    prompts = tmp_path / "prompts"
    (prompts / "letters").mkdir(parents=True)
    src = (REPO / "prompts" / "letters" / "first_letter_fr.v1.yaml").read_text(encoding="utf-8")
    (prompts / "letters" / "first_letter_fr.v1.yaml").write_text(
        src.replace("  > {{l111_8_para2}}\n", "").replace('subject: "Votre', 'subject: "{{l111_8_para2}} Votre'),
        encoding="utf-8")
    monkeypatch.setenv("AMIABLE_PROMPTS_DIR", str(prompts))
    get_settings.cache_clear()
    out = tmp_path / "letters"
    r = CliRunner().invoke(app, ["letter", "first", "--debtor", "D001", "--out", str(out)])
    assert r.exit_code == 1
    assert not out.exists()
