"""The records an answer is made of: :class:`Quote`, :class:`Citation`, :class:`Answer`.

``Answer.to_dict()`` is the JSON contract shared by the CLI (``--json``), the Python API and
the web app's named APIs. Every quote is one contiguous span of its clause's text, with
offsets, so anyone can check it against the source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Quote:
    text: str
    start: int  # offsets into Clause.text (the clause text after its label)
    end: int


@dataclass
class Citation:
    doc_id: str
    doc_title: str
    clause: int
    label: str
    title: str
    quote: str  # the spans joined with "……" (one span: the span itself)
    departments: list[str]
    score: float
    heading: str = ""
    sentences: list[str] = field(default_factory=list)  # the quoted spans, for highlighting
    quotes: list[Quote] = field(default_factory=list)
    doc_number: str = ""  # 文号
    section: str = ""  # the section it stands in: 四、激发企业创新发展活力
    ocr: bool = False  # the clause was read by OCR from a scanned page (文字识别): check the original


@dataclass
class Answer:
    question: str
    answer: str  # Markdown: the direct answer first, then the evidence
    refused: bool
    intent: str
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # offered on refusals, not as an answer
    notice: str = ""  # e.g. "question truncated"
    error: str = ""
    direct: str = ""  # one or two sentences answering the question asked
    analysis: dict = field(default_factory=dict)  # the QuestionAnalysis, for --json and the debug panel
    understood_as: str = ""  # how a follow-up was read in a conversation
    session: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
