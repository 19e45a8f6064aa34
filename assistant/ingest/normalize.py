"""Repair text that came out of a PDF so it reads as the original document did.

PDF extraction breaks lines mid-sentence, puts blank lines between them, leaves stray
leading spaces at page breaks and inserts spaces between Chinese characters and digits
(``到 2025年``). The parser works on the *lines* this module returns; whatever it keeps is
the single source of every quote the assistant shows, so each repair here is conservative:
it only removes whitespace that Chinese typesetting never has.
"""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs plus the full-width punctuation and brackets used in 公文.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u3008-\u3011"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# Whitespace with a CJK character (or full-width punctuation) on at least one side.
_SPACE_AFTER_CJK = re.compile(f"(?<=[{_CJK}])[ \\t\u00a0\u3000]+")
_SPACE_BEFORE_CJK = re.compile(f"[ \\t\u00a0\u3000]+(?=[{_CJK}])")
# Half-width punctuation followed by spaces, between Chinese text: "管委会, 自治区".
_SPACE_AFTER_ASCII_PUNCT = re.compile(f"(?<=[{_CJK}][,;:])[ \\t]+(?=[{_CJK}])")
# Control characters other than newline and tab (form feeds from page breaks, NULs…).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")


def is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR.match(char))


def clean_line(line: str) -> str:
    """One physical line: NFC, no control characters, no spaces next to Chinese text."""
    line = unicodedata.normalize("NFC", line)
    line = _CONTROL.sub("", line)
    line = _SPACE_AFTER_CJK.sub("", line)
    line = _SPACE_BEFORE_CJK.sub("", line)
    line = _SPACE_AFTER_ASCII_PUNCT.sub("", line)
    return line.strip()


def clean_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, each cleaned; blank lines carry no meaning here."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (clean_line(raw) for raw in text.split("\n"))
    return [line for line in lines if line]


def join_lines(lines: list[str]) -> str:
    """Join lines broken mid-sentence. Chinese needs no space; English words do."""
    out = ""
    for line in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def compact(text: str) -> str:
    """Text with every whitespace removed: used to compare strings across line breaks."""
    return re.sub(r"\s+", "", text)
