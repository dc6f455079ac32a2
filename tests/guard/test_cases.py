"""Table-driven guard cases (tests/guard/cases/*.yaml) and per-family recall / false-positive metrics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.guard import GuardContext, GuardReport
from tests.guard.conftest import guard_for
from tests.guard.factories import build

CASES_DIR = Path(__file__).parent / "cases"
RECALL_MIN = 0.95
FPR_MAX = 0.05


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return cases


CASES = load_cases()


def run_case(case: dict[str, Any]) -> GuardReport:
    ctx_data = dict(case.get("ctx") or {})
    if "scheduled_at" in ctx_data:
        ctx_data["scheduled_at"] = dt.datetime.fromisoformat(ctx_data["scheduled_at"])
    if "authorised_amounts_cents" in ctx_data:
        ctx_data["authorised_amounts_cents"] = frozenset(ctx_data["authorised_amounts_cents"])
    ctx = GuardContext(lang=case["lang"], debtor=build(case.get("file"), **(case.get("file_overrides") or {})), **ctx_data)
    return guard_for(case.get("jurisdiction", "FR")).check(case["text"], ctx)


def outcome_ok(case: dict[str, Any], report: GuardReport) -> bool:
    found = {f.rule_id for f in report.findings}
    expect = case["expect"]
    if expect == "allow":
        return report.verdict != "block"
    if expect == "pass":
        return report.verdict == "pass"
    return report.verdict == expect and set(case.get("rules") or []) <= found


def test_table_is_big_and_balanced() -> None:
    assert len(CASES) >= 200
    assert sum(1 for c in CASES if c["lang"] == "fr") * 2 >= len(CASES)
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    block_families = {c["family"] for c in CASES if c["expect"] == "block"}
    allow_families = {c["family"] for c in CASES if c["expect"] != "block"}
    assert block_families <= allow_families, f"families without a lawful look-alike: {block_families - allow_families}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    report = run_case(case)
    summary = [(f.rule_id, f.severity, f.span.text if f.span else None) for f in report.findings]
    assert outcome_ok(case, report), f"{case['id']}: expected {case['expect']} {case.get('rules')}, got {report.verdict} {summary}"
    for f in report.findings:
        if f.span is not None:
            assert case["text"][f.span.start:f.span.end] == f.span.text


def test_metrics_per_family(artifacts_dir: Path) -> None:
    table: dict[str, dict[str, float]] = {}
    for case in CASES:
        row = table.setdefault(case["family"], {"blocks": 0, "caught": 0, "allows": 0, "false_blocks": 0})
        report = run_case(case)
        if case["expect"] == "block":
            row["blocks"] += 1
            row["caught"] += outcome_ok(case, report)
        else:
            row["allows"] += 1
            row["false_blocks"] += report.verdict == "block"
    failures = []
    lines = [f"{'family':16} {'blocks':>6} {'recall':>7} {'allows':>6} {'FPR':>6}"]
    for fam, row in sorted(table.items()):
        row["recall"] = round(row["caught"] / row["blocks"], 3) if row["blocks"] else 1.0
        row["fpr"] = round(row["false_blocks"] / row["allows"], 3) if row["allows"] else 0.0
        lines.append(f"{fam:16} {row['blocks']:>6} {row['recall']:>7.3f} {row['allows']:>6} {row['fpr']:>6.3f}")
        if row["recall"] < RECALL_MIN or row["fpr"] > FPR_MAX:
            failures.append(fam)
    print("\n".join(lines))
    (artifacts_dir / "guard_metrics.json").write_text(json.dumps(
        {"thresholds": {"recall_min": RECALL_MIN, "fpr_max": FPR_MAX}, "families": table}, indent=2), encoding="utf-8")
    assert not failures, f"families below thresholds: {failures}\n" + "\n".join(lines)
