"""QA fixtures: one tmp data dir with the sample portfolio imported and the knowledge index ingested."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, copy_template, make_settings

SCENARIOS = REPO / "evals" / "scenarios"
THRESHOLDS = REPO / "evals" / "thresholds.yaml"


@pytest.fixture(scope="session")
def qa_settings(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Any:
    return make_settings(copy_template(ingested_template, tmp_path_factory.mktemp("qa")))


@pytest.fixture(scope="session")
def qa_runtime(qa_settings: Any) -> Any:
    from agent.runtime import Runtime

    return Runtime.start(qa_settings)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


MINI = """version: 1
scenarios:
  - id: m-hardship
    lang: fr
    channel: email
    debtor_id: D002
    message: "J'ai perdu mon emploi, je ne peux pas tout payer d'un coup."
    expect: {intent: [hardship, asks_for_plan], must_not_include: ["frais de dossier"]}
  - id: m-details
    lang: en
    channel: email
    debtor_id: D033
    message: "Hello, what exactly do I owe you?"
    expect: {intent: asks_for_details, facts: [reference]}
  - id: m-dispute
    lang: fr
    channel: email
    debtor_id: D011
    message: "Je conteste cette facture, les lignes étaient résiliées."
    expect: {intent: dispute, plan: {none: true}}
  - id: m-third
    lang: fr
    channel: phone
    debtor_id: D034
    message: "C'est sa fille, c'est à quel sujet ?"
    expect: {intent: third_party}
  - id: m-inline
    lang: en
    channel: sms
    situation:
      reference: EVAL-T-1
      last_name: Stone
      language: en
      invoices: [{number: T-1, issue_date: 2026-06-01, due_date: 2026-07-01, principal_cents: 12000}]
    message: "I'll pay on Friday."
    expect: {intent: promise_to_pay}
"""
