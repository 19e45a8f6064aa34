"""``assistant eval``: run the evaluation, print it, write ``eval/report.md`` and a chart.

Also the gate: :data:`FLOORS` are the minimum numbers CI accepts.
"""

from __future__ import annotations

import time
from pathlib import Path

from assistant.evaluation.metrics import (calibration_table, evaluate_answers, evaluate_retrieval, failures as retrieval_failures,
                       load_gold)

# metric: (floor, "≥" or "≤"); the gate fails when a number is on the wrong side.
FLOORS = {
    "hybrid_recall@1": (0.95, "≥"),
    "answer_recall@1": (0.95, "≥"),
    "department_exactness": (1.0, "≥"),
    "department_f1": (0.95, "≥"),
    "refusal_accuracy": (0.90, "≥"),
    "false_refusal_rate": (0.03, "≤"),
    "verbatim_quotes": (1.0, "≥"),
}
MODE_NAMES = {"bm25": "BM25 (jieba)", "dense": "Dense (EmbeddingGemma)", "rrf": "RRF fusion",
              "weighted": "Weighted sum, min-max", "hybrid": "Hybrid, calibrated (default)"}


def gate_failures(metrics: dict) -> list[str]:
    out = []
    for name, (floor, side) in FLOORS.items():
        value = metrics.get(name)
        if value is None or (value < floor if side == "≥" else value > floor):
            out.append(f"{name} = {value} (needs {side} {floor})")
    return out


def run_evaluation(assistant, gold_path: Path, out_dir: Path, *, calibrate=False, echo=print) -> list[str]:
    gold = load_gold(gold_path)
    started = time.perf_counter()
    retrieval = evaluate_retrieval(assistant, gold)
    answers = evaluate_answers(assistant, gold)
    table = calibration_table(assistant, gold) if calibrate else []
    metrics = {**retrieval, **answers}
    failed = gate_failures(metrics)
    lines = render(metrics, gold, assistant, table, failed, time.perf_counter() - started)
    echo("\n".join(lines))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    chart(metrics, out_dir / "report.png")
    return failed


def _pct(value: float) -> str:
    return f"{value:.3f}"


def render(metrics, gold, assistant, table, failed, seconds) -> list[str]:
    manifest = assistant.index.manifest
    modes = [m for m in MODE_NAMES if f"{m}_recall@1" in metrics]
    lines = ["# Evaluation report", "",
             f"Gold set: `eval/questions.jsonl`, {len(gold)} questions "
             f"({metrics['questions']} with gold clauses for retrieval). Model `{manifest.get('model_id')}`; "
             f"index built in {manifest.get('build_seconds')} s over {manifest.get('units')} units. "
             f"Evaluation took {seconds:.0f} s on this machine.", "",
             "Recall@k: share of questions with a gold clause among the top k clauses.", "",
             "## Retrieval: BM25 vs dense vs hybrid (same questions, same run)", "",
             "| method | Recall@1 | Recall@3 | MRR | p50 ms | p95 ms |", "|---|---|---|---|---|---|"]
    for m in modes:
        lines.append(f"| {MODE_NAMES[m]} | {_pct(metrics[f'{m}_recall@1'])} | {_pct(metrics[f'{m}_recall@3'])} | "
                     f"{_pct(metrics[f'{m}_mrr'])} | {metrics[f'{m}_p50_ms']:.1f} | {metrics[f'{m}_p95_ms']:.1f} |")
    lines += ["", "### Recall@1 per category", "", "| category | n | " + " | ".join(modes) + " |",
              "|---|---|" + "---|" * len(modes)]
    for category in metrics["_categories"]:
        n = sum(1 for g in gold if g.category == category and g.clauses and not g.out_of_scope)
        lines.append(f"| {category} | {n} | " + " | ".join(_pct(metrics[f'{m}_recall@1/{category}']) for m in modes) + " |")
    stages = metrics["_stages_ms"].get("hybrid", {})
    lines += ["", "### Hybrid query latency by stage (mean ms per query)", "",
              "| " + " | ".join(stages) + " |", "|" + "---|" * len(stages),
              "| " + " | ".join(f"{v:.2f}" for v in stages.values()) + " |", ""]
    lines += ["## Answers", "", "| metric | value | floor |", "|---|---|---|"]
    for name in ("answer_recall@1", "department_exactness", "department_f1", "refusal_accuracy",
                 "false_refusal_rate", "verbatim_quotes", "metadata_accuracy", "target_in_quote",
                 "answer_p50_ms", "answer_p95_ms"):
        floor = FLOORS.get(name)
        value = metrics[name]
        shown = f"{value:.1f}" if name.endswith("_ms") else _pct(value)
        lines.append(f"| {name} | {shown} | {floor[1] + ' ' + str(floor[0]) if floor else ''} |")
    if table:
        lines += ["", "## Refusal threshold calibration (coverage.MIN_SCORE)", "",
                  "| threshold | refusal accuracy | false-refusal rate |", "|---|---|---|"]
        lines += [f"| {row['threshold']:.2f} | {row['refusal_accuracy']:.3f} | {row['false_refusal_rate']:.3f} |"
                  for row in table]
    misses = retrieval_failures(metrics, gold)
    lines += ["", f"## Hybrid misses at rank 1 ({len(misses)})", ""]
    lines += [f"- {m['qid']} {m['question']} — gold {m['gold']}, got {m['got']}" for m in misses]
    wrong = [(g, a) for g, a in metrics["_rows"] if g.out_of_scope != a.refused]
    lines += ["", f"## Refusal errors ({len(wrong)})", ""]
    lines += [f"- {g.qid} {g.question} — {'answered' if g.out_of_scope else 'refused'}" for g, a in wrong]
    lines += ["", "## Gate", "", "PASSED" if not failed else "FAILED: " + "; ".join(failed)]
    return lines


def chart(metrics: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = [m for m in MODE_NAMES if f"{m}_recall@1" in metrics]
    categories = metrics["_categories"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1, 2]})
    width = 0.8 / len(modes)
    for i, m in enumerate(modes):
        values = [metrics[f"{m}_recall@1"], metrics[f"{m}_recall@3"], metrics[f"{m}_mrr"]]
        left.bar([x + i * width for x in range(3)], values, width, label=m)
        right.bar([x + i * width for x in range(len(categories))],
                  [metrics[f"{m}_recall@1/{c}"] for c in categories], width, label=m)
    left.set_xticks([x + 0.4 - width / 2 for x in range(3)], ["Recall@1", "Recall@3", "MRR"])
    left.set_ylim(0, 1.05)
    left.set_title("Retrieval on the gold set")
    right.set_xticks([x + 0.4 - width / 2 for x in range(len(categories))], categories, rotation=30, ha="right")
    right.set_ylim(0, 1.05)
    right.set_title("Recall@1 by question category")
    right.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
