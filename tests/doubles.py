"""Test doubles shared by tests and the benchmark: never part of the installed package."""

from __future__ import annotations

import zlib

import numpy as np

from assistant.embedding.encoder import _check_titles, _normalise_rows

class FakeEncoder:
    """Deterministic stand-in for tests: hashed character unigrams and bigrams.

    Uses CRC32 rather than ``hash()``, whose per-process salt would change vectors
    between runs. Chinese has no spaces, so character n-grams are what carries
    meaning; texts sharing many of them get a high cosine similarity.
    """

    def __init__(self, dim: int = 64):
        if dim < 1:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.name = f"fake-ngram-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        vector = np.zeros(self.dim, dtype=np.float32)
        # Empty text still gets a unit vector (a fixed slot), like a real model would.
        for gram in grams or ["\0"]:
            vector[zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        return vector

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise_rows(np.stack([self._vector(t) for t in texts]))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts))

    def encode_documents(
        self, texts: list[str], titles: list[str | None] | None = None
    ) -> np.ndarray:
        titles = _check_titles(list(texts), titles)
        return self._encode([f"{t} {x}" if t else x for x, t in zip(texts, titles)])


class FakeLLMServer:
    """A small OpenAI-compatible chat server on loopback, for the optional LLM step.

    ``reply(messages) -> str`` writes each answer (default: echo the direct answer line of
    the prompt); ``delay`` seconds before replying (timeouts); ``status`` an HTTP error code
    to return instead. ``requests`` keeps every request body. Use as a context manager;
    ``url`` is the base URL with its /v1, as ASSISTANT_LLM_URL takes it.
    """

    def __init__(self, reply=None, delay: float = 0.0, status: int = 200):
        self.reply = reply or _echo_direct
        self.delay = delay
        self.status = status
        self.requests: list[dict] = []
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeLLMServer":
        import json
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

            def do_GET(self):
                self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.status != 200:
                    return self._send(fake.status, {"error": {"message": "fake failure", "type": "server_error"}})
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                text = fake.reply(body.get("messages", []))
                self._send(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _echo_direct(messages) -> str:
    """The direct answer line of the user prompt, as a faithful (if lazy) rephrasing."""
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    if isinstance(user, list):  # content blocks
        user = "".join(part.get("text", "") for part in user if isinstance(part, dict))
    for line in str(user).splitlines():
        if line.startswith("直接回答："):
            return line.removeprefix("直接回答：")
    return ""
