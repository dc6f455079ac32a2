"""Validation problems in the debtor's language, field by field, with what is allowed.

The widget's routes use ``WidgetRoute``: a request pydantic refuses (or a service/engine check refuses)
still answers 422 problem+json with the same ``loc`` and ``type`` per error, but each ``msg`` is the
catalogue's sentence for that field, with the plan policy's real bounds for this file ("au moins
30,00 € par échéance", "entre 2 et 24 mensualités"), never pydantic's English. The language is
``?lang=`` or the file's; without a valid token, French and the default bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from agent.errors import ConflictError, InputValidationError, UserError
from agent.i18n import get_catalogue, t
from agent.plans.engine import format_eur, latest_start
from agent.plans.links import InvalidLinkError
from agent.plans.policy import PlanBounds
from agent.runtime import Runtime
from api.problems import problem
from api.widget.auth import token_from, verify
from api.widget.schemas import MESSAGE_MAX, NOTE_MAX

_CHOICE_FIELDS = ("reason", "situation")


def _field_message(loc: Sequence[str], kind: str, lang: str, bounds: PlanBounds, rt: Runtime) -> str:
    field = str(loc[-1]) if loc else ""
    today = rt.clock.today()
    latest = latest_start(bounds, today)
    from api.widget.service import fmt_date, max_months

    if kind in ("json_invalid", "extra_forbidden") or (loc and str(loc[0]) == "header"):
        return t("widget.error.request", lang)
    if field == "amount_cents":
        return t("widget.error.amount", lang, min_amount=format_eur(bounds.min_instalment_cents, lang))
    if field == "months":
        return t("widget.error.months", lang, min=bounds.min_instalments, max=max_months(bounds))
    if field == "frequency":
        return t("widget.error.frequency", lang)
    if field == "start_date":
        return t("widget.error.start_date", lang, latest=fmt_date(latest, lang))
    if field == "consent":
        return t("widget.error.consent", lang)
    if field == "option_id":
        return t("widget.error.option", lang)
    if field == "monthly_amount_cents":
        return t("widget.error.capacity", lang)
    if field in ("monthly_income_cents", "monthly_expenses_cents"):
        return t("widget.error.income", lang)
    if field == "message":
        if kind == "string_too_long":
            return t("widget.error.too_long", lang, limit=MESSAGE_MAX)
        return t("widget.error.message_required", lang, limit=MESSAGE_MAX)
    if field == "note":
        return t("widget.error.too_long", lang, limit=NOTE_MAX)
    if field in _CHOICE_FIELDS:
        return t("widget.error.choice", lang)
    if field == "channel":
        return t("widget.error.channel", lang)
    if field == "preferred_at":
        return t("widget.error.when_format", lang)
    if field == "phone":
        return t("widget.error.phone", lang)
    if field in ("body", "proposal") and kind == "value_error":  # the model-level "one of" checks
        return t("widget.error.one_of", lang)
    return t("widget.error.request", lang)


def _context(request: Request) -> tuple[str, PlanBounds, Runtime]:
    """(language, plan bounds, runtime) for wording an error on this request."""
    rt: Runtime = request.app.state.runtime
    asked = request.query_params.get("lang")
    lang = asked if asked in ("fr", "en") else None
    bounds = rt.plan_policy.defaults
    token = token_from(request.headers.get("authorization"), request.headers.get("x-widget-token"))
    if token:
        from api.widget.service import file_context

        try:
            file, bounds = file_context(rt, verify(rt, token))
            lang = lang or file.language
        except InvalidLinkError:
            pass  # no file to read: French and the default bounds
    return (lang if lang == "en" else "fr"), bounds, rt


def localize(request: Request, errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """The errors with their ``msg`` in the debtor's language (messages already from the catalogue kept)."""
    lang, bounds, rt = _context(request)
    known = get_catalogue().all_texts(lang)
    out: list[dict[str, Any]] = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        kind = str(e.get("type", ""))
        msg = str(e.get("msg", ""))
        if msg not in known:
            msg = _field_message(loc, kind, lang, bounds, rt)
        out.append({"loc": loc, "msg": msg, "type": kind})
    return lang, out


def _invalid_response(request: Request, errors: Sequence[Any]) -> Response:
    lang, out = localize(request, errors)
    return problem(422, "Invalid input", t("widget.error.invalid", lang), errors=out)


def _conflict_response(request: Request, exc: UserError) -> Response:
    lang, _, _ = _context(request)
    detail = exc.message if exc.message in get_catalogue().all_texts(lang) else t("widget.page.err_conflict", lang)
    return problem(409, "Conflict", detail)


class WidgetRoute(APIRoute):
    """An API route whose validation and conflict problems are worded for the debtor."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def localized(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return await run_in_threadpool(_invalid_response, request, list(exc.errors()))
            except InputValidationError as exc:
                detail = exc.detail if isinstance(exc.detail, list) else [
                    {"loc": ["body"], "msg": exc.message, "type": "value_error"}]
                return await run_in_threadpool(_invalid_response, request, detail)
            except ConflictError as exc:
                return await run_in_threadpool(_conflict_response, request, exc)

        return localized
