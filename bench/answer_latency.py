"""Warm answer latency of this tree against another git revision, as a ratio.

``python -m bench answer-latency --against REF`` checks REF out into a temporary git
worktree, then times ``Assistant.ask`` in both trees on the same dev questions, alternating
the two trees round by round on the same machine, and prints p50/p95 per tree and the ratios
this tree / REF. By default with the fake encoder (the answer path alone, which the embedding
model's speed would otherwise drown); ``--real`` uses the installed model and backend (the
warm answer latency a user sees; each tree builds its own index first).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run inside each tree (cwd = that tree): load once, warm up, time every question once.
_CHILD = r"""
import json, sys, time, tempfile
from pathlib import Path
sys.path.insert(0, ".")
from tests.doubles import FakeEncoder
from assistant.config import Settings
from assistant.qa import Assistant
questions = json.loads(sys.argv[1])
home = Path(tempfile.mkdtemp())
settings = Settings(corpus_dir=Path(sys.argv[2]), index_dir=home / "indexes", model_dir=home / "m",
                    feedback_path=home / "f.jsonl", eval_dir=home / "e")
if sys.argv[3] == "real":  # the installed model and backend, as a user runs it
    settings = Settings.from_env().with_(corpus_dir=Path(sys.argv[2]), index_dir=home / "indexes")
    bot = Assistant.load(settings)
else:
    bot = Assistant.load(settings, encoder=FakeEncoder(64))
for q in questions[:10]:
    bot.ask(q)
times = []
for q in questions:
    t = time.perf_counter(); bot.ask(q); times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def measure(against: str, questions: list[str], rounds: int = 3, echo=print, real: bool = False) -> dict:
    corpus = str(REPO / "corpus")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base), against],
                       check=True, capture_output=True)
        try:
            times = {"this": [], "base": []}
            for r in range(rounds):
                for name, tree in (("this", REPO), ("base", base)) if r % 2 == 0 else (("base", base), ("this", REPO)):
                    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(questions, ensure_ascii=False), corpus,
                                          "real" if real else "fake"],
                                         cwd=tree, check=True, capture_output=True, text=True)
                    times[name] += json.loads(out.stdout.strip().splitlines()[-1])
                echo(f"round {r + 1}/{rounds} done")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], capture_output=True)
    result = {"against": against, "questions": len(questions), "rounds": rounds, "encoder": "real" if real else "fake"}
    for name, values in times.items():
        result[f"{name}_p50_ms"] = round(1000 * _percentile(values, 0.5), 1)
        result[f"{name}_p95_ms"] = round(1000 * _percentile(values, 0.95), 1)
    result["p50_ratio"] = round(result["this_p50_ms"] / result["base_p50_ms"], 2)
    result["p95_ratio"] = round(result["this_p95_ms"] / result["base_p95_ms"], 2)
    return result


def dev_questions(limit: int = 150) -> list[str]:
    rows = [json.loads(line) for line in (REPO / "eval" / "gold" / "seed_dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [r["question"] for r in rows[:limit]]
