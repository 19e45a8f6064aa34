"""Loading the corpus: every policy file of a folder, parsed, with bad files reported.

``load_corpus`` reads every supported file (.txt/.md, .pdf, .docx, .html: see
:mod:`assistant.ingest.loaders`), parses each with :mod:`assistant.ingest.parser` and
reports unreadable files as problems instead of failing the whole load.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, file_format, read_file
from assistant.ingest.loaders.text import decode  # noqa: F401 - re-exported for callers
from assistant.ingest.records import Corpus, Document


def load_document(path: Path) -> Document:
    from assistant.ingest.parser import parse_document

    path = Path(path)
    text, data = read_file(path)
    doc = parse_document(text, doc_id=path.stem, path=str(path))
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.format = file_format(path)
    if not doc.clauses:
        raise CorpusError(f"{path.name}: 没有找到条款 (no numbered clauses such as （一） or 第一条)")
    return doc


def load_corpus(folder: Path) -> Corpus:
    """Every supported file of ``folder``, sorted by name. Bad files become ``problems``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"语料目录不存在: {folder} (set ASSISTANT_CORPUS_DIR)")
    documents, problems, unsupported = [], [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            if path.is_file() and not path.name.startswith("."):
                unsupported.append(path.name)
            continue
        try:
            documents.append(load_document(path))
        except CorpusError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{path.name}: 无法读取 ({exc.strerror or exc})")
    if not documents:
        detail = "；".join(problems) if problems else f"no {'/'.join(SUPPORTED_SUFFIXES)} files"
        if unsupported:  # name what was there, so the user sees why it was not read
            detail += (f"；不支持的文件 (unsupported, not {'/'.join(SUPPORTED_SUFFIXES)}): "
                       f"{', '.join(unsupported[:5])}")
        raise CorpusError(f"{folder}: 没有可用的政策文件 ({detail})")
    return Corpus(documents, problems)
