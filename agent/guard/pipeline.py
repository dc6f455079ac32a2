"""The guard pipeline: normalise once, run the enabled rules in order, apply the policy, decide."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from agent.domain import Lang
from agent.errors import ConfigError, InputValidationError, PayloadTooLargeError
from agent.firm import Firm
from agent.guard.base import Finding, GuardContext, GuardReport, Jurisdiction, Rule, Verdict
from agent.guard.lang import detect_lang
from agent.guard.normalize import Doc, normalize, normalize_fragment
from agent.guard.policy import GuardPolicy
from agent.guard.registry import REGISTRY

log = logging.getLogger("amiable.guard")

INTERNAL_ERROR = "GUARD.internal-error"
TIMEOUT = "GUARD.timeout"


class Guard:
    """Deterministic compliance gate: ``check(text, ctx) -> GuardReport``. Thread-safe (no shared mutable state)."""

    def __init__(self, policy: GuardPolicy, firm: Firm, rules: Sequence[Rule] | None = None) -> None:
        self.policy = policy
        self.firm = firm
        if rules is None:
            rules = [REGISTRY[f](policy, firm) for f in REGISTRY if f in policy.enabled_families]
        if not rules:
            raise ConfigError("guard policy enables no rule family: the guard never runs with no rules")
        blocking = policy.blocking_families()
        self.armed = bool(blocking)  # some rule can block: what /readyz reports
        if not self.armed and not policy.allow_no_blocking:
            raise ConfigError(
                f"guard policy {policy.version!r} cannot block anything (enabled: {list(policy.enabled_families)}, "
                f"overrides: {policy.severity_overrides}): every family is warn/off or only TONE is enabled. "
                "Enable a blocking family, or set allow_no_blocking: true to run the guard disarmed on purpose")
        self.rules: list[Rule] = list(rules)
        self._l111_8 = tuple(" ".join(normalize_fragment(p).split()) for p in firm.l111_8_paragraphs)

    def check(self, text: str, ctx: GuardContext | None = None) -> GuardReport:
        ctx = ctx or GuardContext()
        clock = time.perf_counter_ns
        started = clock()
        budget_ns = self.policy.time_budget_ms * 1_000_000
        self._validate(text)
        jurisdiction = self.jurisdiction_for(ctx)
        doc = normalize(text)
        default_lang: Lang = "fr" if jurisdiction == "FR" else "en"
        doc.lang = ctx.lang or detect_lang(doc.norm, default_lang)
        doc.jurisdiction = jurisdiction
        doc.protected = self._protected(doc)
        findings: list[Finding] = []
        timings: dict[str, float] = {}
        for rule in self.rules:
            if clock() - started > budget_ns:  # fail closed: an unfinished check never passes
                findings.append(Finding(
                    rule_id=TIMEOUT, family="GUARD", severity="block", span=None,
                    explanation=(f"the check exceeded its time budget of {self.policy.time_budget_ms} ms before "
                                 f"rule family {rule.family} ran; the text is blocked"),
                    legal_basis="guard safety policy (fail closed)",
                ))
                break
            t0 = clock()
            try:
                found = rule.check(doc, ctx)
            except Exception as exc:  # a faulty rule must block, never pass
                log.exception("guard rule %s failed", rule.family)
                found = [Finding(
                    rule_id=INTERNAL_ERROR, family="GUARD", severity="block", span=None,
                    explanation=f"rule family {rule.family} raised {type(exc).__name__}; the text is blocked until fixed",
                    legal_basis="guard safety policy (fail closed)",
                )]
            timings[rule.family] = round((clock() - t0) / 1e6, 4)
            if found:
                findings.extend(self._apply_policy(found))
        return GuardReport(
            verdict=verdict_of(findings),
            findings=findings,
            lang=doc.lang,
            jurisdiction=jurisdiction,
            policy_version=self.policy.version,
            rules_run=len(self.rules),
            timings_ms=timings,
        )

    def jurisdiction_for(self, ctx: GuardContext) -> Jurisdiction:
        """The legal frame of one check: the request's, else the debtor file's, else its creditor's, else the policy's."""
        if ctx.jurisdiction is not None:
            return ctx.jurisdiction
        debtor = ctx.debtor
        if debtor is not None:
            if debtor.jurisdiction is not None:
                return debtor.jurisdiction
            if debtor.creditor.jurisdiction is not None:
                return debtor.creditor.jurisdiction
        return self.policy.jurisdiction

    def _validate(self, text: object) -> None:
        if not isinstance(text, str):
            raise InputValidationError("text must be a string")
        if not text.strip():
            raise InputValidationError("empty text: nothing to check")
        if len(text) > self.policy.max_chars:
            raise PayloadTooLargeError(f"text too long: {len(text)} characters (max {self.policy.max_chars})")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputValidationError(f"text is not valid Unicode (position {exc.start})") from exc
        if "\x00" in text:
            raise InputValidationError("text contains NUL bytes: binary input is not accepted")

    def _protected(self, doc: Doc) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        if "prescrit par la loi" not in doc.norm and "juge de l'execution" not in doc.norm:
            return out
        flat = doc.norm
        for para in self._l111_8:
            head = para[:40]
            pos = flat.find(head)
            if pos >= 0:
                out.append((pos, min(len(flat), pos + len(para) + 40)))
        return out

    def _apply_policy(self, found: list[Finding]) -> list[Finding]:
        out: list[Finding] = []
        for f in found:
            if f.family == "GUARD":
                out.append(f)
                continue
            level = self.policy.level_for(f.rule_id, f.family, f.severity)
            if level == "off":
                continue
            if level != f.severity:
                f = f.model_copy(update={"severity": level})
            out.append(f)
        return out


def verdict_of(findings: Sequence[Finding]) -> Verdict:
    if any(f.severity == "block" for f in findings):
        return "block"
    if findings:
        return "warn"
    return "pass"
