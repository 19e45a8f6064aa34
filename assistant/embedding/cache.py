"""A query-embedding cache: the same question (up to spacing and width) is embedded once.

Example questions, the web UI's buttons and repeated questions under load hit it. Keyed
by :func:`cache_key` — Unicode NFKC (full-width → half-width), whitespace collapsed —
which are changes the tokenizer would also fold or that cannot change the meaning. Least
recently used entries go first. Thread-safe; documents are never cached here.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict

import numpy as np

_SPACES = re.compile(r"\s+")


def cache_key(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


class QueryCache:
    """An LRU map from normalised question to its (read-only) vector."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(key)
            if vector is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        if self.size <= 0:
            return
        vector = np.array(vector, dtype=np.float32)  # a private copy, frozen: callers share it
        vector.flags.writeable = False
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class CachingEncoder:
    """Wraps an encoder; ``encode_queries`` looks each text up first and embeds only misses
    (in one call). Everything else is the wrapped encoder's."""

    def __init__(self, inner, size: int = 1024):
        self.inner = inner
        self.cache = QueryCache(size)

    def __getattr__(self, name):  # name, dim, fingerprint, backend … of the wrapped encoder
        return getattr(self.inner, name)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        keys = [cache_key(t) for t in texts]
        found = [self.cache.get(k) for k in keys]
        # The first spelling of each missing key is embedded as given (normalising it
        # would change the vector: NFKC turns "？" into "?"); its twins reuse that vector.
        missing: dict[str, str] = {}
        for key, text, vector in zip(keys, texts, found):
            if vector is None:
                missing.setdefault(key, text)
        fresh: dict[str, np.ndarray] = {}
        if missing:
            for key, vector in zip(missing, self.inner.encode_queries(list(missing.values()))):
                fresh[key] = vector  # used directly: a small cache may evict it at once
                self.cache.put(key, vector)
        vectors = [v if v is not None else fresh[k] for k, v in zip(keys, found)]
        if not vectors:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        return np.stack(vectors).astype(np.float32)

    def encode_documents(self, texts, titles=None) -> np.ndarray:
        return self.inner.encode_documents(texts, titles)
