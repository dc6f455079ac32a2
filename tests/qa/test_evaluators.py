"""Each evaluator on crafted texts: a good text passes, a bad one fails (and says why)."""

from __future__ import annotations

from typing import Any

import pytest

from agent.guard.base import Finding, GuardReport, Span
from agent.qa import evaluators as E
from agent.qa.evaluators.base import CaseOutput, EvalCase
from agent.qa.evaluators.readability import flesch, kandel_moles
from agent.qa.schema import Expectations, PlanExpect
from agent.qa.text import extract_claims, syllables_en, syllables_fr
from tests.conftest import TODAY, load_debtor

PASS = GuardReport(verdict="pass", lang="fr", policy_version="t", rules_run=1)


def out(text: str, lang: str = "fr", channel: str = "email", **kw: Any) -> CaseOutput:
    return CaseOutput(text=text, lang=lang, channel=channel, guard=kw.pop("guard", PASS), today=TODAY, **kw)


def case(lang: str = "fr", channel: str = "email", **kw: Any) -> EvalCase:
    return EvalCase(id="t", lang=lang, channel=channel, **kw)


GOOD_FR = ("Bonjour Madame Girard,\n\nMerci pour votre message. Nous comprenons que la période est difficile. "
           "Trouvons ensemble une solution adaptée : vous pouvez régler le solde en plusieurs fois, sans frais. "
           "Quel jour vous conviendrait pour en parler ?\n\nBien cordialement,\nLe service relation clients")
BAD_FR = ("Madame, vous êtes une mauvaise payeuse, c'est honteux. Dernière chance : payez immédiatement, "
          "faute de quoi nous engagerons des poursuites sans délai. Nonobstant vos excuses, la créance exigible "
          "susvisée demeure.")
GOOD_EN = ("Dear Ms Romero,\n\nThank you for your message. We understand this is a difficult time. We can find a "
           "simple solution together: you can pay in instalments at no extra cost. Which day would suit you?\n\n"
           "Kind regards")
BAD_EN = "You deadbeat. This is your last chance: pay immediately or face legal consequences. Shame on you, as usual."


def test_registry_names_and_versions() -> None:
    evs = E.build()
    assert {e.name for e in evs} == set(E.REGISTRY)
    assert all(e.version for e in evs)
    with pytest.raises(E.UnknownEvaluatorError, match="unknown evaluator.*toneX"):
        E.build(["tone", "toneX"])


@pytest.mark.parametrize(("good", "bad", "lang"), [(GOOD_FR, BAD_FR, "fr"), (GOOD_EN, BAD_EN, "en")])
def test_tone_good_passes_bad_fails(good: str, bad: str, lang: str) -> None:
    ev = E.REGISTRY["tone"]()
    g = ev.evaluate(case(lang, tags=("distressed",)), out(good, lang))
    b = ev.evaluate(case(lang, tags=("distressed",)), out(bad, lang))
    assert g.passed and not b.passed
    assert g.value > b.value
    assert b.subscores["politeness"] == 0.0  # insults
    assert any("insult" in s.note for s in b.spans)
    assert g.subscores["empathy"] > b.subscores["empathy"]
    assert set(g.subscores) == {"politeness", "empathy", "firmness", "positivity", "clarity"}


def test_tone_clarity_penalises_jargon_and_long_sentences() -> None:
    ev = E.REGISTRY["tone"]()
    long = "Nonobstant la créance exigible susvisée " + " ".join(["et"] * 60) + "."
    s = ev.evaluate(case(), out(long))
    assert s.subscores["clarity"] < 0.5


def test_syllables_and_formulas() -> None:
    assert syllables_fr("table") == 1 and syllables_fr("solution") >= 2 and syllables_fr("aujourd'hui") >= 2
    assert syllables_en("cat") == 1 and syllables_en("table") == 2 and syllables_en("difficulty") >= 3
    easy, _ = flesch("The cat sat. The dog ran. We can pay.")
    hard, _ = flesch("Notwithstanding the aforementioned considerations, indebtedness remuneration "
                     "necessitates comprehensive administrative reconsideration.")
    assert easy > 80 > 20 > hard
    fr_easy, _ = kandel_moles("Le chat dort. Nous payons. Tout va bien.")
    fr_hard, _ = kandel_moles("Nonobstant les considérations susmentionnées, la régularisation administrative "
                              "nécessite une reconsidération approfondie et circonstanciée.")
    assert fr_easy > fr_hard


def test_readability_fails_on_hard_text() -> None:
    ev = E.REGISTRY["readability"]()
    hard = ("Nonobstant les considérations susmentionnées relatives à l'exigibilité, la régularisation "
            "administrative nécessite impérativement une reconsidération approfondie et circonstanciée.")
    assert not ev.evaluate(case(), out(hard)).passed
    assert ev.evaluate(case(), out(GOOD_FR)).passed
    assert ev.evaluate(case("en"), out(GOOD_EN, "en")).details["formula"] == "flesch"


def test_length_per_channel() -> None:
    ev = E.REGISTRY["length"]()
    assert ev.evaluate(case(channel="sms"), out("Bonjour, merci de nous rappeler.", channel="sms")).passed
    s = ev.evaluate(case(channel="sms"), out("x" * 600, channel="sms"))
    assert not s.passed and s.value < 1 and s.details["max"] == 320
    assert not ev.evaluate(case(), out("Trop court.")).passed


def test_compliance_uses_guard_findings_and_rewording() -> None:
    text = "Ceci est votre dernier avis avant saisie."
    f = Finding(rule_id="FR-THREAT.seizure", family="FR-THREAT", severity="block",
                span=Span(start=16, end=40, text=text[16:40]), explanation="no title",
                legal_basis="C. consom. L121-2", rewording="ceci est une relance amiable")
    rep = GuardReport(verdict="block", lang="fr", policy_version="t", rules_run=1, findings=[f])
    s = E.REGISTRY["compliance"]().evaluate(case(), out(text, guard=rep))
    assert not s.passed and s.value == 0.0
    assert s.spans[0].rewording == "ceci est une relance amiable"
    warn = GuardReport(verdict="warn", lang="fr", policy_version="t", rules_run=1,
                       findings=[f.model_copy(update={"severity": "warn"})])
    w = E.REGISTRY["compliance"]().evaluate(case(), out(text, guard=warn))
    assert w.passed and w.value == pytest.approx(0.9)


def test_claims_extraction() -> None:
    kinds = [(c.kind, c.amount_cents or c.date or c.text) for c in
             extract_claims("Solde 1 234,56 € au 1er mars 2026, facture FA-2026-001 ; €12.50 by 3 March 2026.")]
    assert ("amount", 123456) in kinds and ("reference", "FA-2026-001") in kinds and ("amount", 1250) in kinds
    assert sum(1 for k, _ in kinds if k == "date") == 2


def test_grounding_traces_file_values_and_flags_invented_ones(qa_settings: Any) -> None:
    f = load_debtor(qa_settings, "D001")
    ev = E.REGISTRY["grounding"]()
    inv = f.invoices[0]
    from agent import fmt

    good = (f"Votre dossier {f.reference} : facture {inv.number} du {fmt.date(inv.issue_date, 'fr')}, "
            f"solde {fmt.money(f.signals.balance_cents, 'fr')}.")
    g = ev.evaluate(case(), out(good, file=f))
    assert g is not None and g.passed and g.details["claims"] == 4
    bad = good + " Des frais de 45,00 € s'ajoutent au 31 décembre 2026 (réf. ZZ-9999-1)."
    b = ev.evaluate(case(), out(bad, file=f))
    assert b is not None and not b.passed
    assert {s.text for s in b.spans} == {"45,00 €", "31 décembre 2026", "ZZ-9999-1"}
    # an amount the debtor wrote may be echoed
    echo = ev.evaluate(case(incoming="je peux payer 45 euros"), out("Vous proposez 45,00 €.", file=f))
    assert echo is not None and echo.passed


def test_personalisation_and_third_party_disclosure(qa_settings: Any) -> None:
    f = load_debtor(qa_settings, "D001")
    ev = E.REGISTRY["personalisation"]()
    vals = {"balance": "508,88 €"}
    g = ev.evaluate(case(), out(f"Bonjour Madame {f.last_name}, dossier {f.reference}, solde 508,88 €.",
                                file=f, values=vals))
    assert g is not None and g.passed
    generic = ev.evaluate(case(), out("Bonjour {{name}}, tu dois payer.", file=f, values=vals))
    assert generic is not None and not generic.passed
    assert set(generic.details["failed"]) >= {"no_placeholder", "addressee_named", "register"}
    third = ev.evaluate(case(tags=("third_party",)),
                        out(f"Nous cherchons à joindre Mme {f.last_name}. Elle a une dette de 508,88 €.", file=f))
    assert third is not None and not third.passed
    assert {"no_debt_disclosed", "no_amount_disclosed"} <= set(third.details["failed"])
    ok = ev.evaluate(case(tags=("third_party",)),
                     out(f"Nous cherchons à joindre Mme {f.last_name} au sujet d'une affaire personnelle.", file=f))
    assert ok is not None and ok.passed


def test_intent_accuracy() -> None:
    ev = E.REGISTRY["intent"]()
    c = case(expect=Expectations(intent=["hardship", "asks_for_plan"]))
    assert ev.evaluate(c, out("x", intent="hardship")).passed  # type: ignore[union-attr]
    assert not ev.evaluate(c, out("x", intent="dispute")).passed  # type: ignore[union-attr]
    assert ev.evaluate(case(), out("x", intent="dispute")) is None


def test_plan_validity(qa_runtime: Any, qa_settings: Any) -> None:
    from agent.plans.engine import quote_for_file

    f = load_debtor(qa_settings, "D001")
    options = quote_for_file(f, qa_runtime.plan_policy, today=TODAY)
    assert options
    ev = E.REGISTRY["plan"]()
    bounds = qa_runtime.plan_policy.policy_for(f.creditor.plan_profile)
    good = ev.evaluate(case(expect=Expectations(plan=PlanExpect(min_options=1, max_duration_months=24))),
                       out("x", file=f, plan_options=options, plan_bounds=bounds))
    assert good is not None and good.passed
    broken = options[-1].model_copy(update={"total_cents": options[-1].total_cents + 1})
    bad = ev.evaluate(case(), out("x", file=f, plan_options=[broken], plan_bounds=bounds))
    assert bad is not None and not bad.passed and "sum to" in bad.details["problems"][0]
    none = ev.evaluate(case(expect=Expectations(plan=PlanExpect(none=True))),
                       out("x", file=f, plan_options=options, facts={"plan_options": "..."}))
    assert none is not None and not none.passed


def test_expectations_citations_facts_phrases() -> None:
    ev = E.REGISTRY["expectations"]()
    exp = Expectations(cite_any=["hardship-job-loss"], facts=["reference"], must_include=["solution|arrangement"],
                       must_not_include=["frais de dossier"], sendable=True, next_action=["hardship_review"])
    o = out("Dossier CCR-1 : trouvons une solution.", citations=["hardship-job-loss"], values={"reference": "CCR-1"},
            sendable=True, next_action="hardship_review")
    assert ev.evaluate(case(expect=exp), o).passed  # type: ignore[union-attr]
    o2 = out("Des Frais de Dossier s'appliquent.", citations=["tone-positive"], values={"reference": "CCR-1"},
             sendable=False, next_action="send_reply")
    s = ev.evaluate(case(expect=exp), o2)
    assert s is not None and not s.passed and len(s.details["failed"]) == 6
    assert s.spans[0].text == "Frais de Dossier"


def test_llm_judge_skipped_without_endpoint_and_reports_spread(qa_settings: Any) -> None:
    from agent.qa.llm_judge import LlmJudgeEvaluator, parse_ratings

    judge = LlmJudgeEvaluator(runs=3, settings=qa_settings)
    assert "AMIABLE_LLM_BASE_URL" in (judge.skip_reason() or "")
    assert judge.evaluate(case(), out(GOOD_FR)) is None

    class FakeLLM:
        def __init__(self) -> None:
            self.n = 0

        def invoke(self, prompt: str) -> str:
            self.n += 1
            p = 3 + self.n % 2
            return f'Sure: {{"politeness": {p}, "empathy": 4, "firmness": 4, "clarity": 5, "lawfulness": 5}}'

    fake = FakeLLM()
    s = LlmJudgeEvaluator(runs=4, settings=qa_settings, llm=fake).evaluate(case(), out(GOOD_FR))
    assert s is not None and fake.n == 4
    assert s.details["stats"]["politeness"]["mean"] == 3.5 and s.details["stats"]["politeness"]["stdev"] > 0
    assert parse_ratings("no json") is None
