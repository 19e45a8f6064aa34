"""Updating the index after ``assistant add`` / ``remove`` without paying for a cold build.

A build spends its time embedding; with the embedding cache only new units need the model.
:func:`update_index` therefore stands in for the encoder with :class:`IndexedEncoder`:
the model the current index was built with (name, weights hash and dimension from its
manifest), loaded only when a unit is missing from the cache. ``add`` starts loading it
in a background thread at once (``preload``), so the model loads while files are parsed
and BM25 is built; ``remove`` usually never loads it at all. Without a usable current
index it falls back to a plain build with the real encoder.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.config import Settings
from assistant.errors import IndexError_


class ModelChanged(IndexError_):
    """The configured model is not the one the current index was built with."""

    def __init__(self, encoder):
        super().__init__(f"the index was built with another model than {encoder.name}")
        self.encoder = encoder


class IndexedEncoder:
    """The encoder of the current index, loaded lazily (or in the background)."""

    def __init__(self, settings: Settings, manifest: dict, *, preload: bool = False):
        self.settings = settings
        self.name = manifest["model_id"]
        self.fingerprint = manifest["weights_sha256"]  # what encoder_fingerprint records
        self.dim = int(manifest["dim"])
        self._encoder = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        if preload:
            self._thread = threading.Thread(target=self._load, name="load-encoder", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        from assistant.embedding.encoder import load_encoder

        try:
            self._encoder = load_encoder(self.settings)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self._error = exc

    def real(self):
        """The loaded encoder (waits for the background load); must match the index's model."""
        with self._lock:
            if self._thread is not None:
                self._thread.join()
                self._thread = None
            elif self._encoder is None and self._error is None:
                self._load()
        if self._error is not None:
            raise self._error
        if self._encoder.name != self.name:
            raise ModelChanged(self._encoder)
        return self._encoder

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def encode_documents(self, texts, titles=None):
        return self.real().encode_documents(texts, titles)

    def encode_queries(self, texts):
        return self.real().encode_queries(texts)


def indexed_encoder(settings: Settings, *, preload: bool = False) -> IndexedEncoder | None:
    """An :class:`IndexedEncoder` for the current index, or None when there is none.

    Model weights replaced since that build are not checked here: the manifest written
    then still names the old weights, so the next load sees the change and rebuilds."""
    from assistant.retrieval.index import MANIFEST, current_build

    folder = current_build(settings)
    if folder is None:
        return None
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        return IndexedEncoder(settings, manifest, preload=preload)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def encoder_for_update(settings: Settings, *, preload: bool = False):
    """The encoder to update the index with: the current index's (lazy), else the real one."""
    encoder = indexed_encoder(settings, preload=preload)
    if encoder is not None:
        return encoder
    from assistant.embedding.encoder import load_encoder

    return load_encoder(settings)


def update_index(settings: Settings, encoder=None, *, progress: bool = False) -> Path:
    """Rebuild the index for the corpus on disk, embedding only units not in the cache."""
    from assistant.ingest.corpus import load_corpus
    from assistant.retrieval.index import build_index

    encoder = encoder if encoder is not None else encoder_for_update(settings)
    corpus = load_corpus(settings.corpus_dir)
    try:
        return build_index(settings, corpus, encoder, progress=progress)
    except ModelChanged as changed:  # e.g. ASSISTANT_DTYPE changed: every unit needs the new model
        return build_index(settings, corpus, changed.encoder, progress=progress)
