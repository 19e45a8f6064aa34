"""Cleaning user questions before anything else sees them.

Control characters and NUL bytes go; runs of whitespace fold to one space; an empty or
whitespace-only question is an error; an over-long one is cut to
:data:`~assistant.config.MAX_QUESTION_CHARS` with a notice, never silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.config import MAX_QUESTION_CHARS

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class CleanQuestion:
    text: str
    notice: str = ""
    error: str = ""


def clean_question(question, limit: int = MAX_QUESTION_CHARS) -> CleanQuestion:
    if not isinstance(question, str):
        return CleanQuestion("", error="问题必须是文本。")
    text = unicodedata.normalize("NFC", question)
    text = _CONTROL.sub(" ", text)
    # Lone surrogates (from broken input) cannot be encoded; drop them.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return CleanQuestion("", error="问题为空：请输入一个关于本政策文件的问题。")
    if len(text) > limit:
        return CleanQuestion(text[:limit], notice=f"问题过长（{len(text)} 字），只按前 {limit} 字回答。")
    return CleanQuestion(text)
