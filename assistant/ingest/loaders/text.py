"""Plain-text policy files (``.txt``, ``.md``): UTF-8 with or without BOM, else GB18030/GBK.

Chinese government sites still publish GBK text; GB18030 is its superset, so one codec
covers both. A file that decodes but looks like byte soup is refused rather than indexed.
"""

from __future__ import annotations

from assistant.errors import CorpusError


def decode(data: bytes, name: str) -> str:
    """Decode a policy file: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    if not data.strip():
        raise CorpusError(f"{name}: 文件为空 (empty file)")
    if b"\x00" in data[:4096]:
        raise CorpusError(f"{name}: 不是文本文件 (binary data, NUL bytes)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_like_text(text):
            return text
    raise CorpusError(f"{name}: 无法识别的编码 (neither UTF-8 nor GB18030/GBK)")


def looks_like_text(text: str) -> bool:
    """Few control or private-use characters: GB18030 decodes many byte soups
    "successfully", and a PDF font without a Unicode map extracts as private-use codes."""
    odd = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or 0xE000 <= ord(ch) <= 0xF8FF)
    return odd <= max(2, len(text) // 200)


def load(data: bytes, name: str) -> str:
    return decode(data, name)
