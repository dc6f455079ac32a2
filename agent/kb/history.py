"""Each debtor's history chunks and their float32 vectors, one SQLite row per debtor.

History queries always name the debtor, so the store is keyed by debtor: a lookup is one
primary-key read (the debtor's chunks as JSON and their vectors as one float32 matrix) ranked in
numpy, whatever the number of debtors. Nothing is ever scanned across debtors, so one debtor's
history cannot reach another's draft; every hit is re-checked to belong to the debtor anyway.

The file is derived data (rebuilt by ``amiable ingest``), kept beside the Chroma directory that
holds the guidelines. SQLite in WAL mode: several processes may read while one ingests.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS debtor_history (
    debtor_id TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    chunks TEXT NOT NULL,
    vectors BLOB NOT NULL
)
"""


@dataclass(frozen=True)
class StoredChunk:
    """One history chunk as stored: its id (``debtor_id:hash16``), content hash, text and metadata."""

    id: str
    digest: str
    text: str
    at: str
    channel: str
    direction: str


@dataclass(frozen=True)
class DebtorHistory:
    debtor_id: str
    chunks: tuple[StoredChunk, ...]
    vectors: np.ndarray  # (n, dim) float32, read-only


@dataclass(frozen=True)
class Ranked:
    chunk: StoredChunk
    score: float


class HistoryStore:
    """Per-debtor history vectors in one SQLite file (one connection per process, behind a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    # ---------------------------------------------------------------- connection
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-4096")  # 4 MB page cache: the OS caches the rest
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"history store {self.path} cannot be opened: {exc}") from exc
        self._conn, self._pid = conn, os.getpid()
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    # ---------------------------------------------------------------- reads
    def get(self, debtor_id: str) -> DebtorHistory | None:
        """The debtor's stored chunks and vectors (None: nothing ingested for this debtor)."""
        with self._lock:
            row = self._connect().execute(
                "SELECT n, dim, chunks, vectors FROM debtor_history WHERE debtor_id = ?", (debtor_id,)).fetchone()
        if row is None:
            return None
        n, dim, chunks_json, blob = int(row[0]), int(row[1]), str(row[2]), bytes(row[3])
        chunks = tuple(StoredChunk(*map(str, c)) for c in json.loads(chunks_json))
        vectors = np.frombuffer(blob, dtype=np.float32)
        if len(chunks) != n or vectors.size != n * dim:
            raise ConfigError(f"history store {self.path}: corrupt row for {debtor_id!r}; run `amiable ingest`")
        return DebtorHistory(debtor_id, chunks, vectors.reshape(n, dim) if n else vectors.reshape(0, max(dim, 1)))

    def search(self, debtor_id: str, query: np.ndarray, k: int) -> list[Ranked]:
        """The debtor's ``k`` chunks most similar to ``query`` (cosine), ties broken by chunk id."""
        if not debtor_id:
            raise ValueError("debtor_id is required to search history")
        got = self.get(debtor_id) if k > 0 else None
        if got is None or not got.chunks:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != got.vectors.shape[1]:
            raise ConfigError(f"history store {self.path}: vectors of {got.vectors.shape[1]} dimensions, query of "
                              f"{q.shape[0]}: the embedding changed, run `amiable ingest`")
        norms = np.linalg.norm(got.vectors, axis=1) * (float(np.linalg.norm(q)) or 1.0)
        sims = (got.vectors @ q) / np.where(norms > 0, norms, 1.0)
        prefix = f"{debtor_id}:"
        order = sorted((n for n, c in enumerate(got.chunks) if c.id.startswith(prefix)),  # owner re-check
                       key=lambda n: (-float(sims[n]), got.chunks[n].id))[:k]
        return [Ranked(got.chunks[n], float(sims[n])) for n in order]

    def count(self) -> int:
        """Chunks over every debtor."""
        with self._lock:
            row = self._connect().execute("SELECT COALESCE(SUM(n), 0) FROM debtor_history").fetchone()
        return int(row[0])

    def debtors(self) -> int:
        with self._lock:
            row = self._connect().execute("SELECT COUNT(*) FROM debtor_history").fetchone()
        return int(row[0])

    # ---------------------------------------------------------------- writes
    def write(self, rows: Iterable[tuple[str, list[StoredChunk], np.ndarray]]) -> int:
        """Replace each debtor's row (one transaction for all); returns the number of debtors written."""
        payload = []
        for debtor_id, chunks, vectors in rows:
            matrix = np.ascontiguousarray(vectors, dtype=np.float32)
            if matrix.ndim != 2 or matrix.shape[0] != len(chunks):
                raise ValueError(f"{debtor_id}: {len(chunks)} chunks but vectors of shape {matrix.shape}")
            if any(not c.id.startswith(f"{debtor_id}:") for c in chunks):
                raise ValueError(f"{debtor_id}: every chunk id must start with the debtor id")
            payload.append((debtor_id, len(chunks), int(matrix.shape[1]),
                            json.dumps([[c.id, c.digest, c.text, c.at, c.channel, c.direction] for c in chunks],
                                       ensure_ascii=False, separators=(",", ":")),
                            matrix.tobytes()))
        if payload:
            with self._tx() as conn:
                conn.executemany("INSERT OR REPLACE INTO debtor_history (debtor_id, n, dim, chunks, vectors) "
                                 "VALUES (?, ?, ?, ?, ?)", payload)
        return len(payload)

    def delete(self, debtor_ids: Iterable[str]) -> int:
        ids = [(d,) for d in debtor_ids]
        if not ids:
            return 0
        with self._tx() as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM debtor_history WHERE debtor_id = ?", ids)
            return conn.total_changes - before

    def compact(self) -> None:
        """Rewrite the file so deleted or replaced rows leave the disk (after a GDPR erasure): VACUUM, then
        truncate the write-ahead log."""
        with self._lock:
            conn = self._connect()
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def debtor_ids(self) -> list[str]:
        with self._lock:
            return [str(r[0]) for r in self._connect().execute("SELECT debtor_id FROM debtor_history")]
