"""The one table of numerals and structure markers every parser and question reader uses.

公文 number their parts with Chinese numerals: sections ``一、`` or ``第一章``, clauses
``（一）`` or ``第一条``, items ``1.`` or ``（1）``. Questions cite them the same way
(``第十二条``, ``（十二）条``, ``clause 12``). Keeping the numerals and the marker patterns
here means the parser, the loaders and the question analysis cannot disagree.
"""

from __future__ import annotations

import re

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "零〇一二两三四五六七八九十百千万亿"


def cn_to_int(text: str) -> int:
    """``十二`` → 12, ``二十三`` → 23, ``一百零五`` → 105, ``一百亿`` → 10**10; ASCII digits pass."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    total, section, current = 0, 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十百千":
            section += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
        elif ch in "万亿":
            unit = 10_000 if ch == "万" else 100_000_000
            total = (total + section + current) * unit
            section = current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + section + current


_UNITS = "零一二三四五六七八九"


def int_to_cn(number: int) -> str:
    """12 → ``十二``, 23 → ``二十三``, 105 → ``一百零五`` (1–999; larger stay digits)."""
    if not 0 < number < 1000:
        return str(number)
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = _UNITS[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _UNITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _UNITS[ones]
    return out


# Structure markers at the start of a line.
SECTION = re.compile(f"^(?:([{CN_NUM}]+)、|第([{CN_NUM}]+)章)\\s*")
CLAUSE_PAREN = re.compile(f"^[（(]([{CN_NUM}]+)[）)]\\s*")
CLAUSE_ARTICLE = re.compile(f"^第([{CN_NUM}]+)条\\s*")
ITEM = re.compile(r"^(?:(\d{1,2})[.．、](?!\d)|[（(](\d{1,2})[）)])\s*")

# Clause references inside a question: 第十二条, 第-1条, （二十）条, clause 12.
CLAUSE_REFERENCES = (
    re.compile(f"第\\s*(-?[{CN_NUM}]+|-?\\d+)\\s*条"),
    # A parenthesised Chinese numeral is the clauses' own label form (（六）), wherever it stands.
    re.compile(f"[（(]([{CN_NUM}]+)[）)]"),
    re.compile(f"^\\s*([{CN_NUM}]+|\\d+)\\s*条(?![件款例])"),  # 十五条主要讲啥
    re.compile(r"\b(?:clause|article|item|paragraph)\s*(?:no\.?\s*)?(-?\d+)", re.IGNORECASE),
)


# 最后一条: the last clause, a reference whose number only the document knows.
LAST_CLAUSE = re.compile(r"最后一条")


def clause_references(question: str, last: int | None = None) -> list[int]:
    """Clause numbers a question names explicitly, in order, absurd ones included
    (``第-1条`` → -1, ``第一百亿条`` → 10**10), so the caller can say the document lacks them.
    ``last``: the last clause number of the one document asked about, which 最后一条 names
    when the question names no number."""
    found: list[int] = []
    for pattern in CLAUSE_REFERENCES:
        for match in pattern.finditer(question or ""):
            try:
                number = cn_to_int(match.group(1))
            except ValueError:
                continue
            if number not in found:
                found.append(number)
    if not found and last is not None and LAST_CLAUSE.search(question or ""):
        found.append(last)
    return found
