"""One loader per file format, chosen by suffix; each turns a file's bytes into the lines
of text that :func:`assistant.ingest.parser.parse_document` reads.

Every loader has the signature ``load(data: bytes, name: str) -> str`` and raises
:class:`~assistant.errors.CorpusError` naming the file when it cannot read it — never a
partial text. Adding a format means adding a module here and one line to ``_LOADERS``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from assistant.config import MAX_DOCUMENT_BYTES
from assistant.errors import CorpusError

# suffix -> loader module (modules import their heavy libraries only when called)
_LOADERS = {
    ".txt": "text",
    ".md": "text",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_SUFFIXES = tuple(_LOADERS)

# Formats people often have that we do not read, with what to do instead.
_HINTS = {
    ".doc": "旧版 Word 格式，请在 Word/WPS 中另存为 .docx",
    ".wps": "WPS 格式，请另存为 .docx",
    ".rtf": "请另存为 .docx 或 .txt",
    ".ofd": "OFD 版式文件，请导出为 PDF",
    ".jpg": "图片需要 OCR，暂不支持", ".jpeg": "图片需要 OCR，暂不支持", ".png": "图片需要 OCR，暂不支持",
}


def is_supported(path: Path | str) -> bool:
    return Path(path).suffix.lower() in _LOADERS


def file_format(path: Path | str) -> str:
    """The format recorded on a Document: ``txt``, ``md``, ``pdf``, ``docx`` or ``html``."""
    suffix = Path(path).suffix.lower()
    return "html" if suffix == ".htm" else suffix.lstrip(".")


def unsupported_message(path: Path | str) -> str:
    path = Path(path)
    hint = _HINTS.get(path.suffix.lower(), "")
    return (f"{path.name}: 不支持的文件格式 (unsupported; use {', '.join(SUPPORTED_SUFFIXES)})"
            + (f"；{hint}" if hint else ""))


def load_bytes(data: bytes, name: str) -> str:
    """The text of a file called ``name`` whose content is ``data``."""
    suffix = Path(name).suffix.lower()
    if suffix not in _LOADERS:
        raise CorpusError(unsupported_message(name))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CorpusError(_too_big(name, len(data)))
    if not data.strip():
        raise CorpusError(f"{name}: 文件为空 (empty file)")
    module = importlib.import_module(f"{__name__}.{_LOADERS[suffix]}")
    try:
        return _normalized(module.load(data, name))
    except CorpusError as exc:  # one line, whatever a library put into the message
        raise CorpusError(" ".join(str(exc).split())) from None
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError, AssertionError,
            LookupError, UnicodeError, OSError, ArithmeticError) as exc:
        # A file no loader check foresaw tripped a parsing library: still the file's fault.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise CorpusError(f"{name}: 无法读取此文件 (unreadable: {detail})") from None


def _normalized(text: str) -> str:
    """A loader's output with radical code points folded (see :mod:`assistant.ingest.normalize`);
    what a loader attached to its text (an OCR report) is kept."""
    from assistant.ingest.normalize import normalize_radicals

    folded = normalize_radicals(text)
    if folded is text or type(text) is str:
        return folded
    out = type(text)(folded)
    out.__dict__.update(text.__dict__)
    return out


def read_file(path: Path) -> tuple[str, bytes]:
    """(text, raw bytes) of a policy file; the size is checked before reading it."""
    path = Path(path)
    if not is_supported(path):
        raise CorpusError(unsupported_message(path))
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise CorpusError(_too_big(path.name, size))
    data = path.read_bytes()
    return load_bytes(data, path.name), data


def _too_big(name: str, size: int) -> str:
    return (f"{name}: 文件过大 ({size / 2**20:.0f} MB，上限 {MAX_DOCUMENT_BYTES / 2**20:.0f} MB；"
            "file too large, set ASSISTANT_MAX_DOCUMENT_MB)")
