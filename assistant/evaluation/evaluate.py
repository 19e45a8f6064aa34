"""One evaluation: run every split once, score it, and keep the results for the report.

:func:`evaluate` runs the assistant (:mod:`.runner`); :func:`score_split` is pure — it
turns stored runs into metrics — so it is unit-tested with hand-written answer dicts.

Metric names in a split's flat dict: the seed-document metrics bare (``facts``), the seed
questions re-run with the extra documents in the corpus as ``with_docs.*``, the
multi-document gold questions as ``multidoc.*`` and the dialogues as ``dialogue.*``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.evaluation.metrics import (aggregate, breakdown, failure_reasons, recall_at_k, reciprocal_rank,
                                          score_question, stability)
from assistant.evaluation.quotes import answer_problems

DEFAULT_MODES = ("hybrid", "bm25")
ALL_MODES = ("hybrid", "bm25", "dense", "rrf", "weighted")


@dataclass
class SplitResult:
    split: str
    gold: list
    outcomes: list[dict]
    metrics: dict[str, float]
    by_category: dict[str, dict]
    by_group: dict[str, dict]
    failures: list[dict]
    latency_ms: dict[str, float] = field(default_factory=dict)
    multidoc_by_category: dict[str, dict] = field(default_factory=dict)


@dataclass
class EvalResult:
    splits: dict[str, SplitResult]
    calibration: list[dict] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    gate: list[str] | None = None  # failures on the test split; None when not gated


def _prefixed(metrics: dict, prefix: str) -> dict:
    return {(f"n/{prefix}.{k[2:]}" if k.startswith("n/") else f"{prefix}.{k}"): v for k, v in metrics.items()}


def _outcomes(gold, runs, sources, clause_text):
    return [score_question(g, runs[g.qid].answer, runs[g.qid].ranked.get("hybrid"), sources, clause_text)
            for g in gold]


def score_split(split: str, gold, runs, sources, clause_text=None, *, modes=("hybrid",), with_docs=None,
                multidoc=None, dialogue: dict | None = None, profiles: dict | None = None) -> SplitResult:
    """Metrics of one split from stored runs.

    ``with_docs``: (runs of the same questions with extra documents, sources, clause_text);
    ``multidoc``: (multi-document gold, its runs, sources, clause_text)."""
    outcomes = _outcomes(gold, runs, sources, clause_text)
    metrics = aggregate(outcomes)
    relevant = {g.qid: g.refs for g in gold if g.clauses and not g.out_of_scope}
    for mode in modes:
        if mode == "hybrid" or not relevant:
            continue
        ranked = {q: runs[q].ranked.get(mode, []) for q in relevant}
        metrics[f"{mode}_recall@1"] = float(np.mean([recall_at_k(ranked[q], relevant[q], 1) for q in relevant]))
        metrics[f"{mode}_recall@3"] = float(np.mean([recall_at_k(ranked[q], relevant[q], 3) for q in relevant]))
        metrics[f"{mode}_mrr"] = float(np.mean([reciprocal_rank(ranked[q], relevant[q]) for q in relevant]))
    if with_docs is not None:
        runs_with, sources_with, clause_text_with = with_docs
        together = aggregate(_outcomes(gold, runs_with, sources_with, clause_text_with))
        metrics.update(_prefixed(together, "with_docs"))
        if "answer_recall@1" in metrics:
            delta = together.get("answer_recall@1", 0.0) - metrics["answer_recall@1"]
            metrics["with_docs.answer_recall@1_delta"] = delta
        metrics["with_docs.stability"] = stability({q: r.answer for q, r in runs.items()},
                                                   {q: r.answer for q, r in runs_with.items()})
    multidoc_by_category = {}
    if multidoc is not None:
        md_gold, md_runs, md_sources, md_clause_text = multidoc
        md_outcomes = _outcomes(md_gold, md_runs, md_sources, md_clause_text)
        metrics.update(_prefixed(aggregate(md_outcomes), "multidoc"))
        multidoc_by_category = breakdown(md_gold, md_outcomes, "category")
    if dialogue:
        metrics.update({f"dialogue.{k}": float(v) for k, v in dialogue.items()})
    if profiles:  # the support matcher on gold profiles (already prefixed match.*)
        metrics.update({k: float(v) for k, v in profiles.items()})
    failures = []
    for g, checks in zip(gold, outcomes):
        if not checks["correct"]:
            answer = runs[g.qid].answer
            reasons = failure_reasons(g, checks, answer, runs[g.qid].ranked.get("hybrid"))
            if checks.get("quote_integrity") == 0.0:
                reasons += answer_problems(answer, sources, clause_text)[:2]
            if answer.get("error"):
                reasons.append(f"error: {answer['error']}")
            failures.append({"qid": g.qid, "category": g.category, "question": g.question, "reasons": reasons})
    seconds = [r.seconds for r in runs.values()]
    latency = {"answer_p50_ms": float(np.percentile(seconds, 50) * 1000), "answer_p95_ms":
               float(np.percentile(seconds, 95) * 1000)} if seconds else {}
    return SplitResult(split, gold, outcomes, metrics, breakdown(gold, outcomes, "category"),
                       breakdown(gold, outcomes, "group"), failures, latency, multidoc_by_category)


def _dialogue_metrics(assistant, path) -> dict | None:
    """The chat helper's dialogue metrics, when that module and ``Assistant.chat`` exist."""
    try:
        from assistant.evaluation.dialogues import evaluate_dialogues
    except ImportError:
        return None
    if not hasattr(assistant, "chat"):
        return None
    return evaluate_dialogues(assistant, path)


def _profile_paths(assistant) -> dict:
    """eval/gold/profiles_{dev,test}.jsonl when present (the matcher's gold)."""
    try:
        from assistant.evaluation.matching import profile_paths
    except ImportError:
        return {}
    eval_dir = getattr(getattr(assistant, "settings", None), "eval_dir", None)
    return profile_paths(eval_dir) if eval_dir is not None and hasattr(assistant, "match") else {}


def _profile_metrics(assistant, path) -> dict:
    from assistant.evaluation.matching import evaluate_profiles

    return evaluate_profiles(assistant, path)


def evaluate(assistant, gold_set, *, splits=("dev", "test"), modes=DEFAULT_MODES, docs_dir: Path | None = None,
             calibrate: bool = True, log=None) -> EvalResult:
    """Run and score every requested split; the multi-document run shares one temp corpus."""
    from assistant.evaluation.calibration import calibration_table, threshold_outcomes
    from assistant.evaluation.runner import (clause_text_lookup, corpus_with_extra_docs, run_questions,
                                             source_texts)

    log = log or (lambda message: None)
    started = time.perf_counter()
    splits = [s for s in splits if s in gold_set.seed]
    corpus_dir = Path(assistant.settings.corpus_dir)
    sources = source_texts(assistant, [corpus_dir])
    clause_text = clause_text_lookup(assistant.corpus)
    runs = {}
    for split in splits:
        log(f"{split}: {len(gold_set.seed[split])} questions")
        runs[split] = run_questions(assistant, gold_set.seed[split], modes, progress=log)
    with_docs, multidoc, extra, profiles = {}, {}, [], {}
    profile_files = _profile_paths(assistant)
    if docs_dir is not None:
        with corpus_with_extra_docs(assistant, docs_dir, log=log) as (multi, extra):
            if multi is not None:
                md_sources = source_texts(multi, [corpus_dir, docs_dir])
                md_clause_text = clause_text_lookup(multi.corpus)
                for split in splits:
                    log(f"{split}: seed questions with {len(extra)} extra documents")
                    # Answers only: the answer's first citation is what must not change.
                    with_docs[split] = (run_questions(multi, gold_set.seed[split], ()), md_sources, md_clause_text)
                    if gold_set.multidoc.get(split):
                        log(f"{split}: {len(gold_set.multidoc[split])} multi-document questions")
                        multidoc[split] = (gold_set.multidoc[split],
                                           run_questions(multi, gold_set.multidoc[split], ("hybrid",)),
                                           md_sources, md_clause_text)
                    if split in profile_files:  # the profiles are written against all documents
                        log(f"{split}: gold profiles through the matcher")
                        profiles[split] = _profile_metrics(multi, profile_files[split])
    for split in splits:
        if split in profile_files and split not in profiles:
            profiles[split] = _profile_metrics(assistant, profile_files[split])
    dialogues = {s: _dialogue_metrics(assistant, gold_set.dialogues[s]) for s in splits if s in gold_set.dialogues}
    table = []
    if calibrate and "dev" in splits:
        log("dev: refusal threshold calibration")
        table = calibration_table(threshold_outcomes(assistant, gold_set.seed["dev"]))
    results = {s: score_split(s, gold_set.seed[s], runs[s], sources, clause_text, modes=modes,
                              with_docs=with_docs.get(s), multidoc=multidoc.get(s), dialogue=dialogues.get(s),
                              profiles=profiles.get(s))
               for s in splits}
    manifest = getattr(getattr(assistant, "index", None), "manifest", {}) or {}
    info = {"model": manifest.get("model_id"), "documents": [d.doc_id for d in assistant.corpus.documents],
            "extra_documents": [p.name for p in extra], "sources": gold_set.sources, "leaks": gold_set.leaks(),
            "not_independent": sorted(sources.not_independent), "modes": list(modes),
            "seconds": time.perf_counter() - started}
    return EvalResult(results, table, info)
