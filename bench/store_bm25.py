"""Our BM25 (jieba + corpus dictionary + synonyms, bm25s) vs Milvus's server-side BM25.

Both score the same units (clauses, sentences, 责任单位 notes; not phrase units, as in the
product) and go through the same clause lifting (:class:`HybridRetriever` in ``bm25``
mode), so only the BM25 signal differs. Milvus runs in Milvus Lite with a ``BM25`` function
over a jieba-analysed text field: ``jieba`` as a stock Milvus gives it, and ``jieba+dict``
with our corpus user words and stopwords passed to the analyzer. Reports R@1 / R@3 on the
in-scope gold questions of ``eval/questions.jsonl``::

    python -m bench.store_bm25 [--out eval/store_bm25.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT


class MilvusBM25:
    """The ``SparseIndex.scores`` interface over a Milvus Lite BM25 collection."""

    def __init__(self, units, texts, folder: Path, analyzer: dict, limit: int = 200):
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        self.size, self.limit = len(units), limit
        self.pos = {u.id: i for i, u in enumerate(units)}
        self.client = MilvusClient(str(folder / "bm25.db"))
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=1024)
        schema.add_field("text", DataType.VARCHAR, max_length=8192, enable_analyzer=True, analyzer_params=analyzer)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        index = self.client.prepare_index_params()
        index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection("units", schema=schema, index_params=index)
        rows = [{"id": u.id, "text": t} for u, t in zip(units, texts) if t is not None]
        start = time.perf_counter()
        self.client.insert("units", rows)
        self.client.flush("units")
        self.build_s = time.perf_counter() - start

    def scores(self, question: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        result = self.client.search("units", data=[question], anns_field="sparse", limit=self.limit,
                                    search_params={"metric_type": "BM25"}, output_fields=[])
        for hit in result[0]:
            out[self.pos[hit["id"]]] = abs(float(hit["distance"]))  # Lite returns BM25 negated
        return out


def recall(retriever, gold, ks=(1, 3)) -> tuple[dict, float]:
    found = {k: [] for k in ks}
    start = time.perf_counter()
    for g in gold:
        ranked = [h.clause for h in retriever.search(g["question"], k=max(ks), mode="bm25")]
        for k in ks:
            found[k].append(bool(set(ranked[:k]) & set(g["clauses"])))
    ms = 1000.0 * (time.perf_counter() - start) / max(1, len(gold))
    return {f"R@{k}": round(float(np.mean(v)), 4) for k, v in found.items()}, ms


def compare(corpus_dir: Path = REPO_ROOT / "corpus", questions: Path = REPO_ROOT / "eval" / "questions.jsonl") -> dict:
    from assistant.ingest.corpus import load_corpus
    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.retrieval.sparse import SparseIndex
    from assistant.retrieval.tokenization import STOPWORDS, Tokenizer
    from assistant.retrieval.units import make_units

    corpus = load_corpus(corpus_dir)
    units = make_units(corpus.documents)
    texts = [None if u.kind == "phrase" else u.text for u in units]
    gold = [g for g in map(json.loads, questions.read_text("utf-8").splitlines())
            if not g.get("out_of_scope") and g.get("clauses")]
    tokenizer = Tokenizer.for_documents(corpus.documents)
    out = {"questions": len(gold), "units": sum(t is not None for t in texts)}
    start = time.perf_counter()
    ours = SparseIndex.build(texts, tokenizer)
    build = time.perf_counter() - start
    scores, ms = recall(HybridRetriever(corpus.documents, units, ours, None, None), gold)
    out["ours (jieba+dict+synonyms, bm25s)"] = {**scores, "query_ms": round(ms, 2), "build_s": round(build, 3)}
    analyzers = {"milvus jieba": {"tokenizer": "jieba"},
                 "milvus jieba+dict+stopwords": {"tokenizer": {"type": "jieba", "mode": "search",
                                                               "dict": tokenizer.user_words},
                                                 "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS)}]}}
    for name, analyzer in analyzers.items():
        with tempfile.TemporaryDirectory() as tmp:
            milvus = MilvusBM25(units, texts, Path(tmp), analyzer)
            scores, ms = recall(HybridRetriever(corpus.documents, units, milvus, None, None), gold)
            out[name] = {**scores, "query_ms": round(ms, 2), "build_s": round(milvus.build_s, 3)}
            milvus.client.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args()
    result = compare()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
