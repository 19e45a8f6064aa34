"""Test doubles shared by tests and the benchmark: never part of the installed package."""

from __future__ import annotations

import zlib

import numpy as np

from assistant.embedding.encoder import _check_titles, _normalise_rows

class FakeEncoder:
    """Deterministic stand-in for tests: hashed character unigrams and bigrams.

    Uses CRC32 rather than ``hash()``, whose per-process salt would change vectors
    between runs. Chinese has no spaces, so character n-grams are what carries
    meaning; texts sharing many of them get a high cosine similarity.
    """

    def __init__(self, dim: int = 64):
        if dim < 1:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.name = f"fake-ngram-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        vector = np.zeros(self.dim, dtype=np.float32)
        # Empty text still gets a unit vector (a fixed slot), like a real model would.
        for gram in grams or ["\0"]:
            vector[zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        return vector

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise_rows(np.stack([self._vector(t) for t in texts]))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts))

    def encode_documents(
        self, texts: list[str], titles: list[str | None] | None = None
    ) -> np.ndarray:
        titles = _check_titles(list(texts), titles)
        return self._encode([f"{t} {x}" if t else x for x, t in zip(texts, titles)])
