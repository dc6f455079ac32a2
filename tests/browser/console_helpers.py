"""Console browser-test helpers: a live server over an ingested data dir, with agent keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.service.conftest import Keys, build_data_dir, make_keys, start_server, stop_server


@dataclass
class ConsoleServer:
    url: str
    keys: Keys


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Iterator[ConsoleServer]:
    data = tmp_path_factory.mktemp("console")
    _, rt = build_data_dir(data, ingested_template)
    keys = make_keys(rt)
    server = start_server(data, data / "uvicorn.log")
    try:
        yield ConsoleServer(server.url, keys)
    finally:
        stop_server(server)
