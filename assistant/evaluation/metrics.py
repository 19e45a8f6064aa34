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


def _f1(predicted: set[int], gold: set[int]) -> float:
    if not predicted and not gold:
        return 1.0
    tp = len(predicted & gold)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(predicted), tp / len(gold)
    return 2 * precision * recall / (precision + recall)


def verbatim_problems(answer, document) -> list[str]:
    """Quotes that are not verbatim substrings of their clause's normalised text."""
    problems = []
    for citation in answer.citations + answer.related:
        clause = document.clause(citation.clause)
        if citation.quote not in clause.text and not all(s in clause.text for s in citation.sentences):
            problems.append(f"clause {citation.clause}: {citation.quote[:40]}")
        for sentence in citation.sentences:
            if sentence not in clause.text:
                problems.append(f"clause {citation.clause}: sentence not verbatim: {sentence[:40]}")
    return problems


def evaluate_answers(assistant, gold: list[GoldQuestion]) -> dict:
    """Answer-level metrics over the whole gold set (see the module docstring of answer.py)."""
    document = assistant.document
    metrics: dict = {}
    latencies, rows = [], []
    assistant.ask(gold[0].question)  # warm-up
    for g in gold:
        start = time.perf_counter()
        answer = assistant.ask(g.question)
        latencies.append(time.perf_counter() - start)
        rows.append((g, answer))
    in_scope = [(g, a) for g, a in rows if g.clauses and not g.out_of_scope]
    top1 = [bool(a.citations) and a.citations[0].clause in g.clauses for g, a in in_scope]
    metrics["answer_recall@1"] = float(np.mean(top1)) if top1 else 0.0
    responsibility = [(g, a) for g, a in rows if g.category == "responsibility"]
    exact = []
    for g, a in responsibility:
        gold_departments = document.clause(g.clauses[0]).departments if g.clauses else []
        exact.append(bool(a.citations) and a.citations[0].clause in g.clauses
                     and a.citations[0].departments == document.clause(a.citations[0].clause).departments
                     and (a.citations[0].clause != g.clauses[0] or a.citations[0].departments == gold_departments))
    metrics["department_exactness"] = float(np.mean(exact)) if exact else 0.0
    department_rows = [(g, a) for g, a in rows if g.category == "department"]
    f1 = [_f1({c.clause for c in a.citations}, set(g.clauses)) for g, a in department_rows]
    metrics["department_f1"] = float(np.mean(f1)) if f1 else 0.0
    oos = [a.refused for g, a in rows if g.out_of_scope]
    metrics["refusal_accuracy"] = float(np.mean(oos)) if oos else 0.0
    answerable = [a.refused for g, a in rows if not g.out_of_scope]
    metrics["false_refusal_rate"] = float(np.mean(answerable)) if answerable else 0.0
    quotes = [not verbatim_problems(a, document) for g, a in rows]
    metrics["verbatim_quotes"] = float(np.mean(quotes)) if quotes else 0.0
    meta = [(g, a) for g, a in rows if g.category == "metadata"]
    metrics["metadata_accuracy"] = float(np.mean([bool(g.expected) and g.expected in a.answer for g, a in meta])) if meta else 0.0
    numbers = [(g, a) for g, a in rows if g.expected_text]
    metrics["target_in_quote"] = float(np.mean([any(g.expected_text in c.quote for c in a.citations)
                                                for g, a in numbers])) if numbers else 0.0
    metrics["answer_p50_ms"] = percentile_ms(latencies, 50)
    metrics["answer_p95_ms"] = percentile_ms(latencies, 95)
    metrics["_rows"] = rows
    return metrics


def calibration_table(assistant, gold: list[GoldQuestion], thresholds=None) -> list[dict]:
    """Refusal error rates at each candidate score threshold, for choosing MIN_SCORE.

    One pass with the threshold off; every other refusal rule (foreign places, asked-for
    content) still applies, as in production. A score-gated answer at threshold t is refused
    when its best clause scored below t."""
    from assistant.answering import coverage

    thresholds = thresholds or [round(x, 2) for x in np.arange(0.05, 0.41, 0.01)]
    saved, coverage.MIN_SCORE = coverage.MIN_SCORE, -1.0
    outcomes = []
    try:
        for g in gold:
            answer = assistant.ask(g.question)
            shown = answer.citations or answer.related
            gated = answer.intent in ("general", "responsibility", "out_of_scope") and shown
            outcomes.append((g.out_of_scope, answer.refused, shown[0].score if gated else None))
    finally:
        coverage.MIN_SCORE = saved
    table = []
    for t in thresholds:
        refused = [(oos, r or (score is not None and score < t)) for oos, r, score in outcomes]
        n_oos = sum(1 for oos, _ in refused if oos) or 1
        n_ok = sum(1 for oos, _ in refused if not oos) or 1
        table.append({"threshold": t,
                      "refusal_accuracy": sum(r for oos, r in refused if oos) / n_oos,
                      "false_refusal_rate": sum(r for oos, r in refused if not oos) / n_ok})
    return table
