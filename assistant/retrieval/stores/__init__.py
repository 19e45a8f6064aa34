"""Vector stores behind one interface: the embedded FAISS store (default) and Milvus.

A store holds one vector per retrieval unit and answers nearest-neighbour queries, with an
optional filter on the unit's document (or 责任单位) run inside the engine. Unit texts and
metadata live in the build's compact unit store (``units.jsonl``), never in the vector
store's own docstore. :func:`~assistant.retrieval.stores.factory.make_store` picks the
backend named by ``Settings.store`` (``ASSISTANT_STORE``: ``faiss`` or ``milvus``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    kind: str  # "faiss" | "milvus"
    size: int  # number of vectors

    def build(self, units: list, vectors: np.ndarray) -> None:
        """Take the units (ids, doc ids, clause numbers) and their unit-norm vectors."""

    def save(self, folder: Path) -> None:
        """Write the store under ``folder`` (Milvus Lite writes its database there)."""

    def search(self, vector: np.ndarray, k: int, doc_ids=None, departments=None) -> list[tuple[str, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first; ``doc_ids`` /
        ``departments`` restrict the search to those documents / responsible departments."""


def clause_departments(units) -> dict[tuple[str, int], list[str]]:
    """(doc_id, clause) → its responsible departments, read from the 责任单位 units
    (``责任单位：A、B``), so no store needs the clause records to filter by department."""
    out = {}
    for unit in units:
        if unit.kind == "departments":
            out[(unit.doc_id, unit.clause)] = [d for d in unit.text.split("：", 1)[-1].split("、") if d]
    return out


def positions_matching(units, doc_ids=None, departments=None) -> np.ndarray:
    """Row numbers of the units that pass a filter (for stores that filter by row)."""
    keep = np.ones(len(units), dtype=bool)
    if doc_ids is not None:
        wanted = set(doc_ids)
        keep &= np.array([u.doc_id in wanted for u in units], dtype=bool)
    if departments is not None:
        wanted = set(departments)
        by_clause = clause_departments(units)
        keep &= np.array([bool(wanted.intersection(by_clause.get((u.doc_id, u.clause), ()))) for u in units],
                         dtype=bool)
    return np.flatnonzero(keep)
