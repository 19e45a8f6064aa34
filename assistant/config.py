"""Every path and tunable of the assistant, in one place.

Paths default to folders inside the repository (corpus, indexes) or the user's cache
(model weights, which are too big for git); each can be overridden by an environment
variable so tests, CI and deployments can point elsewhere without code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

MODEL_ID = "google/embeddinggemma-300m"
EMBEDDING_DIM = 768

# Bumped whenever the parser's output changes, so stale indexes are rebuilt.
PARSER_VERSION = "3"  # 3: 附件 note, items in section text, collective department groups, preamble part

# Policy files larger than this are refused by every loader, `assistant add` and the web
# upload (a 公文 PDF is a few MB at most; hundreds of MB is a scan or a mistake).
def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default


MAX_DOCUMENT_BYTES = _env_int("ASSISTANT_MAX_DOCUMENT_MB", 50) * 2**20


def embedding_cache_enabled() -> bool:
    """Unit embeddings are reused across builds (retrieval/embedding_cache.py) unless
    ASSISTANT_EMBEDDING_CACHE=off: for timing a cold build, or tests that need the encoder
    to run."""
    return os.environ.get("ASSISTANT_EMBEDDING_CACHE", "").strip().lower() not in ("0", "off", "false", "no")


# Questions longer than this are truncated (with a notice) before retrieval.
MAX_QUESTION_CHARS = 500


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else default


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return max(0, int(value)) if value else default
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default


def llm_key() -> str:
    """The LLM server's API key (ASSISTANT_LLM_KEY), read at use and never stored in Settings."""
    return os.environ.get("ASSISTANT_LLM_KEY", "").strip()


@dataclass(frozen=True)
class Settings:
    """Where things live. Build one with :meth:`from_env`; tests use ``replace``."""

    corpus_dir: Path = field(default_factory=lambda: REPO_ROOT / "corpus")
    index_dir: Path = field(default_factory=lambda: REPO_ROOT / "indexes")
    model_dir: Path = field(
        default_factory=lambda: Path.home() / ".cache" / "policy-assistant" / "embeddinggemma-300m"
    )
    feedback_path: Path = field(default_factory=lambda: REPO_ROOT / "feedback" / "feedback.jsonl")
    eval_dir: Path = field(default_factory=lambda: REPO_ROOT / "eval")
    # Model weights' dtype on the CPU: "auto" picks bfloat16 where the CPU computes it
    # natively (AVX512-BF16/AMX; about 2x faster, cosine >= 0.998 to float32), else float32.
    dtype: str = "auto"
    # Vector store: "faiss" (embedded, default) or "milvus" (Milvus Lite in the index folder,
    # or the server at ``milvus_uri``; its token is read from ASSISTANT_MILVUS_TOKEN, never kept here).
    store: str = "faiss"
    milvus_uri: str = ""
    # Embedding backend: "auto" picks by CPU (assistant/embedding/cpu.py): onnx-int8 where the
    # CPU has VNNI/AMX, else onnx (float32); torch when the ONNX export is missing.
    backend: str = "auto"
    # Query vectors kept by question (LRU); 0 turns the cache off.
    query_cache: int = 1024
    # Optional LLM rephrasing, off unless ASSISTANT_LLM_URL names an OpenAI-compatible server
    # (Ollama, vLLM, a llama.cpp server: the base URL with its /v1). The LLM may only rephrase
    # the grounded answer; every sentence is checked against the quoted spans
    # (assistant/integrations/llm_rephrase.py). Its key is read from ASSISTANT_LLM_KEY at use,
    # never kept here.
    llm_url: str = ""
    llm_model: str = "default"
    llm_timeout: float = 30.0  # seconds; a slower answer falls back to the extractive one

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_url)

    @classmethod
    def from_env(cls) -> "Settings":
        base = cls()
        return cls(
            corpus_dir=_env_path("ASSISTANT_CORPUS_DIR", base.corpus_dir),
            index_dir=_env_path("ASSISTANT_INDEX_DIR", base.index_dir),
            model_dir=_env_path("ASSISTANT_MODEL_DIR", base.model_dir),
            feedback_path=_env_path("ASSISTANT_FEEDBACK_PATH", base.feedback_path),
            eval_dir=_env_path("ASSISTANT_EVAL_DIR", base.eval_dir),
            dtype=os.environ.get("ASSISTANT_DTYPE", "").strip() or base.dtype,
            store=os.environ.get("ASSISTANT_STORE", "").strip().lower() or base.store,
            milvus_uri=os.environ.get("ASSISTANT_MILVUS_URI", "").strip(),
            backend=os.environ.get("ASSISTANT_BACKEND", "").strip().lower() or base.backend,
            query_cache=_env_int("ASSISTANT_QUERY_CACHE", base.query_cache),
            llm_url=os.environ.get("ASSISTANT_LLM_URL", "").strip(),
            llm_model=os.environ.get("ASSISTANT_LLM_MODEL", "").strip() or base.llm_model,
            llm_timeout=_env_float("ASSISTANT_LLM_TIMEOUT", base.llm_timeout),
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
