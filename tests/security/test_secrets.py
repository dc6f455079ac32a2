"""Finding 1 (forgeable links by default) and 5 (start-up errors with tracebacks and secrets)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.plans.links import make_token, verify_token
from agent.settings import SECRET_FILE, load_settings
from tests.conftest import now_ts
from tests.security.support import cli


def test_first_start_generates_a_strong_secret_in_the_data_dir(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMIABLE_SECRET_KEY", raising=False)
    for env in ("development", "production"):
        d = tmp_path / env
        s = load_settings(data_dir=d, environment=env)
        value = s.secret.get_secret_value()
        path = d / SECRET_FILE
        assert path.read_text().strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(value.encode()) >= 32 and value != "changethis"
        # the same secret on the next start; a different data dir has its own
        assert load_settings(data_dir=d, environment=env).secret.get_secret_value() == value
    assert (tmp_path / "development" / SECRET_FILE).read_text() != (tmp_path / "production" / SECRET_FILE).read_text()


def test_a_link_signed_with_the_old_default_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An attacker mints links with `changethis` (the old default of `make run`): none verifies."""
    monkeypatch.delenv("AMIABLE_SECRET_KEY", raising=False)
    s = load_settings(data_dir=tmp_path, environment="development")
    accepted = 0
    for i in range(1, 37):
        forged = make_token(f"D{i:03d}", secret="changethis", ttl_hours=72, now=now_ts())
        try:
            verify_token(forged, secret=s.secret.get_secret_value(), now=now_ts())
            accepted += 1
        except ConfigError:
            raise
        except Exception:  # noqa: BLE001 - any refusal counts as refused; the figure is the point
            pass
    print(f"forged-link attempts accepted: {accepted}/36")
    assert accepted == 0


@pytest.mark.parametrize("env", ["development", "test", "production"])
def test_placeholder_secret_is_refused_everywhere(env: str) -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        load_settings(secret_key="changethis", environment=env)


@pytest.mark.parametrize("env", ["test", "production"])
def test_short_secret_is_refused_outside_development(env: str) -> None:
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings(secret_key="x", environment=env)
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings(secret_key="a" * 31, environment=env)
    assert load_settings(secret_key="a" * 32, environment=env).secret.get_secret_value() == "a" * 32


def test_grace_secrets_are_checked_too() -> None:
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings(secret_key="a" * 40, secret_key_grace=["short"], environment="production")


def _one_line_exit_4(r, *secrets: str) -> None:  # type: ignore[no-untyped-def]
    assert r.returncode == 4, (r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error:"), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for value in secrets:
        assert value not in r.stderr + r.stdout


def test_placeholder_secret_with_llm_key_prints_one_line_without_the_key(tmp_path: Path) -> None:
    r = cli(["keys", "list"], tmp_path, AMIABLE_ENVIRONMENT="production", AMIABLE_SECRET_KEY="changethis",
            AMIABLE_LLM_API_KEY="sk-live-VERYSECRETVALUE123")
    _one_line_exit_4(r, "sk-live-VERYSECRETVALUE123", "changethis")


def test_short_secret_prints_one_line_without_the_secret(tmp_path: Path) -> None:
    r = cli(["keys", "list"], tmp_path, AMIABLE_ENVIRONMENT="production", AMIABLE_SECRET_KEY="shorty-secret-9")
    _one_line_exit_4(r, "shorty-secret-9")


def test_bad_port_prints_one_line_exit_4(tmp_path: Path) -> None:
    r = cli(["keys", "list"], tmp_path, AMIABLE_PORT="abc")
    _one_line_exit_4(r)
    assert "AMIABLE_PORT" in r.stderr and "abc" not in r.stderr


def test_unusable_data_dir_prints_one_line_exit_4(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes through permission bits: use a directory that cannot exist
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        data = blocker / "data"
    else:
        data = tmp_path / "ro"
        data.mkdir()
        data.chmod(0o555)
    for args in (["keys", "list"], ["debtors"], ["audit", "verify"]):
        _one_line_exit_4(cli(args, data))
