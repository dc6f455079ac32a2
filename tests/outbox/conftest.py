"""Real local servers for the outbox tests: an SMTP server (aiosmtpd) and a fake SMS provider (HTTP),
both on 127.0.0.1, started and stopped by the fixtures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port
from tests.letters.conftest import fresh_runtime


class SmtpSink:
    """Accepts every recipient except those starting with 'bounce' (550: a hard bounce)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.startswith("bounce"):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


class FakeProvider:
    """State of the fake SMS provider: sent messages, events (delivery receipts, replies)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add_event(self, **event: Any) -> None:
        with self.lock:
            self.events.append({"seq": len(self.events) + 1, **event})


def _handler(state: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, code: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/messages":
                return self._json(404, {"error": "not found"})
            if "".join(c for c in body["to"] if c.isdigit()).endswith("000000"):
                return self._json(400, {"error": "invalid number"})
            with state.lock:
                state.sent.append(body)
                msg_id = f"sms-{len(state.sent)}"
            state.add_event(type="delivered", id=msg_id)
            return self._json(201, {"id": msg_id})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/events":
                return self._json(404, {"error": "not found"})
            after = int(parse_qs(url.query).get("after", ["0"])[0])
            with state.lock:
                return self._json(200, [e for e in state.events if e["seq"] > after])

    return H


@pytest.fixture
def sms_provider() -> Iterator[tuple[FakeProvider, str]]:
    state = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def make_rt(tmp_path: Path) -> Any:
    def make(**overrides: Any) -> Any:
        return fresh_runtime(tmp_path / f"rt{len(list(tmp_path.iterdir()))}", **overrides)
    return make
