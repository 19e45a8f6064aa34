"""Answers about a document's structure: its parts, counts, the preamble, where a clause is.

Sections (一、总体要求 …) and the preamble (前言, cited as part 0) are citable parts of their
own. What is asked is read from the question's form: a named part (第三部分 / 三、), a count
(几个部分 / 多少条), the preamble (依据 / 贯彻落实 / 开头), which part a clause is in, or the
outline as a whole.
"""

from __future__ import annotations

import re

from assistant.ingest.markers import LAST_CLAUSE
from assistant.answering.intent import PREAMBLE_WORDS
from assistant.answering.records import Answer
from assistant.answering.spans import make_citation

_COUNT = re.compile(r"几|多少|(?:一共)\s*\d+\s*(?:条)|how many", re.IGNORECASE)
# intent.PREAMBLE_WORDS, plus words that ask for the basis once the question is known to be
# about structure (依据/根据 alone would pull content questions into the preamble).
_PREAMBLE = re.compile(PREAMBLE_WORDS.pattern + r"|依据|根据|贯彻落实|上位|结合了", re.IGNORECASE)
_WHICH_PART = re.compile(r"哪个部分|哪一部分|属于|第几部分|在第几|是第几|which (?:section)",
                         re.IGNORECASE)
_DEFINITION = re.compile(r"简称|全称是")
_TERM = re.compile(r"[“\"]([^”\"]{1,12})[”\"]")
_TERM_ASKED = re.compile(r"([\u4e00-\u9fff]{2,8})(?:指)?(?:哪些)?的?(?:简称)")
_DEFINED = re.compile(r"以下简称[“]?([^）)”]{1,20})")


def compose_structure(ctx) -> Answer:
    analysis = ctx.analysis
    text = analysis.text
    if analysis.section_refs:
        return _sections(ctx, analysis.section_refs)
    if _DEFINITION.search(text):
        found = _definition(ctx)
        if found:
            return found
    if _PREAMBLE.search(text):
        return _preamble(ctx)
    if LAST_CLAUSE.search(text):  # several documents: which one's last clause is not known
        return _last(ctx)
    if _WHICH_PART.search(text) and ctx.hits:
        return _which_part(ctx)
    if _COUNT.search(text):
        return _counts(ctx)
    return _outline(ctx)


def _label(doc, section) -> str:
    return f"{section.label}{section.title}"


def _clause_list(ctx, doc, numbers) -> str:
    return "、".join(f"{doc.clause(n).cite} {doc.clause(n).title}" for n in numbers)


def _prefix(ctx, doc) -> str:
    return f"{doc.name}" if ctx.many else ""


def _sections(ctx, numbers) -> Answer:
    directs, parts, citations = [], [], []
    for doc in ctx.documents:
        for number in numbers:
            section = next((s for s in doc.sections if s.number == number), None)
            if section is None:
                continue
            for n in section.clauses:
                clause = doc.clause(n)
                citation = make_citation(doc, clause, [0], 1.0)
                citations.append(citation)
                parts.append(f"- {ctx.heading(doc, clause)}：{citation.quote}")
            name = section.label if section.label.startswith("第") else f"第{section.label.rstrip('、')}部分"
            directs.append(f"{_prefix(ctx, doc)}{name}是“{_label(doc, section)}”，"
                           f"包括 {len(section.clauses)} 条：{_clause_list(ctx, doc, section.clauses)}")
    if not directs:
        counts = "；".join(f"{_prefix(ctx, d)}共 {len(d.sections)} 个部分" for d in ctx.documents)
        direct = f"文件没有该部分。{counts}。"
        return Answer("", direct, True, "structure", direct=direct)
    direct = "；".join(directs) + "。"
    return Answer("", "\n".join([direct, ""] + parts), False, "structure", citations, direct=direct)


def _counts(ctx) -> Answer:
    lines = []
    for doc in ctx.documents:
        outline = "；".join(f"{_label(doc, s)}（{len(s.clauses)} 条）" for s in doc.sections)
        unit = "章" if doc.sections and doc.sections[0].label.endswith("章") else "个部分"
        span = f"（{doc.clauses[0].cite}至{doc.clauses[-1].cite}）" if doc.clauses else ""
        lines.append(f"{_prefix(ctx, doc)}共 {len(doc.sections)} {unit}、{len(doc.clauses)} 条{span}"
                     + (f"：{outline}" if outline else ""))
    direct = "。".join(lines) + "。"
    if ctx.analysis.yes_no:  # 一共23条，对吗: the stated counts against the asked ones
        asked = {int(n) for n in re.findall(r"(\d+)\s*(?:条|个部分|章)", ctx.analysis.text)}
        counts = {n for d in ctx.documents for n in (len(d.clauses), len(d.sections))}
        if asked:
            direct = ("是。" if asked <= counts else "否。") + direct
    return Answer("", direct, False, "structure", direct=direct)


def _outline(ctx) -> Answer:
    blocks = []
    for doc in ctx.documents:
        rows = [f"- {_label(doc, s)}：{_clause_list(ctx, doc, s.clauses)}" for s in doc.sections]
        if not rows:
            rows = [f"- {c.heading}" for c in doc.clauses]
        blocks.append(f"**{doc.name}** 共 {len(doc.sections)} 个部分、{len(doc.clauses)} 条：\n" + "\n".join(rows))
    direct = blocks[0].split("\n", 1)[0].replace("**", "") if len(blocks) == 1 else f"共 {len(blocks)} 份文件。"
    return Answer("", "\n\n".join([direct] + blocks), False, "structure", direct=direct)


def _preamble(ctx) -> Answer:
    citations, parts = [], []
    for doc in ctx.documents:
        part = doc.preamble_part
        if part is None:
            continue
        citation = make_citation(doc, part, list(range(len(part.sentences))), 1.0)
        citation.section = "前言"
        citations.append(citation)
        quote = "\n".join(f"> {q.text}" for q in citation.quotes)
        parts.append(f"**{_prefix(ctx, doc)}前言**\n\n{quote}")
    if not citations:
        direct = "文件没有前言。"
        return Answer("", direct, True, "structure", direct=direct)
    first = citations[0].quotes[0].text if citations[0].quotes else ""
    sources = re.findall(r"《[^》]{2,60}》(?:（[^）]{2,20}）)?", first)
    direct = (f"文件的前言说明了制定依据：{'、'.join(sources)}。" if sources else "文件的前言如下。")
    return Answer("", "\n\n".join([direct] + parts), False, "structure", citations, direct=direct)


def _which_part(ctx) -> Answer:
    hit = ctx.hits[0]
    doc = ctx.doc(hit.doc_id)
    clause = doc.clause(hit.clause)
    section = next((s for s in doc.sections if s.number == clause.section), None)
    citation = make_citation(doc, clause, hit.sentence_indices, hit.score)
    where = f"属于“{_label(doc, section)}”部分" if section else "不属于任何部分"
    direct = f"{ctx.heading(doc, clause)} {where}。"
    quote = "\n".join(f"> {q.text}" for q in citation.quotes)
    return Answer("", "\n\n".join([direct, f"**{ctx.heading(doc, clause)}**\n\n{quote}"]), False, "structure",
                  [citation], direct=direct)


def _definition(ctx):
    """"高新区是什么的简称": the sentence that defines it — "（以下简称高新区）"."""
    terms = _TERM.findall(ctx.analysis.text) or _TERM_ASKED.findall(ctx.analysis.text)
    for doc in ctx.documents:
        parts = ([doc.preamble_part] if doc.preamble_part else []) + list(doc.clauses)
        for part in parts:
            for i, sentence in enumerate(part.sentences):
                match = _DEFINED.search(sentence)
                if match and (not terms or any(t in match.group(1) or match.group(1) in t for t in terms)):
                    citation = make_citation(doc, part, [i], 1.0)
                    direct = f"文件中“{match.group(1).strip('“”《》')}”的定义见原文。"
                    quote = "\n".join(f"> {q.text}" for q in citation.quotes)
                    return Answer("", f"{direct}\n\n**{part.heading}**\n\n{quote}", False, "structure",
                                  [citation], direct=direct)
    return None


def _last(ctx):
    doc = ctx.documents[0]
    clause = doc.clauses[-1]
    citation = make_citation(doc, clause, list(range(len(clause.sentences))), 1.0)
    direct = f"最后一条是{ctx.heading(doc, clause)}。"
    quote = "\n".join(f"> {q.text}" for q in citation.quotes)
    return Answer("", f"{direct}\n\n{quote}", False, "structure", [citation], direct=direct)
