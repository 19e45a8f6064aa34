"""The write-up of ``python -m bench bench``: a terminal summary and ``eval/bench.md``.

:func:`render_markdown` turns the numbers :func:`bench.run.run_bench` collected into
the report, one function per section, in the order of the bench module docstring (1 cold
start … 6 growth, then method notes). It only formats: every number it shows was measured
and stored in the results dict, apart from the clearly labelled linear projections for
sizes where llama-index was not built. :func:`summary` is the few-line terminal version.
"""

from __future__ import annotations

import numpy as np

from bench.run import STAGE_NAMES, STAGES
from bench.growth import MIX


def _f(value, digits: int = 1) -> str:
    """A number for a table cell: "–" when it was not measured, "n/a" for a ratio over zero."""
    if value is None:
        return "–"
    if isinstance(value, float) and np.isnan(value):
        return "n/a"
    return f"{value:,.{digits}f}"


def summary(r: dict) -> str:
    """A few lines for the terminal."""
    lines = ["", "== bench summary =="]
    cold = r.get("cold_start")
    if cold:
        lines.append(f"cold start to first answer: {cold['wall_total']:.1f} s (imports {cold['imports']:.1f}, model "
                     f"{cold['model_load']:.1f}, index {cold['index_load']:.1f}, first answer "
                     f"{cold['first_answer']:.2f}); peak RSS {cold['peak_rss_mb']:.0f} MB")
    w = r["warm"]
    lines.append(f"warm ask: p50 {w['p50']:.0f} ms, p95 {w['p95']:.0f} ms over {w['n']} questions")
    b = r["build"]
    lines.append(f"index build: {b['seconds']:.1f} s, {b['units']} units, {b['size_mb']:.2f} MB on disk")
    bh = r["bm25_vs_hybrid"]
    lines.append(f"BM25 vs hybrid: p50 {bh['bm25']['p50']:.1f} vs {bh['hybrid']['p50']:.1f} ms "
                 f"(×{bh['ratio_p50']:.1f}); Recall@1 {bh['bm25']['recall@1']:.3f} vs {bh['hybrid']['recall@1']:.3f}")
    e = r["encoders"]
    lines.append(f"encoder: query p50 defaults {e['default']['p50']:.0f} ms vs ours {e['ours']['p50']:.0f} ms "
                 f"(×{e['query_speedup_p50']:.2f}); docs/s {e['default']['docs_per_s']:.1f} vs "
                 f"{e['ours']['docs_per_s']:.1f} (×{e['doc_speedup']:.2f}); max|Δcos| {e['max_abs_cos_diff']:.4f}, "
                 f"top-1 agreement {e['top1_doc_agreement']:.3f}")
    for row in r["growth"]:
        flat = row["search"]["raw FAISS Flat"]
        lines.append(f"growth {row['factor']}×: {row['units']:,} units, BM25 {row['bm25_s']:.1f} s, "
                     f"search p50 {flat['p50']:.1f} ms (raw Flat)"
                     + (f", llama-index build+persist {row['llama']['build_s'] + row['llama']['persist_s']:.1f} s"
                        if "build_s" in row.get("llama", {}) else ""))
        if "ann" in row:
            a = row["ann"]
            lines.append(f"  Flat vs HNSW32: p50 {a['flat']['p50']:.2f} vs {a['hnsw']['p50']:.2f} ms "
                         f"(×{a['speedup_p50']:.1f}), recall@10 {a['recall@10']:.3f}, "
                         f"HNSW build {a['hnsw_build_s']:.1f} s")
    lines.append(f"peak RSS of the benchmark process: {r['memory']['peak_rss_mb']:.0f} MB")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list]) -> list[str]:
    """A Markdown table and the blank line after it."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def _md_machine(r: dict) -> list[str]:
    m = r["machine"]
    others = m.get("other_cores", 0.0)
    busy = others > 0.25 or m["load_start"][0] > 0.5 * m["usable_cores"]
    lines = ["# Benchmark", "",
             f"Run {m['date']}; took {r['runtime_s']:.0f} s"
             + (" (quick mode: reduced sizes)" if r.get("quick") else "")
             + ".", "",
             f"- Code: git {m.get('code', 'unknown')}",
             f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB RAM; "
             f"Python {m['python']}, torch {m['torch']}",
             f"- Load average (1/5/15 min) at start {', '.join(f'{x:.2f}' for x in m['load_start'])}, at end "
             f"{', '.join(f'{x:.2f}' for x in m.get('load_end', []))} (the end value includes this benchmark)",
             f"- CPU used by *other* processes during the run (/proc/stat minus this process and its children): "
             f"{others:.2f} cores on average, of {m['usable_cores']}"]
    if busy:
        lines.append("- **Note: other processes were using the CPU during this run**; absolute latencies are "
                     "pessimistic. Ratios are less affected: both sides of each "
                     "comparison ran in the same process, interleaved.")
    return lines + [""]


def _md_cold(r: dict) -> list[str]:
    c = r.get("cold_start")
    if not c:
        return ["## 1. Cold start to first answer", "", "Not measured in this run.", ""]
    rows = [["interpreter start", _f(c["interpreter_start"], 2)],
            [f"imports ({', '.join(c['imported'])})", _f(c["imports"], 2)],
            ["model load (`load_encoder`)", _f(c["model_load"], 2)],
            ["index load (`Assistant.load`: corpus parse, verify checksums, BM25 + llama-index/FAISS)",
             _f(c["index_load"], 2)],
            ["first answer (`ask`)", _f(c["first_answer"], 2)],
            ["**total, wall clock from spawn to exit**", f"**{_f(c['wall_total'], 2)}**"]]
    return (["## 1. Cold start to first answer", "",
             "A fresh interpreter (`python -c …`, subprocess) with an existing index: stages timed inside it.", ""]
            + _table(["stage", "seconds"], rows)
            + [f"Peak RSS of that process: **{c['peak_rss_mb']:.0f} MB** (VmHWM, read inside it: "
               "`getrusage(RUSAGE_CHILDREN)` would also count the forked copy of the benchmark process before "
               f"`exec`); resident after the first answer: {c.get('rss_end_mb', 0):.0f} MB. The peak was already "
               f"{c['peak_after_model_mb']:.0f} MB right after the model load (resident then: "
               f"{c['rss_after_model_mb']:.0f} MB). The first answer cited clauses {c['cited']}.", ""])


def _md_warm(r: dict) -> list[str]:
    w = r["warm"]
    stages = w["stages_ms"]
    total = sum(stages.values())
    rows = [[STAGE_NAMES.get(s, s), _f(stages.get(s, 0.0), 2), _f(100 * stages.get(s, 0.0) / total if total else 0, 0)]
            for s in STAGES]
    return (["## 2. Warm query latency (`Assistant.ask`)", "",
             f"{w['n']} gold questions, one at a time, after one warm-up call: **p50 {w['p50']:.1f} ms, "
             f"p95 {w['p95']:.1f} ms** (mean {w['mean']:.1f} ms).", "", "Mean per stage:", ""]
            + _table(["stage", "mean ms", "% of total"], rows))


def _md_build(r: dict) -> list[str]:
    b = r["build"]
    parts = ", ".join(f"{k} {v:.2f} MB" for k, v in b["parts_mb"].items())
    return ["## 3. Index build (bundled corpus, real encoder)", "",
            f"`build_index` into a temp dir: **{b['seconds']:.1f} s** for {b['units']} units "
            f"(parse, BM25, embedding, llama-index/FAISS, persist, checksums); **{b['size_mb']:.2f} MB** on disk "
            f"({parts}).", ""]


def _md_memory(r: dict) -> list[str]:
    m = r["memory"]
    rows = [["start", _f(m["rss_start_mb"], 0)], ["after loading our encoder", _f(m.get("rss_after_model_mb"), 0)],
            ["after sections 1–3 and 5a (bundled index loaded and queried)", _f(m.get("rss_before_default_mb"), 0)],
            ["plus the defaults baseline encoder (float32)", _f(m.get("rss_after_default_mb"), 0)],
            ["after freeing the baseline", _f(m.get("rss_after_default_freed_mb"), 0)],
            ["**peak (VmHWM), whole run**", f"**{_f(m['peak_rss_mb'], 0)}**"]]
    return (["## 4. Memory of the benchmark process", "",
             "The peak includes both encoders at once (section 5) and the largest synthetic corpus (section 6); "
             "the product itself needs one encoder (see the cold-start RSS).", ""]
            + _table(["point", "RSS MB"], rows))


def _md_baselines(r: dict) -> list[str]:
    bh, e = r["bm25_vs_hybrid"], r["encoders"]
    lines = ["## 5. Baselines (same process, same run)", "", "### BM25-only vs hybrid search", "",
             f"`Assistant.search(k=5)` on the same {bh['bm25']['n']} questions, the two modes interleaved per "
             f"question; Recall@1 over the {bh['recall_questions']} with gold clauses.", ""]
    lines += _table(["mode", "p50 ms", "p95 ms", "mean ms", "Recall@1"],
                    [[m, _f(bh[m]["p50"], 2), _f(bh[m]["p95"], 2), _f(bh[m]["mean"], 2), _f(bh[m]["recall@1"], 3)]
                     for m in ("bm25", "hybrid")])
    lines += [f"Ratio hybrid / BM25: **×{bh['ratio_p50']:.1f}** at p50 (×{bh['ratio_mean']:.1f} mean); the extra "
              "time is the query embedding.", "",
              "### sentence-transformers defaults vs ours", "",
              f"Baseline: `SentenceTransformer(path)` with default arguments — {e['names']['default']}. "
              f"Ours: {e['names']['ours']} via `load_encoder`. Query latency: one question per call (as in "
              f"production), the two interleaved; throughput: the {e['n_documents']} distinct sentences and "
              "责任单位 notes of the corpus in one call each (default batch sizes).", ""]
    lines += _table(["encoder", "query p50 ms", "query p95 ms", "documents / s"],
                    [[e["names"][k], _f(e[k]["p50"], 1), _f(e[k]["p95"], 1), _f(e[k]["docs_per_s"], 1)]
                     for k in ("default", "ours")])
    lines += [f"Ratios (above 1 = ours faster): query latency p50 defaults/ours **×{e['query_speedup_p50']:.2f}**; "
              f"document throughput ours/defaults **×{e['doc_speedup']:.2f}**"
              + (f" (best of {e['rounds']} alternating rounds each)." if e["rounds"] > 1 else "."), "",
              f"Agreement over {e['ours']['n']} gold questions × {e['n_documents']} documents: max |Δcos| "
              f"{e['max_abs_cos_diff']:.4f}; lowest cosine between the two vectors of one query "
              f"{e['min_query_self_cos']:.4f} (of one document {e['min_doc_self_cos']:.4f}); top-1 nearest document "
              f"identical for {100 * e['top1_doc_agreement']:.1f}% of questions, same clause for "
              f"{100 * e['top1_clause_agreement']:.1f}%.", ""]
    return lines


def _md_growth(r: dict) -> list[str]:
    rows = r["growth"]
    lines = ["## 6. Growth: synthetic corpora", "",
             "Clause i of a k× corpus = 3–8 distinct real sentences in random order (fixed seed), a synthetic "
             "title and the 责任单位 note of a random real clause; units come from the product's `make_units`. "
             "Vectors are composed from a cache — every distinct real sentence and 责任单位 note embedded "
             f"**once** with the real encoder: clause unit = normalised mean of its sentences' vectors; sentence / "
             f"责任单位 unit = normalised (own vector + {MIX} × clause vector), standing in for the title the model "
             "would see and keeping copies of one sentence distinct. Search latency excludes query embedding "
             "(precomputed; it does not depend on corpus size — see section 5).", "", "### Build", ""]
    build_rows = []
    for row in rows:
        llama = row["llama"] if "build_s" in row.get("llama", {}) else None
        missing = ("skipped" if "skipped" in row["llama"] else "failed") if "llama" in row else "not built"
        where = " (subprocess)" if llama and llama.get("subprocess") else ""
        build_rows.append([f"{row['factor']}×", f"{row['clauses']:,}", f"{row['units']:,}", _f(row["bm25_s"], 2),
                           _f(row["faiss_s"], 2), _f(llama["build_s"], 2) + where if llama else missing,
                           _f(row["persist_raw_s"], 2), _f(row["persist_llama_s"], 2) if llama else "–",
                           _f(row["size_raw_mb"], 1), _f(row.get("size_llama_mb"), 1),
                           _f(llama["docstore_mb"], 1) if llama else "–", _f(llama["load_s"], 2) if llama else "–",
                           _f(row["rss_growth_mb"], 0)])
    lines += _table(["size", "clauses", "units", "BM25 tokenise+index s", "raw FAISS add s",
                     "llama-index build s", "persist s (raw)", "persist s (llama)", "disk MB (raw)",
                     "disk MB (llama)", "docstore.json MB", "llama load s", "RSS growth MB"], build_rows)
    lines += ["\"raw\" = BM25 + `faiss.write_index` + units.jsonl; \"llama\" = BM25 + llama-index storage "
              "(docstore.json, index_store.json, FAISS) + units.jsonl, i.e. what `build_index` writes. "
              "RSS growth: this process, holding every index of that size at once (BM25, raw FAISS, HNSW at the "
              "largest size, llama-index where built in-process).", "",
              "### Hybrid search latency (k=5, query embedding excluded)", ""]
    search_rows = []
    for row in rows:
        for name, s in row["search"].items():
            st = s["stages_ms"]
            search_rows.append([f"{row['factor']}×", name, _f(s["p50"], 1), _f(s["p95"], 1), _f(s["max"], 0),
                                _f(st.get("bm25"), 1), _f(st.get("faiss"), 1), _f(st.get("fusion"), 1),
                                _f(s["best_sentences_ms"], 1), _f(s.get("quoted_ms"), 0), _f(s["first_query_s"], 2)])
    lines += _table(["size", "dense index", "p50 ms", "p95 ms", "max ms", "BM25 ms", "FAISS ms", "fusion+hits ms",
                     "best_sentences ms / hit", "quoted-phrase query ms", "first query s"], search_rows)
    dept = ", ".join(f"{row['factor']}× {row['department_index_s']:.2f} s" for row in rows)
    quoted = next((s for row in rows for s in row["search"].values() if "quoted_ms" in s), None)
    lines += [f"{rows[0]['search']['raw FAISS Flat']['n']} gold questions per row (evenly spread). "
              "Stage columns are means; \"fusion+hits\" includes building the k=5 hits, each of which calls "
              "`best_sentences` (its own column: mean of one call per hit). "
              + ("\"quoted-phrase query\": one gold question with a “quoted phrase”, timed once on its own — "
                 "`_phrase_bonus` looks up every clause through `Document.clause`, itself a linear scan, so its cost "
                 "grows with the square of the clause count. " if quoted else "")
              + "\"first query\" is the untimed warm-up. Building the document's department index "
              f"(`Document.departments`, lazy, paid by the first query after a load) was timed separately: {dept}.",
              ""]
    return lines + _md_ann(rows) + _md_llama(r)


def _md_ann(rows: list[dict]) -> list[str]:
    row = next((x for x in rows if "ann" in x), None)
    if row is None:
        return []
    a = row["ann"]
    recalls = [k for k in a if k.startswith("recall@")]
    lines = [f"### Exact (Flat) vs approximate (HNSW32) at {row['factor']}×", "",
             f"{a['vectors']:,} vectors, {a['queries']} queries (gold-question embeddings + cached sentence vectors), "
             f"raw FAISS, one query per call, interleaved. HNSW32: efConstruction {a['ef_construction']}, "
             f"efSearch {a['ef_search']} (as `stores/faiss_store.py` sets it).", ""]
    lines += _table(["index", "build s", "search p50 ms", "search p95 ms"] + recalls,
                    [["Flat (exact)", _f(row["faiss_s"], 2), _f(a["flat"]["p50"], 3), _f(a["flat"]["p95"], 3)]
                     + ["1.000"] * len(recalls),
                     ["HNSW32", _f(a["hnsw_build_s"], 2), _f(a["hnsw"]["p50"], 3), _f(a["hnsw"]["p95"], 3)]
                     + [_f(a[k], 3) for k in recalls]])
    lines += [f"Search latency ratio Flat/HNSW32 at p50 (k=10): **×{a['speedup_p50']:.1f}** (above 1 = HNSW "
              "faster). Recall@k: share of the exact "
              "top-k found by HNSW (ties with the k-th exact score count as found); recall@200 matters because "
              "the retriever asks FAISS for 200 candidates.", ""]
    if "hybrid" in a:
        lines += [f"End to end, hybrid search (k=5) with HNSW32 instead of Flat returned the same top-1 clause for "
                  f"{100 * a['hybrid']['top1']:.1f}% of the timed questions, and on average "
                  f"{100 * a['hybrid']['topk_overlap']:.1f}% of the same top-5 clauses.", ""]
    lines += ["Caveat: the synthetic vectors are unusual — each real sentence recurs in many sentence units whose "
              "vectors differ only by the mixed-in clause vector, so the data are a few hundred tight clusters of "
              "near-duplicates. HNSW recall on a real corpus of this size may differ in either direction.", ""]
    return lines


def _llama_line(x: dict) -> str:
    """One growth size's llama-index numbers (or why there are none), as a bullet."""
    lam = x["llama"]
    if "error" in lam:
        return f"- {x['factor']}× ({x['units']:,} units): llama-index build **failed**: {lam['error']}"
    if "skipped" in lam:
        return f"- {x['factor']}× ({x['units']:,} units): llama-index build **skipped**: {lam['skipped']}."
    per_k = 1000.0 / x["units"]
    line = (f"- {x['factor']}× ({x['units']:,} units): build {lam['build_s']:.1f} s (raw FAISS add "
            f"{x['faiss_s']:.2f} s), persist {lam['persist_s']:.1f} s, docstore.json {lam['docstore_mb']:.1f} MB, "
            f"reload {lam['load_s']:.1f} s "
            f"(per 1,000 units: build {per_k * lam['build_s']:.2f} s, persist {per_k * lam['persist_s']:.2f} s, reload "
            f"{per_k * lam['load_s']:.2f} s, {per_k * lam['docstore_mb']:.1f} MB of JSON). Dense search k="
            f"{lam['search_k']} p50: llama-index {lam['llama_search']['p50']:.1f} ms vs raw FAISS "
            f"{lam['raw_search']['p50']:.1f} ms (×{lam['search_ratio_p50']:.1f}).")
    if lam.get("subprocess"):
        line += (f" Measured in its own process: RSS {lam['rss_base_mb']:.0f} MB before the build (corpus + vectors), "
                 f"**peak {lam['peak_rss_mb']:.0f} MB** (+{lam['peak_rss_mb'] - lam['rss_base_mb']:.0f} MB while "
                 f"building), {lam['rss_loaded_mb']:.0f} MB resident after reloading.")
    return line


def _md_llama(r: dict) -> list[str]:
    rows = [x for x in r["growth"] if "llama" in x]
    skipped = [x for x in r["growth"] if "build_s" not in x.get("llama", {})]
    lines = ["### llama-index persistence vs raw FAISS", ""]
    if not rows:
        return lines + ["llama-index was not built in this run.", ""]
    lines += [_llama_line(x) for x in rows]
    built = [x for x in rows if "build_s" in x["llama"]]
    if skipped and built:
        big = max(built, key=lambda x: x["units"])
        lam = big["llama"]
        for x in skipped:
            scale = x["units"] / big["units"]
            lines.append(f"- {x['factor']}× ({x['units']:,} units): **not built with llama-index**; linear projection "
                         f"from {big['factor']}×: build ~{lam['build_s'] * scale:.0f} s, persist "
                         f"~{lam['persist_s'] * scale:.0f} s, docstore.json ~{lam['docstore_mb'] * scale:.0f} MB, reload "
                         f"~{lam['load_s'] * scale:.0f} s — a projection, not a measurement. Raw FAISS and BM25 were "
                         "measured at this size (tables above).")
    return lines + [""]


def _md_notes(r: dict) -> list[str]:
    lines = ["## Method notes", "",
             "- Timer: `time.perf_counter`; p50/p95 are `numpy.percentile` over per-call times.",
             "- Every comparison (BM25 vs hybrid, defaults vs ours, Flat vs HNSW, raw FAISS vs llama-index) ran in "
             "one process (both sides in the same one) in this one run, interleaved per query where possible, and is "
             "given as a ratio.",
             "- Builds went to a temp dir; the repository's `indexes/` was not touched.",
             f"- `HybridRetriever.expand` calls `find_in` once per document per query: "
             f"{r['department_scan_ms']:.2f} ms each here, so a corpus split into many documents pays that per "
             "document (the growth corpora are one document each).",
             f"- Query-vector cache misses during growth: {r.get('query_cache_misses', 0)}."]
    return lines + [""]


def render_markdown(results: dict) -> str:
    """The whole of ``eval/bench.md`` for the results of one run."""
    lines = (_md_machine(results) + _md_cold(results) + _md_warm(results) + _md_build(results)
             + _md_memory(results) + _md_baselines(results) + _md_growth(results) + _md_notes(results))
    return "\n".join(lines).rstrip() + "\n"
