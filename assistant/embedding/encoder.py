"""Turn text into vectors: the interface retrieval codes against, and the real encoder.

:class:`SentenceTransformerEncoder` runs EmbeddingGemma-300m on the CPU, offline, from
the verified folder that :mod:`assistant.embedding.model` manages. Tests use a fake with
the same interface (``tests/doubles.py``).

Every encoder returns float32 arrays of shape ``(n, dim)`` with L2-normalised rows, so a
dot product is the cosine similarity.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.config import EMBEDDING_DIM, MODEL_ID, Settings
from assistant.errors import ModelError
from assistant.embedding.model import require_model

# EmbeddingGemma's document prompt is "title: none | text: "; a known title replaces
# "none". We format documents ourselves because sentence-transformers applies one prompt
# to a whole batch, and the model pools over prompt tokens too (include_prompt=true), so
# the result is identical to passing the prompt.
DOCUMENT_TEMPLATE = "title: {title} | text: {text}"


@runtime_checkable
class Encoder(Protocol):
    """What retrieval needs from an embedding model."""

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries: float32, shape (len(texts), dim), unit rows."""
        ...

    def encode_documents(
        self, texts: list[str], titles: list[str | None] | None = None
    ) -> np.ndarray:
        """Embed passages (optionally with titles): float32, shape (len(texts), dim), unit rows."""
        ...


def _check_titles(texts: list[str], titles: list[str | None] | None) -> list[str | None]:
    if titles is None:
        return [None] * len(texts)
    if len(titles) != len(texts):
        raise ValueError(f"got {len(titles)} titles for {len(texts)} texts")
    return list(titles)


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # A zero row stays zero instead of becoming NaN.
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32, copy=False)


# ------------------------------------------------------------------------ real


def _prepare_env() -> None:
    """Environment that must be set before torch / transformers are first imported."""
    # Offline: a missing file fails fast instead of hanging on the network.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # OpenMP threads otherwise spin while waiting; when another process holds a core
    # that turns a ~0.1 s query into ~3 s on a 2-core machine. Passive waiting costs
    # little when the machine is idle. Read once, when torch loads OpenMP.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# Supported weight dtypes and the suffix they add to the encoder's name.
_DTYPES = {"float32": "", "bfloat16": "@bf16"}


class SentenceTransformerEncoder:
    """EmbeddingGemma via sentence-transformers, CPU only, never touching the network.

    ``threads`` defaults to all usable cores (``torch.set_num_threads`` is process-wide).
    ``max_seq_length`` caps tokens per text; the model's own limit (2048) is kept by
    default so long clauses are never silently cut.
    ``dtype="bfloat16"`` roughly doubles CPU speed on CPUs with native bf16 (AVX512-BF16
    / AMX) but shifts vectors slightly (cosine to fp32 ≥ 0.998 measured), so it gets its own
    ``name`` and an index built with one must not be queried with the other. float16
    is refused: EmbeddingGemma overflows to NaN in fp16.
    """

    def __init__(
        self,
        model_dir: Path | str,
        *,
        batch_size: int = 16,
        threads: int | None = None,
        max_seq_length: int | None = None,
        dtype: str = "float32",
    ):
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, not {dtype!r}")
        _prepare_env()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads or _usable_cpus())
        # Load the transformer straight in the target dtype (no float32 copy first: ~0.3 GB
        # less peak memory); the small Dense heads are cast below.
        model_kwargs = {"dtype": getattr(torch, dtype)} if dtype != "float32" else {}
        try:
            with _quiet_transformers():
                self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True,
                                                 model_kwargs=model_kwargs)
        except Exception as exc:  # any load failure means the folder is unusable
            raise ModelError(f"could not load the embedding model from {model_dir}: {exc}") from exc
        self.model.eval()
        if dtype != "float32":
            self.model.to(getattr(torch, dtype))
        if max_seq_length is not None:
            self.model.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.name = MODEL_ID + _DTYPES[dtype]
        self.dim = int(_embedding_dim(self.model))

    def _finish(self, vectors) -> np.ndarray:
        # Re-normalise in float32: rows normalised in bf16 are only unit to ~1e-2.
        return _normalise_rows(np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode_query(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return self._finish(vectors)

    def encode_documents(
        self, texts: list[str], titles: list[str | None] | None = None
    ) -> np.ndarray:
        texts = list(texts)
        titles = _check_titles(texts, titles)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        formatted = [
            DOCUMENT_TEMPLATE.format(title=(title or "none"), text=text)
            for text, title in zip(texts, titles)
        ]
        vectors = self.model.encode_document(
            formatted,
            prompt="",  # already formatted above; "" stops the default document prompt
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return self._finish(vectors)


def _usable_cpus() -> int:
    # The CPUs this process may run on (a container's cpuset), not the host's count.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _embedding_dim(model) -> int:
    # Renamed in sentence-transformers 6; keep working with 5.x too.
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return getter() or EMBEDDING_DIM


class _quiet_transformers:
    """Hide transformers' "Loading weights" bar while loading; restore it afterwards."""

    def __enter__(self):
        from transformers.utils import logging as hf_logging

        self._logging = hf_logging
        self._was_enabled = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()

    def __exit__(self, *exc):
        if self._was_enabled:
            self._logging.enable_progress_bar()
        return False


def native_bf16() -> bool:
    """Does this CPU compute bfloat16 natively? (Emulated bf16 is slower than float32.)"""
    from assistant.embedding.cpu import cpu_info

    # From /proc/cpuinfo (AVX512-BF16 / AMX-BF16), not torch: deciding must not import torch.
    return cpu_info().native_bf16


def resolve_dtype(setting: str, native: bool | None = None) -> str:
    if setting == "auto":
        return "bfloat16" if (native_bf16() if native is None else native) else "float32"
    if setting not in _DTYPES:
        raise ModelError(f"ASSISTANT_DTYPE must be auto, float32 or bfloat16, not {setting!r}")
    return setting


def load_encoder(settings: Settings, **kwargs):
    """The real encoder for this CPU (see :mod:`assistant.embedding.factory`), or a
    :class:`ModelError` telling the user to fetch the model."""
    from assistant.embedding.factory import load_encoder as build

    return build(settings, **kwargs)
