"""The corpus as records: Document → Section → Clause → sentences, and ClauseRef.

Plain data shared by every layer above parsing: the retriever, the answer composer, the
CLI and the web app. A clause is identified everywhere by :class:`ClauseRef`
``(doc_id, clause)`` — never by a bare number, which is ambiguous across documents.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import NamedTuple

from assistant.errors import ClauseNotFound, CorpusError


class ClauseRef(NamedTuple):
    """The identity of a clause across the corpus: which document, which clause (1-based)."""

    doc_id: str
    clause: int

    def __str__(self) -> str:
        return f"{self.doc_id}:{self.clause}"


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
    ocr: bool = False  # read by OCR from a scanned page: a quote may carry a recognition error

    @property
    def ref(self) -> ClauseRef:
        return ClauseRef(self.doc_id, self.number)

    @property
    def cite(self) -> str:
        """The clause as the document's own style cites it: ``第（十二）条`` or ``第四条``."""
        if self.label.startswith("第") or self.number == 0:
            return self.label  # 第四条 as printed; 前言 (the preamble, part 0)
        if self.label.endswith("、"):  # a section used as the unit of citation: 一、申报条件
            return self.label
        return f"第{self.label}条"

    @property
    def heading(self) -> str:
        """How people cite it: ``第（十二）条 强化科技金融服务``, ``第四条 资金支持``, ``一、申报条件``."""
        if self.label.endswith("、"):
            return f"{self.label}{self.title}"
        return f"{self.cite} {self.title}".strip()

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


# The one table of 公文 metadata fields and their names (GB/T 9704 terms), used by the
# parser's records, the answers, the CLI and the web app alike.
META_FIELDS: dict[str, str] = {
    "title": "标题", "doc_number": "文号", "issuer": "发文机关", "addressees": "主送机关",
    "signed_date": "成文日期", "printing_office": "印发机关", "printed_date": "印发日期",
    "publication": "公开方式", "copy_to": "抄送机关", "attachments": "附件",
}


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
    attachments: str = ""  # 附件


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
    format: str = ""  # the file it was read from: txt, md, pdf, docx or html
    # What OCR did, when pages were scanned images (OcrReport.summary(): pages, mean
    # confidence, low-confidence lines, seconds); empty for text files.
    ocr: dict = field(default_factory=dict)

    @cached_property
    def departments(self):
        """The :class:`~assistant.ingest.departments.DepartmentIndex` of this document's clauses."""
        from assistant.ingest.departments import DepartmentIndex

        return DepartmentIndex.from_clauses(self.clauses)

    @property
    def name(self) -> str:
        """How answers name the document: ``《title》（文号）``."""
        title = f"《{self.meta.title}》" if self.meta.title else self.doc_id
        return f"{title}（{self.meta.doc_number}）" if self.meta.doc_number else title

    def summary(self) -> dict:
        """The row of ``assistant docs``."""
        return {"doc_id": self.doc_id, "title": self.meta.title, "doc_number": self.meta.doc_number,
                "issuer": self.meta.issuer, "signed_date": self.meta.signed_date,
                "printed_date": self.meta.printed_date, "clauses": len(self.clauses),
                "sections": len(self.sections), "file": self.path, "format": self.format}

    @cached_property
    def _by_number(self) -> dict[int, Clause]:
        return {clause.number: clause for clause in self.clauses}

    @cached_property
    def preamble_part(self) -> Clause | None:
        """The preamble as a citable part, numbered 0 and labelled 前言."""
        if not self.preamble:
            return None
        from assistant.ingest.parser import split_sentences

        return Clause(doc_id=self.doc_id, number=0, label="前言", section=None, section_title="", title="前言",
                      text=self.preamble, body=self.preamble, sentences=split_sentences(self.preamble),
                      ocr=bool(self.ocr.get("preamble")))

    def clause(self, number: int) -> Clause:
        clause = self._by_number.get(number) if number else self.preamble_part
        if clause is not None:
            return clause
        last = self.clauses[-1].cite if self.clauses else ""
        raise ClauseNotFound(f"{self.name}没有第{number}条；共 {len(self.clauses)} 条（至{last}）。")


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

    def get(self, ref: ClauseRef) -> Clause:
        return self.document(ref.doc_id).clause(ref.clause)

    @cached_property
    def departments(self):
        """Departments across documents (:class:`~assistant.ingest.departments.CorpusDepartments`)."""
        from assistant.ingest.departments import CorpusDepartments

        return CorpusDepartments(self.documents)

    def select(self, doc_ids) -> list[Document]:
        """The documents with these ids (all when ``doc_ids`` is empty); unknown ids are an error."""
        if not doc_ids:
            return list(self.documents)
        known = {d.doc_id for d in self.documents}
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise CorpusError(f"没有文档 {', '.join(unknown)}；现有：{', '.join(sorted(known))}")
        return [d for d in self.documents if d.doc_id in doc_ids]
