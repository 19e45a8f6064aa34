"""Section 6 of ``python -m bench bench``: how build, size, memory and search grow with the corpus.

The bundled corpus is small, so bigger ones are made up from it: a k× corpus has k times
its clauses, each recombined from real sentences (:func:`synthetic_document`). Embedding
hundreds of thousands of units with the real model would take hours, so unit vectors are
composed from a cache holding one real vector per distinct sentence and 责任单位 note
(:func:`synthetic_vectors`); query vectors are cached too (:class:`CachedQueryEncoder`).

Per size, :func:`measure_growth` builds BM25 and a bare FAISS index, optionally the
llama-index store the product uses — in this process, or in a fresh one
(:func:`llama_child`) so that its peak RAM is measured alone — and times hybrid search
through each dense index. At the largest size it also compares exact (``Flat``) with
approximate (``HNSW32``) FAISS (:func:`exact_vs_hnsw`). :func:`run_growth` runs all sizes.
"""

from __future__ import annotations

import gc
import json
import random
import shutil
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bench.measure import available_ram_mb, dir_size_mb, latency_ms, peak_rss_mb, ratio, rss_mb, run_in_fresh_interpreter

SEED = 0
# Weight of the clause vector in a synthetic sentence / 责任单位 unit's vector.
MIX = 0.5
# llama-index's peak RAM while building, per 1,000 units (measured: +6.3 GB for 170,711 units);
# the subprocess build is skipped unless MemAvailable covers 1.5× the estimate.
LLAMA_MB_PER_1K_UNITS = 37.0


# ----------------------------------------------------------------------------- synthetic corpora and vectors


def synthetic_document(real_doc, factor: int, seed: int = SEED):
    """``factor`` × the clauses of ``real_doc``: clause i is 3–8 distinct real sentences in
    random order, a synthetic title, and the 责任单位 of a random real clause. Deterministic."""
    from assistant.ingest.records import Clause, Document, DocumentMeta

    rng = random.Random(f"{seed}-{factor}")
    sentences = [s for clause in real_doc.clauses for s in clause.sentences]
    clauses = []
    for number in range(1, factor * len(real_doc.clauses) + 1):
        chosen = rng.sample(sentences, rng.randint(3, min(8, len(sentences))))
        donor = rng.choice(real_doc.clauses)
        body = "".join(chosen)
        note = f"（责任单位：{donor.departments_raw}）" if donor.departments_raw else ""
        clauses.append(Clause(doc_id=f"synthetic-{factor}x", number=number, label=f"第{number}条", section=None,
                              section_title="", title=f"{rng.choice(real_doc.clauses).title}（合成{number}）",
                              text=body + note, body=body, sentences=chosen, departments=list(donor.departments),
                              departments_raw=donor.departments_raw))
    return Document(doc_id=f"synthetic-{factor}x", path="", text="\n".join(c.text for c in clauses),
                    meta=DocumentMeta(title=f"合成语料 {factor}×"), preamble="", sections=[], clauses=clauses)


def cache_texts(real_documents) -> list[str]:
    """Every distinct text a synthetic unit can need a vector for: real sentences and
    real 责任单位 notes (synthetic clauses copy both verbatim)."""
    from assistant.retrieval.units import make_units

    texts = [s for doc in real_documents for clause in doc.clauses for s in clause.sentences]
    texts += [u.text for u in make_units(real_documents) if u.kind == "departments"]
    return list(dict.fromkeys(texts))


def synthetic_vectors(doc, units, cache: dict[str, np.ndarray], mix: float = MIX) -> np.ndarray:
    """Unit vectors composed from cached real-text vectors, no model call:
    clause unit = normalised mean of its sentences' vectors; sentence / 责任单位 unit =
    normalised (its own text's vector + ``mix`` × the clause vector) — a stand-in for the
    title the real model sees, which also keeps copies of one sentence distinct; a phrase
    unit (part of a long sentence) uses its sentence's vector the same way."""
    from assistant.embedding.encoder import _normalise_rows

    clause_vec = {c.number: _normalise_rows(np.mean([cache[s] for s in c.sentences], axis=0)[None])[0]
                  for c in doc.clauses}
    out = np.empty((len(units), len(next(iter(cache.values())))), dtype=np.float32)
    by_number = {c.number: c for c in doc.clauses}
    for i, unit in enumerate(units):
        base = clause_vec[unit.clause]
        text = by_number[unit.clause].sentences[unit.sentence] if unit.kind == "phrase" else unit.text
        out[i] = base if unit.kind == "clause" else cache[text] + mix * base
    return _normalise_rows(out)


def save_cache(path: Path, cache: dict[str, np.ndarray], queries: np.ndarray) -> Path:
    """The vector cache and query vectors as one ``.npz``, for :func:`llama_child` to read."""
    np.savez(path, texts=np.array(list(cache)), vectors=np.stack(list(cache.values())), queries=queries)
    return path


def retriever_text(question: str) -> str:
    """The text the retriever hands to the encoder — the key of a cached query vector."""
    from assistant.retrieval.tokenization import to_simplified

    return to_simplified(question or "").strip()


class CachedQueryEncoder:
    """Returns precomputed query vectors, so growth latencies exclude query embedding
    (which does not depend on corpus size; it is measured in section 5)."""

    def __init__(self, vectors: dict[str, np.ndarray], fallback=None):
        self.vectors, self.fallback, self.misses = vectors, fallback, 0
        self.dim = len(next(iter(vectors.values())))
        self.name = "cached-queries"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            if text not in self.vectors:
                self.misses += 1
                self.vectors[text] = self.fallback.encode_queries([text])[0]
            rows.append(self.vectors[text])
        return np.stack(rows).astype(np.float32)

    def encode_documents(self, texts, titles=None) -> np.ndarray:
        raise NotImplementedError("document vectors come from the sentence cache")


class RawFaissDense:
    """The dense-index interface of :class:`~bench.llama_baseline.DenseIndex` over a bare FAISS
    index (no llama-index), so the hybrid retriever can run at sizes llama-index cannot."""

    def __init__(self, index, ids: list[str]):
        self.index, self.ids, self.size = index, ids, len(ids)

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        scores, rows = self.index.search(np.asarray(query_vector, dtype=np.float32)[None], min(k, self.size))
        return [(self.ids[r], float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


# ----------------------------------------------------------------------------- exact vs approximate FAISS


def recall_at_k(exact_ids: np.ndarray, exact_scores: np.ndarray, approx_ids: np.ndarray,
                approx_scores: np.ndarray, k: int, tol: float = 1e-5) -> float:
    """Share of the exact top-``k`` that the approximate search found, per query, averaged.
    A returned item counts if it is in the exact top-k *or* ties the exact k-th score
    (within ``tol``), so equal-score neighbours are not counted as misses."""
    hits = []
    for e_ids, e_sc, a_ids, a_sc in zip(exact_ids[:, :k], exact_scores[:, :k], approx_ids[:, :k], approx_scores[:, :k]):
        truth, kth = set(e_ids[e_ids >= 0].tolist()), e_sc[-1]
        found = sum(1 for i, s in zip(a_ids, a_sc) if i >= 0 and (i in truth or s >= kth - tol))
        hits.append(min(found, k) / k)
    return float(np.mean(hits)) if hits else 0.0


def exact_vs_hnsw(vectors: np.ndarray, queries: np.ndarray, ks=(10, 200), flat=None) -> tuple[dict, object]:
    """Exact ``Flat`` vs ``HNSW32`` (efSearch as the FAISS store sets it) on the same vectors:
    build time, one-query-at-a-time search latency (interleaved), recall@k vs exact.
    Returns the numbers and the HNSW index (so hybrid search can be timed through it)."""
    from assistant.retrieval.stores.faiss_store import faiss_index as _faiss_index

    dim = vectors.shape[1]
    out = {}
    if flat is None:
        start = time.perf_counter()
        flat = _faiss_index(dim, "Flat")
        flat.add(vectors)
        out["flat_build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    hnsw = _faiss_index(dim, "HNSW32")
    hnsw.add(vectors)
    out["hnsw_build_s"] = time.perf_counter() - start
    out["ef_search"] = int(hnsw.hnsw.efSearch)
    out["ef_construction"] = int(hnsw.hnsw.efConstruction)
    lat = {"flat": [], "hnsw": []}
    for q in queries:
        for name, index in (("flat", flat), ("hnsw", hnsw)):
            start = time.perf_counter()
            index.search(q[None], ks[0])
            lat[name].append(time.perf_counter() - start)
    out.update({name: latency_ms(v) for name, v in lat.items()})
    out["speedup_p50"] = ratio(out["flat"]["p50"], out["hnsw"]["p50"])
    for k in ks:
        k = min(k, len(vectors))
        e_sc, e_id = flat.search(queries, k)
        a_sc, a_id = hnsw.search(queries, k)
        out[f"recall@{k}"] = recall_at_k(e_id, e_sc, a_id, a_sc, k)
    out["queries"], out["vectors"] = len(queries), len(vectors)
    return out, hnsw


def ranking_agreement(exact: list[list[int]], approx: list[list[int]]) -> dict:
    """How often two retrievers return the same top-1 clause, and the mean top-k overlap."""
    top1 = [bool(a) and bool(b) and a[0] == b[0] for a, b in zip(exact, approx)]
    overlap = [len(set(a) & set(b)) / max(1, len(a)) for a, b in zip(exact, approx)]
    return {"top1": float(np.mean(top1)) if top1 else 0.0, "topk_overlap": float(np.mean(overlap)) if overlap else 0.0}


# ----------------------------------------------------------------------------- llama-index vs raw FAISS


def _llama_dense(units, vectors, query_encoder, doc, folder: Path) -> tuple[object, dict]:
    """Build, persist and reload the llama-index store the product uses; timings and size."""
    from bench.llama_baseline import DenseIndex

    clauses = {(c.doc_id, c.number): c for c in doc.clauses}
    start = time.perf_counter()
    dense = DenseIndex.build(units, vectors, query_encoder, clauses, factory="Flat")
    build = time.perf_counter() - start
    start = time.perf_counter()
    dense.save(folder / "dense")
    persist = time.perf_counter() - start
    del dense
    gc.collect()
    start = time.perf_counter()
    loaded = DenseIndex.load(folder / "dense", query_encoder, len(units))
    load = time.perf_counter() - start
    files = {p.name: p.stat().st_size / 2**20 for p in (folder / "dense").iterdir()}
    return loaded, {"build_s": build, "persist_s": persist, "load_s": load, "size_mb": dir_size_mb(folder / "dense"),
                    "docstore_mb": files.get("docstore.json", 0.0)}


def dense_search_compare(llama_dense, raw_dense, queries: np.ndarray, k: int = 200) -> dict:
    """Dense-only search through llama-index vs raw FAISS (same Flat index type), interleaved."""
    lat = {"llama": [], "raw": []}
    for q in queries:
        for name, dense in (("llama", llama_dense), ("raw", raw_dense)):
            start = time.perf_counter()
            dense.search(q, k)
            lat[name].append(time.perf_counter() - start)
    out = {f"{name}_search": latency_ms(v) for name, v in lat.items()}
    out["search_ratio_p50"] = ratio(out["llama_search"]["p50"], out["raw_search"]["p50"])
    out["search_k"] = k
    return out


_LLAMA_CHILD = r"""
import json, sys
from bench.growth import llama_child
print(json.dumps(llama_child(json.loads(sys.argv[1]))))
"""


def llama_child(args: dict) -> dict:
    """Runs in a fresh process: compose the ``factor``× corpus from the saved vector cache,
    build / persist / reload llama-index, compare its dense search with raw FAISS, and
    report this process's memory — so its peak RSS is llama-index's alone."""
    import importlib

    import faiss

    # Imported before anything is timed or measured, as they already are in the parent.
    for module in ("llama_index.core", "llama_index.vector_stores.faiss"):
        importlib.import_module(module)

    from assistant.ingest.corpus import load_corpus
    from assistant.retrieval.units import make_units

    data = np.load(args["cache"])
    cache = dict(zip(data["texts"].tolist(), data["vectors"]))
    queries = data["queries"][: args["n_queries"]]
    doc = synthetic_document(load_corpus(Path(args["corpus_dir"])).documents[0], args["factor"])
    units = make_units([doc])
    need_mb, free_mb = 1.5 * LLAMA_MB_PER_1K_UNITS * len(units) / 1000.0, available_ram_mb()
    if free_mb and free_mb < need_mb:
        return {"skipped": f"needs ~{need_mb / 1024:.1f} GB of RAM, {free_mb / 1024:.1f} GB available",
                "units": len(units)}
    vectors = synthetic_vectors(doc, units, cache)
    gc.collect()
    base, base_peak = rss_mb(), peak_rss_mb()
    dense, info = _llama_dense(units, vectors, CachedQueryEncoder({"": queries[0]}), doc, Path(args["folder"]))
    info.update(rss_base_mb=base, peak_before_mb=base_peak, peak_rss_mb=peak_rss_mb(), rss_loaded_mb=rss_mb())
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    info.update(dense_search_compare(dense, RawFaissDense(flat, [u.id for u in units]), queries))
    info["units"] = len(units)
    return info


def llama_in_subprocess(factor: int, corpus_dir: Path, cache_path: Path, folder: Path, n_queries: int,
                        timeout: float = 900.0) -> dict:
    """:func:`llama_child` in a fresh interpreter; an error is reported, not raised."""
    args = {"factor": factor, "corpus_dir": str(corpus_dir), "cache": str(cache_path), "folder": str(folder),
            "n_queries": n_queries}
    try:
        proc = run_in_fresh_interpreter(_LLAMA_CHILD, args, timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "subprocess": True}


# ----------------------------------------------------------------------------- one size, all sizes


def _build_raw(units, vectors: np.ndarray, tokenizer, folder: Path) -> tuple[dict, object, object, float]:
    """BM25 and a bare FAISS Flat index, built and persisted: (timings, sparse, flat, persist
    seconds of what raw and llama-index storage share: BM25 and units.jsonl)."""
    import faiss

    from assistant.retrieval.sparse import SparseIndex

    row = {}
    start = time.perf_counter()
    sparse = SparseIndex.build([u.text for u in units], tokenizer)
    row["bm25_s"] = time.perf_counter() - start
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    row["faiss_s"] = time.perf_counter() - start
    start = time.perf_counter()
    sparse.save(folder / "sparse")
    with open(folder / "units.jsonl", "w", encoding="utf-8") as handle:
        for unit in units:
            handle.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")
    common = time.perf_counter() - start
    start = time.perf_counter()
    faiss.write_index(flat, str(folder / "faiss.index"))
    row["persist_raw_s"] = common + time.perf_counter() - start
    row["size_raw_mb"] = dir_size_mb(folder)
    return row, sparse, flat, common


def _best_sentences_ms(retriever, question: str, hits: int = 5) -> float:
    """Mean ms of ``HybridRetriever.best_sentences`` (run once per returned hit)."""
    signals = retriever.unit_signals(retriever_text(question))
    calls = min(hits, len(retriever.clause_keys))
    start = time.perf_counter()
    for pos in range(calls):
        retriever.best_sentences(pos, signals)
    return 1000.0 * (time.perf_counter() - start) / calls


def _timed_search(retriever, questions: list[str], quoted: str | None = None, k: int = 5) -> dict:
    """Hybrid search latency and mean stage times; ``ranked`` keeps each question's clauses."""
    start = time.perf_counter()
    retriever.search(questions[0], k=k)  # warm-up
    first = time.perf_counter() - start
    latencies, totals, ranked = [], {}, []
    for question in questions:
        timings: dict = {}
        start = time.perf_counter()
        hits = retriever.search(question, k=k, timings=timings)
        latencies.append(time.perf_counter() - start)
        ranked.append([h.clause for h in hits])
        for name, value in timings.items():
            totals[name] = totals.get(name, 0.0) + value
    out = {**latency_ms(latencies), "first_query_s": first,
           "best_sentences_ms": _best_sentences_ms(retriever, questions[0]),
           "stages_ms": {name: 1000.0 * v / len(questions) for name, v in totals.items()}, "ranked": ranked}
    if quoted:
        start = time.perf_counter()
        retriever.search(quoted, k=k)
        out["quoted_ms"] = 1000.0 * (time.perf_counter() - start)
    return out


def _time_retrievers(row: dict, doc, units, sparse, retrievers: dict, query_encoder, questions, quoted) -> None:
    """Hybrid search through each dense index; Flat-vs-HNSW agreement when both are there."""
    from assistant.retrieval.hybrid import HybridRetriever

    start = time.perf_counter()
    doc.departments  # noqa: B018 — a lazy cached_property that the first query would otherwise pay
    row["department_index_s"] = time.perf_counter() - start
    row["search"] = {}
    for name, dense in retrievers.items():
        retriever = HybridRetriever([doc], units, sparse, dense, query_encoder)
        row["search"][name] = _timed_search(retriever, questions, quoted)
    ranked = {name: timing.pop("ranked") for name, timing in row["search"].items()}
    if "ann" in row:
        row["ann"]["hybrid"] = ranking_agreement(ranked["raw FAISS Flat"], ranked["raw FAISS HNSW32"])


def measure_growth(factor: int, real_doc, tokenizer, cache: dict, query_encoder, questions: list[str],
                   workdir: Path, *, llama: str | None = "in-process", ann_queries: np.ndarray | None = None,
                   child: dict | None = None, quoted: str | None = None) -> dict:
    """Build every index over a ``factor``× synthetic corpus and time hybrid search on it.

    ``llama``: build llama-index ``"in-process"`` (and time hybrid search through it), in a
    ``"subprocess"`` (build, persist, reload, dense search; ``child`` = corpus_dir,
    cache_path, n_queries), or not at all (None). ``ann_queries``: also build HNSW32 and
    compare it with Flat. ``quoted``: a question with a quoted phrase, timed on its own."""
    from assistant.retrieval.units import make_units

    folder = workdir / f"growth-{factor}x"
    folder.mkdir(parents=True, exist_ok=True)
    child_row = None
    if llama == "subprocess":  # first, while this process holds nothing of this size
        child_row = llama_in_subprocess(factor, child["corpus_dir"], child["cache_path"], workdir / f"llama-{factor}x",
                                        child["n_queries"])
    gc.collect()
    rss0 = rss_mb()
    start = time.perf_counter()
    doc = synthetic_document(real_doc, factor)
    units = make_units([doc])
    vectors = synthetic_vectors(doc, units, cache)
    row = {"factor": factor, "clauses": len(doc.clauses), "units": len(units), "compose_s": time.perf_counter() - start}
    built, sparse, flat, common = _build_raw(units, vectors, tokenizer, folder)
    row.update(built)
    retrievers = {"raw FAISS Flat": RawFaissDense(flat, [u.id for u in units])}
    if llama == "in-process":
        retrievers["llama-index (Flat)"], row["llama"] = _llama_dense(units, vectors, query_encoder, doc, folder)
        row["llama"].update(dense_search_compare(retrievers["llama-index (Flat)"], retrievers["raw FAISS Flat"],
                                                 np.stack(list(query_encoder.vectors.values()))[: len(questions)]))
    elif child_row is not None:
        row["llama"] = child_row
    if "build_s" in row.get("llama", {}):
        row["persist_llama_s"] = common + row["llama"]["persist_s"]
        row["size_llama_mb"] = row["size_raw_mb"] - (folder / "faiss.index").stat().st_size / 2**20 \
            + row["llama"]["size_mb"]
    if ann_queries is not None:
        row["ann"], hnsw = exact_vs_hnsw(vectors, ann_queries, flat=flat)
        retrievers["raw FAISS HNSW32"] = RawFaissDense(hnsw, [u.id for u in units])
    gc.collect()
    row["rss_growth_mb"] = rss_mb() - rss0
    _time_retrievers(row, doc, units, sparse, retrievers, query_encoder, questions, quoted)
    shutil.rmtree(folder, ignore_errors=True)
    return row


def run_growth(factors, corpus_dir: Path, real_doc, tokenizer, cache, query_encoder, questions, workdir: Path,
               ann_queries: np.ndarray, llama_limits: tuple[int, int], echo, quoted: str | None = None) -> list[dict]:
    """:func:`measure_growth` for each factor, smallest first. llama-index is built in this
    process up to ``llama_limits[0]``, in a subprocess up to ``llama_limits[1]``, above that
    not at all; HNSW is compared with Flat at the largest factor only."""
    in_process_max, subprocess_max = llama_limits
    child = {"corpus_dir": corpus_dir, "cache_path": save_cache(workdir / "vectors.npz", cache, ann_queries),
             "n_queries": len(questions)}
    rows = []
    for factor in factors:
        mode = "in-process" if factor <= in_process_max else "subprocess" if factor <= subprocess_max else None
        echo(f"[bench] 6. growth {factor}× (llama-index: {mode or 'skipped'}) …")
        rows.append(measure_growth(factor, real_doc, tokenizer, cache, query_encoder, questions, workdir, llama=mode,
                                   ann_queries=ann_queries if factor == max(factors) else None, child=child,
                                   quoted=quoted))
        gc.collect()
    return rows
