"""``match`` latency against the warm ``ask`` p95 (issue 20: match answers in ≤ 1.5× it).

``python -m bench match-latency`` loads one assistant over the corpus plus ``eval/docs/*``
(fake encoder unless ``--real``), warms it up, times ``ask`` on the dev questions and
``match`` on the gold profiles (``eval/gold/profiles_dev.jsonl`` when present, else a built-in
set), and prints p50/p95 of both and the ratio match p95 / ask p95.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.answer_latency import _percentile, dev_questions

REPO = Path(__file__).resolve().parents[1]

PROFILES = [
    "我们是巴彦淖尔一家做农机装备的科技型中小企业，刚成立两年，员工40人",
    "包头稀土高新区的高新技术企业，去年首次通过认定，营收8000万元",
    "赤峰的一家市级科技企业孵化器，在孵企业20家",
    "呼和浩特的高校科研人员，想带着成果创业",
    "我们是鄂尔多斯高新区管委会",
    "通辽的一家银行",
    "我们是深圳的一家芯片企业",
    "包头的初创团队，做稀土新材料",
    "乌海的自治区级众创空间",
    "我是刚全职引进到包头的国家级领军人才",
]


def profiles() -> list[str]:
    path = REPO / "eval" / "gold" / "profiles_dev.jsonl"
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r["profile"] for r in rows] or PROFILES
    return PROFILES


def measure(questions: list[str], texts: list[str], rounds: int = 3, real: bool = False) -> dict:
    from assistant.config import Settings
    from assistant.qa import Assistant

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for path in list((REPO / "corpus").iterdir()) + list((REPO / "eval" / "docs").iterdir()):
            if path.is_file():
                shutil.copy(path, corpus / path.name)
        if real:
            bot = Assistant.load(Settings.from_env().with_(corpus_dir=corpus, index_dir=Path(tmp) / "indexes"))
        else:
            from tests.doubles import FakeEncoder

            settings = Settings(corpus_dir=corpus, index_dir=Path(tmp) / "indexes", model_dir=Path(tmp) / "m",
                                feedback_path=Path(tmp) / "f.jsonl", eval_dir=Path(tmp) / "e")
            bot = Assistant.load(settings, encoder=FakeEncoder(64))
        for q in questions[:10]:
            bot.ask(q)
        bot.match(texts[0])  # provisions are read once per document, as after the app's first match
        asks, matches = [], []
        for _ in range(rounds):  # alternate, so load on the shared machine hits both alike
            for q in questions:
                t = time.perf_counter(); bot.ask(q); asks.append(time.perf_counter() - t)
            for text in texts:
                t = time.perf_counter(); bot.match(text); matches.append(time.perf_counter() - t)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    ask_p95, match_p95 = _percentile(asks, 0.95), _percentile(matches, 0.95)
    return {"encoder": "real" if real else "fake", "questions": len(questions), "profiles": len(texts),
            "rounds": rounds, "ask_p50_ms": ms(_percentile(asks, 0.5)), "ask_p95_ms": ms(ask_p95),
            "match_p50_ms": ms(_percentile(matches, 0.5)), "match_p95_ms": ms(match_p95),
            "match_over_ask_p95": round(match_p95 / ask_p95, 3) if ask_p95 else None, "target": 1.5}


def main(questions: int = 60, rounds: int = 2, real: bool = False) -> dict:
    return measure(dev_questions(questions), profiles(), rounds, real)


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
