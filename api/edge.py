"""Edge middleware for every route: security headers, bounded bodies, NUL bytes refused.

Headers already set by an inner middleware (the widget's own CSP) are kept. Personal-data
responses (every ``/v1/`` answer) get ``Cache-Control: no-store``. Request bodies above
``settings.max_body_bytes`` get a 413 problem+json, before the route reads them; a body holding a
NUL byte (raw or as the JSON escape ``\\u0000``) gets a 422.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")
# /docs (development only) loads Swagger UI from its CDN: it gets a CSP that allows exactly that.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "frame-ancestors 'none'")
# the QA report is one self-contained HTML page with inline CSS and SVG, and no script at all
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
NUL_MARKERS = (b"\x00", b"\\u0000")


class BodyTooLarge(Exception):
    """The request body (declared or read) exceeds the limit."""


async def read_bounded_body(scope: Scope, receive: Receive, max_body: int) -> bytes | None:
    """The whole request body, read before the route sees it; ``None`` if the client disconnected.

    Raises :class:`BodyTooLarge` as soon as the declared Content-Length or the bytes read pass ``max_body``."""
    declared = dict(scope.get("headers") or []).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_body):
        raise BodyTooLarge
    body = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        if len(body) > max_body:
            raise BodyTooLarge
    return bytes(body)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the already-read body to the app once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class Edge:
    def __init__(self, app: ASGIApp, *, max_body: int, frame_ancestors: list[str]) -> None:
        self.app = app
        self.max_body = max_body
        self.csp = CSP.format(ancestors=" ".join(frame_ancestors) or "'none'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        personal = path.startswith("/v1/")
        csp = DOCS_CSP if path in ("/docs", "/docs/oauth2-redirect", "/redoc") else self.csp
        if path.startswith("/v1/evals/runs/") and path.endswith("/report"):
            csp = REPORT_CSP

        async def send_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"),
                                    ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY")
                                    if "frame-ancestors 'none'" in csp else ("", "")):
                    if name and name not in headers:
                        headers[name] = value
                if personal:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send_headers)
            return
        try:
            body = await read_bounded_body(scope, receive, self.max_body)
        except BodyTooLarge:
            await self._reject(send_headers, 413, "Payload too large",
                               f"the request body must not exceed {self.max_body} bytes")
            return
        if body is None:
            return
        if any(m in body for m in NUL_MARKERS):
            await self._reject(send_headers, 422, "Invalid input", "the request body must not contain NUL bytes")
            return
        await self.app(scope, replaying(body, receive), send_headers)

    @staticmethod
    async def _reject(send: Send, status: int, title: str, detail: str) -> None:
        resp = problem(status, title, detail)
        await send({"type": "http.response.start", "status": status, "headers": resp.raw_headers})
        await send({"type": "http.response.body", "body": resp.body})
