"""Grounded answers, composed from the document itself — no language model.

Every word a user reads is either a fixed template phrase or a verbatim quote of the
normalised clause text. Each kind of question (see :mod:`assistant.answering.intent`) has its own
composer; all of them return one :class:`Answer`, whose ``to_dict`` is the JSON contract
shared by the CLI, the Python API and the web app.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from assistant.answering.coverage import covers, quote_sentences
from assistant.answering.intent import APPLICANTS, Intent, detect_intent
from assistant.answering.questions import clean_question
from assistant.retrieval.tokenization import to_simplified


MAX_HITS = 50


@dataclass
class Citation:
    doc_id: str
    doc_title: str
    clause: int
    label: str
    title: str
    quote: str  # verbatim: one or more consecutive-or-not sentences of the clause, joined
    departments: list[str]
    score: float
    heading: str = ""
    sentences: list[str] = field(default_factory=list)  # the quoted sentences, for highlighting


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    intent: str
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # offered on refusals, not as an answer
    notice: str = ""  # e.g. "question truncated"
    error: str = ""
    understood_as: str = ""  # how a follow-up in a chat was understood ("理解为：…"), else ""
    session: str = ""  # the chat session this answer belongs to, else ""

    def to_dict(self) -> dict:
        return asdict(self)


def _citation(doc, clause, sentences: list[str], score: float) -> Citation:
    sentences = [s for s in sentences if s in clause.text] or clause.sentences[:1]
    return Citation(doc_id=doc.doc_id, doc_title=doc.meta.title, clause=clause.number, label=clause.label,
                    title=clause.title, quote="".join(sentences), departments=list(clause.departments),
                    score=round(float(score), 4), heading=clause.heading, sentences=sentences)


def _quote_md(citation: Citation) -> str:
    return "\n".join(f"> {s}" for s in citation.sentences)


def _departments_md(citation: Citation) -> str:
    return "责任单位：" + ("、".join(citation.departments) if citation.departments else "该条未列明责任单位")


def compose_answer(assistant, question: str, timings: dict | None = None) -> Answer:
    """Answer ``question`` from the assistant's document; see the module docstring."""
    cleaned = clean_question(question)
    if cleaned.error:
        return Answer(question=cleaned.text, answer=cleaned.error, refused=True, intent="invalid", error=cleaned.error)
    text = to_simplified(cleaned.text)
    doc = assistant.document
    start = time.perf_counter()
    intent = detect_intent(text, doc.departments)
    intent_seconds = time.perf_counter() - start
    # Enough clauses to order eligibility answers and offer related ones; not the whole
    # corpus, which may have thousands.
    hits = assistant.search(cleaned.text, k=min(len(doc.clauses), MAX_HITS), timings=timings)
    composer = {"clause": _clause, "metadata": _metadata, "department": _department,
                "responsibility": _responsibility, "eligibility": _eligibility}.get(intent.kind, _general)
    start = time.perf_counter() - intent_seconds
    tokens = assistant.retriever.sparse.tokenizer(text)
    answer = composer(doc, text, intent, hits, tokens)
    answer.question = cleaned.text
    answer.notice = cleaned.notice
    if timings is not None:
        timings["compose"] = timings.get("compose", 0.0) + time.perf_counter() - start
    return answer


# -- composers ---------------------------------------------------------------------------


def _refuse(doc, hits, reason: str, offer_related: bool = True) -> Answer:
    # Nearby clauses help only when the question was about the document's topics at all.
    related = [_citation(doc, doc.clause(h.clause), h.sentences, h.score) for h in hits[:3]] if offer_related else []
    lines = [f"文件中没有关于这个问题的规定。{reason}".strip()]
    if related:
        lines.append("\n以下条款内容相近，仅供参考（不是对该问题的回答）：")
        lines += [f"- {c.heading}" for c in related]
    return Answer("", "\n".join(lines), True, "out_of_scope", [], related)


# At most this many clauses are quoted in full per answer: a question naming every clause
# ("输出第一条、第二条……") gets a bounded answer, never the whole document.
MAX_CLAUSES_PER_ANSWER = 5


def _clause(doc, text, intent: Intent, hits, tokens) -> Answer:
    valid = [n for n in intent.clause_refs if 1 <= n <= len(doc.clauses)]
    if not valid:
        numbers = "、".join(str(n) for n in intent.clause_refs)
        return Answer("", f"本文件没有第{numbers}条；共 {len(doc.clauses)} 条，编号为（一）至"
                      f"{doc.clauses[-1].label}。", True, "clause")
    citations, parts = [], []
    shown, valid = valid[:MAX_CLAUSES_PER_ANSWER], valid[MAX_CLAUSES_PER_ANSWER:]
    for number in shown:
        clause = doc.clause(number)
        citation = _citation(doc, clause, list(clause.sentences), 1.0)
        citations.append(citation)
        section = f"（{clause.section_title}）" if clause.section_title else ""
        parts.append(f"**{clause.heading}**{section}\n\n{_quote_md(citation)}\n\n{_departments_md(citation)}")
    if valid:
        parts.append(f"一次最多显示 {MAX_CLAUSES_PER_ANSWER} 条；其余 {len(valid)} 条请分别查询，"
                     f"如“第{valid[0]}条讲什么”。")
    return Answer("", "\n\n".join(parts), False, "clause", citations)


_FIELD_NAMES = {"doc_number": "文号", "issuer": "发文机关", "signed_date": "成文日期", "printed_date": "印发日期",
                "printing_office": "印发机关", "addressees": "主送机关", "copy_to": "抄送",
                "publication": "公开方式", "title": "标题"}


def _metadata(doc, text, intent: Intent, hits, tokens) -> Answer:
    lines = []
    for name in intent.metadata_fields:
        value = getattr(doc.meta, name, "")
        lines.append(f"{_FIELD_NAMES[name]}：{value}" if value else f"{_FIELD_NAMES[name]}：文件中未载明。")
    answer = f"《{doc.meta.title}》\n\n" + "\n".join(lines)
    return Answer("", answer, False, "metadata")


def _department(doc, text, intent: Intent, hits, tokens) -> Answer:
    index = doc.departments
    rank = {h.clause: i for i, h in enumerate(hits)}
    citations, parts = [], []
    for name in intent.departments:
        numbers = index.clauses_by_department.get(name, [])
        parts.append(f"**{name}** 是以下 {len(numbers)} 条的责任单位：")
        for number in numbers:
            clause = doc.clause(number)
            body = [s for s in clause.sentences if s.rstrip("。") != clause.title] or clause.sentences
            citation = _citation(doc, clause, body[:1], 1.0 / (1 + rank.get(number, 0)))
            if all(c.clause != number for c in citations):
                citations.append(citation)
            parts.append(f"- {clause.heading}：{citation.quote}")
    return Answer("", "\n".join(parts), False, "department", citations)


def _grounded(doc, text, hits, tokens) -> Answer | list[Citation]:
    """The refusal when the document does not cover the question, else the citations."""
    ok, reason, related = covers(text, hits, doc, tokens)
    return _top_citations(doc, text, hits) if ok else _refuse(doc, hits, reason, related)


def _responsibility(doc, text, intent: Intent, hits, tokens) -> Answer:
    top = _grounded(doc, text, hits, tokens)
    if isinstance(top, Answer):
        return top
    parts = []
    for citation in top:
        who = "、".join(citation.departments) if citation.departments else ""
        line = (f"**{citation.heading}** 的责任单位是：{who}。" if who
                else f"**{citation.heading}** 未列明责任单位。")
        parts.append(f"{line}\n\n{_quote_md(citation)}")
    asked = intent.departments
    if asked and top:
        listed = [d for d in asked if d in top[0].departments]
        missing = [d for d in asked if d not in top[0].departments]
        if listed:
            parts.append(f"其中包括您问到的：{'、'.join(listed)}。")
        if missing:
            parts.append(f"该条的责任单位不包括：{'、'.join(missing)}。")
    return Answer("", "\n\n".join(parts), False, "responsibility", top)


def _eligibility(doc, text, intent: Intent, hits, tokens) -> Answer:
    order = {h.clause: i for i, h in enumerate(hits)}
    terms = [t for key in intent.applicants for t in APPLICANTS[key][1]]
    found = []
    for clause in doc.clauses:
        sentences = [s for s in clause.sentences if any(t in s for t in terms)]
        if sentences:
            found.append((order.get(clause.number, len(order)), clause, sentences))
    if not found:
        return _general(doc, text, Intent("general"), hits, tokens)
    found.sort(key=lambda row: row[0])
    citations = [_citation(doc, clause, sentences, 1.0 / (1 + rank)) for rank, clause, sentences in found]
    who = "、".join(intent.applicants)
    parts = [f"文件中与**{who}**相关的措施见以下 {len(citations)} 条（按与问题的相关程度排列）："]
    for citation in citations:
        parts.append(f"**{citation.heading}**\n\n{_quote_md(citation)}\n\n{_departments_md(citation)}")
    return Answer("", "\n\n".join(parts), False, "eligibility", citations)


def _general(doc, text, intent: Intent, hits, tokens) -> Answer:
    citations = _grounded(doc, text, hits, tokens)
    if isinstance(citations, Answer):
        return citations
    parts = [f"**{c.heading}**\n\n{_quote_md(c)}\n\n{_departments_md(c)}" for c in citations]
    return Answer("", "\n\n".join(parts), False, "general", citations)


def _top_citations(doc, text, hits, second_ratio: float = 0.92) -> list[Citation]:
    """The best clause, and the runner-up when it scores almost as well."""
    chosen = hits[:1] + [h for h in hits[1:2] if hits and h.score >= second_ratio * hits[0].score]
    return [_citation(doc, doc.clause(h.clause), quote_sentences(text, doc.clause(h.clause), h), h.score)
            for h in chosen]
