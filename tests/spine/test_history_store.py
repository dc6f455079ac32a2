"""Per-debtor history store (agent/kb/history.py): ranking, isolation, idempotent ingestion, persistence."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from agent.db.repo import list_debtor_ids, load_file
from agent.db.session import session_scope
from agent.domain import ContactView, DebtorFile
from agent.errors import ConfigError
from agent.kb.history import HistoryStore, StoredChunk
from agent.kb.index import KnowledgeIndex, history_path
from agent.settings import Settings
from tests.conftest import TODAY, make_settings


def _chunk(debtor: str, n: int, text: str = "") -> StoredChunk:
    return StoredChunk(id=f"{debtor}:{n:016x}", digest=f"h{n}", text=text or f"note {n} of {debtor}",
                       at=f"2026-01-0{n % 9 + 1}", channel="note", direction="in")


def test_store_ranks_by_cosine_with_ties_broken_by_id(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    vectors = np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3], [0, 5, 0]], dtype=np.float32)
    chunks = [_chunk("A", n) for n in range(4)]
    assert store.write([("A", chunks, vectors)]) == 1
    got = store.search("A", np.array([0.1, 1.0, 0.0], dtype=np.float32), k=3)
    # chunks 1 and 3 point the same way (cosine equal): the smaller id first, then the next best
    assert [r.chunk.id for r in got] == [chunks[1].id, chunks[3].id, chunks[0].id]
    expected = float(np.dot([0.1, 1.0, 0.0], [0, 1, 0]) / np.linalg.norm([0.1, 1.0, 0.0]))
    assert got[0].score == pytest.approx(expected, rel=1e-6)
    assert got[2].score == pytest.approx(0.1 / np.linalg.norm([0.1, 1.0, 0.0]), rel=1e-5)
    assert store.count() == 4 and store.debtors() == 1


def test_store_never_returns_another_debtors_chunks(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.write([("A", [_chunk("A", 1, "A's words")], np.ones((1, 4), np.float32)),
                 ("B", [_chunk("B", 1, "B's words")], np.ones((1, 4), np.float32))])
    assert [r.chunk.text for r in store.search("A", np.ones(4, np.float32), k=10)] == ["A's words"]
    assert store.search("C", np.ones(4, np.float32), k=10) == []
    with pytest.raises(ValueError, match="start with the debtor id"):
        store.write([("A", [_chunk("B", 2)], np.ones((1, 4), np.float32))])
    with pytest.raises(ValueError, match="debtor_id is required"):
        store.search("", np.ones(4, np.float32), k=1)
    # a row tampered with on disk (a chunk of B under A's key) is filtered on the way out
    con = sqlite3.connect(tmp_path / "h.sqlite3")
    con.execute("UPDATE debtor_history SET chunks = (SELECT chunks FROM debtor_history WHERE debtor_id = 'B') "
                "WHERE debtor_id = 'A'")
    con.commit()
    con.close()
    assert store.search("A", np.ones(4, np.float32), k=10) == []


def test_store_refuses_a_query_of_another_dimension(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.write([("A", [_chunk("A", 1)], np.ones((1, 4), np.float32))])
    with pytest.raises(ConfigError, match="run `amiable ingest`"):
        store.search("A", np.ones(8, np.float32), k=1)
    with pytest.raises(ValueError, match="shape"):
        store.write([("A", [_chunk("A", 1)], np.ones((2, 4), np.float32))])


def test_store_persists_across_processes_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).write([("A", [_chunk("A", 1), _chunk("A", 2)], np.eye(2, 3, dtype=np.float32))])
    again = HistoryStore(path).get("A")
    assert again is not None
    assert [c.id for c in again.chunks] == [_chunk("A", 1).id, _chunk("A", 2).id]
    assert np.array_equal(again.vectors, np.eye(2, 3, dtype=np.float32))
    assert HistoryStore(path).delete(["A", "Z"]) == 1
    assert HistoryStore(path).get("A") is None


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, loaded_settings: Settings) -> tuple[Settings, list[DebtorFile]]:
    tmp = tmp_path_factory.mktemp("kbhist")
    shutil.copytree(loaded_settings.knowledge_dir, tmp / "guidelines")
    s = make_settings(tmp, knowledge_dir=tmp / "guidelines", database_url=loaded_settings.effective_database_url)
    with session_scope(s.effective_database_url) as session:
        files = [load_file(session, i, TODAY) for i in list_debtor_ids(session)]
    return s, files


def test_ingestion_is_idempotent_and_embeds_only_changes(kb: tuple[Settings, list[DebtorFile]]) -> None:
    s, files = kb
    index = KnowledgeIndex.open(s)
    first = index.ingest_history(files)
    n = sum(len(index.history_chunks(f)) for f in files)
    assert first.total == first.added == n > 100
    assert index.counts()["history"] == n
    assert history_path(s, "use").is_file()
    again = index.ingest_history(files)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, n)
    target = next(f for f in files if len(index.history_chunks(f)) >= 2)
    before = index.history.get(target.id)
    assert before is not None
    new_contact = ContactView(at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), channel="phone", direction="in",
                              summary="Le débiteur annonce un virement de 120 euros vendredi prochain.")
    changed = target.model_copy(update={"contacts": (*target.contacts[1:], new_contact)})
    removed_text = index.history_chunks(target)[0].text
    third = index.ingest_history([changed])
    assert (third.added, third.deleted) == (1, 1)
    after = index.history.get(target.id)
    assert after is not None
    assert removed_text not in {c.text for c in after.chunks}
    kept = {c.id: n for n, c in enumerate(before.chunks)}
    for n, c in enumerate(after.chunks):  # unchanged chunks keep their stored vectors bit for bit
        if c.id in kept:
            assert np.array_equal(after.vectors[n], before.vectors[kept[c.id]])
    hits = KnowledgeIndex.open(s).search_history(target.id, "virement de 120 euros vendredi", k=1)
    assert hits[0].text.endswith(new_contact.summary) and hits[0].debtor_id == target.id
    assert hits[0].channel == "phone"



def test_an_older_index_history_is_moved_into_the_store_without_embedding(tmp_path: Path,
                                                                          loaded_settings: Settings) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    s = make_settings(tmp_path, knowledge_dir=loaded_settings.knowledge_dir)
    client = chromadb.PersistentClient(path=str(s.effective_chroma_path),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    legacy = client.get_or_create_collection("history_use", metadata={"hnsw:space": "cosine"},
                                             embedding_function=None)
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((4, 512)).astype(np.float32)
    rows = [("A:0000000000000001", "A", "A promet 50 euros"), ("A:0000000000000002", "A", "A conteste les frais"),
            ("B:0000000000000001", "B", "B a perdu son emploi"),
            ("B:0000000000000002", "A", "says A but the id is B's")]
    legacy.add(ids=[r[0] for r in rows], embeddings=vectors, documents=[r[2] for r in rows],
               metadatas=[{"debtor_id": r[1], "at": "2026-10-01T09:00:00+00:00", "channel": "phone",
                           "direction": "in", "hash": f"h{n}"} for n, r in enumerate(rows)])
    client.get_or_create_collection("history_ids_use", embedding_function=None)
    index = KnowledgeIndex.open(s)
    hits = index.search_history("A", "promesse", k=5, vector=vectors[0])
    assert [h.text for h in hits] == ["A promet 50 euros", "A conteste les frais"]  # the owner check held
    assert hits[0].score == pytest.approx(1.0, abs=1e-5) and hits[0].channel == "phone"
    assert [h.text for h in index.search_history("B", "emploi", k=5, vector=vectors[2])] == ["B a perdu son emploi"]
    assert index.history.count() == 3
    names = {getattr(c, "name", c) for c in client.list_collections()}
    assert "history_use" not in names and "history_ids_use" not in names
    assert KnowledgeIndex.open(s).migrate_legacy_history() == 0  # once
