"""EmbeddingGemma on ONNX Runtime: no torch, no transformers, no sentence-transformers.

The graph (made by :mod:`assistant.embedding.onnx_export`) is the whole
sentence-transformers pipeline, so this file only tokenises — with the ``tokenizers``
library and the model folder's ``tokenizer.json`` (it adds ``<bos>``/``<eos>`` itself),
right-padded like the original — and applies the prompts exactly as sentence-transformers
does: the query prompt from ``config_sentence_transformers.json``, the document template
of :mod:`assistant.embedding.encoder`.

With the int8 model, queries use it and documents use the float32 model (loaded only
when documents are embedded, i.e. at index build), so an index built by any backend is
queried by any other: every document vector is float32.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from assistant.config import MODEL_ID
from assistant.embedding.cpu import _usable_cpus
from assistant.errors import ModelError

# Same as encoder.DOCUMENT_TEMPLATE; repeated (not imported) only to keep numpy-only imports
# here — encoder.py is light too, but this keeps the ONNX path independent of it.
DOCUMENT_TEMPLATE = "title: {title} | text: {text}"
DEFAULT_QUERY_PROMPT = "task: search result | query: "
MAX_TOKENS = 2048


def query_prompt(model_dir: Path) -> str:
    """The query prompt sentence-transformers would use (``prompts["query"]``)."""
    try:
        config = json.loads((Path(model_dir) / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        return config.get("prompts", {}).get("query", DEFAULT_QUERY_PROMPT)
    except (OSError, ValueError):
        return DEFAULT_QUERY_PROMPT


def _session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # no warnings about unused initialisers on stderr
    # Like OMP_WAIT_POLICY=PASSIVE for torch: spinning threads steal the other core from
    # BM25 and from concurrent requests; measured slower under load on 2 cores.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a damaged file passes the size check but fails here
        raise ModelError(f"could not load the ONNX model {path}: {exc} (delete the folder and run "
                         "`assistant model fetch`, or set ASSISTANT_BACKEND=torch)") from exc


class OnnxEncoder:
    """The :class:`~assistant.embedding.encoder.Encoder` protocol on ONNX Runtime."""

    backend = "onnx"

    def __init__(self, model_dir: Path | str, model_path: Path | str, *, document_model_path: Path | str | None = None,
                 threads: int | None = None, batch_size: int = 16, precision: str = "float32"):
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.threads = threads or _usable_cpus()
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.prompt = query_prompt(self.model_dir)
        self.session = _session(Path(model_path), self.threads)
        self._document_model_path = Path(document_model_path) if document_model_path else None
        self._document_session = None if self._document_model_path else self.session
        self.batch_size = batch_size
        self.precision = precision
        self.name = MODEL_ID  # float32 document vectors: same index as the torch float32 encoder
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 768)

    def _run(self, session, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        # Shortest first so each batch pads little; results go back to input order.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)  # <pad> is 0, padded on the right
            mask = np.zeros_like(ids)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            out[chunk] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        # The graph normalises already; again in float32 so int8 rows are unit to 1e-6.
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32, copy=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(self.session, [self.prompt + t for t in texts])

    def encode_documents(self, texts: list[str], titles: list[str | None] | None = None) -> np.ndarray:
        texts = list(texts)
        if titles is not None and len(titles) != len(texts):
            raise ValueError(f"got {len(titles)} titles for {len(texts)} texts")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        titles = list(titles) if titles is not None else [None] * len(texts)
        if self._document_session is None:  # the float32 model, first needed at index build
            self._document_session = _session(self._document_model_path, self.threads)
        formatted = [DOCUMENT_TEMPLATE.format(title=title or "none", text=text) for text, title in zip(texts, titles)]
        return self._run(self._document_session, formatted)


def describe_runtime() -> dict:
    """onnxruntime's version and providers (None when it is not installed)."""
    try:
        import onnxruntime
    except ImportError:
        return {"onnxruntime": None}
    return {"onnxruntime": onnxruntime.__version__, "providers": onnxruntime.get_available_providers(),
            "threads_env": os.environ.get("OMP_NUM_THREADS")}
