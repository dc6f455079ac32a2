"""Debtor self-service widget: the API under /v1/widget and the static page under /widget/.

A thin router: authentication is ``api.widget.auth`` (signed widget token only), the models are
``api.widget.schemas``, what each action does is ``api.widget.service``, validation problems are worded
for the debtor by ``api.widget.errors`` and the edge middleware is ``api.widget.edge``. Every text the
page shows comes from the message catalogue (``prompts/ui/widget.yaml``; the page fetches its bundle
from ``GET /widget/texts.json?lang=``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Header, Query
from starlette.staticfiles import StaticFiles

from agent.errors import InputValidationError
from agent.i18n import get_catalogue
from agent.plans.models import MAX_CENTS
from agent.runtime import Runtime
from api.widget import service
from api.widget.auth import AuthDep
from api.widget.edge import WidgetEdge
from api.widget.errors import WidgetRoute
from api.widget.schemas import (
    AcceptIn,
    AcceptOut,
    AckOut,
    CapacityIn,
    ContactRequestIn,
    DisputeIn,
    HardshipIn,
    OptionsOut,
    ProposalIn,
    ProposalOut,
    PublicFile,
    TextsOut,
)

router = APIRouter(prefix="/v1/widget", tags=["widget"], route_class=WidgetRoute)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"
LangQuery = Annotated[Literal["fr", "en"] | None, Query(description="language of the messages")]


def get_texts(lang: Annotated[Literal["fr", "en"], Query(description="language of the page")] = "fr") -> TextsOut:
    """Every text of the widget page in one language: served beside the page (``/widget/texts.json``),
    public like the page itself (labels only, no file data)."""
    return TextsOut(lang=lang, messages=get_catalogue().bundle(lang, "widget."))


@router.get("/file", response_model=PublicFile)
def get_file(auth: AuthDep, lang: LangQuery = None) -> PublicFile:
    return service.get_file(auth.rt, auth.debtor_id, lang)


@router.get("/options", response_model=OptionsOut)
def get_options(
    auth: AuthDep,
    lang: LangQuery = None,
    monthly_amount_cents: Annotated[int | None, Query(gt=0, le=MAX_CENTS)] = None,
    monthly_income_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    monthly_expenses_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    start_date: Annotated[dt.date | None, Query()] = None,
) -> OptionsOut:
    capacity = None
    if monthly_amount_cents is not None or monthly_income_cents is not None or monthly_expenses_cents is not None:
        try:
            capacity = CapacityIn(monthly_amount_cents=monthly_amount_cents, monthly_income_cents=monthly_income_cents,
                                  monthly_expenses_cents=monthly_expenses_cents).to_capacity()
        except ValueError as exc:
            raise InputValidationError("capacity: incomplete", detail=[
                {"loc": ["query", "monthly_income_cents"], "msg": str(exc).splitlines()[-1],
                 "type": "value_error"}]) from exc
    return service.options(auth.rt, auth.debtor_id, lang, capacity, start_date)


@router.post("/proposal", response_model=ProposalOut)
def post_proposal(body: ProposalIn, auth: AuthDep, lang: LangQuery = None) -> ProposalOut:
    return service.proposal(auth.rt, auth.debtor_id, body, lang)


@router.post("/accept", response_model=AcceptOut)
def post_accept(
    body: AcceptIn,
    auth: AuthDep,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=128, pattern=IDEMPOTENCY_PATTERN)],
    lang: LangQuery = None,
) -> AcceptOut:
    return service.accept(auth.rt, auth.debtor_id, body, idempotency_key, lang)


@router.post("/hardship", response_model=AckOut)
def post_hardship(body: HardshipIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    return service.hardship(auth.rt, auth.debtor_id, body, lang)


@router.post("/dispute", response_model=AckOut)
def post_dispute(body: DisputeIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    return service.dispute(auth.rt, auth.debtor_id, body, lang)


@router.post("/contact-request", response_model=AckOut)
def post_contact_request(body: ContactRequestIn, auth: AuthDep, lang: LangQuery = None) -> AckOut:
    return service.contact_request(auth.rt, auth.debtor_id, body, lang)


def setup(app: FastAPI, rt: Runtime) -> None:
    """Mount the widget page at /widget/ and install the widget edge middleware."""
    app.add_middleware(WidgetEdge, cors_origins=list(rt.settings.cors_origins),
                       frame_ancestors=list(rt.settings.frame_ancestors))
    app.add_api_route("/widget/texts.json", get_texts, methods=["GET"], response_model=TextsOut,
                      include_in_schema=False)  # before the static mount, which would answer 404
    if STATIC_DIR.is_dir():
        app.mount("/widget", StaticFiles(directory=STATIC_DIR, html=True), name="widget")
