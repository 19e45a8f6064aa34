"""The policy corpus as records: Document → Section → Clause → sentences.

Every record here is plain data shared by the retriever, the answer composer, the CLI and
the UI. ``load_corpus`` reads every ``.txt``/``.md`` file of a folder (UTF-8 or
GB18030/GBK), parses each with :mod:`assistant.parser` and reports unreadable files as
problems instead of failing the whole load.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import ClauseNotFound, CorpusError

SUPPORTED_SUFFIXES = (".txt", ".md")


@dataclass
class Item:
    """A numbered item inside a clause: ``1.`` or ``（1）``."""

    label: str
    text: str


@dataclass
class Clause:
    """One numbered measure, e.g. ``（十二）强化科技金融服务。……（责任单位：……）``."""

    doc_id: str
    number: int  # counted within the document, 1-based
    label: str  # as printed: "（十二）" or "第十二条"
    section: int | None  # number of the enclosing section, if any
    section_title: str
    title: str  # the first sentence, without its full stop
    text: str  # verbatim normalised text after the label, including the 责任单位 note
    body: str  # text without the 责任单位 note
    sentences: list[str]  # sentences of ``body``; each is a substring of ``text``
    departments: list[str] = field(default_factory=list)
    departments_raw: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """How people cite it: ``第（十二）条 强化科技金融服务``."""
        ref = self.label if self.label.startswith("第") else f"第{self.label}条"
        return f"{ref} {self.title}".strip()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["clause"] = data.pop("number")
        data["heading"] = self.heading
        return data


@dataclass
class Section:
    """A top-level part: ``一、总体要求``."""

    number: int
    label: str
    title: str
    clauses: list[int] = field(default_factory=list)


@dataclass
class DocumentMeta:
    """The 公文 frame around the body. Empty string means "not stated in the document"."""

    title: str = ""
    doc_number: str = ""  # 文号
    addressees: str = ""  # 主送
    issuer: str = ""  # 发文机关
    signed_date: str = ""  # 成文日期
    printing_office: str = ""  # 印发机关
    printed_date: str = ""  # 印发日期
    publication: str = ""  # 公开方式, e.g. 此件公开发布
    copy_to: str = ""  # 抄送


@dataclass
class Document:
    doc_id: str
    path: str
    text: str  # the whole normalised text: the single source of every quote
    meta: DocumentMeta
    preamble: str
    sections: list[Section]
    clauses: list[Clause]
    sha256: str = ""

    @cached_property
    def departments(self):
        """The :class:`~assistant.departments.DepartmentIndex` of this document's clauses."""
        from .departments import DepartmentIndex

        return DepartmentIndex.from_clauses(self.clauses)

    @cached_property
    def _by_number(self) -> dict[int, Clause]:
        return {clause.number: clause for clause in self.clauses}

    def clause(self, number: int) -> Clause:
        clause = self._by_number.get(number)
        if clause is not None:
            return clause
        raise ClauseNotFound(
            f"《{self.meta.title or self.doc_id}》没有第{number}条；条款编号为 1–{len(self.clauses)}。"
        )


@dataclass
class Corpus:
    documents: list[Document]
    problems: list[str] = field(default_factory=list)  # one message per unreadable file

    @property
    def clauses(self) -> list[Clause]:
        return [c for d in self.documents for c in d.clauses]

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for doc in self.documents:
            digest.update(doc.doc_id.encode() + b"\0" + doc.sha256.encode())
        return digest.hexdigest()

    def document(self, doc_id: str | None = None) -> Document:
        if not self.documents:
            raise CorpusError("语料库为空：没有可读取的政策文件。")
        if doc_id is None:
            return self.documents[0]
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise CorpusError(f"没有文档 {doc_id}；现有：{', '.join(d.doc_id for d in self.documents)}")

    def clause(self, number: int, doc_id: str | None = None) -> Clause:
        return self.document(doc_id).clause(number)


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
        if _looks_like_text(text):
            return text
    raise CorpusError(f"{name}: 无法识别的编码 (neither UTF-8 nor GB18030/GBK)")


def _looks_like_text(text: str) -> bool:
    # GB18030 decodes many byte soups "successfully"; real text has few odd characters.
    odd = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or 0xE000 <= ord(ch) <= 0xF8FF)
    return odd <= max(2, len(text) // 200)


def load_document(path: Path) -> Document:
    from .parser import parse_document

    data = path.read_bytes()
    text = decode(data, path.name)
    doc = parse_document(text, doc_id=path.stem, path=str(path))
    doc.sha256 = hashlib.sha256(data).hexdigest()
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
        detail = "；".join(problems) if problems else "no .txt or .md files"
        if unsupported:  # name what was there, so the user sees why it was not read
            detail += f"；不支持的文件 (unsupported, not .txt/.md): {', '.join(unsupported[:5])}"
        raise CorpusError(f"{folder}: 没有可用的政策文件 ({detail})")
    return Corpus(documents, problems)
