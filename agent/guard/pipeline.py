"""The guard pipeline: normalise once, run the enabled rules in order, apply the policy, decide."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agent.domain import Lang
from agent.errors import ConfigError, InputValidationError, PayloadTooLargeError
from agent.firm import Firm
from agent.guard.base import Finding, GuardContext, GuardReport, Jurisdiction, Rule, Verdict
from agent.guard.lang import detect_lang
from agent.guard.normalize import Doc, normalize, normalize_fragment
from agent.guard.policy import GuardPolicy
from agent.guard.registry import rules as registered_rules

if TYPE_CHECKING:
    from agent.guard.learned import LearnedLayer

log = logging.getLogger("amiable.guard")

INTERNAL_ERROR = "GUARD.internal-error"
TIMEOUT = "GUARD.timeout"


class Guard:
    """Deterministic compliance gate: ``check(text, ctx) -> GuardReport``. Thread-safe (no shared mutable state)."""

    def __init__(self, policy: GuardPolicy, firm: Firm, rules: Sequence[Rule] | None = None, *,
                 learned: LearnedLayer | None = None) -> None:
        self.policy = policy
        self.firm = firm
        if rules is None:
            rules = [cls(policy, firm) for f, cls in registered_rules().items() if f in policy.enabled_families]
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
        # the learned layer (agent.guard.learned): recall on top of the rules, never above their context decisions
        self.learned = learned if policy.learned.enabled else None
        self._lawful_rx = self._lawful_patterns()

    def _lawful_patterns(self) -> dict[str, re.Pattern[str]]:
        """Every lexicon entry's lawful look-alikes, one pattern per language (what the learned layer defers to)."""
        by_lang: dict[str, list[str]] = {}
        for rule in self.rules:
            for c in getattr(rule, "lexicon", ()):
                if c.lawful is not None:
                    by_lang.setdefault(c.entry.lang, []).append(c.lawful.pattern)
        return {lang: re.compile("|".join(f"(?:{p})" for p in pats)) for lang, pats in by_lang.items()}

    def lawful_known(self, doc: Doc, start: int, end: int) -> bool:
        """Whether the rules know a lawful look-alike in the normalised window [start, end): a lexicon lawful
        phrase, or a clause that is negated ("nous ne procéderons à aucune saisie"), informational (FAQ,
        definition) or a statement of the debtor's rights."""
        from agent.guard.rules._common import debtor_rights, informational, negated

        pat = self._lawful_rx.get(doc.lang)
        if pat is not None and pat.search(doc.norm, start, end):
            return True
        pos = start
        while pos < end:
            if negated(doc, pos) or informational(doc, pos) or debtor_rights(doc, pos):
                return True
            nxt = doc.sentence(pos)[1]
            pos = nxt if nxt > pos else end
        return False

    def file_cleared(self, text: str, ctx: GuardContext) -> list[tuple[int, int]]:
        """Raw spans the rules flag without the debtor file but not with it: where the file made a mention
        lawful (a title, a business debtor, a mandate...). Empty without a file."""
        if ctx.debtor is None:
            return []
        bare = ctx.model_copy(update={"debtor": None})
        doc = normalize(text)
        doc.lang = ctx.lang or detect_lang(doc.norm, "fr")
        doc.jurisdiction = self.jurisdiction_for(ctx)
        doc.protected = self._protected(doc)
        out: list[tuple[int, int]] = []
        for rule in self.rules:
            out.extend((f.span.start, f.span.end) for f in rule.check(doc, bare) if f.span is not None)
        return out

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
        else:
            # not on a statutory first letter: the firm's approved template, checked mention by mention (FR-MENTIONS)
            if self.learned is not None and not ctx.first_letter:
                findings.extend(self._learned(doc, ctx, findings, timings, started, budget_ns))
        return GuardReport(
            verdict=verdict_of(findings),
            findings=findings,
            lang=doc.lang,
            jurisdiction=jurisdiction,
            policy_version=self.policy.version,
            rules_run=len(self.rules),
            timings_ms=timings,
        )

    def _learned(self, doc: Doc, ctx: GuardContext, findings: list[Finding], timings: dict[str, float],
                 started: int, budget_ns: int) -> list[Finding]:
        assert self.learned is not None
        clock = time.perf_counter_ns
        if clock() - started > budget_ns:
            return [Finding(
                rule_id=TIMEOUT, family="GUARD", severity="block", span=None,
                explanation=(f"the check exceeded its time budget of {self.policy.time_budget_ms} ms before the "
                             "learned layer ran; the text is blocked"),
                legal_basis="guard safety policy (fail closed)",
            )]
        t0 = clock()
        try:
            cleared: list[tuple[int, int]] | None = None

            def known(d: Doc, a: int, b: int) -> bool:
                nonlocal cleared
                if self.lawful_known(d, a, b):
                    return True
                if ctx.debtor is None:
                    return False
                if cleared is None:  # only for a passage about to block, and only with a file: one more rule pass
                    cleared = self.file_cleared(d.raw, ctx.model_copy(update={"lang": d.lang}))
                ra, rb = d.raw_range(a, b)
                return any(x < rb and ra < y for x, y in cleared)

            found = self.learned.findings(doc, ctx, findings, known)
        except Exception as exc:  # a faulty layer must block, never pass
            log.exception("guard learned layer failed")
            found = [Finding(
                rule_id=INTERNAL_ERROR, family="GUARD", severity="block", span=None,
                explanation=f"the learned layer raised {type(exc).__name__}; the text is blocked until fixed",
                legal_basis="guard safety policy (fail closed)",
            )]
        timings[self.learned.family] = round((clock() - t0) / 1e6, 4)
        return self._apply_policy(found) if found else []

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
