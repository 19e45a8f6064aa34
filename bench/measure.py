"""What every benchmark section measures with: this machine, this process, latency numbers.

* The machine: CPU model and core counts, RAM, Python/torch versions, the git commit of the
  code measured, and how much CPU *other* processes used during the run (a busy machine
  makes absolute latencies pessimistic; the report says so).
* This process: current and peak resident memory (from /proc, so the numbers match
  what ``top`` shows), free RAM, and the size of a folder on disk.
* A fresh interpreter running this repo's code, for what must be measured without the
  benchmark's own imports and memory (cold start, llama-index's peak RAM).
* Latency: p50/p95/mean/max of a list of per-call seconds, ratios of two numbers, and a
  fixed, evenly spread subset of the gold questions.

Used by :mod:`bench.run` (sections 1–5), :mod:`bench.growth` (section 6) and
:mod:`bench.report`.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT
from assistant.evaluation.metrics import percentile_ms

# ----------------------------------------------------------------------------- memory and disk


def proc_mb(path: str, field: str) -> float:
    """A ``Field:  N kB`` line of a /proc file (``status``, ``meminfo``), in MB; 0.0 if unavailable."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def rss_mb() -> float:
    """Current resident set size of this process, MB."""
    return proc_mb("/proc/self/status", "VmRSS")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB."""
    return proc_mb("/proc/self/status", "VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def available_ram_mb() -> float:
    """RAM the kernel could hand out now without swapping (``MemAvailable``), MB; 0.0 if unknown."""
    return proc_mb("/proc/meminfo", "MemAvailable")


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


# ----------------------------------------------------------------------------- the machine


def machine_info() -> dict:
    """What the numbers were measured on; ``load_end`` and ``other_cores`` are added at the end."""
    from assistant.embedding.encoder import _usable_cpus

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    return {"code": _git_version(), "cpu": model or platform.processor() or "unknown",
            "cores": os.cpu_count(), "usable_cores": _usable_cpus(),
            "ram_gb": round(proc_mb("/proc/meminfo", "MemTotal") / 1024.0, 1), "python": platform.python_version(),
            "torch": torch_version, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "load_start": list(os.getloadavg())}


def _git_version() -> str:
    """Commit of the code measured, and whether assistant/ had uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "assistant"],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" + uncommitted changes in assistant/" if dirty else "")


def cpu_snapshot() -> dict:
    """Busy CPU seconds of the whole machine (/proc/stat) and of this process + its children."""
    busy = 0.0
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait
    except (OSError, ValueError, IndexError):
        pass
    t = os.times()
    return {"machine": busy, "ours": t.user + t.system + t.children_user + t.children_system,
            "wall": time.perf_counter()}


def other_cpu_load(start: dict, end: dict) -> float:
    """Mean number of cores that *other* processes kept busy between two snapshots."""
    wall = end["wall"] - start["wall"]
    others = (end["machine"] - start["machine"]) - (end["ours"] - start["ours"])
    return max(0.0, others / wall) if wall > 0 and start["machine"] else 0.0


def run_in_fresh_interpreter(script: str, args: dict, timeout: float) -> subprocess.CompletedProcess:
    """``python -c script '<args as JSON>'``, output captured as text. The repo comes first on
    PYTHONPATH so the child runs this checkout's code. On timeout the child is killed and
    ``subprocess.TimeoutExpired`` raised."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", script, json.dumps(args)], cwd=str(REPO_ROOT), env=env,
                          capture_output=True, text=True, timeout=timeout)


# ----------------------------------------------------------------------------- latency numbers


def latency_ms(seconds: list[float]) -> dict:
    """p50 / p95 / mean / max in milliseconds, and ``n``, of per-call times in seconds."""
    return {"p50": percentile_ms(seconds, 50), "p95": percentile_ms(seconds, 95),
            "mean": 1000.0 * float(np.mean(seconds)) if seconds else 0.0,
            "max": 1000.0 * float(np.max(seconds)) if seconds else 0.0, "n": len(seconds)}


def ratio(a: float, b: float) -> float:
    """``a / b``, NaN when ``b`` is 0 (rendered as "n/a", never a crash mid-report)."""
    return a / b if b else float("nan")


def pick(items: list, n: int | None) -> list:
    """A fixed, evenly spread subset of ``n`` items (all when ``n`` is None or too big)."""
    if n is None or n >= len(items):
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, n).round().astype(int)]
