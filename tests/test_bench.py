"""The benchmark, with the fake encoder: generators, recall maths, growth, Markdown."""

from __future__ import annotations

import numpy as np
import pytest

from bench.run import run_bench
from bench.report import render_markdown
from bench.growth import (CachedQueryEncoder, cache_texts, exact_vs_hnsw, llama_in_subprocess, measure_growth,
                              recall_at_k, synthetic_document, synthetic_vectors)
from bench.measure import pick
from assistant.config import REPO_ROOT
from tests.doubles import FakeEncoder
from assistant.retrieval.units import make_units


def test_synthetic_document_is_deterministic_and_sized(document):
    a, b = synthetic_document(document, 10), synthetic_document(document, 10)
    assert len(a.clauses) == 10 * len(document.clauses) == 230
    assert [c.text for c in a.clauses] == [c.text for c in b.clauses]
    assert [c.title for c in a.clauses] == [c.title for c in b.clauses]
    real = {s for c in document.clauses for s in c.sentences}
    for clause in a.clauses:
        assert 3 <= len(clause.sentences) <= 8
        assert len(set(clause.sentences)) == len(clause.sentences)
        assert set(clause.sentences) <= real
        assert clause.body == "".join(clause.sentences) and clause.text.startswith(clause.body)
    assert [c.number for c in a.clauses] == list(range(1, 231))
    other = synthetic_document(document, 2)
    assert len(other.clauses) == 46 and other.clauses[0].text != a.clauses[0].text


def test_synthetic_vectors_compose_from_the_cache(corpus, document):
    encoder = FakeEncoder(32)
    texts = cache_texts(corpus.documents)
    cache = dict(zip(texts, encoder.encode_documents(texts)))
    doc = synthetic_document(document, 1)
    units = make_units([doc])
    vectors = synthetic_vectors(doc, units, cache)
    assert vectors.shape == (len(units), 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    first = doc.clauses[0]
    mean = np.mean([cache[s] for s in first.sentences], axis=0)
    assert np.allclose(vectors[0], mean / np.linalg.norm(mean), atol=1e-5)  # units[0] is clause 1's clause unit
    assert {u.kind for u in units} == {"clause", "sentence", "phrase", "departments"}


def test_recall_at_k_worked_example():
    exact_ids = np.array([[0, 1, 2], [3, 4, 5]])
    exact_sc = np.array([[0.9, 0.8, 0.7], [0.9, 0.8, 0.7]])
    # query 1: found 0 and 1, missed 2 (returned 9 with a lower score) -> 2/3
    # query 2: returned 6 instead of 5, but 6 ties the exact 3rd score -> 3/3
    approx_ids = np.array([[0, 1, 9], [3, 4, 6]])
    approx_sc = np.array([[0.9, 0.8, 0.5], [0.9, 0.8, 0.7]])
    assert recall_at_k(exact_ids, exact_sc, approx_ids, approx_sc, 3) == pytest.approx((2 / 3 + 1) / 2)
    assert recall_at_k(exact_ids, exact_sc, approx_ids, approx_sc, 2) == 1.0
    missing = np.array([[0, -1, -1], [3, 4, 5]])  # -1: FAISS found fewer than k
    assert recall_at_k(exact_ids, exact_sc, missing, np.array([[0.9, 0, 0], [0.9, 0.8, 0.7]]), 3) == \
        pytest.approx((1 / 3 + 1) / 2)


def test_exact_vs_hnsw_on_small_data():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    out, hnsw = exact_vs_hnsw(vectors, vectors[:30], ks=(10, 50))
    assert hnsw.ntotal == 400 and out["ef_search"] == 128
    assert 0.9 <= out["recall@10"] <= 1.0 and 0.9 <= out["recall@50"] <= 1.0
    assert out["flat"]["n"] == out["hnsw"]["n"] == 30 and out["hnsw_build_s"] > 0


def test_growth_at_10x_returns_sane_numbers(corpus, document, tmp_path):
    from assistant.retrieval.tokenization import Tokenizer

    encoder = FakeEncoder(32)
    texts = cache_texts(corpus.documents)
    cache = dict(zip(texts, encoder.encode_documents(texts)))
    questions = ["科技金融服务有哪些支持？", "人才引进怎么做？", "高新区的发展目标是什么"]
    queries = CachedQueryEncoder({q: v for q, v in zip(questions, encoder.encode_queries(questions))}, fallback=encoder)
    row = measure_growth(10, document, Tokenizer.for_documents(corpus.documents), cache, queries, questions, tmp_path,
                         llama="in-process", ann_queries=encoder.encode_queries(questions))
    assert row["clauses"] == 230 and row["units"] > 230 * 4
    for key in ("bm25_s", "faiss_s", "persist_raw_s", "persist_llama_s", "size_raw_mb", "size_llama_mb"):
        assert row[key] > 0, key
    assert row["size_llama_mb"] > row["size_raw_mb"]  # the docstore JSON costs extra
    assert set(row["search"]) == {"raw FAISS Flat", "llama-index (Flat)", "raw FAISS HNSW32"}
    for timing in row["search"].values():
        assert 0 < timing["p50"] <= timing["p95"] < 5000 and timing["n"] == 3
    assert queries.misses == 0
    assert 0.0 <= row["ann"]["recall@10"] <= 1.0
    assert not (tmp_path / "growth-10x").exists()  # cleaned up
    assert row["llama"]["llama_search"]["n"] == 3 and row["llama"]["search_ratio_p50"] > 0


def test_llama_in_a_subprocess_reports_its_own_memory(corpus, tmp_path):
    from bench.growth import save_cache

    encoder = FakeEncoder(16)
    texts = cache_texts(corpus.documents)
    cache = dict(zip(texts, encoder.encode_documents(texts)))
    path = save_cache(tmp_path / "v.npz", cache, encoder.encode_queries(["科技金融", "人才"]))
    out = llama_in_subprocess(1, corpus_dir=REPO_ROOT / "corpus", cache_path=path, folder=tmp_path / "llama",
                              n_queries=2)
    assert out.get("subprocess") and "error" not in out, out
    assert out["units"] > 23 and out["build_s"] > 0 and out["docstore_mb"] > 0
    assert out["peak_rss_mb"] >= out["rss_base_mb"] > 0 and out["llama_search"]["n"] == 2
    assert not (tmp_path / "llama").exists()


def test_pick_is_a_fixed_spread_subset():
    items = list(range(100))
    assert pick(items, None) == items and pick(items, 500) == items
    assert pick(items, 5) == [0, 25, 50, 74, 99] and pick(items, 5) == pick(items, 5)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from assistant.config import Settings

    home = tmp_path_factory.mktemp("bench")
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=home / "indexes", model_dir=home / "no-model",
                        feedback_path=home / "f.jsonl", eval_dir=home / "eval")
    lines: list[str] = []
    out = home / "bench.md"
    results = run_bench(settings, encoder=FakeEncoder(64), default_encoder=FakeEncoder(64), quick=True,
                        echo=lines.append, out_path=out)
    return settings, results, out, lines


def test_quick_run_measures_everything(quick_run, corpus):
    settings, r, out, lines = quick_run
    assert not settings.index_dir.exists()  # builds went to a temp dir
    cold = r["cold_start"]
    assert cold["peak_rss_mb"] > 0 and cold["wall_total"] >= cold["inside_total"] > 0
    assert r["warm"]["n"] == 20 and r["warm"]["p50"] > 0 and r["warm"]["stages_ms"]["compose"] > 0
    from assistant.retrieval.units import make_units

    assert r["build"]["units"] == len(make_units(corpus.documents)) and r["build"]["size_mb"] > 0
    assert r["bm25_vs_hybrid"]["ratio_p50"] > 0
    assert r["encoders"]["max_abs_cos_diff"] == pytest.approx(0.0, abs=1e-6)  # same fake encoder on both sides
    assert r["encoders"]["top1_doc_agreement"] == 1.0
    assert [g["factor"] for g in r["growth"]] == [10] and "hybrid" in r["growth"][0]["ann"]
    assert cold["peak_after_model_mb"] <= cold["peak_rss_mb"]
    assert r["memory"]["peak_rss_mb"] >= r["memory"]["rss_start_mb"]
    assert any("bench summary" in line for line in lines)


def test_markdown_has_every_section(quick_run):
    _, r, out, _ = quick_run
    text = out.read_text(encoding="utf-8")
    for heading in ("# Benchmark", "## 1. Cold start", "## 2. Warm query latency", "## 3. Index build",
                    "## 4. Memory", "## 5. Baselines", "### BM25-only vs hybrid", "### sentence-transformers defaults",
                    "## 6. Growth", "### Exact (Flat) vs approximate (HNSW32)", "### llama-index persistence vs raw FAISS",
                    "## Method notes"):
        assert heading in text, heading
    assert "cores" in text and "GB RAM" in text and "Load average" in text
    assert text == render_markdown(r)


def test_markdown_flags_a_busy_machine_and_skipped_llama(quick_run):
    _, r, _, _ = quick_run
    busy = {**r, "machine": {**r["machine"], "other_cores": 1.5}}
    assert "other processes were using the CPU" in render_markdown(busy)
    big = {**r["growth"][0], "factor": 1000, "units": r["growth"][0]["units"] * 100}
    big.pop("llama")
    projected = {**r, "growth": r["growth"] + [big]}
    assert "not built with llama-index" in render_markdown(projected)
    failed = {**big, "llama": {"error": "exit -9: killed"}}
    assert "build **failed**: exit -9" in render_markdown({**r, "growth": r["growth"] + [failed]})
    low_ram = {**big, "llama": {"skipped": "needs ~9.5 GB of RAM, 3.0 GB available"}}
    text = render_markdown({**r, "growth": r["growth"] + [low_ram]})
    assert "build **skipped**: needs ~9.5 GB" in text and "linear projection" in text


def test_ranking_agreement_and_cpu_accounting():
    from bench.growth import ranking_agreement
    from bench.measure import cpu_snapshot, other_cpu_load

    out = ranking_agreement([[1, 2, 3], [4, 5, 6], []], [[1, 3, 9], [5, 4, 6], [7]])
    assert out["top1"] == pytest.approx(1 / 3)
    assert out["topk_overlap"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    start = cpu_snapshot()
    sum(i * i for i in range(200_000))  # our own work must not count as "other" load
    assert 0.0 <= other_cpu_load(start, cpu_snapshot()) < 64
