"""Score messages that were not drafted here (already sent): CSV or JSONL with ``text`` and optional
``id``, ``debtor_id``, ``channel``, ``lang``, ``incoming``. Same evaluators, same results and report."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.domain import Channel, DebtorFile, Lang
from agent.errors import AmiableError
from agent.qa import evaluators as E
from agent.qa.datasets import DatasetError
from agent.qa.evaluators.base import CaseOutput, EvalCase
from agent.qa.runner import (
    MANIFEST,
    RESULTS,
    MissingDebtorError,
    _write_json,
    case_overall,
    score_all,
    summarize,
)

if TYPE_CHECKING:
    from agent.runtime import Runtime


class ExternalMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str | None = Field(default=None, max_length=80)
    text: str = Field(min_length=1, max_length=100_000)
    debtor_id: str | None = None
    channel: Channel = "email"
    lang: Lang | None = None
    incoming: str = ""
    sent_at: str | None = None


def read_messages(path: Path) -> list[tuple[int, ExternalMessage]]:
    if not path.is_file():
        raise DatasetError(path, None, "", "file not found")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(path, None, "", f"not valid UTF-8 (byte {exc.start})") from exc
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix == ".jsonl":
        for n, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DatasetError(path, n, "", f"not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise DatasetError(path, n, "", "expected a JSON object")
            rows.append((n, obj))
    elif path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise DatasetError(path, 1, "text", "the CSV header needs a 'text' column")
        for rec in reader:
            rows.append((reader.line_num, {k: v for k, v in rec.items() if k and v not in (None, "")}))
    else:
        raise DatasetError(path, None, "", "unsupported format (use .csv or .jsonl)")
    out = []
    for n, obj in rows:
        try:
            out.append((n, ExternalMessage.model_validate(obj)))
        except ValidationError as exc:
            e = exc.errors(include_url=False)[0]
            raise DatasetError(path, n, ".".join(str(p) for p in e["loc"]), e["msg"]) from exc
    if not out:
        raise DatasetError(path, None, "", "no messages")
    return out


def external_output(rt: Runtime, msg: ExternalMessage, file: DebtorFile | None) -> tuple[EvalCase, CaseOutput]:
    from agent.drafting import facts as F
    from agent.guard.base import GuardContext
    from agent.lang import detect

    lang: str = msg.lang or (detect(msg.text, default=file.language if file else "fr")[0] or "fr")
    if lang not in ("fr", "en"):
        lang = "fr"
    ctx = GuardContext(lang=lang, channel=msg.channel, recipient="debtor", debtor=file)
    report = rt.guard.check(msg.text, ctx)
    values: dict[str, str] = {}
    if file is not None:
        values, _ = F.build_values(file, rt.firm, lang, [], None)
    case = EvalCase(id=msg.id or "", lang=lang, channel=msg.channel, incoming=msg.incoming,
                    debtor_id=msg.debtor_id, source="external")
    out = CaseOutput(text=msg.text, lang=lang, channel=msg.channel, guard=report, values=values, file=file,
                     sendable=not report.blocked, today=rt.clock.today(),
                     plan_bounds=rt.plan_policy.policy_for(file.creditor.plan_profile) if file else None,
                     backend="external")
    return case, out


def score_external(rt: Runtime, path: Path, out_dir: Path, *, evaluators: list[str] | None = None,
                   show_bar: bool = False) -> dict[str, Any]:
    from tqdm import tqdm

    from agent.db.repo import load_file
    from agent.qa.report import write_report

    messages = read_messages(path)
    evs = [e for e in E.build(evaluators) if not getattr(e, "skip_reason", lambda: None)()]
    files: dict[str, DebtorFile] = {}
    with rt.session() as s:
        for n, m in messages:
            if m.debtor_id and m.debtor_id not in files:
                try:
                    files[m.debtor_id] = load_file(s, m.debtor_id, rt.clock.today())
                except AmiableError as exc:
                    raise MissingDebtorError(f"{path}:{n}: debtor_id: unknown debtor {m.debtor_id!r}") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results = []
    with (out_dir / RESULTS).open("w", encoding="utf-8") as fh:
        for n, m in tqdm(messages, desc="external", unit="msg", disable=not show_bar, leave=False):
            t = time.perf_counter()
            mid = m.id or f"{path.stem}-{n}"
            case, output = external_output(rt, m.model_copy(update={"id": mid}), files.get(m.debtor_id or ""))
            scores = score_all(evs, case, output)
            overall, passed = case_overall(scores)
            rec = {"case_id": mid, "source": f"{path.name}:{n}", "title": m.sent_at or "", "lang": case.lang,
                   "channel": m.channel, "tags": [], "expected_intent": None, "debtor_id": m.debtor_id,
                   "incoming": m.incoming, "error": None, "intent": None, "sendable": output.sendable,
                   "backend": "external", "guard_verdict": output.guard.verdict, "text": m.text, "scores": scores,
                   "overall": overall, "passed": passed, "duration_ms": round((time.perf_counter() - t) * 1000, 2)}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            results.append(rec)
    elapsed = time.perf_counter() - t0
    manifest = {
        "run_id": out_dir.name, "status": "completed", "kind": "external",
        "created_at": rt.clock.utcnow().isoformat(), "as_of": rt.clock.today().isoformat(),
        "datasets": [str(path)], "dataset_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "cases": len(results), "backend": "external", "model": None,
        "versions": {"guard_policy": str(getattr(getattr(rt.guard, "policy", None), "version", "unknown"))},
        "evaluators": {e.name: e.version for e in evs}, "notices": [], "thresholds": None,
        "summary": summarize(results),
        "timings": {"seconds": round(elapsed, 3), "cases_run": len(results),
                    "cases_per_s": round(len(results) / elapsed, 1) if elapsed > 0 else None,
                    "mean_case_ms": round(elapsed * 1000 / max(len(results), 1), 2)},
    }
    _write_json(out_dir / MANIFEST, manifest)
    write_report(out_dir)
    return manifest
