"""Score one batch of gold questions (and dialogues) as it arrives: ``python -m bench.score_batch``.

    python -m bench.score_batch --questions /tmp/b1/questions.jsonl [--dialogues /tmp/b1/dialogues.jsonl]
                                [--profiles /tmp/b1/profiles.jsonl] [--rows rows.jsonl] [--only yes_no]

Loads the assistant once (real model, the repo's corpus), asks every question, scores it
with :mod:`assistant.evaluation.metrics` (the same checks as ``assistant eval``) and prints
the flat metrics plus the headline shares the issue tracker asks for: every check passed,
wrong verdicts, false refusals, refusal accuracy, the direct answer holding the fact, the
last turn of dialogues. ``--profiles`` scores matcher profiles (``match.*``) over the corpus
plus ``eval/docs/*``, as ``assistant eval`` does. ``--rows`` writes one JSON line per question (question, direct,
refused, checks, reasons) for reading the failures of a *dev* batch.

It is the "score on arrival" step: run it on a fresh batch before changing anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def headline(gold, answers, outcomes) -> dict:
    """The issue's headline shares, computed from answers and checks (independent of the
    metric names the evaluation module happens to define)."""
    from assistant.evaluation.metrics import _lead, squeeze

    yes_no = [(g, a) for g, a in zip(gold, answers) if g.answer_type == "yes_no" and g.yes_no in ("yes", "no")]
    opposite = sum(1 for g, a in yes_no if not a.get("refused")
                   and _lead(a.get("direct") or a.get("answer") or "").startswith("否" if g.yes_no == "yes" else "是")
                   and not _lead(a.get("direct") or "").startswith("是否"))
    answerable = [(g, a) for g, a in zip(gold, answers) if not g.out_of_scope]
    out = [(g, a) for g, a in zip(gold, answers) if g.out_of_scope]
    with_facts = [(g, a) for g, a in answerable if g.facts]
    direct_holds = sum(1 for g, a in with_facts if not a.get("refused")
                       and all(squeeze(f) in squeeze(a.get("direct") or "") for f in g.facts))
    return {
        "questions": len(gold),
        "all_checks": round(sum(o["correct"] for o in outcomes) / len(outcomes), 4) if outcomes else 0.0,
        "wrong_verdict": round(opposite / len(yes_no), 4) if yes_no else 0.0,
        "n/wrong_verdict": len(yes_no),
        "false_refusals": round(sum(bool(a.get("refused")) for _, a in answerable) / len(answerable), 4)
        if answerable else 0.0,
        "refusal_accuracy": round(sum(bool(a.get("refused")) for _, a in out) / len(out), 4) if out else 0.0,
        "direct_holds_fact": round(direct_holds / len(with_facts), 4) if with_facts else 0.0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path)
    parser.add_argument("--dialogues", type=Path)
    parser.add_argument("--profiles", type=Path, help="matcher profiles (corpus + eval/docs)")
    parser.add_argument("--rows", type=Path, help="write one JSON line per question here")
    parser.add_argument("--only", help="answer_type or category to keep (e.g. yes_no)")
    args = parser.parse_args(argv)

    from assistant.evaluation.gold import load_gold
    from assistant.evaluation.metrics import aggregate, failure_reasons, score_question
    from assistant.qa import Assistant

    bot = Assistant.load()
    report = {}
    if args.questions:
        gold = load_gold(args.questions)
        if args.only:
            gold = [g for g in gold if args.only in (g.answer_type, g.category)]
        answers = [bot.ask(g.question).to_dict() for g in gold]
        outcomes = [score_question(g, a) for g, a in zip(gold, answers)]
        metrics = aggregate(outcomes)
        report.update({k: round(v, 4) for k, v in metrics.items() if not k.startswith("n/")})
        report.update(headline(gold, answers, outcomes))
        by_category = Counter()
        for g, o in zip(gold, outcomes):
            by_category[(g.category, bool(o["correct"]))] += 1
        report["by_category"] = {c: f"{by_category[(c, True)]}/{by_category[(c, True)] + by_category[(c, False)]}"
                                 for c in sorted({g.category for g in gold})}
        if args.rows:
            with args.rows.open("w", encoding="utf-8") as out:
                for g, a, o in zip(gold, answers, outcomes):
                    out.write(json.dumps({"qid": g.qid, "category": g.category, "question": g.question,
                                          "yes_no": g.yes_no, "out_of_scope": g.out_of_scope, "gold": sorted(g.clauses),
                                          "facts": g.facts, "direct": a.get("direct"), "refused": a.get("refused"),
                                          "first": (a.get("citations") or [{}])[0].get("clause"),
                                          "correct": o["correct"],
                                          "reasons": failure_reasons(g, o, a, None)}, ensure_ascii=False) + "\n")
    if args.dialogues:
        from assistant.evaluation.dialogues import evaluate_dialogues

        report.update({f"dialogue.{k}": v for k, v in evaluate_dialogues(bot, args.dialogues).items()})
    if args.profiles:
        from assistant.evaluation.matching import evaluate_profiles
        from assistant.evaluation.runner import corpus_with_extra_docs

        details: list = []
        with corpus_with_extra_docs(bot, Path(bot.settings.eval_dir) / "docs") as (multi, _extra):
            report.update(evaluate_profiles(multi or bot, args.profiles, details=details))
        if args.rows and not args.questions:
            with args.rows.open("w", encoding="utf-8") as out:
                for row in details:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
