"""The refusal threshold table, on the dev split only (thresholds are tuned on dev).

One extra pass over the dev questions with the score threshold off; every other refusal
rule (foreign places, asked-for content …) still applies, as in production. An answer that
the threshold could refuse is refused at threshold t when its best clause scored below t.
"""

from __future__ import annotations

import numpy as np

SCORE_GATED_INTENTS = ("general", "responsibility", "out_of_scope")


def _threshold_module():
    """The answering module that holds the score threshold (it moved between versions)."""
    import importlib

    for name in ("assistant.answering.grounding", "assistant.answering.coverage"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "MIN_SCORE"):
            return module
    return None


def threshold_outcomes(assistant, gold) -> list[tuple[bool, bool, float | None]]:
    """(out_of_scope, refused anyway, gated score or None) per question; [] when the answer
    layer has no ``MIN_SCORE`` to switch off."""
    coverage = _threshold_module()
    if coverage is None:
        return []
    saved, coverage.MIN_SCORE = coverage.MIN_SCORE, -1.0
    outcomes = []
    try:
        for g in gold:
            answer = assistant.ask(g.question)
            shown = answer.citations or answer.related
            gated = answer.intent in SCORE_GATED_INTENTS and shown
            outcomes.append((g.out_of_scope, answer.refused, shown[0].score if gated else None))
    finally:
        coverage.MIN_SCORE = saved
    return outcomes


def calibration_table(outcomes, thresholds=None) -> list[dict]:
    """Refusal accuracy and false-refusal rate at each candidate threshold (pure)."""
    if not outcomes:
        return []
    thresholds = thresholds or [round(float(x), 2) for x in np.arange(0.05, 0.41, 0.01)]
    table = []
    for t in thresholds:
        refused = [(oos, r or (score is not None and score < t)) for oos, r, score in outcomes]
        n_oos = sum(1 for oos, _ in refused if oos) or 1
        n_ok = sum(1 for oos, _ in refused if not oos) or 1
        table.append({"threshold": t,
                      "refusal_accuracy": sum(r for oos, r in refused if oos) / n_oos,
                      "false_refusal_rate": sum(r for oos, r in refused if not oos) / n_ok})
    return table
