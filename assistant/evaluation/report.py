"""``eval/report.md`` and ``eval/report.png``: dev and test side by side.

Test failures are shown as counts only — never the questions — so nobody tunes the
assistant on the test split; the dev failures are listed in full, and the refusal
threshold table is computed on dev only.
"""

from __future__ import annotations

from pathlib import Path

from assistant.evaluation.gate import FLOORS, describe, passes

SPLIT_ORDER = ("dev", "test")
MODE_NAMES = {"hybrid": "Hybrid (default)", "bm25": "BM25 (jieba)", "dense": "Dense (EmbeddingGemma)",
              "rrf": "RRF fusion", "weighted": "Weighted sum"}
BREAKDOWN_METRICS = ("correct", "answer_recall@1", "facts", "facts_answer", "refusal_accuracy", "false_refusal_rate")
WITH_DOCS_METRICS = ("answer_recall@1", "facts", "facts_answer", "refusal_accuracy", "false_refusal_rate",
                     "quote_integrity", "correct")
DEFINITIONS = [
    "- **search_recall@k / search_mrr**: a gold (doc_id, clause) among the first k hybrid search hits / "
    "1÷rank of the first.",
    "- **answer_recall@1**: the answer's first citation is a gold (doc_id, clause).",
    "- **facts**: every gold fact string occurs in the answer's *direct* text — the sentence(s) answering the "
    "question — whitespace removed.",
    "- **facts_answer**: every gold fact string occurs anywhere in the whole answer (direct text, quotes, "
    "evidence), whitespace removed; **metadata_accuracy**: facts_answer on metadata questions.",
    "- **department_exact / department_f1**: the departments the direct text names (gold or first-citation "
    "departments, by full or core name such as 科技厅), else the first citation's, vs the gold row's departments.",
    "- **clause_set_f1**: department_tasks / joint questions: cited clauses vs the complete gold set.",
    "- **refusal_accuracy**: out-of-scope questions refused; **false_refusal_rate**: answerable questions refused.",
    "- **yes_no_accuracy**: the direct answer starts with 是 (yes) / 否 (no) / 文件未… or is a refusal (not stated).",
    "- **wrong_verdict** (lower is better): gold yes/no questions whose direct answer states the opposite verdict "
    "(否 for yes, 是 for no).",
    "- **unfounded_verdict** (lower is better): not-stated yes/no questions answered 是 or 否 instead of a refusal "
    "or 文件未….",
    "- **quote_integrity**: every quote (citations and related) is a contiguous span of the cited *source file* "
    "(whitespace removed), parts joined by “……” each contiguous, offsets match the clause text; "
    "**blockquote_verbatim**: every `> …` line of the answer is a contiguous span of a cited source.",
    "- **correct**: every pass/fail check of the question passed.",
    "- **with_docs.\\***: the seed questions again with `eval/docs/*` added to the corpus; "
    "**stability**: share answered the same (same first citation, or refused both times).",
    "- **multidoc.\\***: the multi-document gold questions (corpus + `eval/docs/*`); "
    "**dialogue.\\***: multi-turn dialogues.",
    "- **match.\\***: the support matcher on gold profiles (`eval/gold/profiles_*.jsonl`, corpus + `eval/docs/*`): "
    "**must_recall** (must clauses listed), **precision** (listed clauses in must ∪ may), **must_not_rate** "
    "(profiles listing a must_not clause), **empty_accuracy** (empty profiles answered empty), **p95_ms**.",
]


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _count(metrics: dict, name: str) -> str:
    n = metrics.get(f"n/{name}")
    return "" if n is None else str(int(n))


def summary_metrics(result=None) -> list[str]:
    """The headline metrics: exactly the floored ones (retrieval baselines have their own table)."""
    return list(FLOORS)


def _matcher(result, splits) -> list[str]:
    """The support matcher on gold profiles (match.*), when any were scored."""
    names = sorted({n for s in splits for n in result.splits[s].metrics if n.startswith("match.")})
    if not names:
        return []
    lines = ["", "## Support matcher (gold profiles)", "", "| metric | " + " | ".join(splits) + " |",
             "|---|" + "---|" * len(splits)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(_fmt(result.splits[s].metrics.get(name)) for s in splits) + " |")
    return lines


ARRIVAL_KEYS = ("questions", "all_checks", "wrong_verdict", "false_refusals", "refusal_accuracy",
                "direct_holds_fact", "answer_recall@1", "dialogue.last_turn_accuracy", "match.must_recall",
                "match.precision", "match.must_not_rate", "match.empty_accuracy")


def _arrival(folder: Path | None = None) -> list[str]:
    """Fresh batches as they scored on arrival, before any change (``eval/arrival/*.json``,
    written by ``python -m bench.score_batch``): the honest number for unseen phrasings."""
    from assistant.config import REPO_ROOT

    folder = folder or REPO_ROOT / "eval" / "arrival"
    files = sorted(folder.glob("*.json")) if folder.exists() else []
    if not files:
        return []
    import json

    rows = [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in files]
    keys = [k for k in ARRIVAL_KEYS if any(k in data for _, data in rows)]
    lines = ["", "## Fresh batches on arrival (before any change)", "",
             "Each batch was written from the documents alone and scored against the commit in its name "
             "before anything was tuned on it; it was then split into dev and a frozen test part.", "",
             "| batch | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, data in rows:
        lines.append(f"| {name} | " + " | ".join(_fmt(data.get(k)) for k in keys) + " |")
    return lines


def render(result) -> list[str]:
    splits = [s for s in SPLIT_ORDER if s in result.splits]
    info = result.info
    lines = ["# Evaluation report", "",
             "Generated by `assistant eval`. Gold files: " +
             "; ".join(f"**{s}**: {', '.join(info.get('sources', {}).get(s, []))} "
                       f"({len(result.splits[s].gold)} seed questions)" for s in splits) + ".",
             f"Model `{info.get('model')}`; corpus {', '.join(info.get('documents', []))}; "
             f"extra documents for the multi-document run: {', '.join(info.get('extra_documents', [])) or 'none'}. "
             f"Evaluation took {info.get('seconds', 0):.0f} s.", ""]
    if info.get("leaks"):
        leaks = info["leaks"]
        lines += [f"**Warning: {len(leaks)} test questions also occur in dev**: {', '.join(leaks[:20])}", ""]
    if info.get("not_independent"):
        lines += ["Quotes of non-text sources checked against the loader's text (not independent): "
                  + ", ".join(info["not_independent"]), ""]
    lines += ["## Summary", "",
              "The gate reads the **test** column only; floors live in `assistant/evaluation/gate.py`.",
              "", "| metric | " + " | ".join(splits) + " | n (" + "/".join(splits) + ") | floor | test ok |",
              "|---|" + "---|" * len(splits) + "---|---|---|"]
    for name in summary_metrics(result):
        values = [result.splits[s].metrics.get(name) for s in splits]
        counts = [_count(result.splits[s].metrics, name) for s in splits]
        counts = "/".join(counts) if any(counts) else ""
        rule = FLOORS.get(name)
        test = result.splits["test"].metrics.get(name) if "test" in result.splits else None
        ok = "" if rule is None or "test" not in result.splits else ("✅" if passes(test, rule) else "❌")
        lines.append(f"| {name} | " + " | ".join(_fmt(v) for v in values) +
                     f" | {counts} | {describe(rule) if rule else ''} | {ok} |")
    latency = " ".join(f"{s}: p50 {result.splits[s].latency_ms.get('answer_p50_ms', 0):.0f} ms, "
                       f"p95 {result.splits[s].latency_ms.get('answer_p95_ms', 0):.0f} ms;" for s in splits)
    lines += ["", f"Answer latency on this (shared) machine, not gated: {latency}", "", "Definitions:", ""]
    lines += DEFINITIONS
    lines += _arrival()
    lines += _retrieval(result, splits)
    lines += _breakdown("category", {s: result.splits[s].by_category for s in splits}, splits)
    lines += _breakdown("group", {s: result.splits[s].by_group for s in splits}, splits)
    lines += _multidoc(result, splits)
    lines += _matcher(result, splits)
    lines += _calibration(result.calibration)
    lines += _failures(result, splits)
    lines += ["", "## Gate (test split)", ""]
    if result.gate is None:
        lines.append("Not run (`assistant eval --gate`).")
    else:
        lines.append("PASSED" if not result.gate else f"FAILED ({len(result.gate)}):")
        lines += [f"- {failure}" for failure in result.gate]
    return lines


def _retrieval(result, splits) -> list[str]:
    modes = [m for m in MODE_NAMES if m == "hybrid" or any(f"{m}_recall@1" in result.splits[s].metrics for s in splits)]
    lines = ["", "## Retrieval by method (same questions)", "",
             "| method | " + " | ".join(f"R@1 {s} | R@3 {s} | MRR {s}" for s in splits) + " |",
             "|---|" + "---|---|---|" * len(splits)]
    for mode in modes:
        prefix = "search_" if mode == "hybrid" else f"{mode}_"
        cells = []
        for s in splits:
            m = result.splits[s].metrics
            cells += [_fmt(m.get(f"{prefix}recall@1")), _fmt(m.get(f"{prefix}recall@3")), _fmt(m.get(f"{prefix}mrr"))]
        lines.append(f"| {MODE_NAMES[mode]} | " + " | ".join(cells) + " |")
    return lines


def _breakdown(key: str, tables: dict, splits) -> list[str]:
    names = sorted({name for s in splits for name in tables[s]})
    header = " | ".join(f"{metric} {s}" for metric in BREAKDOWN_METRICS for s in splits)
    lines = ["", f"## By {key}", "", f"| {key} | " + " | ".join(f"n {s}" for s in splits) + f" | {header} |",
             "|---|" + "---|" * (len(splits) + len(splits) * len(BREAKDOWN_METRICS))]
    for name in names:
        rows = [tables[s].get(name, {}) for s in splits]
        counts = [str(int(r.get("questions", 0))) for r in rows]
        cells = [_fmt(rows[i].get(metric)) for metric in BREAKDOWN_METRICS for i in range(len(splits))]
        lines.append(f"| {name} | " + " | ".join(counts + cells) + " |")
    return lines


def _multidoc(result, splits) -> list[str]:
    if not any("with_docs.stability" in result.splits[s].metrics or "multidoc.questions" in result.splits[s].metrics
               for s in splits):
        return ["", "## Multiple documents", "", "Not run: no `eval/docs/*` documents."]
    lines = ["", "## Multiple documents", "",
             "Seed questions with the seed document alone vs with the extra documents in the corpus.", "",
             "| metric | " + " | ".join(f"{s} alone | {s} with docs" for s in splits) + " |",
             "|---|" + "---|---|" * len(splits)]
    for name in WITH_DOCS_METRICS:
        cells = []
        for s in splits:
            m = result.splits[s].metrics
            cells += [_fmt(m.get(name)), _fmt(m.get(f"with_docs.{name}"))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [c for s in splits for c in ("", _fmt(result.splits[s].metrics.get("with_docs.stability")))]
    lines.append("| stability | " + " | ".join(cells) + " |")
    tables = {s: result.splits[s].multidoc_by_category for s in splits}
    if any(tables.values()):
        lines += ["", "Multi-document gold questions by category:"]
        lines += _breakdown("multi-document category", tables, splits)[2:]
    return lines


def _calibration(table) -> list[str]:
    if not table:
        return []
    lines = ["", "## Refusal threshold calibration (dev only)", "",
             "| threshold | refusal accuracy | false-refusal rate |", "|---|---|---|"]
    return lines + [f"| {row['threshold']:.2f} | {row['refusal_accuracy']:.3f} | {row['false_refusal_rate']:.3f} |"
                    for row in table]


def _failures(result, splits) -> list[str]:
    lines = []
    if "dev" in splits:
        failures = result.splits["dev"].failures
        lines += ["", f"## Dev questions not correct ({len(failures)})", ""]
        lines += [f"- {f['qid']} [{f['category']}] {f['question']} — {'; '.join(f['reasons']) or 'see checks'}"
                  for f in failures]
    if "test" in splits:
        failures = result.splits["test"].failures
        counts = {}
        for f in failures:
            counts[f["category"]] = counts.get(f["category"], 0) + 1
        lines += ["", f"## Test questions not correct: {len(failures)} of {len(result.splits['test'].gold)}", "",
                  "Counts only — the questions are not shown, so nobody tunes on the test split.", "",
                  ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"]
    return lines


def chart(result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = [s for s in SPLIT_ORDER if s in result.splits]
    names = [n for n in summary_metrics(result) if any(n in result.splits[s].metrics for s in splits)
             and not n.endswith("_delta")]
    categories = sorted({c for s in splits for c in result.splits[s].by_category})
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 2]})
    width = 0.8 / max(1, len(splits))
    for i, s in enumerate(splits):
        m = result.splits[s]
        left.bar([x + i * width for x in range(len(names))], [m.metrics.get(n) or 0.0 for n in names], width, label=s)
        right.bar([x + i * width for x in range(len(categories))],
                  [m.by_category.get(c, {}).get("correct", 0.0) for c in categories], width, label=s)
    left.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=60, ha="right", fontsize=7)
    left.set_ylim(0, 1.05)
    left.set_title("Metrics, dev vs test")
    left.legend(fontsize=8)
    right.set_xticks([x + 0.4 - width / 2 for x in range(len(categories))], categories, rotation=60, ha="right",
                     fontsize=7)
    right.set_ylim(0, 1.05)
    right.set_title("Share correct by category")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(result, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text("\n".join(render(result)) + "\n", encoding="utf-8")
    chart(result, out_dir / "report.png")
    return path
