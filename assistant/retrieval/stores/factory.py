"""Store name → backend. The name comes from ``Settings.store`` (``ASSISTANT_STORE``)."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IndexError_

STORES = ("faiss", "milvus")


def check_store_name(name: str) -> str:
    name = (name or "faiss").strip().lower()
    if name not in STORES:
        raise IndexError_(f"未知的向量库 ASSISTANT_STORE={name!r}（unknown vector store; use one of: {', '.join(STORES)}）")
    return name


def make_store(settings, factory: str = "Flat", *, build_id: str = ""):
    """An empty store of the configured kind, to ``build`` and ``save``."""
    name = check_store_name(settings.store)
    if name == "milvus":
        from assistant.retrieval.stores.milvus_store import MilvusStore

        return MilvusStore(factory=factory, uri=settings.milvus_uri, collection=MilvusStore.collection_name(build_id))
    from assistant.retrieval.stores.faiss_store import FaissStore

    return FaissStore(factory=factory)


def load_store(kind: str, folder: Path, units: list, settings=None):
    """Open the store saved under ``folder`` by a build whose manifest says ``kind``."""
    name = check_store_name(kind)
    if name == "milvus":
        from assistant.retrieval.stores.milvus_store import MilvusStore

        return MilvusStore.load(folder, units, uri=settings.milvus_uri if settings else "")
    from assistant.retrieval.stores.faiss_store import FaissStore

    return FaissStore.load(folder, units)


def discard_store(kind: str, folder: Path, settings=None) -> None:
    """Free what a removed build held outside its folder (a collection on a Milvus server)."""
    if check_store_name(kind) == "milvus":
        from assistant.retrieval.stores.milvus_store import MilvusStore

        MilvusStore.discard(folder, uri=settings.milvus_uri if settings else "")
