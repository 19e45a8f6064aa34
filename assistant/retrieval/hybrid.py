"""Hybrid retrieval: BM25 and dense scores per unit, lifted to clauses, then fused.

Each signal scores every unit (clause, sentence, 责任单位 note). A clause takes, per
signal, the best score among its units — a single sentence that matches the question is
enough to find its clause. The per-clause signals are then fused, by a weighted sum of
min-max normalised scores (default) or by reciprocal rank fusion. Each :class:`Hit` keeps
the raw signal scores, because the answer layer decides from them whether the document
covers the question at all.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from assistant.ingest.markers import clause_references
from assistant.ingest.records import ClauseRef
from assistant.retrieval.fusion import min_max, reciprocal_rank_fusion, weighted_sum
from assistant.retrieval.tokenization import to_simplified

MODES = ("bm25", "dense", "hybrid", "weighted", "rrf")

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")


def quoted_phrases(question: str) -> list[str]:
    """Phrases the user put in quotes — "管委会+公司" — to be matched exactly."""
    return [p.strip() for p in _QUOTED.findall(question or "") if p.strip()]


@dataclass
class FusionConfig:
    """How signals combine. Defaults are what ``assistant eval`` measured best.

    ``hybrid`` (calibrated): ``w_s * b / (b + saturation) + w_d * cosine``. Unlike min-max,
    this keeps a weak BM25 match weak — min-max would stretch any best match to 1.0 — and
    keeps the model's cosine on its own, comparable scale across questions.
    """

    sparse_weight: float = 0.5
    dense_weight: float = 0.5
    bm25_saturation: float = 8.0  # BM25 score that counts as "half sure"
    rrf_k: float = 60.0
    dense_candidates: int = 200  # units fetched from FAISS per query


@dataclass
class Hit:
    """One clause found for a question."""

    doc_id: str
    clause: int
    label: str
    title: str
    score: float
    sentences: list[str]  # the clause's best-matching sentences, verbatim
    sentence_indices: list[int]
    signals: dict[str, float] = field(default_factory=dict)  # raw best-unit score per signal
    found_by: list[str] = field(default_factory=list)  # signals that ranked it in their top 3

    @property
    def ref(self) -> ClauseRef:
        return ClauseRef(self.doc_id, self.clause)

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "clause": self.clause, "label": self.label, "title": self.title,
                "score": round(float(self.score), 4), "sentences": self.sentences,
                "signals": {k: round(float(v), 4) for k, v in self.signals.items()}, "found_by": self.found_by}


@contextmanager
def _stage(timings: dict | None, name: str):
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


class HybridRetriever:
    def __init__(self, documents, units, sparse, dense, encoder, config: FusionConfig | None = None):
        self.documents = {d.doc_id: d for d in documents}
        self.units = units
        self.sparse = sparse
        self.dense = dense
        self.encoder = encoder
        self.config = config or FusionConfig()
        self._unit_pos = {u.id: i for i, u in enumerate(units)}
        keys = sorted({(u.doc_id, u.clause) for u in units}, key=lambda k: (k[0], k[1]))
        self.clause_keys = keys
        self._key_pos = {k: i for i, k in enumerate(keys)}
        self._unit_clause = np.array([self._key_pos[(u.doc_id, u.clause)] for u in units])
        # Sentence units of each clause, precomputed: best_sentences runs for every hit.
        self._sentence_units: dict[int, list[int]] = {}
        for i, u in enumerate(units):
            if u.kind in ("sentence", "phrase"):
                self._sentence_units.setdefault(int(self._unit_clause[i]), []).append(i)

    def clause(self, doc_id: str, number: int):
        return self.documents[doc_id].clause(number)

    # -- signals -----------------------------------------------------------------
    def expand(self, question: str) -> str:
        """Add the full names of departments a question names by short name (发改委 →
        自治区发展改革委), so BM25 can match the 责任单位 notes, which use full names."""
        names = []
        for doc in self.documents.values():
            names += [n for n in doc.departments.find_in(question) if n not in question]
        return question + (" " + " ".join(names) if names else "")

    def unit_signals(self, question: str, modes=("bm25", "dense"), timings=None) -> dict[str, np.ndarray]:
        """Raw per-unit scores of each signal (dense: -inf for units FAISS did not return)."""
        out = {}
        if "bm25" in modes:
            with _stage(timings, "bm25"):
                out["bm25"] = self.sparse.scores(self.expand(question))
        if "dense" in modes:
            with _stage(timings, "embed"):
                vector = self.encoder.encode_queries([question])[0]
            with _stage(timings, "faiss"):
                dense = np.full(len(self.units), -np.inf, dtype=np.float32)
                for unit_id, score in self.dense.search(vector, self.config.dense_candidates):
                    dense[self._unit_pos[unit_id]] = score
            out["dense"] = dense
        return out

    def _per_clause(self, unit_scores: np.ndarray) -> np.ndarray:
        clause_scores = np.full(len(self.clause_keys), -np.inf)
        np.maximum.at(clause_scores, self._unit_clause, unit_scores)
        return clause_scores

    # -- search ------------------------------------------------------------------
    def search(self, question: str, k: int = 5, mode: str = "hybrid", timings: dict | None = None,
               doc_ids=None, references=None, leaning=None, bonus: float = 0.0) -> list[Hit]:
        """The ``k`` best clauses for ``question``. ``mode``: bm25 | dense | hybrid | rrf.

        ``doc_ids`` restricts the search to those documents (all when empty). A clause the
        question names (第十二条) comes first, in each searched document that has it, unless
        ``references`` gives the :class:`ClauseRef` list to put first instead. Clauses of
        the ``leaning`` documents (the question names their issuer's place) get ``bonus``."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with _stage(timings, "normalise"):
            question = to_simplified(question or "").strip()
        if not question:
            return []
        modes = {"bm25": ("bm25",), "dense": ("dense",)}.get(mode, ("bm25", "dense"))
        unit_scores = self.unit_signals(question, modes, timings)
        allowed = self._allowed(doc_ids)
        if references is None:
            references = self.referenced(question, doc_ids)
        references = [self._key_pos[tuple(ref)] for ref in references if tuple(ref) in self._key_pos]
        references = [i for i in references if allowed is None or allowed[i]]
        with _stage(timings, "fusion"):
            clause_signals = {name: self._per_clause(s) for name, s in unit_scores.items()}
            present = {name: np.isfinite(s) & ((s > 0) if name == "bm25" else True)
                       for name, s in clause_signals.items()}
            finite = {name: np.where(np.isfinite(s), s, 0.0) for name, s in clause_signals.items()}
            fused = self._fuse(mode, finite, present) + self._phrase_bonus(question)
            if leaning and bonus:
                fused = fused + bonus * self._allowed(leaning)
            found = np.logical_or.reduce(list(present.values()))
            if allowed is not None:
                found &= allowed
            candidates = np.flatnonzero(found)
            order = candidates[np.argsort(-fused[candidates], kind="stable")][: k + len(references)].tolist()
            # A clause the question names explicitly ("第十二条讲什么") comes first; when several
            # documents have that number, the one matching the rest of the question best first.
            references = sorted(references, key=lambda i: -fused[i])
            order = (references + [i for i in order if i not in references])[:k]
            top3 = {name: set(np.argsort(-finite[name], kind="stable")[:3].tolist()) for name in finite}
            hits = [self._hit(i, float(fused[i]), unit_scores, finite, present, top3) for i in order]
        return hits

    def _allowed(self, doc_ids) -> np.ndarray | None:
        if not doc_ids:
            return None
        wanted = set(doc_ids)
        return np.array([doc_id in wanted for doc_id, _ in self.clause_keys], dtype=bool)

    def referenced(self, question: str, doc_ids=None) -> list[tuple[str, int]]:
        """(doc_id, n) for each clause number the question names, in each document (of
        ``doc_ids``, or all) that has such a clause."""
        docs = [d for d in self.documents if not doc_ids or d in doc_ids]
        # 最后一条 names the last clause of the one document asked about (none: no clauses).
        last = max((n for d, n in self.clause_keys if d == docs[0]), default=None) if len(docs) == 1 else None
        return [(d, n) for n in clause_references(question, last) for d in docs if (d, n) in self._key_pos]

    def _phrase_bonus(self, question: str, bonus: float = 0.2) -> np.ndarray:
        """Like a search engine's "quoted search": clauses containing a quoted phrase
        verbatim rank above those that merely share its words."""
        out = np.zeros(len(self.clause_keys))
        for phrase in quoted_phrases(question):  # rare: only questions with quotes pay this loop
            for i, (doc_id, number) in enumerate(self.clause_keys):
                if phrase in self.clause(doc_id, number).text:
                    out[i] += bonus
        return out

    def _fuse(self, mode, finite, present) -> np.ndarray:
        names = list(finite)
        if len(names) == 1:
            return finite[names[0]]
        config = self.config
        weights = [config.sparse_weight if n == "bm25" else config.dense_weight for n in names]
        signals = [finite[n] for n in names]
        masks = [present[n] for n in names]
        if mode == "rrf":
            return reciprocal_rank_fusion(signals, weights, config.rrf_k, masks)
        if mode == "weighted":
            return weighted_sum(signals, weights, masks)
        bm25, dense = finite["bm25"], finite["dense"]
        return config.sparse_weight * bm25 / (bm25 + config.bm25_saturation) + config.dense_weight * dense

    def _hit(self, pos, score, unit_scores, finite, present, top3) -> Hit:
        doc_id, number = self.clause_keys[pos]
        clause = self.clause(doc_id, number)
        best = self.best_sentences(pos, unit_scores)
        return Hit(
            doc_id=doc_id, clause=number, label=clause.label, title=clause.title, score=score,
            sentences=[clause.sentences[i] for i in best], sentence_indices=best,
            signals={name: float(finite[name][pos]) for name in finite},
            found_by=[name for name in finite if pos in top3[name] and present[name][pos]],
        )

    def best_sentences(self, pos: int, unit_scores: dict[str, np.ndarray], limit: int = 2) -> list[int]:
        """Indices of the clause's sentences that match best (normalised signals summed)."""
        idx = self._sentence_units.get(pos, [])
        if not idx:
            return [0]
        combined = np.zeros(len(idx))
        for scores in unit_scores.values():
            values = np.where(np.isfinite(scores[idx]), scores[idx], np.nan)
            if np.all(np.isnan(values)):
                continue
            combined += min_max(np.nan_to_num(values, nan=np.nanmin(values)))
        order = np.argsort(-combined, kind="stable")
        chosen = [self.units[idx[order[0]]].sentence]
        # A second sentence only when it is nearly as good as the first (phrases of the
        # same sentence do not count twice).
        for i in order[1:]:
            sentence = self.units[idx[i]].sentence
            if sentence in chosen:
                continue
            if limit > 1 and combined[i] >= 0.5 * combined[order[0]] > 0:
                chosen.append(sentence)
            break
        return sorted(chosen)
