"""The embedded default: unit vectors in a FAISS index, one file, loaded with ``faiss.read_index``.

Row *i* of the index is unit *i* of the build's unit store (``units.jsonl``), so the store
keeps no ids, texts or metadata of its own — the llama-index JSON docstore this replaces
took 9.4 GB of RAM to build and 11 s to reload at 1000× the corpus. The file is what
llama-index's ``FaissVectorStore.persist`` writes (``faiss.write_index``), so
``FaissVectorStore.from_persist_path`` still opens it; the query path never imports
llama-index. ``factory``: exact ``Flat`` (inner product = cosine on unit vectors) or
approximate ``HNSW32``. Filters run inside FAISS as an ``IDSelector`` over rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.retrieval.stores import positions_matching

FILENAME = "faiss.index"
EF_SEARCH = 128  # HNSW: candidates explored per query (recall vs speed)


def faiss_index(dim: int, factory: str):
    import faiss

    if factory == "Flat":
        return faiss.IndexFlatIP(dim)
    if factory.startswith("HNSW"):
        index = faiss.IndexHNSWFlat(dim, int(factory[4:] or 32), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = EF_SEARCH
        return index
    raise ValueError(f"unknown FAISS index type {factory!r} (use Flat or HNSW32)")


class FaissStore:
    kind = "faiss"

    def __init__(self, factory: str = "Flat", index=None, units: list | None = None):
        self.factory = factory
        self.index = index
        self.units = units or []
        self.ids = [u.id for u in self.units]

    @property
    def size(self) -> int:
        return len(self.ids)

    def build(self, units: list, vectors: np.ndarray) -> None:
        if len(units) != len(vectors):
            raise ValueError(f"{len(units)} units but {len(vectors)} vectors")
        self.index = faiss_index(vectors.shape[1], self.factory)
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.units, self.ids = list(units), [u.id for u in units]

    def save(self, folder: Path) -> None:
        import faiss

        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(folder / FILENAME))

    @classmethod
    def load(cls, folder: Path, units: list) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(folder / FILENAME))
        if index.ntotal != len(units):
            raise ValueError(f"{folder / FILENAME} holds {index.ntotal} vectors for {len(units)} units")
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = EF_SEARCH
        return cls("HNSW" if hasattr(index, "hnsw") else "Flat", index, units)

    def search(self, vector: np.ndarray, k: int, doc_ids=None, departments=None) -> list[tuple[str, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        k = min(k, self.size)
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if doc_ids is None and departments is None:
            scores, rows = self.index.search(query, k)
        else:
            scores, rows = self.index.search(query, k, params=self._params(doc_ids, departments))
        return [(self.ids[r], float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def _params(self, doc_ids, departments):
        import faiss

        rows = positions_matching(self.units, doc_ids, departments).astype(np.int64)
        selector = faiss.IDSelectorBatch(rows)
        if hasattr(self.index, "hnsw"):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=self.index.hnsw.efSearch)
        else:
            params = faiss.SearchParameters(sel=selector)
        params._selector = selector  # SWIG does not keep the selector alive for the params
        return params
