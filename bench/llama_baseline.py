"""The dense store the product used before ``assistant/retrieval/stores``: a llama-index
``VectorStoreIndex`` over a FAISS vector store, with llama-index's JSON docstore holding
every node's text, metadata and embedding. Kept only as the benchmark's baseline (section 6
measures what it costs at 1000×: the reason the product now keeps FAISS bare and unit texts
in ``units.jsonl``).

Vectors are computed by our own encoder and handed to llama-index on the nodes; queries
pass a ready embedding in the ``QueryBundle``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.retrieval.stores.faiss_store import faiss_index as _faiss_index
from assistant.retrieval.units import Unit


def _embed_adapter(encoder):
    """A llama-index embedding model backed by our encoder (used if llama-index embeds)."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class EncoderEmbedding(BaseEmbedding):
        _encoder = PrivateAttr()

        def __init__(self, encoder, **kwargs):
            super().__init__(model_name=encoder.name, **kwargs)
            self._encoder = encoder

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._encoder.encode_queries([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._encoder.encode_documents([text])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return EncoderEmbedding(encoder)


class DenseIndex:
    """Unit vectors in FAISS, wrapped in a llama-index VectorStoreIndex."""

    def __init__(self, index, encoder, size: int):
        self.index = index
        self.encoder = encoder
        self.size = size
        self._positions: dict[str, int] | None = None

    @classmethod
    def build(cls, units: list[Unit], vectors: np.ndarray, encoder, clauses_by_key=None,
              factory: str = "Flat") -> "DenseIndex":
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.faiss import FaissVectorStore

        store = FaissVectorStore(faiss_index=_faiss_index(vectors.shape[1], factory))
        storage = StorageContext.from_defaults(vector_store=store)
        nodes = []
        for unit, vector in zip(units, vectors):
            clause = clauses_by_key.get((unit.doc_id, unit.clause)) if clauses_by_key else None
            metadata = unit.metadata(clause) if clause else {"kind": unit.kind, "clause": unit.clause}
            nodes.append(TextNode(id_=unit.id, text=unit.text, metadata=metadata, embedding=vector.tolist(),
                                  excluded_embed_metadata_keys=list(metadata), excluded_llm_metadata_keys=list(metadata)))
        index = VectorStoreIndex(nodes, storage_context=storage, embed_model=_embed_adapter(encoder),
                                 show_progress=False)
        return cls(index, encoder, len(units))

    def save(self, folder: Path) -> None:
        self.index.storage_context.persist(persist_dir=str(folder))

    @classmethod
    def load(cls, folder: Path, encoder, size: int) -> "DenseIndex":
        from llama_index.core import StorageContext, load_index_from_storage
        from llama_index.vector_stores.faiss import FaissVectorStore

        store = FaissVectorStore.from_persist_dir(str(folder))
        storage = StorageContext.from_defaults(vector_store=store, persist_dir=str(folder))
        index = load_index_from_storage(storage, embed_model=_embed_adapter(encoder))
        return cls(index, encoder, size)

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        from llama_index.core.schema import QueryBundle

        retriever = self.index.as_retriever(similarity_top_k=min(k, self.size))
        hits = retriever.retrieve(QueryBundle(query_str="", embedding=np.asarray(query_vector).tolist()))
        return [(hit.node.node_id, float(hit.score)) for hit in hits]
