"""Fit the evidence models of :mod:`assistant.answering.verdicts` on dev gold only.

    python -m tools.fit_verdicts [--gold FILE ...] [--cost C] [--dry-run]

Every dev question is asked with models that accept everything, so each question that
reaches an evidence step records its :class:`~assistant.answering.verdicts.Evidence` in
``analysis.verdict``. Then a logistic regression (scikit-learn, standardised features) is
fitted and its threshold chosen on the same dev rows:

* ``verdict`` (yes/no questions that reach the 是 step): label 1 when the gold verdict is 是;
  the threshold minimises ``cost × wrong 是 + withheld 是``. Written to ``assistant/data/verdict_model.json``.

(An answerability model over the same evidence for every other question was tried on
2026-12-02: only 5 out-of-scope dev questions reach that step — the constraint checks refuse
the rest earlier — too few to fit, so it is not used.)

A wrong answer costs more than a withheld one (``--cost``). Never pass a test split.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "assistant" / "data"
DEV = ["seed_dev.jsonl", "fresh1_dev.jsonl", "fresh2_dev.jsonl"]


def collect(paths: list[Path], target: str) -> list[tuple[list[float], int, str]]:
    from assistant.answering import verdicts
    from assistant.evaluation.gold import load_gold
    from assistant.qa import Assistant

    if any("test" in p.name for p in paths):
        raise SystemExit("fit on dev splits only")
    n = len(verdicts.FEATURES)
    accept_all = {"intercept": 0.0, "weights": [0.0] * n, "mean": [0.0] * n, "scale": [1.0] * n,
                  "threshold": 0.0, "features": list(verdicts.FEATURES)}
    original = verdicts.model
    verdicts.model = lambda name="verdict_model": accept_all  # record the evidence of every question
    key = "p_stated" if target == "verdict" else "p_answers"
    try:
        bot = Assistant.load()
        rows = []
        for path in paths:
            for g in load_gold(path):
                if target == "verdict" and (g.answer_type != "yes_no" or not g.yes_no):
                    continue
                found = bot.ask(g.question).analysis.get("verdict") or {}
                if key in found:
                    label = g.yes_no == "yes" if target == "verdict" else not g.out_of_scope
                    rows.append(([found[f] for f in verdicts.FEATURES], int(label), g.question))
    finally:
        verdicts.model = original
    return rows


def fit(rows, cost: float, target: str) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from assistant.answering.verdicts import FEATURES

    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=1.0).fit((x - mean) / scale, y)
    p = clf.predict_proba((x - mean) / scale)[:, 1]
    grid = np.linspace(0.0, 0.95, 96)
    # The threshold: a wrong "yes" (是, or an answer to an out-of-scope question) costs ``cost``.
    _, threshold = min((cost * int(((p >= t) & (y == 0)).sum()) + int(((p < t) & (y == 1)).sum()), -t) for t in grid)
    threshold = -threshold
    out = {"intercept": float(clf.intercept_[0]), "weights": [float(w) for w in clf.coef_[0]],
           "mean": [float(v) for v in mean], "scale": [float(v) for v in scale], "features": list(FEATURES),
           "threshold": round(float(threshold), 3)}
    fit_info = {"rows": len(rows), "positive": int(y.sum()), "negative": int((y == 0).sum()), "cost": cost,
                "wrong_positive": int(((p >= threshold) & (y == 0)).sum()),
                "withheld_positive": int(((p < threshold) & (y == 1)).sum())}
    out["fit"] = fit_info
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", choices=("verdict",), default="verdict")
    parser.add_argument("--gold", type=Path, nargs="+", default=[ROOT / "eval" / "gold" / name for name in DEV])
    parser.add_argument("--cost", type=float, default=3.0, help="cost of a wrong 是 / answer against a withheld one")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    rows = collect(args.gold, args.target)
    result = fit(rows, args.cost, args.target)
    about = {"verdict": "P(a clause states a yes/no claim)", "answerability": "P(a clause answers the question)"}
    result = {"_about": f"Logistic model: {about[args.target]} from phrasing-independent evidence "
                        "(assistant/answering/verdicts.py). Fitted on dev gold only.",
              "_source": f"python -m tools.fit_verdicts --target {args.target} --gold "
                         f"{' '.join(p.name for p in args.gold)} --cost {args.cost}",
              **result}
    print(json.dumps(result["fit"], ensure_ascii=False), "threshold", result["threshold"])
    if not args.dry_run:
        path = DATA / f"{args.target}_model.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
