"""RFC 9457 problem+json responses for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.errors import AmiableError, UserError

log = logging.getLogger("amiable.api")
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append({"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                    "type": str(e.get("type", ""))})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(UserError)
    async def _user_error(_: Request, exc: UserError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(exc.detail, list):
            extra["errors"] = exc.detail
        return problem(exc.http_status, exc.title, exc.message, **extra)

    @app.exception_handler(AmiableError)
    async def _internal(_: Request, exc: AmiableError) -> JSONResponse:
        log.error("internal error: %s", exc.message)
        return problem(500, "Internal error", "the request could not be completed; it was logged")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "Invalid input", "the request body or parameters are invalid",
                       errors=_jsonable_errors(exc.errors()))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # the last resort: still problem+json, never a stack trace or a plain-text 500 to the caller
        log.error("unhandled %s", type(exc).__name__)
        return problem(500, "Internal error", "the request could not be completed; it was logged")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        resp = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp


def _title(status: int) -> str:
    return {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
            405: "Method not allowed", 409: "Conflict", 413: "Payload too large",
            415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests"}.get(status, "Error")
