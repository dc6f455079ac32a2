"""ASGI middleware for /widget and /v1/widget only: bounded bodies, scoped CORS, CSP frame-ancestors."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.edge import BodyTooLarge, read_bounded_body, replaying

MAX_BODY_BYTES = 16 * 1024


class WidgetEdge:
    """Bounded bodies, scoped CORS and a strict CSP (with the firm's frame ancestors) for the widget paths."""

    PREFIXES = ("/v1/widget", "/widget")

    def __init__(self, app: ASGIApp, *, cors_origins: list[str], frame_ancestors: list[str],
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body
        self.inner: ASGIApp = app
        if cors_origins:
            self.inner = CORSMiddleware(app, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                                        allow_headers=["Authorization", "X-Widget-Token", "Idempotency-Key",
                                                       "Content-Type"], allow_credentials=False, max_age=600)
        ancestors = " ".join(frame_ancestors) or "'none'"
        self.csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(self.PREFIXES):
            await self.app(scope, receive, send)
            return
        api = str(scope["path"]).startswith("/v1/")

        async def send_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if api:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        if scope["method"] in ("POST", "PUT", "PATCH"):
            try:
                body = await read_bounded_body(scope, receive, self.max_body)
            except BodyTooLarge:
                await self._too_large(send_headers)
                return
            if body is not None:
                await self.inner(scope, replaying(body, receive), send_headers)
            return
        await self.inner(scope, receive, send_headers)

    async def _too_large(self, send: Send) -> None:
        from api.problems import problem

        resp = problem(413, "Payload too large", f"the request body must not exceed {self.max_body} bytes")
        await send({"type": "http.response.start", "status": 413, "headers": resp.raw_headers})
        await send({"type": "http.response.body", "body": resp.body})
