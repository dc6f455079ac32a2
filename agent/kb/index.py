"""Chroma-backed index of the guidelines and of each debtor's free-text history.

* Idempotent ingestion: each chunk's id is stable and its metadata carries a content hash;
  unchanged chunks are skipped, changed ones replaced, stale ones deleted.
* Debtor history lives in its own collection and every query on it is filtered by
  ``debtor_id``: the API has no way to search history without naming the debtor.
* The embedding function is always passed explicitly (Chroma's default downloads a model).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from agent.domain import DebtorFile
from agent.kb.corpus import Section, load_corpus
from agent.kb.embeddings import OfflineEmbeddings, get_embeddings
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
    def __init__(self, client: Any, embeddings: OfflineEmbeddings, sections: list[Section],
                 lexical_weight: float = 0.0) -> None:
        from langchain_chroma import Chroma

        self.embeddings = embeddings
        # Bounded LRU caches: query vectors (~40 MB at 20,000 x 512 floats) and search results. The
        # corpus is a snapshot taken at start-up anyway; this process's own ingestion clears them.
        self._vectors: _LRU[str, list[float]] = _LRU(20_000)
        self._guideline_hits: _LRU[tuple[str, str | None, int, int, float], list[Hit]] = _LRU(4_096)
        self._history_hits: _LRU[tuple[str, str, int], list[HistoryHit]] = _LRU(4_096)
        self.sections = {s.key: s for s in sections}
        self.lexical_weight = lexical_weight
        self.lexical = BM25({s.key: f"{s.title} {s.title} {s.text}" for s in sections})
        suffix = embeddings.name
        self.guidelines = Chroma(client=client, collection_name=f"guidelines_{suffix}",
                                 embedding_function=embeddings, collection_metadata={"hnsw:space": "cosine"})
        self.history = Chroma(client=client, collection_name=f"history_{suffix}",
                              embedding_function=embeddings, collection_metadata={"hnsw:space": "cosine"})

    @classmethod
    def open(cls, settings: Settings) -> KnowledgeIndex:
        sections = load_corpus(settings.knowledge_dir)
        return cls(_chroma_client(settings), get_embeddings(settings.embedding, settings.embedding_threads), sections,
                   lexical_weight=settings.retrieval_lexical_weight)

    # ---------------------------------------------------------------- ingestion
    def _sync(self, store: Any, chunks: Sequence[_Chunk], scope: dict[str, Any] | None,
              progress: Progress | None, batch: int = 16) -> IngestStats:
        start = time.perf_counter()
        coll = store._collection
        existing = coll.get(where=scope, include=["metadatas"]) if scope else coll.get(include=["metadatas"])
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
        return self._sync(self.guidelines, self.guideline_chunks(), None, progress)

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

    def ingest_history(self, files: Iterable[DebtorFile], progress: Progress | None = None) -> IngestStats:
        self._history_hits.clear()
        total = IngestStats(collection="history", total=0, added=0, updated=0, unchanged=0, deleted=0, seconds=0.0)
        for f in files:
            s = self._sync(self.history, self.history_chunks(f), {"debtor_id": f.id}, progress)
            total = IngestStats(collection=s.collection, total=total.total + s.total, added=total.added + s.added,
                                updated=total.updated + s.updated, unchanged=total.unchanged + s.unchanged,
                                deleted=total.deleted + s.deleted, seconds=total.seconds + s.seconds)
        return total

    def counts(self) -> dict[str, int]:
        return {"guidelines": int(self.guidelines._collection.count()),
                "history": int(self.history._collection.count())}

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
                self._vectors.put(text, vec)
        return len(todo)

    def embed_query(self, text: str) -> list[float]:
        """Embed a query once: drafting reuses one vector for intent, guidelines and history."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self.embeddings.embed_query(text)
            self._vectors.put(text, vector)
        return vector

    def search_guidelines(self, query: str, *, lang: str | None = None, k: int = 4,
                          rrf_k: int = 60, depth: int = 20,
                          lexical_weight: float | None = None, vector: list[float] | None = None) -> list[Hit]:
        """Top-k sections by reciprocal rank fusion of dense (Chroma) and BM25 rankings.

        One hit per section id, returned in ``lang`` when a version exists in that language.
        """
        weight = self.lexical_weight if lexical_weight is None else lexical_weight
        key = (query, lang, k, depth, weight)
        cached = self._guideline_hits.get(key)
        if cached is not None:
            return list(cached)
        dense = self.guidelines.similarity_search_by_vector_with_relevance_scores(
            vector if vector is not None else self.embed_query(query), k=depth)
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
            hits.append(Hit(id=sid, lang=section.lang, page=section.page, title=section.title,
                            text=section.text, score=round(similarity.get(sid, 0.0), 4)))
            if len(hits) == k:
                break
        self._guideline_hits.put(key, hits)
        return list(hits)

    def search_history(self, debtor_id: str, query: str, *, k: int = 3,
                       vector: list[float] | None = None) -> list[HistoryHit]:
        """The debtor's own history only: the filter is mandatory and checked on the way out."""
        if not debtor_id:
            raise ValueError("debtor_id is required to search history")
        key = (debtor_id, query, k)
        cached = self._history_hits.get(key)
        if cached is not None:
            return list(cached)
        results = self.history.similarity_search_by_vector_with_relevance_scores(
            vector if vector is not None else self.embed_query(query), k=k, filter={"debtor_id": debtor_id})
        hits = []
        for doc, distance in results:
            if doc.metadata.get("debtor_id") != debtor_id:  # defence in depth
                continue
            hits.append(HistoryHit(debtor_id=debtor_id, text=doc.page_content, at=str(doc.metadata.get("at", "")),
                                   channel=str(doc.metadata.get("channel", "")), score=round(1.0 - float(distance), 4)))
        self._history_hits.put(key, hits)
        return list(hits)
