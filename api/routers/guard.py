"""``POST /v1/guard/check``: the guard over HTTP (same report as the Python API and the CLI)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.domain import Channel, Lang
from agent.guard import GuardContext, GuardReport
from agent.guard.base import Jurisdiction, Recipient
from api.deps import PrincipalDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/v1/guard", tags=["guard"])


class GuardCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # the policy's max_chars (default 100,000) is enforced by the guard: longer -> 413 problem+json
    text: str = Field(min_length=1, max_length=10_000_000)
    lang: Lang | None = None
    jurisdiction: Jurisdiction | None = None  # FR | US | UK; default: the debtor file's, else the policy's
    debtor_id: str | None = Field(default=None, min_length=1, max_length=200)
    channel: Channel | None = None
    first_letter: bool = False
    recipient: Recipient = "debtor"
    scheduled_at: dt.datetime | None = None


@router.post("/check", response_model=GuardReport)
def check(body: GuardCheckBody, rt: RuntimeDep, session: SessionDep, who: PrincipalDep) -> GuardReport:
    """Check one text with its context; unknown debtor -> 404, empty text -> 422, longer than the policy's
    max_chars -> 413."""
    debtor = None
    if body.debtor_id is not None:
        from agent.db.repo import load_file

        # NotFoundError -> 404, also for another creditor's file under a scoped key
        debtor = load_file(session, body.debtor_id, rt.clock.today(), creditors=who.creditors)
    ctx = GuardContext(lang=body.lang, jurisdiction=body.jurisdiction, channel=body.channel, first_letter=body.first_letter,
                       recipient=body.recipient, scheduled_at=body.scheduled_at, debtor=debtor)
    return rt.guard.check(body.text, ctx)
