"""BM25 over jieba tokens, with bm25s.

bm25s is given pre-tokenised documents (lists of strings), so its own regex tokenizer —
which would turn a run of Chinese characters into one token — never runs. Scores for all
units come back as one array, which the hybrid retriever fuses with the dense scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .tokenization import Tokenizer


class SparseIndex:
    """A BM25 index over retrieval units, queried with the same tokenizer it was built with."""

    def __init__(self, bm25, tokenizer: Tokenizer, size: int):
        self.bm25 = bm25
        self.tokenizer = tokenizer
        self.size = size
        self._vocab = set(bm25.vocab_dict) if getattr(bm25, "vocab_dict", None) else None

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer) -> "SparseIndex":
        import bm25s

        corpus_tokens = [tokenizer(text) or ["\u2205"] for text in texts]  # bm25s dislikes empty docs
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, tokenizer, len(texts))

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every unit for ``question`` (zeros when no query word is known)."""
        tokens = [t for t in self.tokenizer(question) if self._vocab is None or t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder), show_progress=False)
        (folder / "tokenizer.json").write_text(
            json.dumps({"user_words": self.tokenizer.user_words, "size": self.size}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex":
        import bm25s

        meta = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(bm25, Tokenizer(meta["user_words"]), meta["size"])
