"""The message catalogue for the agent pages (no auth: labels only, no data): ``GET /v1/ui/messages``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from agent.i18n import get_catalogue

router = APIRouter(tags=["ui"])
Area = Literal["common", "console", "guard", "cadence", "report"]


@router.get("/v1/ui/messages", summary="Catalogue messages of some areas in one language (no auth)")
def ui_messages(lang: Annotated[Literal["fr", "en"], Query()] = "fr",
                area: Annotated[list[Area] | None, Query()] = None) -> dict[str, str]:
    cat = get_catalogue()
    out: dict[str, str] = {}
    for name in area or ["common", "console", "guard", "cadence"]:
        out.update(cat.bundle(lang, f"{name}."))
    return out
