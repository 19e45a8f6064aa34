"""Scoring the support matcher on gold profiles (``eval/gold/profiles_{dev,test}.jsonl``).

One JSON object per line: ``{"pid", "profile", "group", "must": [{"doc_id", "clause"}],
"may": [...], "must_not": [...], "benefits": [str], "empty": bool}``. Each profile is sent
through ``Assistant.match`` and scored on the clauses listed (``(doc_id, clause)`` pairs):

* ``must_recall`` — the share of ``must`` clauses listed (profiles with a ``must`` set);
* ``precision`` — the share of listed clauses in ``must ∪ may`` (profiles with a listing);
* ``must_not_rate`` — the share of profiles listing any ``must_not`` clause;
* ``empty_accuracy`` — among ``empty`` profiles, the share answered with an empty result;
* ``benefits`` — the share of ``benefits`` strings found in the listed measures (informative).

Reported flat as ``match.<name>`` beside the other metrics.
"""

from __future__ import annotations

import json
import time
from pathlib import Path


def load_profiles(path) -> list[dict]:
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not isinstance(item, dict) or not isinstance(item.get("profile"), str):
            raise ValueError(f"{path}:{number}: a gold profile needs a string 'profile'")
        out.append(item)
    return out


def _refs(items) -> set[tuple[str, int]]:
    return {(str(i.get("doc_id", "")), int(i["clause"])) for i in items or []}


def _listed(measures) -> set[tuple[str, int]]:
    return {(m["doc_id"], int(m["clause"])) for m in measures}


def _covers(ref_set, listed) -> set:
    """Gold refs may leave doc_id empty (any document's clause of that number)."""
    return {r for r in ref_set if any(l[1] == r[1] and (not r[0] or l[0] == r[0]) for l in listed)}


def score_profile(gold: dict, result: dict) -> dict:
    measures = result.get("measures") or []
    listed = _listed(measures)
    must, may, must_not = _refs(gold.get("must")), _refs(gold.get("may")), _refs(gold.get("must_not"))
    allowed = must | may
    out = {"pid": gold.get("pid"), "group": gold.get("group", ""), "listed": sorted(listed)}
    if must:
        out["must_recall"] = len(_covers(must, listed)) / len(must)
        out["missed"] = sorted(must - _covers(must, listed))
    if listed and (allowed or not gold.get("empty")):
        good = {l for l in listed if any(l[1] == r[1] and (not r[0] or l[0] == r[0]) for r in allowed)}
        out["precision"] = len(good) / len(listed)
        out["extra"] = sorted(listed - good)
    elif not listed and not must:
        out["precision"] = 1.0
    out["must_not_listed"] = bool(_covers(must_not, listed))
    if gold.get("empty"):
        out["empty_correct"] = not listed
    benefits = gold.get("benefits") or []
    if benefits:
        text = json.dumps(measures, ensure_ascii=False)
        out["benefits"] = sum(b in text for b in benefits) / len(benefits)
    return out


def aggregate(scores: list[dict]) -> dict:
    def mean(key):
        values = [float(s[key]) for s in scores if key in s]
        return sum(values) / len(values) if values else None

    metrics = {"must_recall": mean("must_recall"), "precision": mean("precision"),
               "must_not_rate": mean("must_not_listed"), "empty_accuracy": mean("empty_correct"),
               "benefits": mean("benefits"), "profiles": float(len(scores))}
    return {k: v for k, v in metrics.items() if v is not None}


def evaluate_profiles(assistant, path, *, details: list | None = None) -> dict:
    """``match.*`` metrics of the gold profiles in ``path`` (flat, ready for the report)."""
    scores, seconds = [], []
    for gold in load_profiles(path):
        started = time.perf_counter()
        result = assistant.match(gold["profile"]).to_dict()
        seconds.append(time.perf_counter() - started)
        scores.append(score_profile(gold, result))
    if details is not None:
        details.extend(scores)
    metrics = {f"match.{k}": v for k, v in aggregate(scores).items()}
    if seconds:
        ordered = sorted(seconds)
        metrics["match.p95_ms"] = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000
    return metrics


def profile_paths(eval_dir) -> dict[str, Path]:
    gold = Path(eval_dir) / "gold"
    return {s: gold / f"profiles_{s}.jsonl" for s in ("dev", "test") if (gold / f"profiles_{s}.jsonl").exists()}
