"""Evaluation runs: scenarios -> drafts -> evaluators -> results.jsonl + run.json + report.html.

Isolation: a run never reads the live database while drafting. Before the first case every debtor file the
scenarios name is read once and written to the run's ``snapshot.json`` (its sha256 in ``run.json``); the run
drafts from that snapshot only, with the clock frozen at the snapshot's date. ``RunConfig(replay=RUN_DIR)``
(``amiable eval run --replay RUN_DIR``) runs again from a manifest: same datasets (checked by sha256), backend,
evaluators and snapshot, so ``results.jsonl`` is identical byte for byte (per-case timings live in the manifest,
not in the results), whatever happened to the live database since.

Every case's result is appended to ``results.jsonl`` and flushed as soon as it is scored, so an
interrupted run resumes without redoing finished cases (same dataset hash, backend and evaluator
versions). All validation (schema, evaluators, debtors, backend, index) happens before the first case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.clock import Clock
from agent.domain import (
    CreditorView,
    DebtorFile,
    DisputeView,
    InvoiceView,
    PaymentView,
    TitleView,
    compute_signals,
)
from agent.errors import ConfigError, InputValidationError, UserError
from agent.qa import evaluators as E
from agent.qa.datasets import Dataset, LoadedScenario, load_dataset
from agent.qa.evaluators.base import CaseOutput, EvalCase, Evaluator, Score
from agent.qa.report import write_report
from agent.qa.results import MANIFEST, REPORT, RESULTS, SNAPSHOT, case_overall, read_results, summarize
from agent.qa.schema import Scenario, Situation

if TYPE_CHECKING:
    from agent.drafting.pipeline import DraftingService
    from agent.runtime import Runtime

log = logging.getLogger("amiable.qa")
__all__ = ["MANIFEST", "REPORT", "RESULTS", "SNAPSHOT", "case_overall", "read_results", "summarize"]  # re-exported

Backend = Literal["offline", "llm"]


class MissingDebtorError(UserError):
    pass


# ------------------------------------------------------------------------------------------ inline files
def situation_file(sc: Scenario, sit: Situation, as_of: dt.date) -> DebtorFile:
    """A DebtorFile built in memory from an inline situation (nothing is written to the database)."""
    invoices = tuple(InvoiceView(number=i.number, issue_date=i.issue_date, due_date=i.due_date,
                                 description=i.description, principal_cents=i.principal_cents,
                                 interest_cents=i.interest_cents, other_cents=i.other_cents) for i in sit.invoices)
    payments = tuple(PaymentView(date=p.date, amount_cents=p.amount_cents) for p in sit.payments)
    title = (TitleView(kind=sit.enforceable_title.kind, date=sit.enforceable_title.date,
                       court=sit.enforceable_title.court) if sit.enforceable_title else None)
    disputes = (DisputeView(opened_on=as_of - dt.timedelta(days=3), reason=sit.dispute),) if sit.dispute else ()
    signals = compute_signals(kind=sit.kind, invoices=invoices, payments=payments, promises=(), contacts=(),
                              title=title, prescription_override=sit.prescription_date, as_of=as_of,
                              creditor_kind=sit.creditor.kind)
    c = sit.creditor
    return DebtorFile(
        id=sc.inline_debtor_id, reference=sit.reference,
        creditor=CreditorView(id=f"eval-{sc.id}", name=c.name, address=c.address, sector=c.sector, kind=c.kind,
                              mandate_to_sue=c.mandate_to_sue),
        kind=sit.kind, civility=sit.civility, first_name=sit.first_name, last_name=sit.last_name,
        company_name=sit.company_name, language=sit.language, address_form=sit.address_form,
        preferred_channel=sit.preferred_channel,
        first_letter_ref=sit.first_letter.reference if sit.first_letter else None,
        first_letter_date=sit.first_letter.date if sit.first_letter else None,
        hardship=sit.hardship, over_indebtedness=sit.over_indebtedness, vulnerable=sit.vulnerable, title=title,
        invoices=invoices, payments=payments, disputes=disputes, signals=signals, as_of=as_of,
    )


def _eval_service(rt: Runtime, backend: Backend, files: dict[str, DebtorFile]) -> DraftingService:
    from agent.drafting.composer import Composer
    from agent.drafting.pipeline import DraftingService

    if backend == "llm":
        s = rt.settings
        if not (s.llm_base_url and s.llm_model):
            raise ConfigError("--backend llm needs an LLM endpoint: set AMIABLE_LLM_BASE_URL and AMIABLE_LLM_MODEL")

    class EvalDraftingService(DraftingService):
        """Drafts from the run's snapshot (inline situations and the debtor files read before the run) only."""

        def __init__(self, runtime: Runtime) -> None:
            self._files: dict[str, DebtorFile] = dict(files)
            super().__init__(runtime, composer=None)  # the intent detector is the runtime's (shared, warm)

        def _default_composer(self) -> Composer:
            # offline: never pick the LLM composer, whatever the settings say
            return self.offline if backend == "offline" else super()._default_composer()

        def load(self, debtor_id: str) -> DebtorFile:
            f = self._files.get(debtor_id)
            if f is None:  # never the live database: every file was read into the snapshot beforehand
                raise MissingDebtorError(f"debtor {debtor_id!r} is not in this run's snapshot")
            return f

    return EvalDraftingService(rt)


# ------------------------------------------------------------------------------------------ snapshot
def snapshot_bytes(as_of: dt.date, files: dict[str, DebtorFile]) -> bytes:
    """The run's debtor files as canonical JSON (sorted keys, so equal files give equal bytes)."""
    body = {"version": 1, "as_of": as_of.isoformat(),
            "files": {k: files[k].model_dump(mode="json") for k in sorted(files)}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def read_snapshot(data: bytes, where: Path) -> tuple[dt.date, dict[str, DebtorFile]]:
    try:
        body = json.loads(data)
        return (dt.date.fromisoformat(body["as_of"]),
                {k: DebtorFile.model_validate(v) for k, v in body["files"].items()})
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise InputValidationError(f"{where}: not a run snapshot ({str(exc).splitlines()[0]})") from exc


def _live_files(rt: Runtime, ids: set[str], today: dt.date) -> dict[str, DebtorFile]:
    from agent.db.repo import load_file

    with rt.session() as s:
        return {i: load_file(s, i, today) for i in sorted(ids)}


# ------------------------------------------------------------------------------------------ thresholds
class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    description: str = ""
    pass_rate: dict[str, float] = Field(default_factory=dict,
                                        description="dimension -> minimum share of cases that pass (0..1)")
    mean: dict[str, float] = Field(default_factory=dict, description="dimension -> minimum mean score (0..1)")
    min_cases: int = Field(default=0, ge=0)
    max_errors: int = Field(default=0, ge=0)


def load_thresholds(path: Path) -> Thresholds:
    if not path.is_file():
        raise InputValidationError(f"thresholds file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Thresholds.model_validate(data)
    except yaml.YAMLError as exc:
        raise InputValidationError(f"{path}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        raise InputValidationError(f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}") from exc


def gate(summary: dict[str, Any], th: Thresholds) -> list[str]:
    """The threshold violations of a run summary (empty: the run passes)."""
    out = []
    dims = summary.get("dimensions", {})
    for dim, bound in th.pass_rate.items():
        d = dims.get(dim)
        if d is None or d["n"] == 0:
            out.append(f"{dim}: no scored case (pass rate >= {bound:.0%} required)")
        elif d["pass_rate"] < bound:
            out.append(f"{dim}: pass rate {d['pass_rate']:.1%} < {bound:.1%}")
    for dim, bound in th.mean.items():
        d = dims.get(dim)
        if d is None or d["n"] == 0:
            out.append(f"{dim}: no scored case (mean >= {bound:.2f} required)")
        elif d["mean"] < bound:
            out.append(f"{dim}: mean {d['mean']:.3f} < {bound:.3f}")
    if summary.get("cases", 0) < th.min_cases:
        out.append(f"cases: {summary.get('cases', 0)} < {th.min_cases}")
    if summary.get("errors", 0) > th.max_errors:
        out.append(f"errors: {summary.get('errors', 0)} > {th.max_errors}")
    return out


def validate_dimensions(th: Thresholds, evaluators: list[Evaluator]) -> None:
    known = {e.name for e in evaluators} | {"compliance_sendable", "overall"}
    for e in evaluators:
        if e.name == "tone":
            known |= {f"tone.{d}" for d in ("politeness", "empathy", "firmness", "positivity", "clarity")}
    unknown = sorted((set(th.pass_rate) | set(th.mean)) - known)
    if unknown:
        raise InputValidationError(f"thresholds name dimensions this run does not score: {', '.join(unknown)}")


# ------------------------------------------------------------------------------------------ results
def fingerprint(dataset_sha: str, backend: str, evaluators: list[Evaluator]) -> str:
    keys = ",".join(sorted(e.key for e in evaluators))
    return hashlib.sha256(f"{dataset_sha}|{backend}|{keys}".encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------ scoring
def score_all(evaluators: list[Evaluator], case: EvalCase, out: CaseOutput) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for ev in evaluators:
        s: Score | None = ev.evaluate(case, out)
        scores[ev.name] = s.model_dump(mode="json") if s is not None else None
    return scores


def case_of(sc: Scenario) -> EvalCase:
    return EvalCase(id=sc.id, lang=sc.lang, channel=sc.channel, incoming=sc.message,
                    debtor_id=sc.effective_debtor_id, tags=tuple(sc.tags), expect=sc.expect, source="scenario")


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    status: str = "pending"
    message: str = ""
    started_at: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "done": self.done, "skipped": self.skipped, "failed": self.failed,
                "status": self.status, "message": self.message,
                "elapsed_s": round(time.monotonic() - self.started_at, 2)}


class RunConfig(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    datasets: list[Path]
    backend: Backend = "offline"
    out_dir: Path
    evaluators: list[str] | None = None
    limit: int | None = Field(default=None, ge=1)
    resume: bool = True
    thresholds: Path | None = None
    judge_runs: int = Field(default=3, ge=1, le=20)
    replicate_to: int | None = Field(default=None, ge=1, description="bench: repeat the set up to N cases")
    vary_replicas: bool = Field(default=False, description="bench: give each replica a distinct message "
                                "(a reference appended) so caches do not flatter the timing")
    write_report: bool = True
    replay: Path | None = Field(default=None, description="a run folder: run again from its manifest and snapshot")


def _replayed(cfg: RunConfig) -> tuple[RunConfig, dict[str, Any], bytes]:
    """The configuration, manifest and snapshot bytes of the run to replay (its own settings win)."""
    assert cfg.replay is not None
    path = cfg.replay / MANIFEST
    if not path.is_file():
        raise InputValidationError(f"--replay {cfg.replay}: no {MANIFEST} there")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputValidationError(f"{path}: not valid JSON ({exc})") from exc
    snap = manifest.get("snapshot") or {}
    snap_path = cfg.replay / str(snap.get("file") or SNAPSHOT)
    if not snap_path.is_file():
        raise InputValidationError(f"--replay {cfg.replay}: no snapshot file (runs before snapshots cannot be replayed)")
    data = snap_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != snap.get("sha256"):
        raise InputValidationError(f"{snap_path}: sha256 differs from the manifest's (the snapshot was changed)")
    update: dict[str, Any] = {"datasets": [Path(p) for p in manifest["datasets"]], "backend": manifest["backend"],
                              "evaluators": (manifest["evaluator_names"] if "evaluator_names" in manifest
                                             else list(manifest.get("evaluators") or {})),
                              "limit": manifest.get("limit"), "replicate_to": manifest.get("replicate_to"),
                              "vary_replicas": bool(manifest.get("vary_replicas")),
                              "judge_runs": manifest.get("judge_runs") or cfg.judge_runs}
    return cfg.model_copy(update=update), manifest, data


@dataclass
class PreparedRun:
    config: RunConfig
    dataset: Dataset
    cases: list[LoadedScenario]
    evaluators: list[Evaluator]
    thresholds: Thresholds | None
    service: DraftingService
    rt: Runtime
    notices: list[str]
    fingerprint: str
    prepare_seconds: float = 0.0
    snapshot: bytes = b""
    replay_of: str | None = None


def prepare(rt: Runtime, cfg: RunConfig) -> PreparedRun:
    """Validate everything before the first case: dataset, evaluators, thresholds, debtors, backend, index."""
    t0 = time.perf_counter()
    replay_manifest: dict[str, Any] | None = None
    replay_data = b""
    if cfg.replay is not None:
        cfg, replay_manifest, replay_data = _replayed(cfg)
    dataset = load_dataset(cfg.datasets)
    if replay_manifest is not None and dataset.sha256 != replay_manifest.get("dataset_sha256"):
        raise InputValidationError(f"--replay {cfg.replay}: the datasets changed since that run (sha256 "
                                   f"{dataset.sha256[:12]}, was {str(replay_manifest.get('dataset_sha256'))[:12]})")
    evaluators = E.build(cfg.evaluators, judge_runs=cfg.judge_runs)
    notices: list[str] = []
    kept: list[Evaluator] = []
    for ev in evaluators:
        reason = getattr(ev, "skip_reason", lambda: None)()
        if reason:
            notices.append(reason)
        else:
            kept.append(ev)
    evaluators = kept
    th = load_thresholds(cfg.thresholds) if cfg.thresholds else None
    if th is not None:
        validate_dimensions(th, evaluators)
    cases = list(dataset.cases)
    if cfg.replicate_to:
        base = cases
        cases = []
        i = 0
        while len(cases) < cfg.replicate_to:
            c = base[i % len(base)]
            rep = i // len(base)
            update: dict[str, Any] = {"id": f"{c.scenario.id}.r{rep}"}
            if cfg.vary_replicas:
                update["message"] = f"{c.scenario.message} (réf. {1000 + rep})"
            sc = c.scenario if rep == 0 else c.scenario.model_copy(update=update)
            cases.append(LoadedScenario(sc, c.path, c.line))
            i += 1
    if cfg.limit:
        cases = cases[: cfg.limit]
    if replay_manifest is not None:
        as_of, files = read_snapshot(replay_data, cfg.replay or Path("."))
        missing = sorted({c.scenario.debtor_id for c in cases if c.scenario.debtor_id} - set(files))
        if missing:
            raise MissingDebtorError(f"debtors {', '.join(missing)} are not in the snapshot of {cfg.replay}")
    else:
        _check_debtors(rt, cases)
        as_of = rt.clock.today()
        live = _live_files(rt, {c.scenario.debtor_id for c in cases if c.scenario.debtor_id}, as_of)
        inline = {c.scenario.inline_debtor_id: situation_file(c.scenario, c.scenario.situation, as_of)
                  for c in cases if c.scenario.situation is not None}
        # the run drafts from the serialised files, so a replay (which reads them back) sees exactly the same
        as_of, files = read_snapshot(snapshot_bytes(as_of, {**live, **inline}), cfg.out_dir / SNAPSHOT)
    snapshot = snapshot_bytes(as_of, files)
    run_rt = rt.with_clock(Clock(tz=rt.clock.tz, fixed_today=as_of))
    service = _eval_service(run_rt, cfg.backend, files)
    counts = rt.index.counts()
    if not counts.get("guidelines"):
        raise ConfigError("the knowledge index is empty: run `amiable ingest` (or `amiable init`) first")
    prefill_query_embeddings(rt, [c.scenario.message for c in cases])
    tag = (f"x{cfg.replicate_to}" + ("v" if cfg.vary_replicas else "")) if cfg.replicate_to else ""
    fp = fingerprint(dataset.sha256 + tag, cfg.backend, evaluators)
    return PreparedRun(cfg, dataset, cases, evaluators, th, service, run_rt, notices, fp,
                       prepare_seconds=round(time.perf_counter() - t0, 3), snapshot=snapshot,
                       replay_of=str(replay_manifest.get("run_id")) if replay_manifest is not None else None)


def prefill_query_embeddings(rt: Runtime, texts: list[str], batch: int = 64) -> None:
    """Embed the run's distinct messages in batches up front into the index's query cache.

    The keys are the text the drafting pipeline embeds (stripped, first 2,000 characters).
    """
    rt.index.prefill_queries([t.replace("\x00", "").strip()[:2000] for t in texts], batch=batch)


def _check_debtors(rt: Runtime, cases: list[LoadedScenario]) -> None:
    from agent.db.repo import list_debtor_ids

    with rt.session() as s:
        known = set(list_debtor_ids(s))
    for c in cases:
        d = c.scenario.debtor_id
        if d is not None and d not in known:
            hint = " (the database is empty: run `amiable import`)" if not known else ""
            raise MissingDebtorError(f"{c.path}:{c.line}: debtor_id: unknown debtor {d!r} "
                                     f"(scenario {c.scenario.id}){hint}")


def draft_output(svc: DraftingService, sc: Scenario) -> tuple[CaseOutput, dict[str, Any]]:
    from agent.drafting import facts as F
    from agent.drafting.models import DraftRequest

    req = DraftRequest(debtor_id=sc.effective_debtor_id, message=sc.message, channel=sc.channel, lang=sc.lang,
                       instruction=sc.instruction, plan_months=sc.plan_months)
    d = svc.draft(req, actor="qa-eval", record=False)
    file = svc.load(sc.effective_debtor_id)
    chosen = next((o for o in d.plan_options if o.id == d.chosen_option_id), None)
    values, _ = F.build_values(file, svc.rt.firm, d.language, d.plan_options, chosen)
    out = CaseOutput(
        text=d.text, lang=d.language, channel=d.channel, guard=d.guard, intent=d.intent,
        citations=[c.id for c in d.citations], facts={f.key: f.value for f in d.facts}, values=values,
        plan_options=list(d.plan_options), plan_bounds=svc.rt.plan_policy.policy_for(file.creditor.plan_profile),
        file=file, sendable=d.sendable, next_action=d.next_action.code, next_action_due=d.next_action.due_date,
        today=svc.rt.clock.today(), backend=d.backend, template_id=d.template_id,
    )
    extra = {"intent": d.intent, "intent_confidence": round(d.intent_confidence, 3), "sendable": d.sendable,
             "backend": d.backend, "template_id": d.template_id, "prompt_version": d.prompt_version,
             "next_action": d.next_action.code, "citations": [c.id for c in d.citations],
             "plan_options": [o.id for o in d.plan_options], "fallback_reason": d.fallback_reason,
             "guard_verdict": d.guard.verdict}
    return out, extra


def run_cases(prep: PreparedRun, progress: Progress | None = None, *, show_bar: bool = False,
              stop: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Score every case not already in results.jsonl; write results, manifest and report."""
    from tqdm import tqdm

    cfg = prep.config
    out_dir = cfg.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / RESULTS
    previous = read_results(results_path) if cfg.resume else []
    kept = [r for r in previous if r.get("fingerprint") == prep.fingerprint]
    wanted_ids = {c.scenario.id for c in prep.cases}
    kept = [r for r in kept if r["case_id"] in wanted_ids]
    kept = list({r["case_id"]: r for r in kept}.values())
    done_ids = {r["case_id"] for r in kept}
    # rewrite cleanly: stale lines (other dataset/evaluators) and a torn last line are dropped
    with results_path.open("w", encoding="utf-8") as fh:
        for r in kept:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / SNAPSHOT).write_bytes(prep.snapshot)
    durations: list[float] = []
    prog = progress or Progress()
    prog.total, prog.skipped, prog.done, prog.status = len(prep.cases), len(done_ids), len(done_ids), "running"
    manifest = _manifest(prep, status="running")
    manifest["resumed_cases"] = len(done_ids)
    _write_json(out_dir / MANIFEST, manifest)
    t0 = time.perf_counter()
    todo = [c for c in prep.cases if c.scenario.id not in done_ids]
    interrupted = False
    bar = tqdm(total=len(prep.cases), initial=len(done_ids), desc="eval", unit="case", disable=not show_bar,
               leave=False)
    try:
        with results_path.open("a", encoding="utf-8") as fh:
            for c in todo:
                if stop is not None and stop():
                    interrupted = True
                    break
                rec, ms = _run_one(prep, c)
                durations.append(ms)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                fh.flush()
                prog.done += 1
                prog.failed += 0 if rec.get("passed") else 1
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        bar.close()
        elapsed = time.perf_counter() - t0
        results = read_results(results_path)
        summary = summarize(results)
        manifest = _manifest(prep, status="interrupted" if interrupted else "running")
        manifest["resumed_cases"] = len(done_ids)
        manifest["summary"] = summary
        ran = len(results) - len(done_ids)
        manifest["timings"] = {"seconds": round(elapsed, 3), "prepare_seconds": prep.prepare_seconds,
                               "total_seconds": round(elapsed + prep.prepare_seconds, 3), "cases_run": ran,
                               "cases_per_s": round(ran / elapsed, 1) if elapsed > 0 and ran else None,
                               "mean_case_ms": round(statistics.fmean(durations), 2) if durations else None}
        _write_json(out_dir / MANIFEST, manifest)
    violations = gate(summary, prep.thresholds) if prep.thresholds is not None else []
    manifest["status"] = "completed"
    manifest["finished_at"] = prep.rt.clock.utcnow().isoformat()
    manifest["thresholds"] = ({"file": str(cfg.thresholds), "violations": violations, "passed": not violations}
                              if prep.thresholds is not None else None)
    _write_json(out_dir / MANIFEST, manifest)
    if cfg.write_report:
        write_report(out_dir)
    prog.status = "completed"
    return manifest


def _run_one(prep: PreparedRun, c: LoadedScenario) -> tuple[dict[str, Any], float]:
    """One case's result (deterministic: no timing in it) and its duration in ms."""
    sc = c.scenario
    t = time.perf_counter()
    rec: dict[str, Any] = {
        "case_id": sc.id, "fingerprint": prep.fingerprint, "source": f"{Path(c.path).name}:{c.line}",
        "title": sc.title, "lang": sc.lang, "channel": sc.channel, "tags": list(sc.tags),
        "expected_intent": sc.expect.intents[0] if sc.expect.intents else None,
        "debtor_id": sc.effective_debtor_id, "incoming": sc.message, "error": None,
    }
    try:
        out, extra = draft_output(prep.service, sc)
        rec.update(extra)
        rec["text"] = out.text
        rec["scores"] = score_all(prep.evaluators, case_of(sc), out)
    except (UserError, ConfigError) as exc:
        rec.update(text="", scores={}, error=exc.message)
    except Exception as exc:
        log.exception("case %s failed", sc.id)
        rec.update(text="", scores={}, error=f"{type(exc).__name__}: {exc}"[:500])
    rec["overall"], rec["passed"] = case_overall(rec["scores"])
    return rec, round((time.perf_counter() - t) * 1000, 2)


def _versions(rt: Runtime, svc: DraftingService) -> dict[str, Any]:
    return {"library": svc.library.version, "guard_policy": _guard_version(rt), "plan_policy": rt.plan_policy.version,
            "llm_prompt": _llm_prompt_version(rt)}


def _guard_version(rt: Runtime) -> str:
    policy = getattr(rt.guard, "policy", None)
    return str(getattr(policy, "version", "unknown"))


def _llm_prompt_version(rt: Runtime) -> str | None:
    folder = rt.settings.prompts_dir / "llm"
    if not folder.is_dir():
        return None
    return "+".join(sorted(p.stem for p in folder.glob("*.yaml"))) or None


def _manifest(prep: PreparedRun, status: str) -> dict[str, Any]:
    cfg = prep.config
    s = prep.rt.settings
    return {
        "run_id": cfg.out_dir.name,
        "status": status,
        "created_at": prep.rt.clock.utcnow().isoformat(),
        "as_of": prep.rt.clock.today().isoformat(),
        "datasets": prep.dataset.files,
        "dataset_sha256": prep.dataset.sha256,
        "fingerprint": prep.fingerprint,
        "cases": len(prep.cases),
        "backend": cfg.backend,
        "model": s.llm_model if cfg.backend == "llm" else None,
        "versions": _versions(prep.rt, prep.service),
        "evaluators": {e.name: e.version for e in prep.evaluators},
        "evaluator_names": cfg.evaluators,
        "judge_runs": cfg.judge_runs,
        "notices": prep.notices,
        "limit": cfg.limit,
        "replicate_to": cfg.replicate_to,
        "vary_replicas": cfg.vary_replicas,
        "snapshot": {"file": SNAPSHOT, "sha256": hashlib.sha256(prep.snapshot).hexdigest(),
                     "as_of": prep.rt.clock.today().isoformat()},
        "replay_of": prep.replay_of,
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def new_run_id(clock: Clock) -> str:
    return clock.utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def run(rt: Runtime, cfg: RunConfig, *, show_bar: bool = False) -> dict[str, Any]:
    return run_cases(prepare(rt, cfg), show_bar=show_bar)
