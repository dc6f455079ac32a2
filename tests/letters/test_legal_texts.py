"""Every statutory text the product quotes is stored once (knowledge/legal/) and equals the official
wording kept in knowledge/legal/official/ (source URL and version date in its header); firm.yaml refers
to the stored L111-8 text and the guard's mention check reads that same text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from agent.firm import load_firm
from agent.guard import Guard
from agent.guard.base import GuardContext
from agent.guard.policy import load_guard_policy
from agent.legal import LegalQuote, load_legal_text, read_official
from tests.conftest import REPO

LEGAL = REPO / "knowledge" / "legal"
FIRM = REPO / "knowledge" / "policy" / "firm.yaml"
OLD_FIRM = Path(__file__).parent / "data" / "firm_before_issue18.yaml"
STORED = sorted(LEGAL.glob("*.yaml"))


def firm_l111_8_problems(firm_file: Path) -> list[str]:
    """What differs between the L111-8 text a firm file quotes and the official paragraphs 2 and 3."""
    _, official = read_official(LEGAL / "official" / "l111_8.txt")
    raw = yaml.safe_load(firm_file.read_text(encoding="utf-8"))
    if "l111_8_paragraphs" in raw:  # an inline copy (the pre-issue-18 layout)
        quoted = tuple(raw["l111_8_paragraphs"])
        problems = ["inline copy of L111-8 instead of a reference to knowledge/legal/"]
    else:
        quoted = LegalQuote.model_validate(raw["l111_8"]).resolve(firm_file.parent)[1]
        problems = []
    for number, text in zip((2, 3), quoted, strict=True):
        if text != official[number - 1]:
            problems.append(f"paragraph {number} differs from the official text")
    return problems


def test_some_texts_are_stored() -> None:
    names = {p.stem for p in STORED}
    assert {"l111_8", "r124_4", "r124_6", "d441_5"} <= names


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_stored_text_equals_official_wording(path: Path) -> None:
    text = load_legal_text(path)
    header, official = read_official(LEGAL / "official" / f"{path.stem}.txt")
    assert header["source"].split()[0].startswith("https://")
    assert header["version"] == text.version_date.isoformat()
    assert text.paragraphs == official


def test_firm_quotes_the_official_l111_8() -> None:
    assert firm_l111_8_problems(FIRM) == []
    firm = load_firm(FIRM)
    _, official = read_official(LEGAL / "official" / "l111_8.txt")
    assert firm.l111_8_paragraphs == (official[1], official[2])
    assert "2014-03-19" in firm.l111_8_version


def test_the_pre_issue_firm_file_fails_the_check() -> None:
    """The firm.yaml text before this change mixed paragraph 1 into paragraph 2: the check catches it."""
    problems = firm_l111_8_problems(OLD_FIRM)
    assert "paragraph 2 differs from the official text" in problems
    assert "paragraph 3 differs from the official text" not in problems


def test_l111_8_version_matches_dated_fact() -> None:
    text = load_legal_text(LEGAL / "l111_8.yaml")
    assert text.version_date == dt.date(2014, 3, 19)
    assert text.paragraph(2).startswith("Les frais de recouvrement entrepris sans titre exécutoire")


def test_guard_accepts_the_official_text_and_flags_the_old_one() -> None:
    """The mention check compares with the stored text: the official wording passes, the old one is 'altered'."""
    from tests.guard.test_unit import build

    firm = load_firm(FIRM)
    guard = Guard(load_guard_policy(REPO / "knowledge" / "policy" / "guard.yaml"), firm=firm)
    debtor = build("consumer")
    assert debtor is not None
    _, official = read_official(LEGAL / "official" / "l111_8.txt")
    old = yaml.safe_load(OLD_FIRM.read_text(encoding="utf-8"))["l111_8_paragraphs"]
    head = (f"{firm.name}, {firm.address}. {firm.activity_fr.capitalize()}.\n"
            f"Nous intervenons pour le compte de {debtor.creditor.name}, {debtor.creditor.address}.\n"
            "Facture F-2026-001 : principal 1 445,00 €, intérêts 34,56 €, autres sommes 0,00 €, soit 1 479,56 €.\n"
            "Nous vous invitons à régler cette somme par virement ou par carte sur votre espace de paiement.\n")
    ctx = GuardContext(first_letter=True, channel="letter", debtor=debtor)
    good = guard.check(head + official[1] + "\n" + official[2] + "\n", ctx)
    assert "FR-MENTIONS.l111-8" not in [f.rule_id for f in good.findings]
    bad = guard.check(head + old[0] + "\n" + old[1] + "\n", ctx)
    altered = [f for f in bad.findings if f.rule_id == "FR-MENTIONS.l111-8"]
    assert altered and "paragraph(s) 2 " in altered[0].explanation


def test_guard_flat_indemnity_is_the_d441_5_amount() -> None:
    """The B2B indemnity the guard allows is the figure of the stored (and official) D441-5 text."""
    import re

    text = load_legal_text(LEGAL / "d441_5.yaml").paragraph(1)
    found = re.search(r"est fixé à (\d+) euros", text)
    assert found is not None
    policy = load_guard_policy(REPO / "knowledge" / "policy" / "guard.yaml")
    assert policy.business.flat_indemnity_cents == int(found.group(1)) * 100
