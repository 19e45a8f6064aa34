"""Changing the corpus: add files to it and remove documents from it, safely.

``add`` validates every file *before* anything is copied — it must load and parse to at
least one clause, and must not duplicate a document already there (same bytes, same
normalised text, or the same 文号) or another file of the same batch. Only then are the
files copied into the corpus folder, each under a name whose stem (the doc_id) no other
file uses, via a hidden temporary name so a half-copied file is never loaded.
``remove`` deletes one document's file. Index updates are the caller's (the embedding
cache makes them cheap: only new units are embedded).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, is_supported, unsupported_message
from assistant.ingest.records import Document


@dataclass
class Existing:
    """What a file already in the corpus is known by, for duplicate checks."""

    doc_id: str
    name: str
    sha256: str
    text_sha256: str = ""
    doc_number: str = ""
    title: str = ""


def summary(doc: Document) -> dict:
    """What ``add`` reports and the 文件 tab lists: title, 文号, clause count, departments."""
    return {"doc_id": doc.doc_id, "file": Path(doc.path).name, "format": doc.format, "title": doc.meta.title,
            "doc_number": doc.meta.doc_number, "issuer": doc.meta.issuer, "signed_date": doc.meta.signed_date,
            "clauses": len(doc.clauses), "departments": doc.departments.names,
            **({"ocr": doc.ocr} if doc.ocr else {})}


def _text_hash(doc: Document) -> str:
    return hashlib.sha256(re.sub(r"\s+", "", doc.text).encode("utf-8")).hexdigest()


def _inventory(corpus_dir: Path) -> list[Existing]:
    from assistant.ingest.corpus import load_document

    existing = []
    if not corpus_dir.is_dir():
        return existing
    for path in sorted(corpus_dir.iterdir()):
        if not path.is_file() or path.name.startswith(".") or not is_supported(path):
            continue
        try:
            doc = load_document(path)
        except (CorpusError, OSError):  # unreadable files are no documents; still names taken
            existing.append(Existing(path.stem, path.name, ""))
            continue
        existing.append(Existing(doc.doc_id, path.name, doc.sha256, _text_hash(doc), doc.meta.doc_number,
                                 doc.meta.title))
    return existing


def _duplicate_of(doc: Document, others: list[Existing]) -> str:
    for other in others:
        label = f"{other.doc_id}（{other.name}{'，' + other.title if other.title else ''}）"
        if other.sha256 and other.sha256 == doc.sha256:
            return f"与已有文档 {label} 内容完全相同 (same file content)"
        if other.text_sha256 and other.text_sha256 == _text_hash(doc):
            return f"与已有文档 {label} 正文相同 (same text)"
        if other.doc_number and other.doc_number == doc.meta.doc_number:
            return f"文号 {doc.meta.doc_number} 与已有文档 {label} 相同 (same 文号)"
    return ""


def safe_name(name: str) -> str:
    """A file name fit for the corpus folder: no directories, no odd characters."""
    name = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(name)
    stem = re.sub(r"[\s/:*?\"<>|\x00-\x1f]+", "-", stem).strip("-.") or "document"
    return stem[:80] + suffix.lower()


def _free_name(name: str, taken: set[str]) -> str:
    """``name`` or ``stem-2.ext``, … so that no two files share a stem (= doc_id)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = stem, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate + suffix


def check_new(paths: list[Path], corpus_dir: Path) -> list[tuple[Path, str, Document]]:
    """(source, corpus file name, parsed document) for each file, or a CorpusError naming
    the first file that cannot be added. Nothing is written."""
    from assistant.ingest.corpus import load_document

    corpus_dir = Path(corpus_dir)
    if not paths:
        raise CorpusError("没有给出要添加的文件 (no files given)")
    existing = _inventory(corpus_dir)
    taken = {e.doc_id.lower() for e in existing}
    if corpus_dir.is_dir():
        taken |= {p.stem.lower() for p in corpus_dir.iterdir()}
    planned: list[tuple[Path, str, Document]] = []
    for source in paths:
        source = Path(source)
        shown = source.name
        if not source.is_file():
            raise CorpusError(f"{shown}: 找不到文件 (no such file)")
        if not is_supported(shown):
            raise CorpusError(unsupported_message(shown))
        name = _free_name(safe_name(shown), taken)
        if source.resolve().parent == corpus_dir.resolve():
            raise CorpusError(f"{shown}: 已在语料目录中 (already in {corpus_dir})")
        try:
            doc = load_document(source)
        except OSError as exc:
            raise CorpusError(f"{shown}: 无法读取 ({exc.strerror or exc})") from None
        except CorpusError as exc:
            message = str(exc)
            raise CorpusError(message if shown in message else f"{shown}: {message}") from None
        doc.doc_id, doc.path = Path(name).stem, str(corpus_dir / name)
        for clause in doc.clauses:
            clause.doc_id = doc.doc_id
        duplicate = _duplicate_of(doc, existing)
        if duplicate:
            raise CorpusError(f"{shown}: 重复文件，未添加：{duplicate}")
        existing.append(Existing(doc.doc_id, name, doc.sha256, _text_hash(doc), doc.meta.doc_number, doc.meta.title))
        taken.add(doc.doc_id.lower())
        planned.append((source, name, doc))
    return planned


def copy_in(planned: list[tuple[Path, str, Document]], corpus_dir: Path) -> list[Document]:
    """Copy checked files into the corpus, all or none; the added documents as the corpus
    now loads them (so their doc_ids are the ones every other command uses)."""
    from assistant.ingest.corpus import load_corpus

    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    done: list[Path] = []
    try:
        for source, name, _ in planned:
            final = corpus_dir / name
            part = corpus_dir / f".{name}.part"  # hidden and unsupported: never loaded half-written
            shutil.copyfile(source, part)
            with open(part, "rb") as handle:
                os.fsync(handle.fileno())
            if final.exists():
                part.unlink()
                raise CorpusError(f"{name}: 语料目录中已有同名文件 (exists)")
            os.replace(part, final)
            done.append(final)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        for _, name, _ in planned:
            (corpus_dir / f".{name}.part").unlink(missing_ok=True)
        raise
    by_name = {Path(doc.path).name: doc for doc in load_corpus(corpus_dir).documents}
    return [by_name.get(name, doc) for _, name, doc in planned]


def add_files(paths: list[Path], corpus_dir: Path) -> list[Document]:
    """Check, then copy ``paths`` into ``corpus_dir``; the added documents."""
    return copy_in(check_new([Path(p) for p in paths], corpus_dir), corpus_dir)


def remove_document(doc_id: str, corpus_dir: Path) -> Path:
    """Delete the file of document ``doc_id`` from the corpus; the path it had."""
    from assistant.ingest.corpus import load_corpus

    corpus_dir = Path(corpus_dir)
    files = [p for p in sorted(corpus_dir.iterdir()) if p.is_file() and not p.name.startswith(".")
             and is_supported(p)] if corpus_dir.is_dir() else []
    try:
        documents = load_corpus(corpus_dir).documents
    except CorpusError:
        documents = []
    matches = [Path(d.path) for d in documents if d.doc_id == doc_id]
    matches = matches or [p for p in files if p.stem == doc_id] or [p for p in files if p.stem.lower() == doc_id.lower()]
    if not matches:
        known = "、".join([d.doc_id for d in documents] or [p.stem for p in files]) or "（无）"
        raise CorpusError(f"没有文档 {doc_id}；现有：{known}")
    if len(matches) > 1:
        raise CorpusError(f"{doc_id} 对应多个文件 ({', '.join(p.name for p in matches)})；请先手动处理")
    if len(files) == 1:
        raise CorpusError(f"{matches[0].name} 是语料库中唯一的文档，不能删除 (the corpus would be empty)")
    matches[0].unlink()
    return matches[0]


__all__ = ["SUPPORTED_SUFFIXES", "add_files", "check_new", "copy_in", "remove_document", "safe_name", "summary"]
