"""Pick and build the query/document encoder for this CPU: ONNX int8, ONNX float32 or torch.

The rule is in :mod:`assistant.embedding.cpu`; ``ASSISTANT_BACKEND`` overrides it. The
chosen encoder is wrapped in a query cache (:mod:`~assistant.embedding.cache`) and a
micro-batcher (:mod:`~assistant.embedding.batching`), so every caller — CLI, web app,
bench — gets both without knowing. :func:`describe` reports the decision
(``assistant doc --system``, ``python -m bench bench``).
"""

from __future__ import annotations

import logging

from assistant.config import Settings
from assistant.embedding.cpu import CHOICES, choose_backend, cpu_info
from assistant.errors import ModelError

log = logging.getLogger(__name__)


def available_backends(settings: Settings) -> dict[str, object]:
    """{backend: model path or None} of what can run here (torch is always listed)."""
    found: dict[str, object] = {"torch": None}
    try:
        import importlib.util

        if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("tokenizers") is None:
            return found
    except ValueError:
        return found
    from assistant.embedding.onnx_export import available_models

    found.update(available_models(settings))
    return found


def decide(settings: Settings, info=None) -> dict:
    """Which backend and dtype ``load_encoder`` would use here, and why (no model loaded)."""
    info = info or cpu_info()
    available = available_backends(settings)
    try:
        backend, why = choose_backend(settings.backend, info, set(available))
    except ValueError as exc:
        raise ModelError(str(exc)) from None
    except LookupError:
        raise ModelError(f"ASSISTANT_BACKEND={settings.backend} is not available here "
                         f"(available: {', '.join(sorted(available))}); run `assistant model fetch` "
                         "to export the ONNX models, or use ASSISTANT_BACKEND=auto") from None
    if backend == "torch":
        from assistant.embedding.encoder import resolve_dtype

        dtype = resolve_dtype(settings.dtype, native=info.native_bf16)
    else:
        dtype = "int8 (queries) / float32 (documents)" if backend == "onnx-int8" else "float32"
    return {"backend": backend, "why": why, "dtype": dtype, "cpu": info, "available": sorted(available),
            "model_path": available.get(backend)}


def load_encoder(settings: Settings, *, cache_size: int | None = None, batching: bool = True, **kwargs):
    """The real encoder for this machine, wrapped in the query cache and the micro-batcher.

    ``kwargs`` go to the torch encoder (``threads``, ``batch_size``, ``dtype`` …).
    """
    from assistant.embedding.model import require_model, weights_hash

    model_dir = require_model(settings)
    choice = decide(settings)
    if choice["backend"] == "torch":
        from assistant.embedding.encoder import SentenceTransformerEncoder

        kwargs.setdefault("dtype", choice["dtype"])
        encoder = SentenceTransformerEncoder(model_dir, **kwargs)
        encoder.backend = "torch"
    else:
        from assistant.embedding.onnx_encoder import OnnxEncoder
        from assistant.embedding.onnx_export import FP32_FILE, onnx_dir

        int8 = choice["backend"] == "onnx-int8"
        encoder = OnnxEncoder(model_dir, choice["model_path"], threads=kwargs.get("threads"),
                              document_model_path=onnx_dir(settings) / FP32_FILE if int8 else None,
                              precision="int8" if int8 else "float32")
        encoder.backend = choice["backend"]
    encoder.fingerprint = weights_hash(settings)  # what an index built with it depends on
    encoder.dtype = choice["dtype"]
    log.info("embedding backend %s (%s): %s", choice["backend"], choice["dtype"], choice["why"])
    return wrap(encoder, cache_size=settings.query_cache if cache_size is None else cache_size, batching=batching)


def wrap(encoder, *, cache_size: int = 1024, batching: bool = True):
    """``encoder`` behind the micro-batcher and then the query cache (hits skip the queue)."""
    from assistant.embedding.batching import BatchingEncoder
    from assistant.embedding.cache import CachingEncoder

    if batching:
        encoder = BatchingEncoder(encoder)
    return CachingEncoder(encoder, cache_size) if cache_size > 0 else encoder


def unwrap(encoder):
    """The backend encoder inside the cache and batcher wrappers."""
    while hasattr(encoder, "inner"):
        encoder = encoder.inner
    return encoder


def describe(settings: Settings) -> dict:
    """CPU, flags, chosen backend and dtype, onnxruntime version — for reports."""
    from assistant.embedding.onnx_encoder import describe_runtime

    choice = decide(settings)
    info = choice.pop("cpu")
    choice["model_path"] = str(choice["model_path"]) if choice["model_path"] else None
    return {"cpu": info.to_dict(), "setting": settings.backend, **choice, **describe_runtime(),
            "choices": list(CHOICES)}
