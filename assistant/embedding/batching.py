"""Micro-batching: queries that arrive together are embedded in one call.

With 50 clients on 2 cores, embedding each question alone serialises every request
behind one encode. Embedding 8 short questions in one padded batch costs about 2.5× one
question (measured), so :class:`BatchingEncoder` runs one worker thread that takes the
first waiting query plus every query already queued behind it (up to ``max_batch``) —
queries pile up by themselves while the previous batch is being encoded — encodes them
in one call and hands each caller its own row. Only while requests are arriving together
(the last batch had more than one) does it also wait ``window`` seconds for stragglers,
so a lone user never waits. An error in the batch is raised in every caller of that
batch. The worker starts on first use and is a daemon.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

import numpy as np


class BatchingEncoder:
    """Wraps an encoder; concurrent ``encode_queries`` calls share encoder calls."""

    def __init__(self, inner, *, window: float = 0.004, max_batch: int = 16):
        self.inner = inner
        self.window = window
        self.max_batch = max_batch
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # encoder calls made (for tests and the bench)
        self.largest_batch = 0
        self._last_batch = 1

    def __getattr__(self, name):  # name, dim, fingerprint, backend … of the wrapped encoder
        return getattr(self.inner, name)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        self._ensure_worker()
        future: Future = Future()
        self._queue.put((texts, future))
        return future.result()

    def encode_documents(self, texts, titles=None) -> np.ndarray:
        return self.inner.encode_documents(texts, titles)

    # -- worker ------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._loop, name="query-batcher", daemon=True)
                self._worker.start()

    def _collect(self) -> list:
        """The first waiting request, then whatever arrives within the window."""
        batch = [self._queue.get()]
        size = len(batch[0][0])
        deadline = time.monotonic() + (self.window if self._last_batch > 1 else 0.0)
        while size < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            size += len(item[0])
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._collect()
            texts = [t for item, _ in batch for t in item]
            self._last_batch = len(batch)
            try:
                vectors = self.inner.encode_queries(texts)
                if len(vectors) != len(texts):
                    raise RuntimeError(f"encoder returned {len(vectors)} vectors for {len(texts)} texts")
            except BaseException as exc:  # every caller of this batch gets the error
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.largest_batch = max(self.largest_batch, len(texts))
            start = 0
            for item, future in batch:
                future.set_result(np.array(vectors[start : start + len(item)], dtype=np.float32))
                start += len(item)
