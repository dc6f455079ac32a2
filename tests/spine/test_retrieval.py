"""Chroma index: idempotent ingestion, stale removal, per-debtor history isolation, real citations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.db.repo import list_debtor_ids, load_file
from agent.db.session import session_scope
from agent.kb.corpus import load_corpus
from agent.kb.index import KnowledgeIndex
from agent.settings import Settings
from tests.conftest import TODAY, make_settings


@pytest.fixture(scope="module")
def kb_settings(tmp_path_factory: pytest.TempPathFactory, loaded_settings: Settings) -> Settings:
    tmp = tmp_path_factory.mktemp("kb")
    corpus = tmp / "guidelines"
    shutil.copytree(loaded_settings.knowledge_dir, corpus)
    return make_settings(tmp, knowledge_dir=corpus, database_url=loaded_settings.effective_database_url)


def test_corpus_is_large_and_bilingual(loaded_settings: Settings) -> None:
    sections = load_corpus(loaded_settings.knowledge_dir)
    fr = {s.id for s in sections if s.lang == "fr"}
    en = {s.id for s in sections if s.lang == "en"}
    assert len(fr) >= 40 and len(en) >= 10
    assert en <= fr  # every English page translates a French one


def test_ingestion_is_idempotent_and_removes_stale_chunks(kb_settings: Settings) -> None:
    index = KnowledgeIndex.open(kb_settings)
    first = index.ingest_guidelines()
    assert first.added == first.total > 40
    again = index.ingest_guidelines()
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, first.total)
    # edit one page, delete another: only those chunks change
    pages = sorted(Path(kb_settings.knowledge_dir, "fr").glob("*.md"))
    edited, removed = pages[0], pages[-1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nPhrase ajoutée pour le test.\n", encoding="utf-8")
    n_removed = len([s for s in load_corpus(kb_settings.knowledge_dir) if s.path == str(removed)])
    removed.unlink()
    index2 = KnowledgeIndex.open(kb_settings)
    third = index2.ingest_guidelines()
    assert third.updated == 1
    assert third.deleted == n_removed
    assert index2.counts()["guidelines"] == third.total


def test_history_is_scoped_to_one_debtor(kb_settings: Settings) -> None:
    index = KnowledgeIndex.open(kb_settings)
    with session_scope(kb_settings.effective_database_url) as s:
        files = [load_file(s, i, TODAY) for i in list_debtor_ids(s)]
    stats = index.ingest_history(files)
    assert stats.total > 100
    with_notes = [f for f in files if index.history_chunks(f)]
    a, b = with_notes[0], with_notes[1]
    probe = index.history_chunks(b)[0].text  # B's own words, queried on A's file
    hits = index.search_history(a.id, probe, k=10)
    assert hits and all(h.debtor_id == a.id for h in hits)
    assert all(probe not in h.text for h in hits)
    assert index.search_history(b.id, probe, k=1)[0].text == probe
    with pytest.raises(ValueError):
        index.search_history("", probe)


@pytest.mark.parametrize(
    ("query", "lang", "expected_page"),
    [
        ("Le débiteur a perdu son emploi et ne peut plus payer", "fr", "hardship"),
        ("Le client conteste la facture, il dit n'avoir jamais rien commandé", "fr", "disputes"),
        ("Which hours may we call a debtor on the phone?", "en", "channels"),
    ],
)
def test_search_returns_the_relevant_page(kb_settings: Settings, query: str, lang: str, expected_page: str) -> None:
    index = KnowledgeIndex.open(kb_settings)
    index.ingest_guidelines()
    hits = index.search_guidelines(query, lang=lang, k=4)
    assert expected_page in {h.page for h in hits}
    assert len({h.id for h in hits}) == len(hits)
