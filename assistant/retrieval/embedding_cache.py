"""Unit embeddings cached by content, so a changed corpus embeds only what is new.

Embedding is nearly all of a build's time. A unit's vector depends only on the model and
on the (title, text) it encodes, so it is stored under
``sha256(model fingerprint, title, text)`` in a SQLite file beside the builds
(``<index_dir>/embeddings.sqlite``). ``assistant add`` then embeds the new document's
units only, and ``remove`` embeds nothing; BM25 and the vector store are still rebuilt
from all units (cheap), atomically as before.

The cache is disposable: a damaged or unreadable file is deleted and rebuilt, a vector of
the wrong size is treated as missing, and each build drops this model's vectors that no
current unit uses, so the file stays the size of the corpus.
"""

from __future__ import annotations

import contextvars
import hashlib
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import numpy as np

CACHE_FILE = "embeddings.sqlite"
_KEEP_OTHER_SECONDS = 30 * 86400
_SCHEMA = """CREATE TABLE IF NOT EXISTS vectors (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    used_at REAL NOT NULL)"""


_MODE: contextvars.ContextVar[str | None] = contextvars.ContextVar("embedding_cache_mode", default=None)


@contextmanager
def cache_mode(mode: str):
    """Within the block, builds use the cache as ``mode`` says: "on" (read and write),
    "refresh" (embed everything, then store it: what ``assistant build`` does) or "off"."""
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)


def _mode() -> str:
    from assistant.config import embedding_cache_enabled

    return _MODE.get() or ("on" if embedding_cache_enabled() else "off")


def unit_key(fingerprint: str, title: str | None, text: str) -> str:
    return hashlib.sha256("\0".join((fingerprint, title or "", text)).encode("utf-8")).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute(_SCHEMA)
    connection.execute("CREATE INDEX IF NOT EXISTS by_fingerprint ON vectors (fingerprint)")
    return connection


def _open(path: Path) -> sqlite3.Connection | None:
    """The cache database; a damaged one is replaced, an unwritable place means no cache."""
    for _ in range(2):
        try:
            connection = _connect(path)
            connection.execute("SELECT count(*) FROM vectors").fetchone()
            return connection
        except sqlite3.DatabaseError:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return None
    return None


def cached_vectors(path: Path, fingerprint: str, units, encode: Callable[[list], np.ndarray],
                   stats: dict | None = None) -> np.ndarray:
    """Vectors for ``units`` (objects with ``title`` and ``text``), in order. Only units not
    in the cache at ``path`` are passed to ``encode`` (which returns their vectors in order).
    ``stats`` (optional) receives ``{"cached": n, "embedded": m}``."""
    units = list(units)
    mode = _mode()
    if not units or mode == "off":
        if stats is not None:
            stats.update(cached=0, embedded=len(units))
        return np.asarray(encode(units), dtype=np.float32)
    keys = [unit_key(fingerprint, u.title, u.text) for u in units]
    connection = _open(Path(path))
    found: dict[str, np.ndarray] = {}
    if connection is not None and mode != "refresh":
        try:
            for start in range(0, len(keys), 500):  # SQLite caps the number of ? parameters
                chunk = keys[start : start + 500]
                rows = connection.execute(
                    f"SELECT key, dim, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                for key, dim, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (dim,) and np.isfinite(vector).all():
                        found[key] = vector
        except sqlite3.DatabaseError:
            found = {}
    missing = [i for i, key in enumerate(keys) if key not in found]
    fresh = encode([units[i] for i in missing]) if missing else None
    if fresh is not None:
        fresh = np.asarray(fresh, dtype=np.float32)
        for row, i in enumerate(missing):
            found[keys[i]] = fresh[row]
    if stats is not None:
        stats.update(cached=len(units) - len(missing), embedded=len(missing))
    vectors = np.stack([found[key] for key in keys]).astype(np.float32, copy=False)
    if connection is not None:
        _save(connection, fingerprint, keys, missing, vectors)
    return vectors


def _save(connection: sqlite3.Connection, fingerprint: str, keys: list[str], missing: list[int],
          vectors: np.ndarray) -> None:
    now = time.time()
    try:
        with connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, fingerprint, dim, vector, used_at) VALUES (?, ?, ?, ?, ?)",
                [(keys[i], fingerprint, int(vectors.shape[1]), vectors[i].tobytes(), now) for i in missing])
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
            connection.execute("DELETE FROM used")
            connection.executemany("INSERT OR IGNORE INTO used VALUES (?)", [(k,) for k in keys])
            connection.execute("UPDATE vectors SET used_at = ? WHERE key IN (SELECT key FROM used)", (now,))
            # This model's vectors that no unit of the corpus uses any more: a removed document.
            connection.execute("DELETE FROM vectors WHERE fingerprint = ? AND key NOT IN (SELECT key FROM used)",
                               (fingerprint,))
            # Other models' vectors (an older model, a test encoder) go after a month unused.
            connection.execute("DELETE FROM vectors WHERE fingerprint != ? AND used_at < ?",
                               (fingerprint, now - _KEEP_OTHER_SECONDS))
    except sqlite3.DatabaseError:
        pass  # the cache is an optimisation; the build itself has its vectors
    finally:
        connection.close()
