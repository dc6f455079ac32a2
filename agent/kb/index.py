"""Chroma-backed index of the guidelines and of each debtor's free-text history.

* Idempotent ingestion: each chunk's id is stable and its metadata carries a content hash;
  unchanged chunks are skipped, changed ones replaced, stale ones deleted.
* Debtor history lives in a per-debtor store (``agent/kb/history.py``: one SQLite row per debtor
  holding its chunks and their float32 vectors, written at ingestion) and every query on it names
  the debtor: one primary-key read ranked in numpy, whatever the number of debtors; every hit is
  re-checked to belong to the debtor. The API has no way to search history without naming the debtor.
* The embedding function is always passed explicitly (Chroma's default downloads a model).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel

from agent.domain import DebtorFile
from agent.kb.corpus import Section, load_corpus
from agent.kb.embeddings import OfflineEmbeddings, get_embeddings
from agent.kb.history import HistoryStore, StoredChunk
from agent.kb.lexical import BM25
from agent.settings import Settings

Progress = Callable[[int], None]
K = TypeVar("K")
V = TypeVar("V")


class IngestStats(BaseModel):
    collection: str
    total: int
    added: int
    updated: int
    unchanged: int
    deleted: int
    seconds: float

    @property
    def chunks_per_s(self) -> float:
        embedded = self.added + self.updated
        return embedded / self.seconds if self.seconds > 0 and embedded else 0.0


class Hit(BaseModel):
    id: str
    lang: str
    page: str
    title: str
    text: str
    score: float


class HistoryHit(BaseModel):
    debtor_id: str
    text: str
    at: str
    channel: str
    score: float


@dataclass
class _Chunk:
    id: str
    text: str
    meta: dict[str, Any]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class _LRU(Generic[K, V]):
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class _VectorCache:
    """A thread-safe LRU of float32 query vectors bounded in bytes (not in entries)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: np.ndarray) -> None:
        vec = np.ascontiguousarray(value, dtype=np.float32)
        vec.setflags(write=False)  # shared between requests: nobody may modify it in place
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old.nbytes + len(key)
            self._data[key] = vec
            self.bytes += vec.nbytes + len(key)
            while self.bytes > self.max_bytes and self._data:
                k, v = self._data.popitem(last=False)
                self.bytes -= v.nbytes + len(k)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


def history_path(settings: Settings, embedding: str) -> Path:
    """The per-debtor history store, one file per embedding: beside the guidelines' on-disk Chroma data, or in
    the data dir's ``history/`` folder when the guidelines live on a Chroma server (workers on several hosts
    then share the data dir, as they already do for the audit head)."""
    if settings.chroma_host:
        return settings.data_dir / "history" / f"history_{embedding}.sqlite3"
    return settings.effective_chroma_path / f"history_{embedding}.sqlite3"


def _chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
    path = settings.effective_chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=cs)


class KnowledgeIndex:
    def __init__(self, client: Any, embeddings: OfflineEmbeddings, sections: list[Section], history_path: Path,
                 lexical_weight: float = 0.0, vector_cache_mb: int = 64, hit_cache_entries: int = 4_096) -> None:
        from langchain_chroma import Chroma

        self.embeddings = embeddings
        # Bounded caches: float32 query vectors sized in bytes (64 MB holds ~30,000 USE vectors) and
        # search results (entries of a few KB each). The corpus is a snapshot taken at start-up anyway;
        # this process's own ingestion clears them.
        self._vectors = _VectorCache(vector_cache_mb * 1024 * 1024)
        # The hit caches keep compact tuples (section key and score; a history hit's fields), not models:
        # ~200 bytes an entry instead of ~4 KB, and every caller gets fresh Hit objects.
        self._guideline_hits: _LRU[tuple[str, str | None, int, int, float], tuple[tuple[str, float], ...]] = \
            _LRU(hit_cache_entries)
        self._history_hits: _LRU[tuple[str, str, int], tuple[tuple[str, str, str, float], ...]] = \
            _LRU(hit_cache_entries)
        self.sections = {s.key: s for s in sections}
        self.lexical_weight = lexical_weight
        self.lexical = BM25({s.key: f"{s.title} {s.title} {s.text}" for s in sections})
        suffix = embeddings.name
        self.guidelines = Chroma(client=client, collection_name=f"guidelines_{suffix}",
                                 embedding_function=embeddings, collection_metadata={"hnsw:space": "cosine"})
        self.history = HistoryStore(history_path)
        self._client = client
        self._legacy_checked = False

    @classmethod
    def open(cls, settings: Settings) -> KnowledgeIndex:
        sections = load_corpus(settings.knowledge_dir)
        embeddings = get_embeddings(settings.embedding, settings.embedding_threads, settings.embedding_ingest_threads)
        return cls(_chroma_client(settings), embeddings, sections, history_path(settings, embeddings.name),
                   lexical_weight=settings.retrieval_lexical_weight, vector_cache_mb=settings.vector_cache_mb,
                   hit_cache_entries=settings.hit_cache_entries)

    def warm_up(self) -> float:
        """Load the embedding model now (one throw-away query); returns the seconds it took."""
        start = time.perf_counter()
        self.embeddings.embed_query("warm-up")
        return time.perf_counter() - start

    # ---------------------------------------------------------------- ingestion
    def _sync(self, store: Any, chunks: Sequence[_Chunk], progress: Progress | None, batch: int = 16) -> IngestStats:
        start = time.perf_counter()
        coll = store._collection
        existing = coll.get(include=["metadatas"])
        have = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"], strict=True)}
        wanted = {c.id: c for c in chunks}
        stale = [i for i in have if i not in wanted]
        todo = [c for c in chunks if have.get(c.id) != c.digest]
        updated = sum(1 for c in todo if c.id in have)
        if stale:
            coll.delete(ids=stale)
        for n in range(0, len(todo), batch):
            part = todo[n:n + batch]
            store.add_texts(texts=[c.text for c in part], ids=[c.id for c in part],
                            metadatas=[{**c.meta, "hash": c.digest} for c in part])
            if progress:
                progress(len(part))
        return IngestStats(collection=coll.name, total=len(chunks), added=len(todo) - updated, updated=updated,
                           unchanged=len(chunks) - len(todo), deleted=len(stale),
                           seconds=time.perf_counter() - start)

    def guideline_chunks(self) -> list[_Chunk]:
        return [_Chunk(id=s.key, text=f"{s.title}\n{s.text}",
                       meta={"section_id": s.id, "lang": s.lang, "page": s.page, "title": s.title})
                for s in self.sections.values()]

    def ingest_guidelines(self, progress: Progress | None = None) -> IngestStats:
        self._guideline_hits.clear()
        return self._sync(self.guidelines, self.guideline_chunks(), progress)

    @staticmethod
    def history_chunks(file: DebtorFile) -> list[_Chunk]:
        chunks = []
        for c in file.contacts:
            if not c.summary.strip():
                continue
            text = f"{c.at.date().isoformat()} {c.channel} {'reçu' if c.direction == 'in' else 'envoyé'}: {c.summary}"
            key = hashlib.sha256(f"{c.at.isoformat()}|{c.channel}|{c.summary}".encode()).hexdigest()[:16]
            chunks.append(_Chunk(id=f"{file.id}:{key}", text=text,
                                 meta={"debtor_id": file.id, "at": c.at.isoformat(), "channel": c.channel,
                                       "direction": c.direction}))
        for d in file.disputes:
            key = hashlib.sha256(f"dispute|{d.opened_on}|{d.reason}".encode()).hexdigest()[:16]
            chunks.append(_Chunk(id=f"{file.id}:{key}", text=f"{d.opened_on.isoformat()} contestation: {d.reason}",
                                 meta={"debtor_id": file.id, "at": d.opened_on.isoformat(), "channel": "dispute",
                                       "direction": "in"}))
        return chunks

    def ingest_history(self, files: Iterable[DebtorFile], progress: Progress | None = None,
                       batch: int = 64) -> IngestStats:
        """Sync each debtor's history row: unchanged chunks keep their vectors, new or changed ones are
        embedded (batched across debtors), removed ones dropped; one transaction per batch."""
        self._history_hits.clear()
        self.migrate_legacy_history()  # an older index's vectors are reused, not embedded again
        start = time.perf_counter()
        counts = {"total": 0, "added": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        pending: list[tuple[str, list[_Chunk], dict[str, np.ndarray]]] = []
        todo: list[_Chunk] = []

        def flush() -> None:
            vectors = self._embed_batch([c.text for c in todo])
            fresh = {c.id: vectors[n] for n, c in enumerate(todo)}
            rows = []
            for debtor_id, chunks, kept in pending:
                matrix = np.stack([kept[c.id] if c.id in kept else fresh[c.id] for c in chunks]) if chunks \
                    else np.zeros((0, vectors.shape[1] if len(vectors) else max(self.embeddings.dim, 1)), np.float32)
                rows.append((debtor_id, [StoredChunk(c.id, c.digest, c.text, str(c.meta["at"]), str(c.meta["channel"]),
                                                     str(c.meta["direction"])) for c in chunks], matrix))
            self.history.write(rows)
            if progress and todo:
                progress(len(todo))
            pending.clear()
            todo.clear()

        for f in files:
            chunks = list({c.id: c for c in self.history_chunks(f)}.values())
            old = self.history.get(f.id)
            have = {c.id: (c.digest, old.vectors[n]) for n, c in enumerate(old.chunks)} if old else {}
            kept = {c.id: have[c.id][1] for c in chunks if c.id in have and have[c.id][0] == c.digest}
            new = [c for c in chunks if c.id not in kept]
            counts["total"] += len(chunks)
            counts["unchanged"] += len(kept)
            counts["updated"] += sum(1 for c in new if c.id in have)
            counts["added"] += sum(1 for c in new if c.id not in have)
            counts["deleted"] += sum(1 for i in have if i not in {c.id for c in chunks})
            if old is not None and not new and len(kept) == len(have):
                continue  # nothing changed for this debtor: no write
            pending.append((f.id, chunks, kept))
            todo.extend(new)
            if len(todo) >= batch or len(pending) >= 256:
                flush()
        if pending:
            flush()
        return IngestStats(collection="history", seconds=time.perf_counter() - start, **counts)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, max(self.embeddings.dim, 1)), dtype=np.float32)
        return np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1)

    def migrate_legacy_history(self, page: int = 1_000) -> int:
        """Copy an older index's history (the Chroma collection ``history_<embedding>``) into the per-debtor
        store once, vectors included (nothing is embedded again); returns the chunks copied. Runs only
        while the store is empty; the old collections are then dropped."""
        if self._legacy_checked:
            return 0
        self._legacy_checked = True
        name = f"history_{self.embeddings.name}"
        names = {getattr(c, "name", c) for c in self._client.list_collections()}
        if name not in names or self.history.debtors():
            return 0
        coll = self._client.get_collection(name)
        by_debtor: dict[str, list[tuple[StoredChunk, np.ndarray]]] = {}
        for offset in range(0, int(coll.count()), page):
            got = coll.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
            for cid, vec, doc, meta in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"],
                                           strict=True):
                meta = meta or {}
                debtor_id = str(meta.get("debtor_id", ""))
                if not debtor_id or not str(cid).startswith(f"{debtor_id}:"):
                    continue  # not provably this debtor's: left behind rather than guessed
                chunk = StoredChunk(str(cid), str(meta.get("hash", "")), str(doc or ""), str(meta.get("at", "")),
                                    str(meta.get("channel", "")), str(meta.get("direction", "")))
                by_debtor.setdefault(debtor_id, []).append((chunk, np.asarray(vec, dtype=np.float32)))
        self.history.write((d, [c for c, _ in items], np.stack([v for _, v in items]))
                           for d, items in sorted(by_debtor.items()))
        for old in (name, f"history_ids_{self.embeddings.name}"):
            if old in names:
                self._client.delete_collection(old)
        return sum(len(v) for v in by_debtor.values())

    def counts(self) -> dict[str, int]:
        return {"guidelines": int(self.guidelines._collection.count()),
                "history": self.history.count()}

    # ---------------------------------------------------------------- retrieval
    def prefill_queries(self, texts: list[str], batch: int = 64) -> int:
        """Embed many future queries in batches (much faster than one by one); returns how many were new.

        Only for encoders whose query and document embeddings are the same function (USE).
        """
        if self.embeddings.name != "use":
            return 0
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            for text, vec in zip(chunk, self.embeddings.embed_documents(chunk), strict=True):
                self._vectors.put(text, np.asarray(vec, dtype=np.float32))
        return len(todo)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a query once (float32, read-only): drafting reuses it for intent, guidelines and history."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self.embeddings.embed_query_array(text)
            self._vectors.put(text, vector)
        return vector

    def search_guidelines(self, query: str, *, lang: str | None = None, k: int = 4,
                          rrf_k: int = 60, depth: int = 20,
                          lexical_weight: float | None = None,
                          vector: np.ndarray | list[float] | None = None) -> list[Hit]:
        """Top-k sections by reciprocal rank fusion of dense (Chroma) and BM25 rankings.

        One hit per section id, returned in ``lang`` when a version exists in that language.
        """
        weight = self.lexical_weight if lexical_weight is None else lexical_weight
        key = (query, lang, k, depth, weight)
        cached = self._guideline_hits.get(key)
        if cached is not None:
            return [self._hit(self.sections[section_key], score) for section_key, score in cached]
        q = np.asarray(vector if vector is not None else self.embed_query(query), dtype=np.float32)
        dense = self.guidelines.similarity_search_by_vector_with_relevance_scores(q.tolist(), k=depth)
        fused: dict[str, float] = {}
        similarity: dict[str, float] = {}
        for doc, distance in dense:  # one rank per section id, whatever its language versions
            sid = str(doc.metadata["section_id"])
            if sid not in similarity:
                similarity[sid] = 1.0 - float(distance)
                fused[sid] = 1.0 / (rrf_k + len(similarity))
        seen_lex: set[str] = set()
        for chunk_key, _score in (self.lexical.search(query, k=depth * 2) if weight > 0 else []):
            sid = chunk_key.split(":", 1)[1]
            if sid in seen_lex:
                continue
            seen_lex.add(sid)
            fused[sid] = fused.get(sid, 0.0) + weight / (rrf_k + len(seen_lex))
        hits: list[Hit] = []
        for sid in sorted(fused, key=lambda i: -fused[i]):
            section = (self.sections.get(f"{lang}:{sid}") if lang else None) or self.sections.get(f"fr:{sid}") \
                or self.sections.get(f"en:{sid}")
            if section is None:  # index older than corpus: skip stale entries
                continue
            hits.append(self._hit(section, round(similarity.get(sid, 0.0), 4)))
            if len(hits) == k:
                break
        self._guideline_hits.put(key, tuple((f"{h.lang}:{h.id}", h.score) for h in hits))
        return hits

    @staticmethod
    def _hit(section: Section, score: float) -> Hit:
        return Hit(id=section.id, lang=section.lang, page=section.page, title=section.title, text=section.text,
                   score=score)

    def search_history(self, debtor_id: str, query: str, *, k: int = 3,
                       vector: np.ndarray | list[float] | None = None) -> list[HistoryHit]:
        """The debtor's own history only: one read of the debtor's row, ranked in numpy, checked on the way out.

        Cost depends on the debtor's chunk count, not on the number of debtors or chunks stored.
        """
        if not debtor_id:
            raise ValueError("debtor_id is required to search history")
        key = (debtor_id, query, k)
        cached = self._history_hits.get(key)
        if cached is not None:
            return [HistoryHit(debtor_id=debtor_id, text=text, at=at, channel=channel, score=score)
                    for text, at, channel, score in cached]
        q = np.asarray(vector if vector is not None else self.embed_query(query), dtype=np.float32)
        self.migrate_legacy_history()
        hits = [HistoryHit(debtor_id=debtor_id, text=r.chunk.text, at=r.chunk.at, channel=r.chunk.channel,
                           score=round(r.score, 4))
                for r in self.history.search(debtor_id, q, k)]
        self._history_hits.put(key, tuple((h.text, h.at, h.channel, h.score) for h in hits))
        return hits
