"""Vector stores: FAISS (default) and Milvus Lite give the same answers through one seam."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.errors import IndexError_
from assistant.retrieval.index import build_index, check_index, load_index
from assistant.retrieval.stores.factory import load_store, make_store
from assistant.retrieval.units import make_units
from tests.doubles import FakeEncoder

QUERIES = ["科技金融服务", "高新区的发展目标是什么", "人才引进有哪些政策", "土地供应", "知识产权保护",
           "管委会+公司", "自治区科技厅负责哪些工作", "创新平台建设", "考核评价", "产业集群"]


@pytest.fixture(scope="module")
def units_vectors(corpus):
    units = make_units(corpus.documents)
    encoder = FakeEncoder(64)
    return units, encoder.encode_documents([u.text for u in units], [u.title for u in units]), encoder


def _saved(kind, tmp_path, units, vectors, factory="Flat"):
    settings = Settings(index_dir=tmp_path, store=kind)
    store = make_store(settings, factory, build_id="test")
    store.build(units, vectors)
    store.save(tmp_path / kind)
    return load_store(kind, tmp_path / kind, units, settings)


def test_both_stores_same_neighbours(tmp_path, units_vectors):
    units, vectors, encoder = units_vectors
    faiss_store = _saved("faiss", tmp_path, units, vectors)
    milvus = _saved("milvus", tmp_path, units, vectors)
    assert faiss_store.size == milvus.size == len(units)
    for query in QUERIES:
        vector = encoder.encode_queries([query])[0]
        a, b = faiss_store.search(vector, 10), milvus.search(vector, 10)
        assert len(a) == len(b) == 10
        assert a[0][0] == b[0][0], query
        assert np.allclose([s for _, s in a], [s for _, s in b], atol=1e-5)
        expected = np.sort(vectors @ vector)[::-1][:10]
        assert np.allclose([s for _, s in a], expected, atol=1e-5)  # exact search: the true top 10


@pytest.mark.parametrize("kind", ["faiss", "milvus"])
def test_filters_run_in_the_store(tmp_path, units_vectors, kind):
    units, vectors, encoder = units_vectors
    # A second document (same units under another doc_id) so a doc filter has something to drop.
    twin = [type(u)(u.id.replace(u.doc_id, "twin"), u.kind, "twin", u.clause, u.sentence, u.title, u.text)
            for u in units]
    store = _saved(kind, tmp_path, units + twin, np.concatenate([vectors, vectors]))
    vector = encoder.encode_queries(["科技金融服务"])[0]
    both = store.search(vector, 20)
    assert {i.split(":")[0] for i, _ in both} == {units[0].doc_id, "twin"}
    only = store.search(vector, 20, doc_ids=["twin"])
    assert len(only) == 20 and all(i.startswith("twin:") for i, _ in only)
    assert store.search(vector, 5, doc_ids=["no-such-doc"]) == []
    by_dept = store.search(vector, 50, departments=["自治区科技厅"])
    clauses = {(u.doc_id, u.clause) for u in units + twin if u.kind == "departments" and "自治区科技厅" in u.text}
    assert by_dept and all((i.split(":")[0], int(i.split(":")[1])) in clauses for i, _ in by_dept)


@pytest.mark.parametrize("kind", ["faiss", "milvus"])
def test_hnsw_variant(tmp_path, units_vectors, kind):
    units, vectors, encoder = units_vectors
    store = _saved(kind, tmp_path, units, vectors, factory="HNSW32")
    vector = encoder.encode_queries(["人才引进"])[0]
    assert store.search(vector, 1)[0][0] == units[int(np.argmax(vectors @ vector))].id


@pytest.mark.parametrize("kind", ["faiss", "milvus"])
def test_build_save_load_round_trip(tmp_settings, corpus, kind):
    settings = tmp_settings.with_(store=kind)
    encoder = FakeEncoder(64)
    folder = build_index(settings, corpus, encoder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"] == kind
    assert not any(p.name.endswith("docstore.json") for p in folder.rglob("*"))  # no JSON docstore
    index = load_index(settings, corpus, encoder, rebuild=False)
    assert index.dense.kind == kind and index.dense.size == len(index.units)
    # Opening the store must not touch its files (their checksums are in the manifest).
    assert check_index(settings, corpus, encoder) == []
    vector = encoder.encode_queries(["科技金融"])[0]
    assert index.dense.search(vector, 3)[0][0] in {u.id for u in index.units}


def test_store_switch_rebuilds(tmp_settings, corpus):
    encoder = FakeEncoder(64)
    first = build_index(tmp_settings, corpus, encoder)
    milvus = tmp_settings.with_(store="milvus")
    assert any("store changed" in p for p in check_index(milvus, corpus, encoder))
    with pytest.raises(IndexError_):
        load_index(milvus, corpus, encoder, rebuild=False)
    index = load_index(milvus, corpus, encoder)
    assert index.path != first and index.manifest["store"] == "milvus" and index.dense.kind == "milvus"
    assert not first.exists()  # the old build was removed
    back = load_index(tmp_settings, corpus, encoder)
    assert back.dense.kind == "faiss"


def test_unknown_store_is_a_clear_error(tmp_settings, corpus):
    with pytest.raises(IndexError_, match="ASSISTANT_STORE"):
        load_index(tmp_settings.with_(store="pinecone"), corpus, FakeEncoder(64))
    assert not (tmp_settings.index_dir / "builds").exists()


def test_store_from_env(monkeypatch):
    monkeypatch.setenv("ASSISTANT_STORE", " Milvus ")
    monkeypatch.setenv("ASSISTANT_MILVUS_URI", "http://milvus.example:19530")
    settings = Settings.from_env()
    assert settings.store == "milvus" and settings.milvus_uri == "http://milvus.example:19530"
    monkeypatch.delenv("ASSISTANT_STORE")
    assert Settings.from_env().store == "faiss"


def test_same_answers_through_the_assistant(tmp_path):
    from assistant.qa import Assistant

    ranked = {}
    for kind in ("faiss", "milvus"):
        settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / kind, store=kind)
        assistant = Assistant.load(settings, encoder=FakeEncoder(64))
        ranked[kind] = [[h.clause for h in assistant.search(q, k=3)] for q in QUERIES]
    assert ranked["faiss"] == ranked["milvus"]


def test_lite_index_usable_while_another_process_holds_it(tmp_settings, corpus):
    """Milvus Lite locks its folder for one process; a second one opens a private copy."""
    settings = tmp_settings.with_(store="milvus")
    encoder = FakeEncoder(64)
    build_index(settings, corpus, encoder)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pymilvus import MilvusClient; c = MilvusClient(sys.argv[1]); "
         "c.load_collection('units'); print('ready', flush=True); sys.stdin.read()",
         str(settings.index_dir / "current" / "dense" / "milvus.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        assert holder.stdout.readline().strip() == "ready"
        index = load_index(settings, corpus, encoder, rebuild=False)
        assert index.dense.search(encoder.encode_queries(["科技金融"])[0], 3)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def test_query_path_imports_neither_llama_index_nor_pymilvus(tmp_settings, corpus):
    build_index(tmp_settings, corpus, FakeEncoder(64))
    code = ("import sys; from pathlib import Path; from assistant.config import Settings; "
            "from assistant.qa import Assistant; from tests.doubles import FakeEncoder; "
            f"a = Assistant.load(Settings(index_dir=Path({str(tmp_settings.index_dir)!r})), "
            "encoder=FakeEncoder(64), rebuild=False); a.search('科技金融'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('llama_index', 'pymilvus', 'milvus_lite')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
                         env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.integration
def test_milvus_agrees_with_faiss_on_the_gold_questions(tmp_path):
    """The real model: ASSISTANT_STORE=milvus, in a fresh index folder, ranks the same
    clause first as the default store on >= 95% of eval/questions.jsonl."""
    from assistant.embedding.encoder import load_encoder
    from assistant.embedding.model import model_status
    from assistant.qa import Assistant

    real = Settings.from_env()
    if not model_status(real)["present"]:
        pytest.fail("embedding model missing: run `make test` or `assistant model fetch`")
    gold = [json.loads(line) for line in (REPO_ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    encoder = load_encoder(real)
    # The questions are embedded once, in batches (the stores get identical vectors; one
    # question at a time is what the CLI does, and far slower on a busy machine).
    from assistant.retrieval.tokenization import to_simplified
    from assistant.answering.questions import clean_question

    texts = list(dict.fromkeys(to_simplified(clean_question(g["question"]).text).strip() for g in gold))
    memo, encode = dict(zip(texts, encoder.encode_queries(texts))), encoder.encode_queries
    encoder.encode_queries = lambda batch: np.stack([memo[t] if t in memo else encode([t])[0] for t in batch])
    top1 = {}
    for kind in ("faiss", "milvus"):
        settings = real.with_(index_dir=tmp_path / kind, store=kind, corpus_dir=REPO_ROOT / "corpus")
        assistant = Assistant.load(settings, encoder=encoder)
        assert assistant.index.manifest["store"] == kind
        top1[kind] = [[h.clause for h in assistant.search(g["question"], k=1)][:1] for g in gold]
    agree = np.mean([a == b for a, b in zip(top1["faiss"], top1["milvus"])])
    in_scope = [(g, t) for g, t in zip(gold, top1["milvus"]) if not g.get("out_of_scope") and g.get("clauses")]
    recall1 = np.mean([bool(t) and t[0] in g["clauses"] for g, t in in_scope])
    assert agree >= 0.95, agree
    assert recall1 >= 0.93, recall1


def test_store_growth_bench_runs():
    """The growth bench's children build, reload and search each store (tiny size, fake vectors)."""
    from bench import store_growth

    rows = store_growth.run(factors=(1,), stores=("faiss-hnsw", "milvus-lite"), n_queries=5, fake=True,
                            echo=lambda _: None)
    assert [r["store"] for r in rows] == ["faiss-hnsw", "milvus-lite"]
    for row in rows:
        assert "error" not in row, row
        assert row["units"] > 200 and row["build_s"] > 0 and row["load_s"] > 0
        assert row["recall@10"] > 0.9 and row["search_ms"]["n"] == 5
        assert row["peak_build_mb"] >= row["rss_base_mb"] > 0

