"""``python -m bench coldstart``: the two speed checks of the "fast on any CPU" work, as ratios.

Measured in one run on this machine (machines differ 2–3×, so only ratios are compared):

1. **One-shot ask vs importing sentence-transformers** — fresh interpreters, ``repeats``
   times each, interleaved, median wall time: ``python -c "import sentence_transformers"``
   against ``python -m assistant ask "孵化器归谁管"`` (index already built). Target ≤ 1.0.
   One more ask run lists the heavy libraries it imported (should be none of torch,
   transformers, sentence_transformers, gradio, llama_index on the ONNX backend).
2. **Warm answer p95 vs plain sentence-transformers float32 ``encode_query`` p50** — in this
   process, question by question interleaved: ``Assistant.ask`` (our backend, query cache
   off so every question is embedded) and ``SentenceTransformer(path).encode_query``.
   Target ≤ 0.7.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT, Settings

QUESTION = "孵化器归谁管"
HEAVY = ("torch", "transformers", "sentence_transformers", "gradio", "llama_index", "sklearn", "scipy", "pandas",
         "faiss", "bm25s", "jieba", "onnxruntime")
_LIST_MODULES = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})) + '\\n'))\n"
    "from assistant.cli import main\n"
    "sys.argv = ['assistant', 'ask', sys.argv[1]]\n"
    "main()\n"
)


def _env(settings: Settings) -> dict:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_MODEL_DIR": str(settings.model_dir),
           "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_BACKEND": settings.backend}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _wall(cmd: list[str], env: dict, timeout: float = 600.0) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(REPO_ROOT))
    return time.perf_counter() - start, proc


def one_shot(settings: Settings, repeats: int = 3, question: str = QUESTION) -> dict:
    """Median wall time of importing sentence-transformers vs a one-shot ``assistant ask``."""
    env = _env(settings)
    ask = [sys.executable, "-m", "assistant", "ask", question]
    _, first = _wall(ask, env)  # builds the index if it is missing; not timed
    if first.returncode != 0:
        raise RuntimeError(f"assistant ask failed: {first.stderr.strip()[-1000:]}")
    times: dict[str, list[float]] = {"import_st": [], "ask": []}
    for _ in range(repeats):  # interleaved, so background load hits both alike
        seconds, proc = _wall([sys.executable, "-c", "import sentence_transformers"], env)
        if proc.returncode != 0:
            raise RuntimeError(f"import sentence_transformers failed: {proc.stderr.strip()[-500:]}")
        times["import_st"].append(seconds)
        seconds, proc = _wall(ask, env)
        if proc.returncode != 0:
            raise RuntimeError(f"assistant ask failed: {proc.stderr.strip()[-1000:]}")
        times["ask"].append(seconds)
    _, listed = _wall([sys.executable, "-c", _LIST_MODULES, question], env)
    modules = next((json.loads(line[8:]) for line in listed.stderr.splitlines() if line.startswith("MODULES ")), [])
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {"repeats": repeats, "import_st_s": medians["import_st"], "ask_s": medians["ask"],
            "ratio": medians["ask"] / medians["import_st"], "runs": times,
            "heavy_imported": [m for m in HEAVY if m in modules], "answer": first.stdout.strip()[:120]}


def warm_vs_st(settings: Settings, questions: list[str], assistant=None, baseline=None) -> dict:
    """Warm ``ask`` p95 (cache off) vs plain sentence-transformers float32 ``encode_query`` p50."""
    from assistant.qa import Assistant

    if assistant is None:
        from assistant.embedding.encoder import load_encoder

        assistant = Assistant.load(settings, encoder=load_encoder(settings, cache_size=0), rebuild=True)
    if baseline is None:
        from bench.run import DefaultSTEncoder
        from assistant.embedding.model import require_model

        baseline = DefaultSTEncoder(require_model(settings))
    assistant.ask("高新区的考核评价怎么做")  # warm-up (not a timed question)
    baseline.encode_queries(["高新区的考核评价怎么做"])
    ask_s, encode_s = [], []
    for question in questions:
        start = time.perf_counter()
        assistant.ask(question)
        ask_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        baseline.encode_queries([question])
        encode_s.append(time.perf_counter() - start)
    ask_p95 = float(np.percentile(ask_s, 95))
    st_p50 = float(np.percentile(encode_s, 50))
    return {"questions": len(questions), "ask_p50_ms": 1000 * float(np.percentile(ask_s, 50)),
            "ask_p95_ms": 1000 * ask_p95, "st_encode_p50_ms": 1000 * st_p50, "ratio": ask_p95 / st_p50,
            "encoder": f"{getattr(assistant.encoder, 'backend', '?')} ({getattr(assistant.encoder, 'dtype', '?')})"}


def run_coldstart(settings: Settings, *, repeats: int = 3, n_questions: int = 60, echo=print) -> dict:
    """Both checks; the index goes to a temp folder unless ``settings.index_dir`` has one."""
    import tempfile

    from assistant.embedding.factory import describe
    from assistant.evaluation.metrics import load_gold
    from bench.measure import pick

    system = describe(settings)
    echo(f"[coldstart] CPU {system['cpu']['model']} flags {' '.join(system['cpu']['flags'])}; "
         f"backend {system['backend']} ({system['dtype']})")
    gold = load_gold(Path(settings.eval_dir) / "questions.jsonl")
    questions = [g.question for g in pick(gold, n_questions)]
    with tempfile.TemporaryDirectory(prefix="assistant-coldstart-") as tmp:
        settings = settings.with_(index_dir=Path(tmp) / "indexes")
        echo("[coldstart] warm answer p95 vs sentence-transformers float32 encode_query p50 …")
        warm = warm_vs_st(settings, questions)  # builds the index in tmp
        echo(f"[coldstart] one-shot ask vs import sentence_transformers ({repeats}×) …")
        shot = one_shot(settings, repeats)
    result = {"system": system, "one_shot": shot, "warm": warm}
    echo(summary(result))
    return result


def summary(result: dict) -> str:
    shot, warm = result["one_shot"], result["warm"]
    return "\n".join([
        f"one-shot `assistant ask`: {shot['ask_s']:.2f} s vs `import sentence_transformers` {shot['import_st_s']:.2f} s "
        f"→ ratio {shot['ratio']:.2f} (target ≤ 1.0; median of {shot['repeats']})",
        f"  heavy modules imported by ask: {', '.join(shot['heavy_imported']) or 'none'}",
        f"warm answer p95 {warm['ask_p95_ms']:.0f} ms (p50 {warm['ask_p50_ms']:.0f}) vs ST float32 encode_query p50 "
        f"{warm['st_encode_p50_ms']:.0f} ms → ratio {warm['ratio']:.2f} (target ≤ 0.7; {warm['encoder']}, "
        f"{warm['questions']} questions)",
    ])
