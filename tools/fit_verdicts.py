"""Fit the yes/no evidence model (:mod:`assistant.answering.verdicts`) on dev gold only.

    python -m tools.fit_verdicts [--gold eval/gold/seed_dev.jsonl ...] [--cost 2.0] [--dry-run]

Every dev yes/no question is asked with a model that accepts every claim, so each one that
reaches the evidence step records its :class:`~assistant.answering.verdicts.Evidence` in
``analysis.verdict``. Label 1: the gold verdict is 是; label 0: 否 or 文件未明确 (then a 是 is
wrong). A logistic regression (scikit-learn, standardised features) is fitted and the
threshold chosen to minimise ``cost × wrong 是 + withheld 是`` on the same dev rows: a wrong
verdict costs more than a withheld one. The result goes to
``assistant/data/verdict_model.json``. Never pass a test split.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assistant" / "data" / "verdict_model.json"
FEATURES = ["sentence_coverage", "clause_coverage", "unknown_nouns", "unknown_words", "missing_nouns", "missing_entities", "score"]


def collect(paths: list[Path]) -> list[tuple[list[float], int, str]]:
    from assistant.answering import verdicts
    from assistant.evaluation.gold import load_gold
    from assistant.qa import Assistant

    if any("test" in p.name for p in paths):
        raise SystemExit("fit on dev splits only")
    accept_all = {"intercept": 0.0, "weights": [0.0] * len(FEATURES), "mean": [0.0] * len(FEATURES),
                  "scale": [1.0] * len(FEATURES), "threshold": 0.0}
    verdicts.model.cache_clear()
    original = verdicts.model
    verdicts.model = lambda: accept_all  # every claim is "stated": record the evidence of all
    try:
        bot = Assistant.load()
        rows = []
        for path in paths:
            for g in load_gold(path):
                if g.answer_type != "yes_no" or not g.yes_no:
                    continue
                found = bot.ask(g.question).analysis.get("verdict")
                if found:
                    rows.append(([found[f] for f in FEATURES], int(g.yes_no == "yes"), g.question))
    finally:
        verdicts.model = original
    return rows


def fit(rows, cost: float) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=1.0).fit((x - mean) / scale, y)
    p = clf.predict_proba((x - mean) / scale)[:, 1]
    best = None
    for threshold in np.linspace(0.05, 0.95, 91):
        wrong = int(((p >= threshold) & (y == 0)).sum())
        withheld = int(((p < threshold) & (y == 1)).sum())
        key = (cost * wrong + withheld, -threshold)
        if best is None or key < best[0]:
            best = (key, float(threshold), wrong, withheld)
    _, threshold, wrong, withheld = best
    # Under refuse_below the question is refused (文件未明确, nothing stated): a refused 是
    # costs ``cost``, an unrefused not-stated claim 1 (it is still answered 文件未明确).
    low = min(((cost * int(((p < t) & (y == 1)).sum()) + int(((p >= t) & (y == 0)).sum()), -t, t)
               for t in np.linspace(0.0, threshold, int(threshold * 100) + 1)))
    refuse_below = float(low[2])
    return {"intercept": float(clf.intercept_[0]), "weights": [float(w) for w in clf.coef_[0]],
            "mean": [float(v) for v in mean], "scale": [float(v) for v in scale], "threshold": round(threshold, 3),
            "refuse_below": round(refuse_below, 3),
            "features": FEATURES,
            "fit": {"rows": len(rows), "stated": int(y.sum()), "not_stated": int((y == 0).sum()),
                    "wrong_yes": wrong, "withheld_yes": withheld, "cost": cost,
                    "refused_yes": int(((p < refuse_below) & (y == 1)).sum()),
                    "refused_not_stated": int(((p < refuse_below) & (y == 0)).sum())}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=[ROOT / "eval" / "gold" / "seed_dev.jsonl"])
    parser.add_argument("--cost", type=float, default=2.0, help="cost of a wrong 是 against a withheld one")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    rows = collect(args.gold)
    result = fit(rows, args.cost)
    result = {"_about": "Logistic model: P(a clause states a yes/no claim) from phrasing-independent evidence "
                        "(assistant/answering/verdicts.py). Fitted on dev gold only.",
              "_source": f"python -m tools.fit_verdicts --gold {' '.join(p.name for p in args.gold)} --cost {args.cost}",
              **result}
    print(json.dumps(result["fit"], ensure_ascii=False), "threshold", result["threshold"],
          "refuse_below", result["refuse_below"])
    if not args.dry_run:
        OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
