"""``python -m bench bench``: how fast, how big, and how it grows — measured, printed, written down.

:func:`run_bench` measures, in one run on this machine:

1. **Cold start** — a fresh interpreter (subprocess) imports the libraries, loads the model,
   loads an existing index and answers one question; seconds per stage and its peak RSS.
2. **Warm latency** of ``Assistant.ask`` over the gold questions: p50/p95 and the mean time
   per stage (normalise, BM25, query embedding, FAISS, fusion, compose).
3. **Index build** of the bundled corpus with the real encoder (into a temp dir) and its
   size on disk.
4. **Peak RSS** of the benchmark process.
5. **Baselines, same process, same run**: BM25-only vs hybrid search (latency, Recall@1);
   sentence-transformers with default settings (float32) vs our encoder (bfloat16 where
   the CPU has it): query latency, document throughput, and how much the vectors differ.
6. **Growth**: synthetic corpora of 10×/100×/1000× the clause count, recombined from the
   real sentences; build time, size, RSS and hybrid query latency per size; exact
   (``Flat``) vs approximate (``HNSW32``) FAISS at the largest size.

Comparisons are always timed in the same process, interleaved question by question where
possible (so background load hits both sides alike), and reported with their ratio.
Everything is written to ``eval/bench.md``. Encoders can be injected, so the tests run
the whole thing with the fake encoder of tests/doubles.py and no model.

This module holds sections 1–5 and the orchestration; section 6 is :mod:`bench.growth`,
the machine and memory readings are :mod:`bench.measure`, and the terminal summary and
Markdown are :mod:`bench.report`.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.evaluation.metrics import load_gold, retrieval_metrics
from bench.growth import CachedQueryEncoder, cache_texts, retriever_text, run_growth
from bench.measure import (cpu_snapshot, dir_size_mb, latency_ms, machine_info, other_cpu_load, peak_rss_mb, pick, ratio,
                      rss_mb, run_in_fresh_interpreter)

# The stages ``Assistant.ask`` reports in its ``timings`` dict, in pipeline order, and
# their names in the report.
STAGES = ("normalise", "bm25", "embed", "faiss", "fusion", "compose")
STAGE_NAMES = {"normalise": "normalise (OpenCC)", "bm25": "BM25 (jieba + scoring)", "embed": "query embedding",
               "faiss": "vector store search", "fusion": "fusion + hits", "compose": "compose answer"}


# ----------------------------------------------------------------------------- 1. cold start

_COLD_START = r"""
import json, os, sys, time
wall0 = time.time(); t0 = time.perf_counter()
def mem():
    status = {l.split(":")[0]: int(l.split()[1]) / 1024.0 for l in open("/proc/self/status") if l.startswith("Vm")}
    return status["VmRSS"], status["VmHWM"]
args = json.loads(sys.argv[1])
from pathlib import Path
from assistant.config import Settings
from assistant.qa import Assistant
imported = ["assistant", "faiss", "bm25s", "jieba", "OpenCC"]
if not args["fake_dim"]:
    from assistant.embedding.encoder import _prepare_env
    _prepare_env()
    import torch, sentence_transformers  # noqa: F401
    imported += ["torch", "sentence-transformers"]
import faiss, bm25s, jieba, opencc  # noqa: F401 (llama-index: no longer on the query path)
t1 = time.perf_counter()
settings = Settings(**{k: (Path(v) if k.endswith(("_dir", "_path")) else v) for k, v in args["settings"].items()})
if args["fake_dim"]:
    from tests.doubles import FakeEncoder
    encoder = FakeEncoder(args["fake_dim"])
else:
    from assistant.embedding.encoder import load_encoder
    encoder = load_encoder(settings)
t2 = time.perf_counter()
rss_model, hwm_model = mem()
assistant = Assistant.load(settings, encoder=encoder, rebuild=False)
t3 = time.perf_counter()
answer = assistant.ask(args["question"])
t4 = time.perf_counter()
rss, hwm = mem()
print(json.dumps({"wall0": wall0, "imports": t1 - t0, "model_load": t2 - t1, "index_load": t3 - t2,
                  "first_answer": t4 - t3, "inside_total": t4 - t0, "peak_rss_mb": hwm, "rss_end_mb": rss,
                  "peak_after_model_mb": hwm_model,
                  "rss_after_model_mb": rss_model, "imported": imported,
                  "refused": answer.refused, "cited": [c.clause for c in answer.citations][:3]}))
"""


def cold_start(settings: Settings, question: str, *, fake_dim: int | None = None, timeout: float = 600.0) -> dict:
    """Import + model load + index load + first ``ask`` in a fresh interpreter."""
    args = {"settings": {k: str(v) for k, v in asdict(settings).items()}, "question": question,
            "fake_dim": fake_dim}
    started_wall, started = time.time(), time.perf_counter()
    proc = run_in_fresh_interpreter(_COLD_START, args, timeout)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"cold-start subprocess failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["interpreter_start"] = max(0.0, data.pop("wall0") - started_wall)
    data["wall_total"] = wall
    return data


# ----------------------------------------------------------------------------- 2. warm ask


def warm_ask(assistant, questions: list[str]) -> dict:
    """p50/p95 of ``ask`` and the mean milliseconds per stage (fresh timings per call:
    ``compose`` is computed as elapsed minus the other stages *in the dict*)."""
    assistant.ask(questions[0])  # warm-up: lazy loads, jieba dictionary
    latencies, totals = [], dict.fromkeys(STAGES, 0.0)
    for question in questions:
        timings: dict = {}
        start = time.perf_counter()
        assistant.ask(question, timings=timings)
        latencies.append(time.perf_counter() - start)
        for name, value in timings.items():
            totals[name] = totals.get(name, 0.0) + value
    return {**latency_ms(latencies), "stages_ms": {k: 1000.0 * v / len(questions) for k, v in totals.items()}}


# ----------------------------------------------------------------------------- 3. real index build


def build_real_index(settings: Settings, corpus, encoder) -> dict:
    """``build_index`` as the product runs it: seconds, unit count, and size on disk per part."""
    from assistant.retrieval.index import build_index

    start = time.perf_counter()
    folder = build_index(settings, corpus, encoder)
    seconds = time.perf_counter() - start
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    parts = {name: dir_size_mb(folder / name) for name in ("sparse", "dense")}
    parts["units.jsonl"] = (folder / "units.jsonl").stat().st_size / 2**20
    return {"seconds": seconds, "units": manifest["units"], "size_mb": dir_size_mb(folder), "parts_mb": parts,
            "path": str(folder)}


# ----------------------------------------------------------------------------- 5a. BM25 vs hybrid


def bm25_vs_hybrid(assistant, gold: list, k: int = 5) -> dict:
    """Both modes on the same questions, interleaved; latency and Recall@1 of each."""
    assistant.search(gold[0].question, k=k, mode="hybrid")
    latencies = {"bm25": [], "hybrid": []}
    ranked = {"bm25": {}, "hybrid": {}}
    for g in gold:
        for mode in ("bm25", "hybrid"):
            start = time.perf_counter()
            hits = assistant.search(g.question, k=k, mode=mode)
            latencies[mode].append(time.perf_counter() - start)
            ranked[mode][g.qid] = [h.clause for h in hits]
    relevant = {g.qid: set(g.clauses) for g in gold if g.clauses and not g.out_of_scope}
    out = {mode: {**latency_ms(latencies[mode]), "recall@1": retrieval_metrics(ranked[mode], relevant)["recall@1"]}
           for mode in latencies}
    out["ratio_p50"] = ratio(out["hybrid"]["p50"], out["bm25"]["p50"])
    out["ratio_mean"] = ratio(out["hybrid"]["mean"], out["bm25"]["mean"])
    out["recall_questions"] = len(relevant)
    return out


def department_scan_ms(document, questions: list[str]) -> float:
    """Mean ms of one ``find_in`` (the per-document step of ``HybridRetriever.expand``)."""
    departments = document.departments
    start = time.perf_counter()
    for question in questions:
        departments.find_in(question)
    return 1000.0 * (time.perf_counter() - start) / len(questions)


# ----------------------------------------------------------------------------- 5b. encoders


class DefaultSTEncoder:
    """sentence-transformers exactly as a newcomer would use it: ``SentenceTransformer(path)``
    with default arguments (float32 weights, default batch size, the model's own prompts).
    Rows are L2-normalised afterwards only so cosines can be compared."""

    def __init__(self, model_dir: Path | str):
        from sentence_transformers import SentenceTransformer

        from assistant.embedding.encoder import _embedding_dim, _normalise_rows, _prepare_env, _quiet_transformers

        _prepare_env()  # offline only; no dtype, thread or batch settings
        self._normalise = _normalise_rows
        with _quiet_transformers():  # hides the "Loading weights" bar, nothing else
            self.model = SentenceTransformer(str(model_dir))
        self.dim = _embedding_dim(self.model)
        self.dtype = weights_dtype(self)
        self.name = f"sentence-transformers defaults ({self.dtype})"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._normalise(np.asarray(self.model.encode_query(list(texts)), dtype=np.float32))

    def encode_documents(self, texts: list[str], titles=None) -> np.ndarray:
        if titles and any(titles):
            raise ValueError("the defaults baseline embeds documents without titles")
        return self._normalise(np.asarray(self.model.encode_document(list(texts)), dtype=np.float32))


def weights_dtype(encoder) -> str:
    """The torch dtype of an encoder's weights ("bfloat16", "float32"; "n/a" without a model)."""
    model = getattr(encoder, "model", None)
    if model is None:
        return "n/a"
    return str(next(model.parameters()).dtype).replace("torch.", "")


def compare_encoders(ours, default, questions: list[str], documents: list[str], doc_clause: list[int],
                     rounds: int = 1) -> tuple:
    """Query latency (one question at a time, interleaved), document throughput, and how
    far the two encoders' vectors and rankings differ. Returns the vectors too (caches)."""
    for encoder in (ours, default):  # warm-up
        encoder.encode_queries(questions[:1])
        encoder.encode_documents(documents[:2])
    lat = {"ours": [], "default": []}
    vecs = {"ours": [], "default": []}
    for question in questions:
        for key, encoder in (("ours", ours), ("default", default)):
            start = time.perf_counter()
            vecs[key].append(encoder.encode_queries([question])[0])
            lat[key].append(time.perf_counter() - start)
    docs, rate = {}, {"ours": 0.0, "default": 0.0}
    for _ in range(rounds):  # alternate, keep the best round of each (least disturbed by other load)
        for key, encoder in (("default", default), ("ours", ours)):
            start = time.perf_counter()
            docs[key] = encoder.encode_documents(documents)
            rate[key] = max(rate[key], len(documents) / (time.perf_counter() - start))
    q = {k: np.stack(v) for k, v in vecs.items()}
    out = {k: {**latency_ms(lat[k]), "docs_per_s": rate[k]} for k in lat}
    out["names"] = {"ours": f"{ours.name} ({weights_dtype(ours)})", "default": default.name}
    out["query_speedup_p50"] = ratio(out["default"]["p50"], out["ours"]["p50"])
    out["doc_speedup"] = ratio(rate["ours"], rate["default"])
    out.update(vector_agreement(q["ours"], q["default"], docs["ours"], docs["default"], doc_clause))
    out["n_documents"], out["rounds"] = len(documents), rounds
    return out, q["ours"], docs["ours"]


def vector_agreement(q_ours, q_def, d_ours, d_def, doc_clause: list[int]) -> dict:
    """max |Δcos| over question×document pairs, self-cosine of the two query vectors, and
    top-1 agreement (nearest document, and the clause it belongs to)."""
    s_ours, s_def = q_ours @ d_ours.T, q_def @ d_def.T
    top_ours, top_def = s_ours.argmax(1), s_def.argmax(1)
    clauses = np.asarray(doc_clause)
    self_cos = np.sum(q_ours * q_def, axis=1)
    doc_cos = np.sum(d_ours * d_def, axis=1)
    return {"max_abs_cos_diff": float(np.abs(s_ours - s_def).max()),
            "min_query_self_cos": float(self_cos.min()), "min_doc_self_cos": float(doc_cos.min()),
            "top1_doc_agreement": float(np.mean(top_ours == top_def)),
            "top1_clause_agreement": float(np.mean(clauses[top_ours] == clauses[top_def]))}


def _text_clause(documents, texts: list[str]) -> list[int]:
    """The (first) clause number each cached text comes from, for top-1 clause agreement."""
    from assistant.retrieval.units import make_units

    where: dict[str, int] = {}
    for doc in documents:
        for clause in doc.clauses:
            for sentence in clause.sentences:
                where.setdefault(sentence, clause.number)
    for unit in make_units(documents):
        where.setdefault(unit.text, unit.clause)
    return [where.get(t, -1) for t in texts]


# ----------------------------------------------------------------------------- orchestration


def _load_encoder(settings: Settings, encoder, results: dict, echo):
    """Our encoder (loaded from ``settings`` unless given), with its load time and RSS."""
    if encoder is None:
        from assistant.embedding.encoder import load_encoder

        start = time.perf_counter()
        encoder = load_encoder(settings)
        results["memory"]["model_load_s"] = time.perf_counter() - start
    results["memory"]["rss_after_model_mb"] = rss_mb()
    echo(f"[bench] encoder: {encoder.name} ({weights_dtype(encoder)})")
    return encoder


def _measure_encoders(settings: Settings, corpus, encoder, default_encoder, gold, results: dict, echo):
    """Section 5b, with the RSS the baseline encoder costs. Returns (question vectors by the
    text the retriever embeds, document vectors by text) — the caches section 6 builds from."""
    echo("[bench] 5b. sentence-transformers defaults vs ours …")
    results["memory"]["rss_before_default_mb"] = rss_mb()
    if default_encoder is None:
        from assistant.embedding.model import require_model

        default_encoder = DefaultSTEncoder(require_model(settings))
    results["memory"]["rss_after_default_mb"] = rss_mb()
    texts = cache_texts(corpus.documents)
    questions = list(dict.fromkeys(retriever_text(g.question) for g in gold))
    results["encoders"], q_vecs, d_vecs = compare_encoders(encoder, default_encoder, questions, texts,
                                                           _text_clause(corpus.documents, texts))
    del default_encoder
    gc.collect()
    results["memory"]["rss_after_default_freed_mb"] = rss_mb()
    return dict(zip(questions, q_vecs)), dict(zip(texts, d_vecs))


def _measure_bundled_corpus(tmp_settings, corpus, encoder, questions, ask_questions, results, echo, cold):
    """Sections 3, 1, 2 and 5a on the bundled corpus: build its index (into ``tmp_settings``),
    then cold-start from it, and time ``ask`` and BM25-only vs hybrid search on it."""
    from assistant.qa import Assistant

    echo("[bench] 3. building the bundled corpus' index with the real encoder …")
    results["build"] = build_real_index(tmp_settings, corpus, encoder)
    if cold:
        echo("[bench] 1. cold start in a fresh interpreter …")
        fake_dim = encoder.dim if encoder.name.startswith("fake") else None
        results["cold_start"] = cold_start(tmp_settings, questions[0].question, fake_dim=fake_dim)
    assistant = Assistant.load(tmp_settings, encoder=encoder, rebuild=False)
    echo(f"[bench] 2. warm ask over {len(ask_questions)} questions …")
    results["warm"] = warm_ask(assistant, [g.question for g in ask_questions])
    echo("[bench] 5a. BM25-only vs hybrid …")
    results["bm25_vs_hybrid"] = bm25_vs_hybrid(assistant, questions)
    results["department_scan_ms"] = department_scan_ms(assistant.document, [g.question for g in questions])


def run_bench(settings: Settings, *, growth=(10, 100, 1000), echo=print, out_path: Path | None = None,
              encoder=None, default_encoder=None, questions: int | None = None, ask_questions: int | None = 120,
              growth_questions: int = 40, llama_in_process_max: int = 100, llama_max_factor: int = 1000,
              cold: bool = True, quick: bool = False) -> dict:
    """Run every measurement (see the module docstring), print a summary, write Markdown.

    ``encoder`` (ours) and ``default_encoder`` (the sentence-transformers-defaults baseline)
    are loaded from ``settings`` unless given. ``questions`` caps the gold questions used
    (evenly spread; None = all); ``growth_questions`` is the number timed per growth size.
    llama-index is built in this process for growth factors ≤ ``llama_in_process_max``, in a
    subprocess (its RAM measured alone) up to ``llama_max_factor``, above that not at all;
    raw FAISS and BM25 are built at every size.
    ``ask_questions`` caps the (evenly spread) subset timed with ``ask`` in section 2.
    ``quick`` = growth (10,), 20 questions, 10 growth questions (for tests).
    Builds go to a temp dir; ``settings.index_dir`` is never touched. Returns all numbers.
    """
    from bench.report import render_markdown, summary  # not at the top: benchreport imports STAGES from here
    from assistant.ingest.corpus import load_corpus
    from assistant.retrieval.tokenization import Tokenizer

    if quick:
        growth, questions, growth_questions = (10,), questions or 20, min(growth_questions, 10)
        ask_questions = min(ask_questions or questions, questions)
    started = time.perf_counter()
    out_path = Path(out_path) if out_path else settings.eval_dir / "bench.md"
    results: dict = {"machine": machine_info(), "memory": {"rss_start_mb": rss_mb()}, "quick": quick}
    cpu_start = cpu_snapshot()
    corpus = load_corpus(settings.corpus_dir)
    gold = pick(load_gold(settings.eval_dir / "questions.jsonl" if (settings.eval_dir / "questions.jsonl").exists()
                          else REPO_ROOT / "eval" / "questions.jsonl"), questions)
    encoder = _load_encoder(settings, encoder, results, echo)
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        workdir = Path(tmp)
        tmp_settings = settings.with_(index_dir=workdir / "indexes")
        _measure_bundled_corpus(tmp_settings, corpus, encoder, gold, pick(gold, ask_questions), results, echo, cold)
        q_vecs, cache = _measure_encoders(settings, corpus, encoder, default_encoder, gold, results, echo)
        query_encoder = CachedQueryEncoder(q_vecs, fallback=encoder)
        tokenizer = Tokenizer.for_documents(corpus.documents)
        growth_q = [g.question for g in pick(gold, growth_questions)]
        ann_queries = np.concatenate([np.stack(list(q_vecs.values())), np.stack(list(cache.values()))])
        results["growth"] = run_growth(growth, settings.corpus_dir, corpus.documents[0], tokenizer, cache,
                                       query_encoder, growth_q, workdir, ann_queries.astype(np.float32),
                                       (llama_in_process_max, llama_max_factor), echo,
                                       quoted=next((g.question for g in gold if "“" in g.question), None))
        results["llama_limits"] = [llama_in_process_max, llama_max_factor]
        results["query_cache_misses"] = query_encoder.misses
    results["memory"]["peak_rss_mb"] = peak_rss_mb()
    results["machine"]["load_end"] = list(os.getloadavg())
    results["machine"]["other_cores"] = other_cpu_load(cpu_start, cpu_snapshot())
    results["runtime_s"] = time.perf_counter() - started
    markdown = render_markdown(results)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(markdown, encoding="utf-8")
    echo(summary(results))
    echo(f"[bench] wrote {out_path} ({results['runtime_s']:.0f} s)")
    return results
