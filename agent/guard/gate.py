"""The guarded-send gate: one way to build the guard's context and authorised amounts, and to run the
guard so that any fault blocks.

Every path that puts words in front of a debtor goes through here: drafting (the composed text and
its fallbacks), the agent console's edits, approvals and sends (``agent.conversations``), the debtor
widget's messages and the LLM composer's check of a model draft. The amounts a text may quote are the
debtor ledger's (the AMOUNT rules add them from the file), the plan engine's options and whatever the
caller computed from the file (a promise, a counter-proposal); the fail-closed wrapper is written once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from agent.errors import UserError
from agent.guard.base import Finding, GuardContext, GuardReport, Recipient

if TYPE_CHECKING:
    import datetime as dt

    from agent.domain import DebtorFile

log = logging.getLogger("amiable.guard.gate")


class _Checks(Protocol):
    def check(self, text: str, ctx: GuardContext) -> GuardReport: ...


def _get(o: Any, key: str) -> Any:
    return o.get(key) if isinstance(o, Mapping) else getattr(o, key, None)


def option_amounts(options: Iterable[Any]) -> frozenset[int]:
    """The amounts (cents) plan options authorise: total, discount, balance, instalment and every
    instalment's amount. Options are ``PlanOption`` objects or their JSON (a stored draft's)."""
    out: set[int] = set()
    for o in options or ():
        out |= {int(_get(o, k) or 0) for k in ("total_cents", "discount_cents", "balance_cents", "instalment_cents")}
        out |= {int(_get(i, "amount_cents") or 0) for i in (_get(o, "instalments") or ())}
    out.discard(0)
    return frozenset(out)


def authorised_amounts(*, options: Iterable[Any] = (), extra: Iterable[int] = (),
                       file: DebtorFile | None = None) -> frozenset[int]:
    """Plan options' amounts, plus ``extra`` (e.g. a confirmed promise), plus the ledger's when ``file`` is given."""
    out = set(option_amounts(options)) | {int(a) for a in extra}
    if file is not None:
        out |= file.ledger_amounts_cents()
    out.discard(0)
    return frozenset(out)


def context(*, lang: str | None, channel: str | None, file: DebtorFile | None, intent: str | None = None,
            recipient: Recipient | None = None, amounts: Iterable[int] = (), now: dt.datetime | None = None,
            scheduled_at: dt.datetime | None = None) -> GuardContext:
    """The guard context of a text going to a debtor (or, for a third-party reply, to that third party)."""
    who: Recipient = recipient or ("third_party" if intent == "third_party" else "debtor")
    return GuardContext.model_validate({
        "lang": lang, "channel": channel, "recipient": who, "debtor": file,
        "authorised_amounts_cents": frozenset(amounts), "now": now, "scheduled_at": scheduled_at})


def unavailable(exc: BaseException, lang: str | None) -> GuardReport:
    """The report of a guard that could not run: a block, so nothing is sent."""
    return GuardReport(verdict="block", lang="en" if lang == "en" else "fr", policy_version="unavailable",
                       rules_run=0,
                       findings=[Finding(rule_id="GUARD.unavailable", family="GUARD", severity="block",
                                         explanation=f"the guard could not run ({type(exc).__name__}); "
                                                     "nothing may be sent", legal_basis="internal policy")])


def check(guard: _Checks, text: str, ctx: GuardContext, *, reraise_user_errors: bool = True) -> GuardReport:
    """Run the guard; any fault is a block. A user error (a text over the policy's length limit) propagates
    unless ``reraise_user_errors`` is false (a composed draft: then it blocks too)."""
    try:
        return guard.check(text, ctx)
    except UserError:
        if reraise_user_errors:
            raise
        log.warning("guard refused a composed text as input")
        return unavailable(UserError("input refused"), ctx.lang)
    except Exception as exc:  # fail closed: whatever broke, the verdict is block
        log.exception("guard failed")
        return unavailable(exc, ctx.lang)


def guard_send(guard: _Checks, text: str, *, lang: str | None, channel: str | None, file: DebtorFile | None,
               intent: str | None = None, options: Iterable[Any] = (), extra_amounts: Iterable[int] = (),
               now: dt.datetime | None = None) -> GuardReport:
    """Context + authorised amounts + fail-closed check in one call."""
    ctx = context(lang=lang, channel=channel, file=file, intent=intent,
                  amounts=authorised_amounts(options=options, extra=extra_amounts), now=now)
    return check(guard, text, ctx)
