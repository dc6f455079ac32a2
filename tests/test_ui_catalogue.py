"""The UI catalogue covers every code the console shows: guard rule ids, cadence reasons, intents, next actions,
message types, channels, plan kinds, file flags, draft statuses; reasons render in both languages."""

from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import agent.guard.rules as rules_pkg
from agent.cadence import MessageType, Reason
from agent.domain import Channel
from agent.drafting.models import Intent, NextActionCode
from agent.guard import pipeline
from agent.guard.learned import CATEGORIES, FAMILY
from agent.guard.lexicon import LEXICON_DIR, load_lexicon
from agent.guard.registry import rules
from agent.guard.rules._common import Meta
from agent.i18n import get_catalogue, placeholders
from agent.plans.models import PlanOption

REPO = Path(__file__).resolve().parent.parent


def registered_rule_ids() -> set[str]:
    """Every rule id the guard can report: each rule module's Meta constants, each lexicon entry, the learned
    layer's categories and the ``rule_id="..."`` literals of the guard's own modules (timeout, unavailable...)."""
    ids: set[str] = {pipeline.TIMEOUT, pipeline.INTERNAL_ERROR}
    ids |= {f"{FAMILY}.{c.replace('_', '-')}" for c in CATEGORIES}
    for path in (REPO / "agent" / "guard").glob("*.py"):
        ids |= set(re.findall(r'rule_id="([A-Z]+(?:-[A-Z]+)*\.[a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        module = importlib.import_module(f"{rules_pkg.__name__}.{info.name}")
        ids |= {v.rule_id for v in vars(module).values() if isinstance(v, Meta)}
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        lexicon, _ = load_lexicon(path.stem.upper())
        ids |= {e.id for e in lexicon.entries}
    return ids


def test_every_registered_rule_id_has_an_explanation_in_both_languages() -> None:
    cat = get_catalogue()
    ids = registered_rule_ids()
    families = {i.split(".", 1)[0] for i in ids}
    assert set(rules()) <= families, "a registered family reports no rule id the test can see"
    missing = sorted(i for i in ids if f"guard.rule.{i}" not in cat)
    assert not missing, f"rule ids without a guard.rule.<id> catalogue entry: {missing}"
    for rule_id in ids:
        fr, en = cat.text(f"guard.rule.{rule_id}", "fr"), cat.text(f"guard.rule.{rule_id}", "en")
        assert fr != en, rule_id


@pytest.mark.parametrize(("prefix", "codes"), [
    ("console.intent.", typing.get_args(Intent)),
    ("console.next_action.", typing.get_args(NextActionCode)),
    ("cadence.type.", typing.get_args(MessageType)),
    ("cadence.channel.", typing.get_args(Channel)),
    ("console.plan.kind.", typing.get_args(PlanOption.model_fields["kind"].annotation)),
    ("console.status.", ("generated", "revised", "edited", "approved", "sent")),
    ("console.direction.", ("in", "out")),
    ("guard.verdict.", ("pass", "warn", "block")),
    ("common.lang.", ("fr", "en")),
])
def test_every_code_the_console_shows_has_a_label(prefix: str, codes: tuple[str, ...]) -> None:
    cat = get_catalogue()
    assert codes
    assert not [c for c in codes if f"{prefix}{c}" not in cat]


def test_every_file_flag_has_a_label() -> None:
    source = (REPO / "api" / "routers" / "debtors.py").read_text(encoding="utf-8")
    body = source[source.index("def flags("):source.index("return [k for k, v in pairs")]
    names = re.findall(r'\("([a-z_]+)",', body)
    assert "enforceable_title" in names and "time_barred" in names
    assert not [n for n in names if f"console.flag.{n}" not in get_catalogue()]


def test_every_cadence_reason_code_renders_in_both_languages() -> None:
    source = (REPO / "agent" / "cadence.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'_why\(\s*"([a-z_0-9]+)"', source)) | set(re.findall(r'"(escalation_[a-z_]+)"', source))
    assert len(codes) >= 15
    cat = get_catalogue()
    for code in codes:
        key = f"cadence.reason.{code}"
        assert key in cat, key
        values = {n: "x" for n in placeholders(cat.bundle("en", key)[key])}
        assert cat.text(key, "fr", **values) != cat.text(key, "en", **values)

def test_reason_translates_coded_values() -> None:
    r = Reason(code="opted_out", values={"channel": "sms", "fallback": "letter"})
    assert r.text("fr") == "opposition sur le canal SMS : courrier à la place"
    assert r.text("en") == "SMS opted out: letter instead"
    step = Reason(code="step_after", values={"step": 2, "message_type": "formal_notice", "days": 10})
    assert "mise en demeure" in step.text("fr") and "formal notice" in step.text("en")


def test_every_scenario_tag_has_a_report_label() -> None:
    from agent.qa import schema

    tags = next(typing.get_args(a) for a in (getattr(schema, n) for n in dir(schema))
                if typing.get_origin(a) is typing.Literal and "abusive" in typing.get_args(a))
    assert not [x for x in tags if f"report.tag.{x}" not in get_catalogue()]
