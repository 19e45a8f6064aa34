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
    doc = parse_document(text, doc_id=slugify(path.stem), path=str(path))
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.format = file_format(path)
    if not doc.clauses:
        raise CorpusError(f"{path.name}: 没有找到条款 (no numbered clauses such as （一） or 第一条)")
    report = getattr(text, "ocr", None)
    if report is not None:
        mark_ocr(doc, report)
    return doc


def mark_ocr(doc: Document, report) -> None:
    """Record ``report`` (an OcrReport) on ``doc`` and flag the clauses (and the preamble)
    that hold a recognised paragraph (``report.text_lines``), so their citations say so."""
    import re

    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    recognised = [squeeze(line) for line in report.text_lines if len(squeeze(line)) >= 8]
    doc.ocr = report.summary()

    def from_ocr(text: str) -> bool:
        text = squeeze(text)
        return any(line in text or text in line for line in recognised)

    for clause in doc.clauses:
        clause.ocr = from_ocr(clause.label + clause.text)
    doc.ocr["preamble"] = bool(doc.preamble) and from_ocr(doc.preamble)
    doc.ocr["clauses"] = sum(clause.ocr for clause in doc.clauses)


def slugify(stem: str) -> str:
    """A stable, URL- and shell-safe document id from a file name: ASCII kept (lower-case),
    Chinese spelled in pinyin, everything else a hyphen: ``包头市 措施`` → ``baotoushi-cuoshi``."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", stem).lower()
    if re.search(r"[\u4e00-\u9fff]", text):
        from pypinyin import lazy_pinyin

        text = "".join(lazy_pinyin(text, errors=lambda chars: chars))
    slug = re.sub(r"[^a-z0-9_]+", "-", text).strip("-")
    return re.sub(r"-{2,}", "-", slug) or "doc"


def _duplicate_of(document: Document, loaded: list[Document]) -> str:
    """A message when ``document`` repeats one already loaded (same bytes, same 文号), and a
    unique doc_id for it otherwise (``a.txt`` and ``a.md`` both exist → ``a`` and ``a-md``)."""
    name = Path(document.path).name
    for other in loaded:
        other_name = Path(other.path).name
        if other.sha256 == document.sha256:
            return f"{name}: 与 {other_name} 内容相同，已跳过 (duplicate content)"
        if document.meta.doc_number and other.meta.doc_number == document.meta.doc_number:
            return f"{name}: 文号 {document.meta.doc_number} 与 {other_name} 相同，已跳过 (duplicate document number)"
    taken = {d.doc_id for d in loaded}
    if document.doc_id in taken:
        base = f"{document.doc_id}-{document.format or 'x'}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        document.doc_id = candidate
        for clause in document.clauses:
            clause.doc_id = candidate
    return ""


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
            document = load_document(path)
            clash = _duplicate_of(document, documents)
            if clash:
                problems.append(clash)
                continue
            documents.append(document)
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
