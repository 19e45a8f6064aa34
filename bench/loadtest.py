"""A bounded load test of the web app's ``ask`` API, on loopback only.

``run_loadtest`` starts ``app.py`` as a subprocess on a free 127.0.0.1 port (or uses a URL
you give it — which must be a loopback address), then runs N client threads for a fixed
time, each asking gold-set questions through Gradio's REST protocol
(``POST /gradio_api/call/ask`` then reading the event stream). It reports throughput,
latency percentiles, errors, the app's peak memory, and whether the app is still up.
Every loop is bounded by count and time; it stops by itself.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import numpy as np

from assistant.config import REPO_ROOT
from bench.measure import proc_mb

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask_over_http(base_url: str, question: str, timeout: float = 300.0) -> dict:
    """One call of the ``ask`` endpoint over Gradio's REST API; returns the answer dict."""
    body = json.dumps({"data": [question]}).encode("utf-8")
    request = urllib.request.Request(f"{base_url}/gradio_api/call/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{base_url}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                payload = json.loads(line.split(":", 1)[1])
                if event == "error":
                    raise RuntimeError(f"server error: {payload}")
                return payload[0]
    raise RuntimeError("stream ended without a result")


def start_app(port: int, env: dict | None = None, timeout: float = 600.0) -> subprocess.Popen:
    """Start app.py on 127.0.0.1:port and wait until it answers HTTP."""
    process = subprocess.Popen([sys.executable, str(REPO_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with code {process.returncode} during start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read(1)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("app.py did not come up in time")


def run_loadtest(questions: list[str], *, clients: int = 50, seconds: float = 60.0, url: str | None = None,
                 echo=print) -> dict:
    """N concurrent clients for a fixed time against the ask API; returns the numbers."""
    if url and urllib.parse.urlparse(url).hostname not in LOOPBACK:
        raise ValueError("the load test only targets loopback addresses (127.0.0.1, localhost, ::1)")
    process = None
    if url is None:
        port = free_port()
        echo(f"starting app.py on 127.0.0.1:{port} …")
        started = time.monotonic()
        process = start_app(port)
        echo(f"app up in {time.monotonic() - started:.1f} s")
        url = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        i = index
        while time.monotonic() < stop_at:
            question = questions[i % len(questions)]
            i += clients
            start = time.monotonic()
            try:
                answer = ask_over_http(url, question)
                ok = isinstance(answer, dict) and "answer" in answer
                problem = None if ok else f"malformed answer: {str(answer)[:80]}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                problem = f"{type(exc).__name__}: {exc}"
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(time.monotonic() - start)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 360)
    elapsed = time.monotonic() - began
    alive = True
    try:
        ask_over_http(url, "文号是什么", timeout=60)
    except Exception:  # noqa: BLE001
        alive = False
    result = {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies), "errors": len(errors),
        "throughput_rps": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        **{f"p{q}_ms": round(float(np.percentile(latencies, q)) * 1000, 1) if latencies else None for q in (50, 95, 99)},
        "app_peak_rss_mb": round(proc_mb(f"/proc/{process.pid}/status", "VmHWM"), 1) if process else None,
        "app_alive_after": alive, "error_samples": errors[:5],
    }
    if process:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return result


def to_markdown(result: dict) -> str:
    """The load-test section of eval/bench.md."""
    rows = [("clients", result["clients"]), ("duration s", result["seconds"]), ("requests answered", result["requests"]),
            ("errors", result["errors"]), ("throughput (answers/s)", result["throughput_rps"]),
            ("latency p50 ms", result["p50_ms"]), ("latency p95 ms", result["p95_ms"]), ("latency p99 ms", result["p99_ms"]),
            ("app peak RSS MB (VmHWM)", result["app_peak_rss_mb"]), ("app still answering afterwards", result["app_alive_after"])]
    lines = ["## 7. Load test: 50 concurrent clients on loopback", "",
             "`python -m bench loadtest` (run by `python -m bench bench --load`): `app.py` started on a free 127.0.0.1 port with the "
             "real model; each client thread asks gold-set questions through the app's `ask` API (Gradio REST "
             "protocol) back to back until the time is up. The app answers one question at a time (2 cores, one "
             "model), so latency under load is mostly time spent in the queue.", "",
             "| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if result.get("error_samples"):
        lines += ["", "Errors seen: " + "; ".join(result["error_samples"])]
    return "\n".join(lines) + "\n"
