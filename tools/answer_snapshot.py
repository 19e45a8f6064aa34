"""Every answer of the gold sets, written down, to prove a refactor changed none of them.

``python -m tools.answer_snapshot OUT.json [--quick]`` asks, with the deterministic fake
encoder of ``tests/doubles.py`` (no model needed):

* over ``corpus/``: every question of ``eval/gold/seed_*.jsonl`` and ``eval/questions.jsonl``,
  and every dialogue of ``eval/dialogues/*.jsonl`` through ``Assistant.chat``;
* over ``corpus/`` plus ``eval/docs/``: every question of ``eval/gold/multidoc_*.jsonl`` and
  again every seed question (``--quick`` skips this second seed pass).

and writes each ``Answer.to_dict()`` (keyed by set and qid) to ``OUT.json``. Run it before
and after a change (e.g. on a ``git archive`` of the old commit, with ``PYTHONPATH`` pointing
at it) and compare the two files: they must be identical (``cmp a.json b.json``).

Runs of unchanged code are identical whatever ``PYTHONHASHSEED`` is: ``verdicts.evidence``
sums its float weights with ``math.fsum`` (exact), so no tie depends on a set's hash order (it
did before 2026-12-02, when a run had to fix the seed to compare).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _assistant(corpus_dir: Path, home: Path):
    from assistant.config import Settings
    from assistant.qa import Assistant
    from tests.doubles import FakeEncoder

    settings = Settings(corpus_dir=corpus_dir, index_dir=home / "indexes", model_dir=home / "no-model",
                        feedback_path=home / "feedback.jsonl", eval_dir=home / "eval")
    return Assistant.load(settings, encoder=FakeEncoder(64))


def _answer(assistant, question: str) -> dict:
    try:
        return assistant.ask(question).to_dict()
    except Exception as exc:  # noqa: BLE001 - a crash is an answer too, and must not change
        return {"error": f"{type(exc).__name__}: {exc}"}


def snapshot(root: Path = ROOT, quick: bool = False, log=print) -> dict:
    gold = root / "eval" / "gold"
    seed = {f"seed_{s}": _jsonl(gold / f"seed_{s}.jsonl") for s in ("dev", "test")}
    seed["questions"] = _jsonl(root / "eval" / "questions.jsonl")
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="answer-snapshot-") as tmp:
        tmp = Path(tmp)
        single = _assistant(root / "corpus", tmp / "single")
        for name, rows in seed.items():
            log(f"{name}: {len(rows)} questions")
            out[name] = {r["qid"]: _answer(single, r["question"]) for r in rows}
        for split in ("dev", "test"):
            dialogues = _jsonl(root / "eval" / "dialogues" / f"{split}.jsonl")
            log(f"dialogues_{split}: {len(dialogues)} dialogues")
            turns = {}
            for dialogue in dialogues:
                conversation = None
                for number, turn in enumerate(dialogue["turns"]):
                    try:
                        answer, conversation = single.chat(turn["question"], conversation)
                        turns[f"{dialogue['id']}#{number}"] = answer.to_dict()
                    except Exception as exc:  # noqa: BLE001
                        turns[f"{dialogue['id']}#{number}"] = {"error": f"{type(exc).__name__}: {exc}"}
            out[f"dialogues_{split}"] = turns
        corpus_dir = tmp / "multi-corpus"
        corpus_dir.mkdir()
        for path in sorted((root / "corpus").iterdir()) + sorted((root / "eval" / "docs").iterdir()):
            if path.is_file() and not path.name.startswith("."):
                shutil.copy2(path, corpus_dir / path.name)
        multi = _assistant(corpus_dir, tmp / "multi")
        for split in ("dev", "test"):
            rows = _jsonl(gold / f"multidoc_{split}.jsonl")
            log(f"multidoc_{split}: {len(rows)} questions")
            out[f"multidoc_{split}"] = {r["qid"]: _answer(multi, r["question"]) for r in rows}
        if not quick:
            for name in ("seed_dev", "seed_test"):
                log(f"{name} with eval/docs: {len(seed[name])} questions")
                out[f"{name}+docs"] = {r["qid"]: _answer(multi, r["question"]) for r in seed[name]}
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    result = snapshot(quick="--quick" in argv, log=lambda m: print(m, file=sys.stderr, flush=True))
    Path(argv[0]).write_text(json.dumps(result, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{sum(len(v) for v in result.values())} answers -> {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
