"""Vector stores as the corpus grows: FAISS Flat, FAISS HNSW32 and Milvus Lite at 10× / 100× / 1000×.

Each (size, store) runs in a fresh interpreter, so its peak RSS is its own. The child
composes the synthetic ``factor``× corpus and its unit vectors from cached real vectors
(:mod:`bench.growth`: :func:`synthetic_document`, :func:`synthetic_vectors`), then, as the
product does (``stores/factory.py``): builds the store and saves it with the unit store
(``units.jsonl``) — *build s*, *peak RSS*; reloads both — *load s*; searches one query at a
time for the product's 200 dense candidates — *p50 / p95 ms*; and compares its top 10 with
the exact top 10 (numpy) — *recall@10*. Query vectors are the gold questions, embedded
once by the real model (``--fake``: the fake encoder, for tests)::

    python -m bench.store_growth [--factors 10 100 1000] [--stores faiss-flat faiss-hnsw milvus-lite]
                                 [--queries 50] [--cache vectors.npz] [--out eval/store_growth.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT
from bench.measure import dir_size_mb, latency_ms, run_in_fresh_interpreter

STORES = {"faiss-flat": ("faiss", "Flat"), "faiss-hnsw": ("faiss", "HNSW32"), "milvus-lite": ("milvus", "Flat")}
CANDIDATES = 200  # FusionConfig.dense_candidates: what the product asks the store for

_CHILD = r"""
import json, sys
from bench.store_growth import store_child
print(json.dumps(store_child(json.loads(sys.argv[1]))))
"""


def store_child(args: dict) -> dict:
    """Runs in a fresh process: one store at one size (see the module docstring)."""
    import gc
    from dataclasses import asdict

    import faiss  # noqa: F401 — imported before the baseline, like every store's library

    from assistant.config import Settings
    from assistant.ingest.corpus import load_corpus
    from assistant.retrieval.stores.factory import load_store, make_store
    from assistant.retrieval.units import Unit, make_units
    from bench.growth import recall_at_k, synthetic_document, synthetic_vectors
    from bench.measure import peak_rss_mb, rss_mb

    kind, factory = STORES[args["store"]]
    if kind == "milvus":
        import milvus_lite.server_manager  # noqa: F401
        import pymilvus  # noqa: F401
    data = np.load(args["cache"])
    cache = dict(zip(data["texts"].tolist(), data["vectors"]))
    queries = data["queries"][: args["n_queries"]].astype(np.float32)
    doc = synthetic_document(load_corpus(Path(args["corpus_dir"])).documents[0], args["factor"])
    units = make_units([doc])
    vectors = synthetic_vectors(doc, units, cache)
    del cache, data
    gc.collect()
    out = {"store": args["store"], "factor": args["factor"], "units": len(units), "dim": int(vectors.shape[1]),
           "peak_before_mb": peak_rss_mb()}
    out["peak_reset"] = _reset_peak()  # so the peak below is the build's, not composing the corpus's
    out["rss_base_mb"] = rss_mb()
    folder = Path(args["folder"])
    settings = Settings(index_dir=folder, store=kind)

    start, cpu = time.perf_counter(), time.process_time()
    store = make_store(settings, factory, build_id=f"growth-{args['factor']}")
    store.build(units, vectors)
    store.save(folder / "dense")
    with open(folder / "units.jsonl", "w", encoding="utf-8") as handle:
        for unit in units:
            handle.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")
    out["build_s"], out["build_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu
    out["peak_build_mb"] = peak_rss_mb()
    out["disk_store_mb"] = dir_size_mb(folder / "dense")
    out["disk_units_mb"] = (folder / "units.jsonl").stat().st_size / 2**20
    del store
    gc.collect()

    start, cpu = time.perf_counter(), time.process_time()
    with open(folder / "units.jsonl", encoding="utf-8") as handle:
        loaded_units = [Unit(**json.loads(line)) for line in handle]
    store = load_store(kind, folder / "dense", loaded_units, settings)
    out["load_s"], out["load_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu
    out["rss_loaded_mb"] = rss_mb()

    store.search(queries[0], CANDIDATES)  # warm-up
    times, cpu_times = [], []
    for q in queries:
        start, cpu = time.perf_counter(), time.process_time()
        store.search(q, CANDIDATES)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    # CPU time too: on a shared machine wall-clock latency includes waiting for a core.
    out["search_ms"], out["search_cpu_ms"] = latency_ms(times), latency_ms(cpu_times)
    position = {u.id: i for i, u in enumerate(units)}
    found = [store.search(q, 10) for q in queries]
    a_ids = np.array([[position[i] for i, _ in hits] + [-1] * (10 - len(hits)) for hits in found])
    a_sc = np.array([[s for _, s in hits] + [-np.inf] * (10 - len(hits)) for hits in found])
    exact = queries @ vectors.T
    e_ids = np.argsort(-exact, axis=1, kind="stable")[:, :10]
    e_sc = np.take_along_axis(exact, e_ids, axis=1)
    out["recall@10"] = recall_at_k(e_ids, e_sc, a_ids, a_sc, 10)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run_child(store: str, factor: int, cache_path: Path, workdir: Path, n_queries: int, timeout: float) -> dict:
    folder = workdir / f"{store}-{factor}x"
    args = {"store": store, "factor": factor, "cache": str(cache_path), "folder": str(folder),
            "corpus_dir": str(REPO_ROOT / "corpus"), "n_queries": n_queries}
    try:
        proc = run_in_fresh_interpreter(_CHILD, args, timeout)
    except subprocess.TimeoutExpired:
        return {"store": store, "factor": factor, "error": f"did not finish within {timeout:.0f} s"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if proc.returncode != 0:
        return {"store": store, "factor": factor, "error": f"exit {proc.returncode}: {proc.stderr.strip()[-800:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def vector_cache(path: Path, fake: bool = False) -> Path:
    """Real vectors of every sentence / 责任单位 note a synthetic unit reuses, and of the gold
    questions (as the retriever embeds them), saved for the children."""
    from assistant.config import Settings
    from assistant.ingest.corpus import load_corpus
    from bench.growth import cache_texts, retriever_text, save_cache

    if path.exists():  # --cache: reuse the vectors of an earlier run
        return path
    corpus = load_corpus(REPO_ROOT / "corpus")
    if fake:
        from tests.doubles import FakeEncoder

        encoder = FakeEncoder(64)
    else:
        from assistant.embedding.encoder import load_encoder

        encoder = load_encoder(Settings.from_env())
    texts = cache_texts(corpus.documents)
    gold = [json.loads(line)["question"] for line in (REPO_ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    questions = list(dict.fromkeys(retriever_text(q) for q in gold))
    return save_cache(path, dict(zip(texts, encoder.encode_documents(texts))), encoder.encode_queries(questions))


def run(factors=(10, 100, 1000), stores=tuple(STORES), n_queries: int = 50, fake: bool = False,
        timeout: float = 600.0, echo=print, skip_after_s: float = 300.0, cache_path: Path | None = None) -> list[dict]:
    """Every store at every size, smallest first. A store whose build would take longer than
    ``skip_after_s`` at the next (×10) size, extrapolated linearly, is not run there — the
    README extrapolates instead. ``cache_path``: keep (or reuse) the vector cache there."""
    rows, slow = [], set()
    with tempfile.TemporaryDirectory(prefix="store-growth-") as tmp:
        cache = vector_cache(cache_path or Path(tmp) / "vectors.npz", fake)
        for factor in factors:
            for store in stores:
                if store in slow:
                    rows.append({"store": store, "factor": factor,
                                 "skipped": f"build extrapolated from the previous size > {skip_after_s:.0f} s"})
                    continue
                echo(f"[store-growth] {store} {factor}× …")
                row = run_child(store, factor, cache, Path(tmp), n_queries, timeout)
                if row.get("build_s", 0) * 10 > skip_after_s or "error" in row or "skipped" in row:
                    slow.add(store)
                echo("  " + summary(row))
                rows.append(row)
    return rows


def summary(row: dict) -> str:
    if "build_s" not in row:
        return f"{row['store']} {row['factor']}×: {row.get('error') or row.get('skipped')}"
    return (f"{row['store']} {row['factor']}× ({row['units']:,} units): build {row['build_s']:.1f} s, peak RSS "
            f"{row['peak_build_mb']:.0f} MB (base {row['rss_base_mb']:.0f}), load {row['load_s']:.2f} s, search p50 "
            f"{row['search_ms']['p50']:.1f} / p95 {row['search_ms']['p95']:.1f} ms (CPU p50 "
            f"{row['search_cpu_ms']['p50']:.1f} ms), recall@10 {row['recall@10']:.3f}, "
            f"disk {row['disk_store_mb']:.0f} + {row['disk_units_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--stores", nargs="+", choices=list(STORES), default=list(STORES))
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--fake", action="store_true", help="the fake encoder (no model; for tests)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per (store, size)")
    parser.add_argument("--cache", type=Path, help="vector cache (.npz) to reuse, or to create there")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = run(tuple(args.factors), tuple(args.stores), args.queries, args.fake, args.timeout, cache_path=args.cache)
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
