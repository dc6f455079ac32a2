"""``amiable plan quote`` / ``amiable plan link``: output, exit codes."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.plans import app, parse_eur
from agent.plans.links import verify_token
from tests.conftest import now_ts


@pytest.fixture
def env(loaded_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from agent.settings import get_settings

    monkeypatch.setenv("AMIABLE_DATA_DIR", str(loaded_settings.data_dir))
    get_settings.cache_clear()
    yield loaded_settings
    get_settings.cache_clear()


def test_quote_balance_json() -> None:
    r = CliRunner().invoke(app, ["quote", "--balance", "1234,56", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [o["id"] for o in data] == ["full", "short-3m", "standard-12m"]
    assert sum(i["amount_cents"] for i in data[1]["instalments"]) == 123456


def test_quote_debtor_table_and_capacity(env: Any) -> None:
    r = CliRunner().invoke(app, ["quote", "--debtor", "D005", "--capacity", "400"])
    assert r.exit_code == 0, r.output
    assert "full" in r.output and "capacity-" in r.output


@pytest.mark.parametrize(("args", "code"), [
    (["quote"], 2),
    (["quote", "--balance", "abc"], 2),
    (["quote", "--balance", "-5"], 2),
    (["quote", "--balance", "10.001"], 2),
    (["quote", "--balance", "10", "--debtor", "D001"], 2),
])
def test_quote_usage_errors(args: list[str], code: int) -> None:
    r = CliRunner().invoke(app, args)
    assert r.exit_code == code
    assert "error:" in r.output


def test_unknown_debtor_exit_3(env: Any) -> None:
    assert CliRunner().invoke(app, ["quote", "--debtor", "NOPE"]).exit_code == 3
    assert CliRunner().invoke(app, ["link", "--debtor", "NOPE"]).exit_code == 3


def test_link(env: Any) -> None:
    r = CliRunner().invoke(app, ["link", "--debtor", "D001", "--ttl-hours", "2", "--base-url", "https://pay.example"])
    assert r.exit_code == 0, r.output
    url = r.output.strip()
    assert url.startswith("https://pay.example/widget/#t=v1.")
    assert verify_token(url.split("#t=")[1], secret=os.environ["AMIABLE_SECRET_KEY"], now=now_ts()) == "D001"
    assert CliRunner().invoke(app, ["link", "--debtor", "D001", "--ttl-hours", "0"]).exit_code == 2


def test_parse_eur() -> None:
    assert parse_eur("1 234,56 €", "x") == 123456
    assert parse_eur("12", "x") == 1200
