"""What the debtor said changes the file: a crisis flags it and opens an agent task at once; a stop
request records the opt-out for the channels it names (the cadence then skips them)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from agent import audit
from agent.db import models as m
from agent.understanding.models import Analysis

if TYPE_CHECKING:
    from agent.drafting.models import Draft

# A stop request naming no channel stops every channel, letters included (the stop_contact replies say so):
# with every channel opted out the cadence sends nothing more and puts the file in agent review.
DEFAULT_STOP_CHANNELS = ("phone", "sms", "email", "letter")


def apply_analysis(session: Any, debtor_id: str, analysis: Analysis, *, now: dt.datetime,
                   channel: str | None = None) -> dict[str, Any]:
    """Update the debtor row and open tasks; returns what changed (for the audit trail)."""
    row = session.get(m.Debtor, debtor_id)
    changes: dict[str, Any] = {}
    if row is None:
        return changes
    if analysis.has("crisis"):
        # the reply was a crisis reply (primary label): hold the file; a possible crisis the classifier
        # alone saw beside other labels opens the same task for a person to read, without the hold
        confirmed = analysis.primary == "crisis"
        if confirmed:
            row.vulnerable = True
            if row.status == "active":
                row.status = "on_hold"
                row.hold_reason = "crisis: the debtor's message shows distress or a vulnerability (agent review)"
        evidence = next((i.evidence for i in analysis.intents if i.label == "crisis"), "")
        open_task = session.query(m.Task).filter(m.Task.debtor_id == debtor_id, m.Task.kind == "crisis",
                                                 m.Task.status == "open").first()
        if open_task is None:  # one open crisis task per file, however many drafts or revisions follow
            session.add(m.Task(debtor_id=debtor_id, kind="crisis", created_at=now,
                               payload={"evidence": evidence[:200], "confidence": analysis.confidence("crisis"),
                                        "channel": channel or "", "possible_only": not confirmed}))
        changes["crisis"] = {"vulnerable": bool(row.vulnerable), "status": row.status, "task": "crisis",
                             "possible_only": not confirmed}
    if analysis.ruled("stop_contact"):  # opt-outs only on the debtor's own words, never a classifier guess
        named = [c for c in analysis.stop_channels if c in ("phone", "sms", "email", "letter")]
        wanted = named or list(DEFAULT_STOP_CHANNELS)
        current = list(row.opt_outs or [])
        added = [c for c in wanted if c not in current]
        if added:
            row.opt_outs = [*current, *added]  # a new list: the JSON column sees the change
        changes["opt_outs"] = {"added": added, "now": list(row.opt_outs or [])}
    if changes:
        session.flush()
    return changes


def apply_draft(session: Any, draft: Draft, *, actor: str, now: dt.datetime) -> dict[str, Any]:
    """Apply what a recorded draft's analysis says to the file, and audit it (caller's transaction).

    Used wherever a draft is recorded (the pipeline with ``record=True``, the console's conversations)."""
    if not draft.intents:
        return {}
    ruled = [i for i in draft.intents if i.method.startswith("rule")]
    primary = "crisis" if draft.intent == "crisis" else (ruled or draft.intents)[0].label
    analysis = Analysis(intents=draft.intents, primary=primary, details=draft.details,
                        injection_suspected=draft.injection_suspected, stop_channels=draft.stop_channels)
    changes = apply_analysis(session, draft.debtor_id, analysis, now=now, channel=draft.channel)
    if changes:
        audit.append(session, "debtor.file_updated_from_message", actor=actor, debtor_id=draft.debtor_id,
                     payload={"changes": changes, "draft_id": draft.id})
    return changes
