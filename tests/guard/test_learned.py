"""The guard's learned layer: shipped weights tied to the corpus, findings that explain themselves, and the
combination rules (rules decide in context; lawful look-alikes never block; a failing layer blocks)."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from agent.corpus_collector import CORPUS_DIR, load_split
from agent.errors import ConfigError
from agent.firm import load_firm
from agent.guard import Guard, GuardContext
from agent.guard.learned import (
    CATEGORIES,
    MODEL_FILE,
    WINDOW_CHARS,
    LearnedLayer,
    LearnedModel,
    load_categories,
    load_model,
    shipped_model,
    unit,
    windows,
)
from agent.guard.normalize import normalize
from agent.guard.policy import GuardPolicy, load_guard_policy
from agent.kb.embeddings import get_embeddings
from agent.settings import REPO_ROOT
from tests.guard.conftest import FIRM_FILE, POLICY_FILE
from tests.guard.factories import build

runner = CliRunner()


def _model() -> LearnedModel:
    model = shipped_model()
    assert model is not None, "no learned model ships: run `amiable guard train`"
    return model


@lru_cache(maxsize=8)
def _guard(jurisdiction: str = "FR", probe: bool = False, overrides: tuple[tuple[str, str], ...] = ()) -> Guard:
    """The real policy and firm with the shipped layer; ``probe`` lowers both thresholds so every uncovered
    window yields a finding (block unless the rules know a lawful look-alike)."""
    base = load_guard_policy(POLICY_FILE)
    policy = GuardPolicy.model_validate({**base.model_dump(), "jurisdiction": jurisdiction,
                                         "severity_overrides": dict(overrides)})
    model = _model()
    if probe:
        model = replace(model, warn_threshold=1e-9, block_threshold=1e-9)
    return Guard(policy, firm=load_firm(FIRM_FILE), learned=LearnedLayer(model, get_embeddings("use")))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_weights_match_the_corpus_they_were_trained_on() -> None:
    model = _model()
    m = model.manifest
    assert m["train_sha256"] == _sha(CORPUS_DIR / "train.jsonl"), "train split changed: run `amiable guard train`"
    assert m["dev_sha256"] == _sha(CORPUS_DIR / "dev.jsonl"), "dev split changed: run `amiable guard train`"
    assert m["embedding"] == "use" and m["categories"] == list(CATEGORIES)
    train = load_split("train")
    assert [e.id for e in model.examples] == [it.id for it in train]
    assert {e.source for e in model.examples} == {it.source for it in train}
    test_ids = {it.id for it in load_split("test")}
    assert not test_ids & {e.id for e in model.examples}, "a TEST item is among the shipped examples"
    # the stored example vectors are this embedding of these texts (not vectors of another corpus)
    emb = get_embeddings("use")
    idx = [0, len(train) // 2, len(train) - 1]
    fresh = unit(np.asarray(emb.embed_documents([normalize(train[i].text).norm[:1000] for i in idx])))
    cos = np.sum(fresh * model.example_vectors[idx], axis=1)
    assert np.all(cos > 0.999), cos
    assert 0 < model.warn_threshold <= model.block_threshold <= 1


def test_windows_are_bounded_ordered_and_cover_the_text() -> None:
    text = ("Bonjour Madame. " * 40) + "x" * 900 + " fin. Second paragraph; with a clause: and another\n" * 5
    doc = normalize(text)
    spans = windows(doc)
    assert spans
    assert all(0 <= a < b <= len(doc.norm) for a, b in spans)
    assert all(b - a <= WINDOW_CHARS + 1 for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    covered = np.zeros(len(doc.norm), dtype=bool)
    for a, b in spans:
        covered[a:b] = True
    assert all(covered[i] for i, c in enumerate(doc.norm) if not c.isspace() and c not in ".;:")


def test_a_learned_finding_explains_itself() -> None:
    rules = _guard("FR", probe=True)
    rules_only = Guard(rules.policy, firm=rules.firm)
    item = next(it for it in load_split("train")
                if it.label == "unlawful" and len(it.text) < 300
                and not rules_only.check(it.text, GuardContext(lang=it.lang, jurisdiction=it.jurisdiction)).findings)
    report = rules.check(item.text, GuardContext(lang=item.lang, jurisdiction=item.jurisdiction))
    learned = [f for f in report.findings if f.family == "LEARNED"]
    assert learned, report.findings
    f = learned[0]
    assert f.span is not None and item.text[f.span.start:f.span.end] == f.span.text
    assert f.category in CATEGORIES and f.rule_id == f"LEARNED.{f.category.replace('_', '-')}"
    assert f.score is not None and 0.0 <= f.score <= 1.0
    assert f.legal_basis and f.rewording and f.explanation
    assert len(f.neighbours) == 2
    assert all(n.source and n.id.startswith("col-") and n.label in ("lawful", "unlawful") for n in f.neighbours)
    assert f.neighbours[0].id == item.id and f.neighbours[0].similarity > 0.95  # a TRAIN text is nearest itself
    assert f.neighbours[0].id in f.explanation


def test_a_passage_a_rule_judged_gets_no_learned_finding() -> None:
    text = "Notre huissier passera demain pour la saisie de vos meubles."
    report = _guard("FR", probe=True).check(text, GuardContext(lang="fr"))
    rules = [f for f in report.findings if f.family != "LEARNED"]
    assert any(f.severity == "block" for f in rules)
    assert not [f for f in report.findings if f.family == "LEARNED"]


@pytest.mark.parametrize(("text", "file"), [
    ("Nous ne procéderons à aucune saisie sur vos biens.", None),  # negated
    ("Qu'est-ce qu'un commissaire de justice ? C'est un officier public.", None),  # informational
    ("Vous avez le droit de contester cette créance devant le tribunal compétent.", None),  # rights
    ("Les pénalités de retard prévues à vos conditions générales sont dues.", "business"),  # the file makes it lawful
    ("We will not take any legal action against you.", None),
])
def test_a_lawful_look_alike_the_rules_know_never_blocks(text: str, file: str | None) -> None:
    lang = "en" if text.startswith("We") else "fr"
    report = _guard("FR", probe=True).check(text, GuardContext(lang=lang, debtor=build(file)))
    learned = [f for f in report.findings if f.family == "LEARNED"]
    assert learned, "the probe layer flags every uncovered window"
    assert all(f.severity == "warn" for f in learned)
    assert "lawful look-alike" in learned[0].explanation


def test_the_same_text_blocks_through_the_probe_when_no_look_alike_is_known() -> None:
    text = "Please call us back about your account."
    report = _guard("US", probe=True).check(text, GuardContext(lang="en"))
    assert report.verdict == "block"
    assert any(f.family == "LEARNED" and f.severity == "block" for f in report.findings)


def test_policy_can_keep_the_layer_advisory_or_off() -> None:
    text = "Please call us back about your account."
    advisory = _guard("US", probe=True, overrides=(("LEARNED", "warn"),)).check(text, GuardContext(lang="en"))
    assert [f.severity for f in advisory.findings if f.family == "LEARNED"] == ["warn"] * len(
        [f for f in advisory.findings if f.family == "LEARNED"])
    assert any(f.family == "LEARNED" for f in advisory.findings)
    base = load_guard_policy(POLICY_FILE)
    off = GuardPolicy.model_validate({**base.model_dump(), "learned": {"enabled": False}})
    g = Guard(off, firm=load_firm(FIRM_FILE), learned=LearnedLayer(_model(), get_embeddings("use")))
    assert g.learned is None
    assert not [f for f in g.check(text, GuardContext(lang="en")).findings if f.family == "LEARNED"]


class _BrokenEmbedding:
    name = "use"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("embedding backend down")


def test_a_failing_layer_blocks() -> None:
    base = load_guard_policy(POLICY_FILE)
    g = Guard(base, firm=load_firm(FIRM_FILE), learned=LearnedLayer(_model(), _BrokenEmbedding()))
    report = g.check("Bonjour, merci de votre règlement.", GuardContext(lang="fr"))
    assert report.verdict == "block"
    assert [f.rule_id for f in report.findings] == ["GUARD.internal-error"]


def test_a_model_trained_on_another_embedding_is_refused() -> None:
    class Other(_BrokenEmbedding):
        name = "e5"

    with pytest.raises(ConfigError, match="retrain"):
        LearnedLayer(_model(), Other())


def test_every_case_table_keeps_its_outcome_with_the_shipped_layer() -> None:
    from tests.guard import test_cases as tc

    layer = LearnedLayer(_model(), get_embeddings("use"))
    wrong = []
    for case in tc.CASES:
        guard = tc.guard_for(case.get("jurisdiction", "FR"))
        with_layer = Guard(guard.policy, firm=guard.firm, learned=layer)
        report = _run_with(with_layer, case)
        if not tc.outcome_ok(case, report):
            wrong.append((case["id"], report.verdict))
    assert not wrong, wrong


def _run_with(guard: Guard, case: dict[str, object]) -> object:
    import datetime as dt

    ctx_data = dict(case.get("ctx") or {})  # type: ignore[call-overload]
    if "scheduled_at" in ctx_data:
        ctx_data["scheduled_at"] = dt.datetime.fromisoformat(ctx_data["scheduled_at"])
    if "authorised_amounts_cents" in ctx_data:
        ctx_data["authorised_amounts_cents"] = frozenset(ctx_data["authorised_amounts_cents"])
    ctx = GuardContext(lang=case["lang"], debtor=build(case.get("file"), **(case.get("file_overrides") or {})),  # type: ignore[arg-type]
                       **ctx_data)
    return guard.check(str(case["text"]), ctx)


def test_no_approved_library_message_is_blocked_by_the_layer() -> None:
    layer = LearnedLayer(_model(), get_embeddings("use"))
    base = load_guard_policy(POLICY_FILE)
    g = Guard(base, firm=load_firm(FIRM_FILE), learned=layer)
    checked = 0
    for path in sorted((REPO_ROOT / "prompts" / "library").glob("*.yaml")):
        for t in yaml.safe_load(path.read_text(encoding="utf-8"))["templates"]:
            text = re.sub(r"\{[a-z_]+\}", "X", t["text"])
            report = g.check(text, GuardContext(lang=t["lang"]))
            assert not [f for f in report.findings if f.family == "LEARNED" and f.severity == "block"], t["id"]
            checked += 1
    assert checked >= 20


def test_broken_model_or_category_files_stop_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"not a zip")
    (tmp_path / "model.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="unusable"):
        load_model(bad)
    assert load_model(tmp_path / "absent.npz") is None
    cats = tmp_path / "categories.yaml"
    data = yaml.safe_load((MODEL_FILE.parent / "categories.yaml").read_text(encoding="utf-8"))
    del data["categories"]["insult"]
    cats.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="insult"):
        load_categories(cats)


def test_guard_train_retrains_from_a_corpus_folder(tmp_path: Path) -> None:
    from agent.cli.main import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split in ("train", "dev"):
        lines = (CORPUS_DIR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        (corpus / f"{split}.jsonl").write_text("\n".join(lines[:: 3]) + "\n", encoding="utf-8")
    shutil.copy(CORPUS_DIR / "GUIDE.md", corpus / "GUIDE.md")
    out = tmp_path / "m" / "model.npz"
    result = runner.invoke(app, ["guard", "train", "--corpus", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = load_model(out)
    assert model is not None
    assert model.manifest["train_sha256"] == _sha(corpus / "train.jsonl")
    assert len(model.examples) == len(load_split("train", corpus))
    assert 0 < model.warn_threshold <= model.block_threshold <= 1
    missing = runner.invoke(app, ["guard", "train", "--corpus", str(tmp_path / "nowhere"), "--out", str(out)])
    assert missing.exit_code == 2 and "no train.jsonl" in missing.output
