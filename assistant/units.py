"""Retrieval units: what the indexes store, each pointing back to its clause.

A clause is indexed three ways: as a whole (title + body), sentence by sentence (so a
hit names the exact sentence to quote), and by its 责任单位 note (so a department name in a
question finds the clauses it is responsible for). All three carry the clause's metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Unit:
    id: str
    kind: str  # "clause" | "sentence" | "departments"
    doc_id: str
    clause: int
    sentence: int | None  # index into Clause.sentences for sentence units
    title: str  # the clause title, used as the embedding title
    text: str

    def metadata(self, clause) -> dict:
        return {**asdict(self), "label": clause.label, "departments": clause.departments}


def make_units(documents) -> list[Unit]:
    units: list[Unit] = []
    for doc in documents:
        for clause in doc.clauses:
            prefix = f"{doc.doc_id}:{clause.number}"
            units.append(Unit(f"{prefix}:c", "clause", doc.doc_id, clause.number, None, clause.title, clause.body))
            for i, sentence in enumerate(clause.sentences):
                if i == 0 and sentence.rstrip("。") == clause.title:
                    continue  # the title sentence alone adds nothing the clause unit lacks
                units.append(Unit(f"{prefix}:s{i}", "sentence", doc.doc_id, clause.number, i, clause.title, sentence))
            if clause.departments_raw:
                text = "责任单位：" + "、".join(clause.departments)
                units.append(Unit(f"{prefix}:d", "departments", doc.doc_id, clause.number, None, clause.title, text))
    return units
