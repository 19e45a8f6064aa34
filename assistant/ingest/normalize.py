"""Repair text that came out of a PDF so it reads as the original document did.

PDF extraction breaks lines mid-sentence, puts blank lines between them, leaves stray
leading spaces at page breaks and inserts spaces between Chinese characters and digits
(``到 2025年``). The parser works on the *lines* this module returns; whatever it keeps is
the single source of every quote the assistant shows, so each repair here is conservative:
it only removes whitespace that Chinese typesetting never has.

:func:`normalize_radicals` runs first, on every loader's whole output: PDF text layers
(Chromium, WPS and Word exports) often return Kangxi Radicals (U+2F00–U+2FD5) and CJK
Radicals Supplement (U+2E80–U+2EF3) code points for the ideographs they draw — ⼀ for 一,
⺠ for 民 — which no search, marker or quote would match.
"""

from __future__ import annotations

import functools
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


# Compatibility characters that stand for ideographs: NFKC is applied to these alone (NFKC
# on the whole text would turn 公文's full-width punctuation （，：） into ASCII).
_IDEOGRAPH_LIKE = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


@functools.cache
def _radical_table() -> dict[int, str]:
    """Code point -> ideograph: NFKC (Kangxi Radicals, compatibility ideographs) completed by
    Unicode's EquivalentUnifiedIdeograph mapping (assistant/data/radicals.json), which also
    covers the CJK Radicals Supplement that NFKC leaves alone, and by the file's three
    simplified-Chinese glyph overrides (⼾ → 户, not 戶)."""
    from assistant.lexicons import load

    table = {}
    for cp in (*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20)):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp):
            table[cp] = folded
    data = load("radicals")
    table.update({ord(k): v for k, v in data["radicals"].items()})
    table.update({ord(k): v for k, v in data["sc_glyphs"].items()})  # ⼾ is 户 in a 简体 font
    return table


def normalize_radicals(text: str) -> str:
    """``text`` with radical and compatibility-ideograph code points replaced by the unified
    ideographs they stand for (⼀自治区⼈⺠政府 → 一自治区人民政府); nothing else changes, and
    the length of the text stays the same for every mapped character."""
    if not _IDEOGRAPH_LIKE.search(text):
        return text
    return text.translate(_radical_table())


def is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR.match(char))


def clean_line(line: str) -> str:
    """One physical line: NFC, no control characters, no spaces next to Chinese text, a
    broken structure marker at its start repaired (:func:`repair_marker`)."""
    line = unicodedata.normalize("NFC", line)
    line = _CONTROL.sub("", line)
    line = _SPACE_AFTER_CJK.sub("", line)
    line = _SPACE_BEFORE_CJK.sub("", line)
    line = _SPACE_AFTER_ASCII_PUNCT.sub("", line)
    return repair_marker(line.strip())


# What OCR (and hurried typists) make of 一 inside a marker: a dash of some width.
_DASHES = r"－\-—–‐ー"
_NUMERAL_OR_DASH = f"[一二三四五六七八九十{_DASHES}]"
_PAREN_MARKER = re.compile(f"^[（(]\\s*({_NUMERAL_OR_DASH}{{1,4}})\\s*[）)]")
_SECTION_MARKER = re.compile(f"^({_NUMERAL_OR_DASH}{{1,4}})、")
_ARTICLE_MARKER = re.compile(f"^第\\s*({_NUMERAL_OR_DASH}{{1,4}})\\s*条")
_DASH = re.compile(f"[{_DASHES}]")


def repair_marker(line: str) -> str:
    """A clause, section or article marker at the start of ``line`` as 公文 print it:
    ``(一)``, ``（－）``, ``(-)`` → ``（一）``; ``－、`` → ``一、``; ``第－条`` → ``第一条``.
    OCR reads the full-width brackets as half-width ones and the stroke 一 as a dash. Only
    a marker whose repaired numeral is a valid one (一…九十九) is touched."""
    if not line or line[0] not in "（(第一二三四五六七八九十－-—–‐ー":
        return line
    for pattern, template in ((_PAREN_MARKER, "（{}）"), (_SECTION_MARKER, "{}、"), (_ARTICLE_MARKER, "第{}条")):
        match = pattern.match(line)
        if match:
            numeral = _DASH.sub("一", match.group(1))
            if not _valid_numeral(numeral):
                return line
            fixed = template.format(numeral)
            return line if fixed == match.group() else fixed + line[match.end():]
    return line


def _valid_numeral(text: str) -> bool:
    from assistant.ingest.markers import int_to_cn

    return any(text == int_to_cn(n) for n in range(1, 100))


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
