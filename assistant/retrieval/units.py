"""Retrieval units: what the indexes store, each pointing back to its clause.

A clause is indexed as a whole (title + body), sentence by sentence (so a hit names the
exact sentence to quote), phrase by phrase for long sentences, and by its 责任单位 note (so
a department name in a question finds the clauses it is responsible for). All carry the
clause's metadata; a phrase unit points at the sentence it came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Unit:
    id: str
    kind: str  # "clause" | "sentence" | "phrase" | "departments"
    doc_id: str
    clause: int
    sentence: int | None  # index into Clause.sentences for sentence and phrase units
    title: str  # the clause title, used as the embedding title
    text: str

    def metadata(self, clause) -> dict:
        return {**asdict(self), "label": clause.label, "departments": clause.departments}


LONG_SENTENCE = 80  # characters; longer sentences are also indexed phrase by phrase
PHRASE_WINDOW = 40


def phrases(sentence: str, window: int = PHRASE_WINDOW) -> list[str]:
    """Consecutive comma-separated parts of a long sentence, grouped up to ``window``
    characters: one 300-character sentence holds many ideas, and an embedding of the whole
    dilutes each of them."""
    parts = [p for p in sentence.replace("，", "，\n").split("\n") if p]
    out, current = [], ""
    for part in parts:
        if current and len(current) + len(part) > window:
            out.append(current)
            current = ""
        current += part
    if current:
        out.append(current)
    return out if len(out) > 1 else []


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
                if len(sentence) > LONG_SENTENCE:
                    for j, phrase in enumerate(phrases(sentence)):
                        units.append(Unit(f"{prefix}:s{i}p{j}", "phrase", doc.doc_id, clause.number, i, clause.title,
                                          phrase))
            if clause.departments_raw:
                text = "责任单位：" + "、".join(clause.departments)
                units.append(Unit(f"{prefix}:d", "departments", doc.doc_id, clause.number, None, clause.title, text))
    return units
