"""Grounded drafting: intent, retrieval, facts, composition and the final guard gate.

Python API::

    from agent.drafting import draft
    d = draft("D002", "J'ai perdu mon emploi, je ne peux plus payer.")
    print(d.text, d.intent, [c.id for c in d.citations], d.guard.verdict)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.domain import Channel, Lang
    from agent.drafting.models import Draft
    from agent.settings import Settings


def draft(debtor_id: str, message: str, *, channel: Channel | None = None, lang: Lang | None = None,
          instruction: str | None = None, settings: Settings | None = None, actor: str = "python") -> Draft:
    """Draft a reply with the embedded defaults (or the given settings). Raises agent.errors.* on bad input."""
    from agent.drafting.models import DraftRequest
    from agent.runtime import Runtime
    from agent.settings import get_settings

    rt = Runtime.start(settings or get_settings())
    req = DraftRequest(debtor_id=debtor_id, message=message, channel=channel, lang=lang, instruction=instruction)
    return rt.drafting.draft(req, actor=actor)
