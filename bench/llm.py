"""``python -m bench llm --url URL``: the optional LLM step against a real server.

For each question, the grounded answer is composed as usual and then handed to the LLM
(:mod:`assistant.integrations.llm_rephrase`). Reported: how many answers went to the LLM
(refusals never do), the LLM's latency (p50/p95/mean/max), the share of LLM paragraphs that
passed the sentence check and were kept, the reasons for the others, and a few examples.
For anyone who runs Ollama, vLLM or a llama.cpp server; nothing here runs in CI.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from bench.measure import latency_ms


def measure_llm(assistant, questions: list[str], url: str, model: str = "default", timeout: float = 60.0,
                examples: int = 5, echo=None) -> dict:
    """Ask every question with the LLM step on (``assistant``'s settings with ``url``)."""
    settings = assistant.settings.with_(llm_url=url, llm_model=model, llm_timeout=timeout)
    with_llm = dataclasses.replace(assistant, settings=settings)
    seconds, kept, reasons, shown = [], 0, Counter(), []
    for i, question in enumerate(questions, 1):
        answer = with_llm.ask(question)
        record = answer.analysis.get("llm") if isinstance(answer.analysis, dict) else None
        if record is None:  # refused or nothing cited: the LLM was not asked
            continue
        seconds.append(record["seconds"])
        if record["kept"]:
            kept += 1
        else:
            reasons[record["reason"]] += 1
        if len(shown) < examples:
            shown.append({"question": question, "direct": answer.direct, "kept": record["kept"],
                          "reason": record["reason"], "llm": record.get("text", ""),
                          "unsupported": record["unsupported"]})
        if echo and i % 10 == 0:
            echo(f"[llm] {i}/{len(questions)}: {kept}/{len(seconds)} kept")
    return {"url": url, "model": model, "timeout_s": timeout, "questions": len(questions),
            "llm_answers": len(seconds), "kept": kept,
            "kept_share": round(kept / len(seconds), 4) if seconds else 0.0,
            "llm_latency_ms": latency_ms(seconds), "fallback_reasons": dict(reasons.most_common()),
            "examples": shown}
