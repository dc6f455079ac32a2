"""Retrieval evaluation: queries with expected sections -> top-1, recall@k, MRR, ingest and query speed."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError
from agent.kb.index import KnowledgeIndex
from agent.settings import Settings
from agent.yamlio import load_yaml


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Literal["fr", "en"]
    query: str = Field(min_length=1)
    expected: list[str] = Field(min_length=1)


class QuerySet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    queries: list[Query] = Field(min_length=1)


class RetrievalReport(BaseModel):
    embedding: str
    queries: int
    top1: float
    recall_at_k: float
    mrr: float
    k: int
    ingest_chunks: int
    ingest_seconds: float
    ingest_chunks_per_s: float
    query_p50_ms: float
    query_p95_ms: float
    by_group: dict[str, dict[str, float]]
    misses: list[str]


def load_queries(path: Path) -> QuerySet:
    try:
        return QuerySet.model_validate(load_yaml(path))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"retrieval query set {path} is invalid: {exc}") from exc


def evaluate(settings: Settings, embedding: Literal["use", "e5"], queries: QuerySet, *, k: int = 5) -> RetrievalReport:
    """Ingest into a throwaway Chroma directory with the given embedding, then run every query."""
    with tempfile.TemporaryDirectory(prefix="amiable-reteval-") as tmp:
        s = settings.model_copy(update={"embedding": embedding, "chroma_path": Path(tmp), "chroma_host": None})
        index = KnowledgeIndex.open(s)
        known = {sec.id for sec in index.sections.values()}
        for q in queries.queries:
            unknown = [e for e in q.expected if e not in known]
            if unknown:
                raise ConfigError(f"query {q.id} expects unknown section ids {unknown}")
        index.embeddings.embed_query("warm-up")  # load weights outside the timed ingest
        stats = index.ingest_guidelines()
        ranks: list[int | None] = []
        latencies: list[float] = []
        groups: dict[str, list[int | None]] = {}
        misses = []
        fr_only = {sec.id for sec in index.sections.values()} - {
            sec.id for sec in index.sections.values() if sec.lang == "en"}
        for q in queries.queries:
            t0 = time.perf_counter()
            hits = index.search_guidelines(q.query, lang=q.lang, k=k)
            latencies.append((time.perf_counter() - t0) * 1000)
            ids = [h.id for h in hits]
            rank = next((n for n, i in enumerate(ids, start=1) if i in q.expected), None)
            ranks.append(rank)
            group = q.lang if not (q.lang == "en" and all(e in fr_only for e in q.expected)) else "en->fr"
            groups.setdefault(group, []).append(rank)
            if rank != 1:
                misses.append(f"{q.id} [{group}] {q.query!r}: expected {q.expected}, got {ids[:3]}")

    def _scores(rs: list[int | None]) -> dict[str, float]:
        n = len(rs)
        return {"n": float(n), "top1": sum(1 for r in rs if r == 1) / n,
                "mrr": sum(1 / r for r in rs if r) / n, "recall_at_k": sum(1 for r in rs if r) / n}

    overall = _scores(ranks)
    lat = sorted(latencies)
    return RetrievalReport(
        embedding=embedding, queries=len(ranks), top1=round(overall["top1"], 3),
        recall_at_k=round(overall["recall_at_k"], 3), mrr=round(overall["mrr"], 3), k=k,
        ingest_chunks=stats.total, ingest_seconds=round(stats.seconds, 2),
        ingest_chunks_per_s=round(stats.total / stats.seconds, 1) if stats.seconds else 0.0,
        query_p50_ms=round(statistics.median(lat), 2), query_p95_ms=round(lat[int(0.95 * (len(lat) - 1))], 2),
        by_group={g: {k2: round(v, 3) for k2, v in _scores(rs).items()} for g, rs in sorted(groups.items())},
        misses=misses,
    )
