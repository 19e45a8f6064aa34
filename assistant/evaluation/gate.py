"""The gate: minimum numbers on the *test* split that CI accepts (``assistant eval --gate``).

Every headline metric has a floor here (one place); a metric that is missing from the
test results fails the gate too, because then no test question measures it. Floors come
from the issue's targets and past test runs, never from tuning against test.

Each floor is the issue's target, or a regression floor where the target has never been
reached on test (see the comment on FLOORS); the dev column is where tuning happens.
"""

from __future__ import annotations

# metric -> ("min", x): the value must be >= x;  ("max", x): the value must be <= x.
FLOORS: dict[str, tuple[str, float]] = {
    # Policy. Each floor is the target for that metric: every check >= 0.90; first
    # citation (answer_recall@1) >= 0.93; wrong verdicts <= 0.03; false refusals <= 0.03;
    # refusal accuracy >= 0.90; the direct answer holds the fact (facts) >= 0.80; dialogue last
    # turn >= 0.90; matcher must recall >= 0.90, precision >= 0.85, must_not <= 0.05, empty 1.0.
    # A metric whose test value has never reached its target has a regression floor instead —
    # a few points under its test run, for machine differences and small categories — and its
    # line says "regression floor: target X not yet reached". On 2026-12-02 the test split
    # changed (the fresh batches' frozen parts added, 38 leaked or repeated items moved to dev) and several
    # definitions changed (facts on the direct text, departments on what the answer names, the
    # verdict rates): "not yet reached" refers to this test split (run of 2026-12-02 with the three
    # fresh batches' test parts, eval/report.md).
    # Floors are never tuned against test.
    # seed document (eval/gold/seed_test.jsonl + fresh*_test.jsonl)
    "search_recall@1": ("min", 0.90),
    "search_recall@3": ("min", 0.90),
    "search_mrr": ("min", 0.90),
    "answer_recall@1": ("min", 0.93),  # (0.934)
    "facts": ("min", 0.80),  # in the direct text (0.837)
    "facts_answer": ("min", 0.90),  # anywhere in the answer (0.915)
    "metadata_accuracy": ("min", 0.82),  # regression floor: target 0.90 not yet reached (0.882)
    "department_exact": ("min", 0.90),  # departments the answer names (0.968)
    "department_f1": ("min", 0.90),
    "clause_set_f1": ("min", 0.90),
    "refusal_accuracy": ("min", 0.86),  # regression floor: target 0.90 not yet reached (0.887 before b3's test part, 0.866 with it)
    "false_refusal_rate": ("max", 0.03),  # (0.030: 16 of 541)
    "yes_no_accuracy": ("min", 0.72),  # regression floor: target 0.90 not yet reached (0.774)
    "wrong_verdict": ("max", 0.10),  # regression floor: target 0.03 not yet reached (0.082)
    "unfounded_verdict": ("max", 0.10),  # no target in the issue: regression ceiling (0.043)
    "quote_integrity": ("min", 1.0),
    "blockquote_verbatim": ("min", 1.0),
    "correct": ("min", 0.81),  # regression floor: target 0.90 not yet reached under the direct-text facts (0.844)
    # the seed questions again with eval/docs/* (three more documents) in the corpus: answers
    # about the first document must barely move (questions naming no document may fairly be
    # answered from a new one that covers them)
    "with_docs.answer_recall@1_delta": ("min", -0.06),  # no target in the issue: regression floor
    "with_docs.stability": ("min", 0.90),
    "with_docs.quote_integrity": ("min", 1.0),
    # questions about the extra documents (eval/gold/multidoc_test.jsonl)
    "multidoc.answer_recall@1": ("min", 0.88),  # regression floor: target 0.93 not yet reached (0.917)
    "multidoc.facts": ("min", 0.72),  # regression floor: target 0.80 not yet reached (0.773)
    "multidoc.facts_answer": ("min", 0.90),  # (0.932)
    "multidoc.refusal_accuracy": ("min", 0.42),  # regression floor: target 0.90 not yet reached (0.571, 7 questions)
    "multidoc.false_refusal_rate": ("max", 0.03),
    "multidoc.quote_integrity": ("min", 1.0),
    # multi-turn dialogues (eval/dialogues/test.jsonl)
    "dialogue.last_turn_accuracy": ("min", 0.90),  # (0.902)
    # the support matcher on the gold profiles (eval/gold/profiles_test.jsonl)
    "match.must_recall": ("min", 0.62),  # regression floor: target 0.90 not yet reached (0.684; dev 0.984)
    "match.precision": ("min", 0.85),  # (0.867)
    "match.must_not_rate": ("max", 0.05),  # (0.000)
    "match.empty_accuracy": ("min", 0.60),  # regression floor: target 1.0 not yet reached (0.667, 3 profiles)
}


def passes(value: float | None, rule: tuple[str, float]) -> bool:
    side, floor = rule
    if value is None:
        return False
    return value >= floor - 1e-9 if side == "min" else value <= floor + 1e-9


def describe(rule: tuple[str, float]) -> str:
    side, floor = rule
    return f"{'≥' if side == 'min' else '≤'} {floor:g}"


def gate_failures(metrics: dict, floors: dict | None = None, leaks=()) -> list[str]:
    """One line per metric on the wrong side of its floor (or not measured at all), and one
    if test questions also occur in dev (``leaks``: a frozen split shares none)."""
    out = [f"{len(leaks)} test questions also occur in dev: {', '.join(list(leaks)[:5])}"] if leaks else []
    for name, rule in (floors or FLOORS).items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: not measured on the test split (needs {describe(rule)})")
        elif not passes(value, rule):
            out.append(f"{name} = {value:.3f} (needs {describe(rule)})")
    return out
