"""Evaluation on the gold set: retrieval (BM25 vs dense vs hybrid) and answers.

The data follows sentence-transformers' InformationRetrievalEvaluator: ``queries{qid: text}``,
``relevant{qid: set(clause)}``; metrics come back as one flat dict
(``hybrid_recall@1``, ``bm25_mrr``, ``hybrid_recall@1/typo`` …).

Recall@k here is the share of questions with at least one gold clause among the top k —
for a one-clause question, exactly "the right clause is in the top k".
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RETRIEVAL_MODES = {"bm25": "bm25", "dense": "dense", "rrf": "rrf", "weighted": "weighted", "hybrid": "hybrid"}


@dataclass
class GoldQuestion:
    qid: str
    question: str
    category: str
    group: str = ""
    clauses: list[int] = field(default_factory=list)
    out_of_scope: bool = False
    department: str = ""
    department_canonical: str = ""
    metadata_field: str = ""
    expected: str = ""
    expected_text: str = ""


def load_gold(path: Path) -> list[GoldQuestion]:
    known = set(GoldQuestion.__dataclass_fields__)
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                data = json.loads(line)
                rows.append(GoldQuestion(**{k: v for k, v in data.items() if k in known}))
    return rows


def retrieval_metrics(ranked: dict[str, list[int]], relevant: dict[str, set[int]], ks=(1, 3)) -> dict[str, float]:
    """Recall@k (hit rate) and MRR of ranked clause lists against gold clause sets."""
    if not relevant:
        return {**{f"recall@{k}": 0.0 for k in ks}, "mrr": 0.0}
    out = {}
    for k in ks:
        out[f"recall@{k}"] = float(np.mean([bool(set(ranked.get(q, [])[:k]) & gold) for q, gold in relevant.items()]))
    reciprocal = []
    for qid, gold in relevant.items():
        ranks = [i for i, c in enumerate(ranked.get(qid, []), 1) if c in gold]
        reciprocal.append(1.0 / ranks[0] if ranks else 0.0)
    out["mrr"] = float(np.mean(reciprocal))
    return out


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000.0, q)) if seconds else 0.0


def evaluate_retrieval(assistant, gold: list[GoldQuestion], modes=RETRIEVAL_MODES, k: int = 5) -> dict:
    """Run every mode on the in-scope questions; flat metrics plus per-category ones."""
    questions = [g for g in gold if g.clauses and not g.out_of_scope]
    relevant = {g.qid: set(g.clauses) for g in questions}
    categories = sorted({g.category for g in questions})
    metrics: dict[str, float] = {"questions": len(questions)}
    stage_totals: dict[str, dict[str, float]] = {}
    assistant.search(questions[0].question, k=k)  # warm-up: first call pays lazy loads
    for name, mode in modes.items():
        ranked, latencies, stages = {}, [], {}
        for g in questions:
            start = time.perf_counter()
            hits = assistant.search(g.question, k=k, mode=mode, timings=stages)
            latencies.append(time.perf_counter() - start)
            ranked[g.qid] = [h.clause for h in hits]
        for key, value in retrieval_metrics(ranked, relevant).items():
            metrics[f"{name}_{key}"] = value
        for category in categories:
            subset = {q: s for q, s in relevant.items() if next(g for g in questions if g.qid == q).category == category}
            for key, value in retrieval_metrics(ranked, subset).items():
                metrics[f"{name}_{key}/{category}"] = value
        metrics[f"{name}_p50_ms"] = percentile_ms(latencies, 50)
        metrics[f"{name}_p95_ms"] = percentile_ms(latencies, 95)
        stage_totals[name] = {s: 1000.0 * v / len(questions) for s, v in stages.items()}
        metrics[f"_ranked/{name}"] = ranked  # type: ignore[assignment]
    metrics["_stages_ms"] = stage_totals  # type: ignore[assignment]
    metrics["_categories"] = categories  # type: ignore[assignment]
    return metrics


def failures(metrics: dict, gold: list[GoldQuestion], mode: str = "hybrid") -> list[dict]:
    ranked = metrics.get(f"_ranked/{mode}", {})
    out = []
    for g in gold:
        if g.qid in ranked and (not ranked[g.qid] or ranked[g.qid][0] not in g.clauses):
            out.append({"qid": g.qid, "question": g.question, "gold": g.clauses, "got": ranked[g.qid][:3]})
    return out
