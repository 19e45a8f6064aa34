"""BM25 over jieba tokens, with bm25s.

bm25s is given pre-tokenised documents (lists of strings), so its own regex tokenizer —
which would turn a run of Chinese characters into one token — never runs. Scores for all
units come back as one array, which the hybrid retriever fuses with the dense scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.retrieval.tokenization import Tokenizer


class SparseIndex:
    """A BM25 index over retrieval units, queried with the same tokenizer it was built with."""

    def __init__(self, bm25, tokenizer: Tokenizer, size: int, positions: list[int] | None = None):
        self.bm25 = bm25
        self.tokenizer = tokenizer
        self.size = size
        # Which units the BM25 documents are (units with text None are not indexed).
        self.positions = np.asarray(positions if positions is not None else range(size), dtype=np.int64)
        self._vocab = set(bm25.vocab_dict) if getattr(bm25, "vocab_dict", None) else None

    @classmethod
    def build(cls, texts: list[str | None], tokenizer: Tokenizer) -> "SparseIndex":
        """Index ``texts``; a ``None`` entry is a unit BM25 does not see (it scores 0)."""
        import bm25s

        positions = [i for i, text in enumerate(texts) if text is not None]
        corpus_tokens = [tokenizer(texts[i]) or ["\u2205"] for i in positions]  # bm25s dislikes empty docs
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, tokenizer, len(texts), positions)

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every unit for ``question`` (zeros when no query word is known)."""
        tokens = [t for t in self.tokenizer(question) if self._vocab is None or t in self._vocab]
        scores = np.zeros(self.size, dtype=np.float32)
        if tokens:
            scores[self.positions] = self.bm25.get_scores(tokens)
        return scores

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder), show_progress=False)
        (folder / "tokenizer.json").write_text(
            json.dumps({"user_words": self.tokenizer.user_words, "size": self.size,
                        "positions": self.positions.tolist()}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex":
        meta = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        try:
            bm25 = SavedScores(folder)
        except (OSError, ValueError, KeyError):  # another bm25s layout or method: let bm25s read it
            import bm25s

            bm25 = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(bm25, Tokenizer(meta["user_words"]), meta["size"], meta.get("positions"))


class SavedScores:
    """A saved bm25s index scored with numpy alone — the query path then never imports
    bm25s and the scipy it pulls in (about a second of a one-shot ``ask``).

    bm25s stores every (token, unit) BM25 score, precomputed, as a CSC matrix; a query's
    scores are the sum of its tokens' columns (a repeated token counts again), which is
    what ``bm25s.BM25.get_scores`` computes for the methods without a non-occurrence term.
    """

    METHODS = ("lucene", "robertson", "atire")

    def __init__(self, folder: Path):
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params["method"] not in self.METHODS:
            raise ValueError(f"bm25 method {params['method']} has a non-occurrence term")
        self.dtype = np.dtype(params.get("dtype", "float32"))
        self.num_docs = int(params["num_docs"])
        self.vocab_dict = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.data = np.load(folder / "data.csc.index.npy", mmap_mode="r")
        self.indices = np.load(folder / "indices.csc.index.npy", mmap_mode="r")
        self.indptr = np.load(folder / "indptr.csc.index.npy", mmap_mode="r")

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        for token in tokens:
            column = self.vocab_dict.get(token)
            if column is None:
                continue
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            scores[self.indices[start:end]] += self.data[start:end]  # one entry per unit in a column
        return scores
