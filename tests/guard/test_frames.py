"""Jurisdiction per check (FR / US / UK), the UK-CONC lexicon, no silent disarming, and the time budget."""

from __future__ import annotations

import time
from typing import Any

import pytest

from agent.errors import ConfigError
from agent.firm import Firm
from agent.guard import Guard, GuardContext
from agent.guard.base import Finding
from agent.guard.lexicon import load_lexicon
from agent.guard.policy import GuardPolicy, load_guard_policy
from tests.guard.conftest import POLICY_FILE, guard_for
from tests.guard.factories import build


def _policy(**changes: Any) -> GuardPolicy:
    return GuardPolicy.model_validate({**load_guard_policy(POLICY_FILE).model_dump(), **changes})


# -- jurisdiction ------------------------------------------------------------------------------

def test_request_jurisdiction_chooses_the_frame(guard: Guard) -> None:
    text = "We will garnish your wages next month."
    fr = guard.check(text, GuardContext(lang="en"))
    us = guard.check(text, GuardContext(lang="en", jurisdiction="US"))
    assert fr.jurisdiction == "FR" and us.jurisdiction == "US"
    assert {f.family for f in fr.findings} == {"FR-THREAT"}
    assert {f.family for f in us.findings} == {"US-MISLEAD"}


def test_debtor_file_then_creditor_then_policy(guard: Guard) -> None:
    consumer = build("consumer")
    assert consumer is not None
    uk_file = consumer.model_copy(update={"jurisdiction": "UK"})
    assert guard.jurisdiction_for(GuardContext(debtor=uk_file)) == "UK"
    creditor_us = uk_file.model_copy(update={"jurisdiction": None, "creditor": uk_file.creditor.model_copy(
        update={"jurisdiction": "US"})})
    assert guard.jurisdiction_for(GuardContext(debtor=creditor_us)) == "US"
    assert guard.jurisdiction_for(GuardContext(debtor=creditor_us, jurisdiction="FR")) == "FR"
    assert guard.jurisdiction_for(GuardContext()) == guard.policy.jurisdiction == "FR"


def test_english_text_is_judged_under_uk_rules() -> None:
    text = "Our bailiffs will visit your address this week."
    uk = guard_for("FR").check(text, GuardContext(lang="en", jurisdiction="UK"))
    assert uk.verdict == "block" and {f.family for f in uk.findings} == {"UK-CONC"}
    assert "UK-CONC.bailiff-misrepresented" in {f.rule_id for f in uk.findings}
    # French text under a UK frame keeps the French rules (the UK family reads English only)
    fr = guard_for("FR").check("Notre huissier passera demain.", GuardContext(jurisdiction="UK"))
    assert fr.lang == "fr" and "UK-CONC" not in {f.family for f in fr.findings} and fr.verdict == "block"


_, UK_ENTRIES = load_lexicon("UK-CONC")
UK_EXAMPLES = [(c.entry.id, "block", t) for c in UK_ENTRIES for t in c.entry.examples.block] + [
    (c.entry.id, "allow", t) for c in UK_ENTRIES for t in c.entry.examples.allow]


def test_every_uk_entry_has_a_lawful_look_alike() -> None:
    for c in UK_ENTRIES:
        assert c.entry.examples.block and c.entry.examples.allow, c.entry.id


@pytest.mark.parametrize(("rule_id", "expect", "text"), UK_EXAMPLES, ids=[f"{r}-{e}-{i}" for i, (r, e, _) in enumerate(UK_EXAMPLES)])
def test_uk_lexicon_examples(rule_id: str, expect: str, text: str) -> None:
    needs = next(c.entry.needs for c in UK_ENTRIES if c.entry.id == rule_id)
    # a fact-dependent entry blocks when the file lacks the fact (a consumer file with no judgment)
    report = guard_for("UK").check(text, GuardContext(lang="en", debtor=build("consumer") if needs else None))
    found = {f.rule_id for f in report.findings if f.severity == "block"}
    if expect == "block":
        assert rule_id in found, (text, report.verdict, found)
    else:
        assert report.verdict != "block", (text, found)


def test_uk_official_document_depends_on_the_file() -> None:
    text = "Notice of enforcement: a warrant of control will follow."
    g = guard_for("UK")
    no_file = g.check(text, GuardContext(lang="en"))
    official = [f for f in no_file.findings if f.rule_id == "UK-CONC.official-document"]
    assert official and official[0].severity == "warn" and official[0].missing_fact == "court_title"
    untitled = g.check(text, GuardContext(lang="en", debtor=build("consumer")))
    assert "UK-CONC.official-document" in {f.rule_id for f in untitled.findings if f.severity == "block"}


def test_uk_contact_hours() -> None:
    import datetime as dt

    g = guard_for("UK")
    text = "Hello, this is Anna from the collections team."
    late = GuardContext(lang="en", channel="phone", scheduled_at=dt.datetime(2026, 11, 24, 22, 30,
                                                                           tzinfo=dt.UTC))
    ok = late.model_copy(update={"scheduled_at": dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)})
    assert g.check(text, late).verdict == "block"
    assert g.check(text, ok).verdict == "pass"


# -- no silent disarming -------------------------------------------------------------------------

def test_policy_that_cannot_block_stops_start_up(firm: Firm) -> None:
    with pytest.raises(ConfigError, match="cannot block anything"):
        Guard(_policy(enabled_families=["TONE"]), firm=firm)
    every_warn = {f: "warn" for f in load_guard_policy(POLICY_FILE).enabled_families}
    with pytest.raises(ConfigError, match="allow_no_blocking"):
        Guard(_policy(severity_overrides=every_warn), firm=firm)
    shadow = Guard(_policy(enabled_families=["TONE"], allow_no_blocking=True), firm=firm)
    assert shadow.armed is False
    assert guard_for("FR").armed is True


# -- time budget ---------------------------------------------------------------------------------

class _SlowRule:
    family = "FR-THREAT"

    def check(self, doc: object, ctx: GuardContext) -> list[Finding]:
        time.sleep(0.02)
        return []


class _NeverRule:
    family = "FR-OFFICER"
    ran = False

    def check(self, doc: object, ctx: GuardContext) -> list[Finding]:
        _NeverRule.ran = True
        return []


def test_time_budget_fails_closed(firm: Firm) -> None:
    g = Guard(_policy(time_budget_ms=1), firm=firm, rules=[_SlowRule(), _NeverRule()])
    report = g.check("Bonjour, quel créneau vous convient ?")
    assert report.verdict == "block"
    assert [f.rule_id for f in report.findings] == ["GUARD.timeout"]
    assert _NeverRule.ran is False


# -- every lexicon's own examples ----------------------------------------------------------------

def _lexicon_examples() -> list[tuple[str, str, str, str | None, str]]:
    from agent.guard.lexicon import LEXICON_DIR

    out = []
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        fam = path.stem.upper()
        for c in load_lexicon(fam)[1]:
            frame = "UK" if fam.startswith("UK") else "US" if fam.startswith("US") else "FR"
            for t in c.entry.examples.block:
                out.append((frame, c.entry.id, "block", c.entry.needs, t))
            for t in c.entry.examples.allow:
                out.append((frame, c.entry.id, "allow", c.entry.needs, t))
    return out


LEX_EXAMPLES = _lexicon_examples()


def test_every_lexicon_entry_has_both_examples() -> None:
    from agent.guard.lexicon import LEXICON_DIR

    for path in LEXICON_DIR.glob("*.yaml"):
        for c in load_lexicon(path.stem.upper())[1]:
            assert c.entry.examples.block and c.entry.examples.allow, c.entry.id


@pytest.mark.parametrize(("frame", "rule_id", "expect", "needs", "text"), LEX_EXAMPLES,
                         ids=[f"{r}-{e}-{i}" for i, (_, r, e, _, _) in enumerate(LEX_EXAMPLES)])
def test_lexicon_examples(frame: str, rule_id: str, expect: str, needs: str | None, text: str) -> None:
    lang = "en" if frame in ("US", "UK") or rule_id.startswith(("US", "UK")) else "fr"
    report = guard_for("FR").check(text, GuardContext(lang=lang, jurisdiction=frame,  # type: ignore[arg-type]
                                                      debtor=build("consumer") if needs else None))
    found = {f.rule_id for f in report.findings if f.severity == "block"}
    if expect == "block":
        assert rule_id in found, (text, report.verdict, found)
    else:
        assert rule_id not in {f.rule_id for f in report.findings}, (text, report.verdict, found)
