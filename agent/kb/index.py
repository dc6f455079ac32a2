"""Chroma-backed index of the guidelines and of each debtor's free-text history.

* Idempotent ingestion: each chunk's id is stable and its metadata carries a content hash;
  unchanged chunks are skipped, changed ones replaced, stale ones deleted.
* Debtor history lives in its own collection and every query on it names the debtor: a small
  manifest collection maps each debtor id to its chunk ids, the chunks are fetched by id (a primary
  key lookup, whatever the collection's size) and ranked in numpy; every hit is re-checked to belong
  to the debtor. The API has no way to search history without naming the debtor.
* The embedding function is always passed explicitly (Chroma's default downloads a model).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
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
                 lexical_weight: float = 0.0, vector_cache_mb: int = 64, hit_cache_entries: int = 4_096) -> None:
        from langchain_chroma import Chroma

        self.embeddings = embeddings
        # Bounded caches: float32 query vectors sized in bytes (64 MB holds ~30,000 USE vectors) and
        # search results (entries of a few KB each). The corpus is a snapshot taken at start-up anyway;
        # this process's own ingestion clears them.
        self._vectors = _VectorCache(vector_cache_mb * 1024 * 1024)
        self._guideline_hits: _LRU[tuple[str, str | None, int, int, float], list[Hit]] = _LRU(hit_cache_entries)
        self._history_hits: _LRU[tuple[str, str, int], list[HistoryHit]] = _LRU(hit_cache_entries)
        self.sections = {s.key: s for s in sections}
        self.lexical_weight = lexical_weight
        self.lexical = BM25({s.key: f"{s.title} {s.title} {s.text}" for s in sections})
        suffix = embeddings.name
        self.guidelines = Chroma(client=client, collection_name=f"guidelines_{suffix}",
                                 embedding_function=embeddings, collection_metadata={"hnsw:space": "cosine"})
        self.history = Chroma(client=client, collection_name=f"history_{suffix}",
                              embedding_function=embeddings, collection_metadata={"hnsw:space": "cosine"})
        # debtor id -> JSON list of its chunk ids (the vector is a 1-d placeholder: never searched)
        self.history_ids = client.get_or_create_collection(f"history_ids_{suffix}", embedding_function=None)

    @classmethod
    def open(cls, settings: Settings) -> KnowledgeIndex:
        sections = load_corpus(settings.knowledge_dir)
        embeddings = get_embeddings(settings.embedding, settings.embedding_threads, settings.embedding_ingest_threads)
        return cls(_chroma_client(settings), embeddings, sections, lexical_weight=settings.retrieval_lexical_weight,
                   vector_cache_mb=settings.vector_cache_mb, hit_cache_entries=settings.hit_cache_entries)

    # ---------------------------------------------------------------- ingestion
    def _sync(self, store: Any, chunks: Sequence[_Chunk], scope: dict[str, Any] | None,
              progress: Progress | None, batch: int = 16, known_ids: list[str] | None = None) -> IngestStats:
        start = time.perf_counter()
        coll = store._collection
        if known_ids is not None:
            existing = coll.get(ids=known_ids, include=["metadatas"]) if known_ids else {"ids": [], "metadatas": []}
        elif scope:
            existing = coll.get(where=scope, include=["metadatas"])
        else:
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
            chunks = self.history_chunks(f)
            s = self._sync(self.history, chunks, {"debtor_id": f.id}, progress, known_ids=self.debtor_chunk_ids(f.id))
            self.set_debtor_chunk_ids(f.id, [c.id for c in chunks])
            total = IngestStats(collection=s.collection, total=total.total + s.total, added=total.added + s.added,
                                updated=total.updated + s.updated, unchanged=total.unchanged + s.unchanged,
                                deleted=total.deleted + s.deleted, seconds=total.seconds + s.seconds)
        return total

    def debtor_chunk_ids(self, debtor_id: str) -> list[str] | None:
        """The debtor's history chunk ids from the manifest (None: no manifest, e.g. an older index)."""
        got = self.history_ids.get(ids=[debtor_id], include=["documents"])
        if not got["ids"]:
            return None
        ids = json.loads(got["documents"][0] or "[]")
        return [str(i) for i in ids]

    def set_debtor_chunk_ids(self, debtor_id: str, ids: list[str]) -> None:
        self.history_ids.upsert(ids=[debtor_id], documents=[json.dumps(sorted(ids))], embeddings=[[1.0]],
                                metadatas=[{"n": len(ids)}])

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
            return list(cached)
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
            hits.append(Hit(id=sid, lang=section.lang, page=section.page, title=section.title,
                            text=section.text, score=round(similarity.get(sid, 0.0), 4)))
            if len(hits) == k:
                break
        self._guideline_hits.put(key, hits)
        return list(hits)

    def search_history(self, debtor_id: str, query: str, *, k: int = 3,
                       vector: np.ndarray | list[float] | None = None) -> list[HistoryHit]:
        """The debtor's own history only: fetched by the debtor's chunk ids, checked on the way out.

        Cost depends on the debtor's chunk count, not on the collection's size.
        """
        if not debtor_id:
            raise ValueError("debtor_id is required to search history")
        key = (debtor_id, query, k)
        cached = self._history_hits.get(key)
        if cached is not None:
            return list(cached)
        q = np.asarray(vector if vector is not None else self.embed_query(query), dtype=np.float32)
        ids = self.debtor_chunk_ids(debtor_id)
        hits = self._rank_by_ids(debtor_id, ids, q, k) if ids is not None else self._search_filtered(debtor_id, q, k)
        self._history_hits.put(key, hits)
        return list(hits)

    def _rank_by_ids(self, debtor_id: str, ids: list[str], q: np.ndarray, k: int) -> list[HistoryHit]:
        if not ids or k <= 0:
            return []
        got = self.history._collection.get(ids=ids, include=["embeddings", "documents", "metadatas"])
        got_ids, metas, docs = list(got["ids"]), list(got["metadatas"] or []), list(got["documents"] or [])
        keep = [n for n, (cid, meta) in enumerate(zip(got_ids, metas, strict=True))
                if str(cid).startswith(f"{debtor_id}:") and (meta or {}).get("debtor_id") == debtor_id]
        if not keep:
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)[keep]
        norms = np.linalg.norm(matrix, axis=1) * (float(np.linalg.norm(q)) or 1.0)
        sims = (matrix @ q) / np.where(norms > 0, norms, 1.0)
        order = sorted(range(len(keep)), key=lambda n: (-float(sims[n]), str(got_ids[keep[n]])))[:k]
        hits = []
        for n in order:
            meta = metas[keep[n]] or {}
            hits.append(HistoryHit(debtor_id=debtor_id, text=str(docs[keep[n]] or ""),
                                   at=str(meta.get("at", "")), channel=str(meta.get("channel", "")),
                                   score=round(float(sims[n]), 4)))
        return hits

    def _search_filtered(self, debtor_id: str, q: np.ndarray, k: int) -> list[HistoryHit]:
        """Index built before the manifest existed: the metadata filter (scans the collection)."""
        results = self.history.similarity_search_by_vector_with_relevance_scores(
            q.tolist(), k=k, filter={"debtor_id": debtor_id})
        hits = []
        for doc, distance in results:
            if doc.metadata.get("debtor_id") != debtor_id:  # defence in depth
                continue
            hits.append(HistoryHit(debtor_id=debtor_id, text=doc.page_content, at=str(doc.metadata.get("at", "")),
                                   channel=str(doc.metadata.get("channel", "")), score=round(1.0 - float(distance), 4)))
        return hits
