"""Multi-turn dialogue evaluation: is the *last* turn of each dialogue answered correctly?

A dialogue file (``eval/dialogues/dev.jsonl``, ``test.jsonl``) has one JSON object per
line: ``{"id", "category", "turns": [{"question", "expect": {...}}]}``. Every turn is sent
through :meth:`Assistant.chat` in one conversation; the last turn (and any other turn that
carries an ``expect``) is scored. A turn is correct when all of its expectations hold:

* ``clauses`` — the first citation is one of these clause numbers (``doc_id`` narrows it);
* ``refused`` — the answer is (not) a refusal;
* ``facts`` — each string occurs in the answer text;
* ``departments`` — each is a responsible unit of the first citation or named in the answer.

``understood_contains`` is scored separately (how often the "理解为" line names the right
thing) and does not decide correctness.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path


def load_dialogues(path) -> list[dict]:
    dialogues = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not isinstance(item, dict) or not item.get("turns"):
            raise ValueError(f"{path}:{number}: a dialogue needs turns")
        if "expect" not in item["turns"][-1]:
            raise ValueError(f"{path}:{number}: the last turn needs an expect")
        dialogues.append(item)
    return dialogues


def check_turn(answer: dict, expect: dict) -> list[str]:
    """The expectations ``answer`` (an ``Answer.to_dict()``) misses; empty when correct."""
    problems = []
    citations = answer.get("citations") or []
    first = citations[0] if citations else None
    refused = bool(answer.get("refused"))
    if "refused" in expect and refused != bool(expect["refused"]):
        problems.append(f"refused={refused}, expected {expect['refused']}")
    gold = expect.get("clauses") or []
    if gold:
        if refused or first is None:
            problems.append(f"no citation, expected one of {gold}")
        elif first.get("clause") not in gold or (expect.get("doc_id") and first.get("doc_id") != expect["doc_id"]):
            problems.append(f"first citation {first.get('doc_id')}:{first.get('clause')}, expected one of {gold}")
    text = answer.get("answer", "")
    for fact in expect.get("facts") or []:
        if fact not in text:
            problems.append(f"missing fact {fact!r}")
    for name in expect.get("departments") or []:
        if not ((first and name in (first.get("departments") or [])) or name in text):
            problems.append(f"missing department {name!r}")
    return problems


def run_dialogue(assistant, dialogue: dict) -> list[dict]:
    """Every turn's answer dict (with ``problems`` on turns that carry an expect)."""
    conversation, out = None, []
    for turn in dialogue["turns"]:
        answer, conversation = assistant.chat(turn["question"], conversation)
        result = answer.to_dict()
        if "expect" in turn:
            result["problems"] = check_turn(result, turn["expect"])
            wanted = turn["expect"].get("understood_contains")
            result["understood_ok"] = None if not wanted else wanted in (result.get("understood_as") or "")
        out.append(result)
    return out


def evaluate_dialogues(assistant, path, details: list | None = None) -> dict:
    """Flat metrics over the dialogues in ``path``: ``dialogues``, ``last_turn_accuracy``,
    ``understood_accuracy`` and ``last_turn_accuracy.<category>``. ``details``, when given,
    receives one row per dialogue (id, category, last question, problems)."""
    dialogues = load_dialogues(path)
    correct, by_category, understood = 0, defaultdict(lambda: [0, 0]), [0, 0]
    for dialogue in dialogues:
        try:
            results = run_dialogue(assistant, dialogue)
        except Exception as exc:  # noqa: BLE001 - one crashing dialogue is a failure, not the end of the report
            results = [{"problems": [f"error: {type(exc).__name__}: {exc}"], "citations": []}]
        last = results[-1]
        ok = not last["problems"]
        correct += ok
        category = dialogue.get("category", "other")
        by_category[category][0] += ok
        by_category[category][1] += 1
        if last.get("understood_ok") is not None:
            understood[0] += bool(last["understood_ok"])
            understood[1] += 1
        if details is not None:
            details.append({"id": dialogue.get("id"), "category": category, "ok": ok,
                            "question": dialogue["turns"][-1]["question"],
                            "understood_as": last.get("understood_as", ""), "problems": last["problems"],
                            "clauses": [c.get("clause") for c in last.get("citations") or []]})
    total = len(dialogues)
    metrics = {"dialogues": total, "last_turn_accuracy": round(correct / total, 4) if total else 0.0,
               "understood_accuracy": round(understood[0] / understood[1], 4) if understood[1] else 0.0}
    for category, (good, count) in sorted(by_category.items()):
        metrics[f"last_turn_accuracy.{category}"] = round(good / count, 4)
    return metrics
