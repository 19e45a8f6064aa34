"""Grounded answers, composed from the documents themselves — no language model.

:func:`compose_answer` is a pure function of (question, analysis, hits, corpus): every word
a user reads is a fixed template phrase or a verbatim span of a clause. The answer begins
with a direct answer to the question asked — the provision that answers, whole (the number
with its phrase, 是/否 with the provision deciding it), the department list, the section —
and then quotes the evidence, each quote one contiguous span of its clause.
"""

from __future__ import annotations

import math
import re
from functools import cached_property

from assistant import lexicons
from assistant.answering.grounding import STAGE, _listed_counts, _quantities, ground, other_document, unconfirmed_property, unfounded_premise
from assistant.answering.records import Answer, Citation
from assistant.ingest.records import ClauseRef
from assistant.answering.spans import (HAS, bigrams, clause_frequency, coverage, fact_phrase, make_citation, overlap,
                                       phrases, whole_unit)
from assistant.answering.structure import compose_structure

# At most this many clauses are quoted in full per answer: a question naming every clause
# ("输出第一条、第二条……") gets a bounded answer, never the whole document.
MAX_CLAUSES_PER_ANSWER = 5
SECOND_RATIO = 0.92  # a runner-up clause is cited too when it scores this close to the best
_NUMBER_IN = re.compile(r"\d+(?:\.\d+)?")
_COUNTING = re.compile(r"几个|多少个|多少家|几家|how many", re.IGNORECASE)


def compose_answer(question: str, analysis, hits, corpus, tokens=None) -> Answer:
    """The answer to ``question`` (cleaned), given its analysis and the retrieved hits."""
    documents = corpus.select(analysis.doc_ids) if analysis.doc_ids else list(corpus.documents)
    # Listings across documents follow the routing's preference: the named, then the
    # leaning, then the widest jurisdiction (a regional measure applies everywhere).
    order = {d: i for i, d in enumerate(analysis.preferred)}
    documents.sort(key=lambda d: order.get(d.doc_id, len(order)))
    context = _Context(question, analysis, hits, corpus, documents, tokens or [])
    if not tokens and not (analysis.clause_refs or analysis.metadata_fields or analysis.departments
                           or analysis.kind == "structure"):
        return _clarify(context)
    if analysis.clause_refs and not _valid_refs(analysis, documents):
        return _no_such_clause(context)
    # 听说X，对不对？ asks to verify the premise: the yes/no answer decides, not a refusal.
    verifying = analysis.yes_no and re.search(r"(?:对不对|对吗|真的吗|对吧|是这样吗)[？?。]*$", analysis.text)
    premise = unfounded_premise(analysis.text, corpus.documents) if analysis.kind != "metadata" and not verifying else ""
    if premise:  # 既然文件要求管委会改制成国有公司…: the document has no such content
        return refuse(context, f"文件没有“{premise}”这样的内容。", True)
    led = _wrong_lead(context)
    if led:
        return led
    other = other_document(analysis, documents, any_question=bool(analysis.clause_refs))
    if other:  # 《某某条例》第十条讲什么: that document's clause, not ours
        return refuse(context, f"文件库中没有{other}，无法回答其中的具体规定。", True)
    if analysis.kind in ("structure", "clause"):
        scoped_out = _outside_the_corpus(context)
        if scoped_out:
            return scoped_out
    if analysis.kind == "clause" and analysis.yes_no:
        analysis.kind = "general"  # 第二条的目标是不是只定到2025年: decided from the named clause's text
    named_part = analysis.kind == "clause" or (analysis.kind == "structure" and analysis.section_refs)
    counts_parts = re.search(r"(?:几|多少)个?(?:部分|条|章)|how many (?:parts|sections)", analysis.text, re.I)
    states_numbers = any(u for n, u in _quantities(analysis.text) if n not in {str(r) for r in analysis.clause_refs})
    # 第十二条规定贴息比例是50%…: the named clause must state what the question says of it.
    if named_part and not counts_parts and (
            set(analysis.asks_for) & {"quantity", "procedure", "criteria", "contact", "materials"} or states_numbers):
        analysis.kind = "general"  # 按第十二条，贴息上限是多少: answered (or refused) from the text
    composer = {"clause": _clause, "metadata": _metadata, "structure": compose_structure,
                "department": _department, "responsibility": _responsibility,
                "eligibility": _eligibility}.get(analysis.kind, _general)
    answer = composer(context)
    answer.question = question
    answer.analysis = analysis.to_dict()
    if not answer.answer:
        answer.answer = answer.direct
    return answer


def _outside_the_corpus(ctx) -> Answer | None:
    """A structure or clause question about another document: one named by a 文号 the corpus
    does not have (unless the preamble cites it and the question asks about the preamble), or
    a place none of the documents covers (宁夏出台的实施意见有哪些条款)."""
    from assistant.answering.analysis import known_doc_numbers
    from assistant.answering.intent import PREAMBLE_WORDS
    from assistant.answering.places import foreign_places

    analysis = ctx.analysis
    own = set(known_doc_numbers(ctx.documents))
    unknown = [n for n in analysis.doc_numbers if n not in own]
    if unknown and not PREAMBLE_WORDS.search(analysis.text):
        return refuse(ctx, f"文件库中没有文号为{'、'.join(unknown)}的文件。", True)
    foreign = foreign_places(analysis.places, ctx.documents)
    if foreign and not set(analysis.places) - set(foreign):
        return refuse(ctx, f"文件不涉及{'、'.join(foreign)}。", True)
    return None


class _Context:
    """What every composer reads: plain data, no search."""

    def __init__(self, question, analysis, hits, corpus, documents, tokens):
        self.question, self.analysis, self.hits, self.corpus = question, analysis, hits, corpus
        self.documents, self.tokens = documents, tokens
        self.many = len(corpus.documents) > 1

    def doc(self, doc_id):
        return self.corpus.document(doc_id)

    @cached_property
    def focus_text(self) -> str:
        """What is asked: for an applicant with a need, the need (not who they are)."""
        analysis = self.analysis
        return analysis.need if analysis.kind == "eligibility" and analysis.need else analysis.text

    @cached_property
    def focus_grams(self) -> set[str]:
        from assistant.answering.grounding import informative

        return informative(bigrams(self.focus_text), self.documents)

    @cached_property
    def focus_weights(self) -> dict[str, float]:
        """Each distinctive word of the question, weighted 1 / (clauses that contain it)."""
        frequency, _ = clause_frequency(self.documents)
        return {g: 1.0 / max(1, frequency(g)) for g in self.focus_grams}

    @cached_property
    def unit_weights(self) -> dict[str, float]:
        """:attr:`focus_weights` for choosing what to quote inside a clause: only the bigrams
        inside a word of the question (园区主要 is 园区|主要, not 区主), and each number it
        states (20%, not a year) at the weight of the rarest word."""
        from assistant.retrieval.tokenization import base_jieba

        inside = {g for w in base_jieba().lcut(self.focus_text) for g in bigrams(w)}
        weights = {g: w for g, w in self.focus_weights.items() if g in inside} or dict(self.focus_weights)
        for number in re.findall(r"\d+(?:\.\d+)?%?", re.sub(r"(?:19|20)\d{2}年?", "", self.focus_text)):
            weights[number] = 1.0
        return weights

    def heading(self, doc, clause) -> str:
        """``第（十二）条 强化科技金融服务``, with the document named when there are several."""
        return f"{doc.name}{clause.heading}" if self.many else clause.heading


# -- shared pieces -----------------------------------------------------------------------


def quote_md(citation: Citation) -> str:
    return "\n".join(f"> {q.text}".replace("\n", "\n> ") for q in citation.quotes)


def departments_md(citation: Citation) -> str:
    return "责任单位：" + ("、".join(citation.departments) if citation.departments else "该条未列明责任单位")


def evidence_md(ctx: _Context, citation: Citation, departments: bool = True) -> str:
    clause = ctx.doc(citation.doc_id).clause(citation.clause)
    head = f"**{ctx.heading(ctx.doc(citation.doc_id), clause)}**"
    parts = [head, quote_md(citation)]
    if departments:
        parts.append(departments_md(citation))
    return "\n\n".join(parts)


def refuse(ctx: _Context, reason: str = "", offer_related: bool = False, hits=None) -> Answer:
    hits = ctx.hits if hits is None else hits
    related = []
    if offer_related:
        for h in hits[:3]:
            doc = ctx.doc(h.doc_id)
            related.append(make_citation(doc, doc.clause(h.clause), h.sentence_indices, h.score))
    direct = f"文件中没有关于这个问题的规定。{reason}".strip()
    lines = [direct]
    if related:
        lines.append("\n以下条款内容相近，仅供参考（不是对该问题的回答）：")
        lines += [f"- {ctx.heading(ctx.doc(c.doc_id), ctx.doc(c.doc_id).clause(c.clause))}" for c in related]
    return Answer("", "\n".join(lines), True, "out_of_scope", [], related, direct=direct)


def _clarify(ctx: _Context) -> Answer:
    direct = ("请具体说明您想了解文件的哪方面内容，例如“科技金融有哪些支持”“孵化器建设由哪个部门负责”"
              "或“第十二条讲什么”。")
    return Answer("", direct, True, "clarify", direct=direct)


def quoted_indices(ctx: _Context, clause, hit) -> list[int]:
    """The sentences to quote: the retriever's best, plus the sentence holding the asked
    fact (a number, a date, an asked year) when the best ones lack it."""
    chosen = [i for i in (hit.sentence_indices if hit else []) if i < len(clause.sentences)] or [0]
    kind = {"number": "number", "date": "date"}.get(ctx.analysis.asked)
    kinds = [kind] if kind else []
    kinds += [k for k in ctx.analysis.asks_for if k in HAS and k not in kinds]
    grams = bigrams(ctx.analysis.text)
    # The sentence that covers most of the asked content's distinctive words the quoted ones
    # lack is quoted too: the retriever's best sentence may match one half of the question
    # (干部人事制度改革) or who is asking, not what they ask (人员身份 → 身份封存、双轨运行).
    weights = ctx.focus_weights
    body = [i for i, s in enumerate(clause.sentences) if s.rstrip("。") != clause.title]
    if weights and body:
        missing = {g for g in weights if not any(g in clause.sentences[i] for i in chosen)}

        def gain(i: int) -> float:  # rarer words weigh more: 身份 over 人员
            return math.fsum(weights[g] for g in missing if g in clause.sentences[i])  # exact: no hash-order ties

        best = max(body, key=gain)
        if gain(best) > 0:
            chosen = sorted(set(chosen) | {best})
    for k in kinds:
        typed = [i for i, s in enumerate(clause.sentences) if HAS[k].search(s)
                 and all(y in s for y in ctx.analysis.years)]
        typed = typed or [i for i, s in enumerate(clause.sentences) if HAS[k].search(s)]
        if typed and not any(i in typed for i in chosen):
            best = max(typed, key=lambda i: overlap(grams, clause.sentences[i]))
            chosen = sorted(set(chosen) | {best})
        elif typed:
            best = max(typed, key=lambda i: overlap(grams, clause.sentences[i]))
            if overlap(grams, clause.sentences[best]) > max(overlap(grams, clause.sentences[i]) for i in chosen):
                chosen = sorted(set(chosen) | {best})
    return chosen


def top_citations(ctx: _Context, hits) -> list[Citation]:
    """The best clause, and the runner-up when it scores almost as well."""
    chosen = hits[:1] + [h for h in hits[1:2] if hits and h.score >= SECOND_RATIO * hits[0].score]
    out = []
    for h in chosen:
        doc = ctx.doc(h.doc_id)
        clause = doc.clause(h.clause)
        out.append(make_citation(doc, clause, quoted_indices(ctx, clause, h), h.score))
    return out


# -- composers ---------------------------------------------------------------------------


def _valid_refs(analysis, documents) -> bool:
    return any(1 <= n <= len(d.clauses) for n in analysis.clause_refs for d in documents)


def _no_such_clause(ctx: _Context) -> Answer:
    counts = "；".join(f"{d.name if ctx.many else '本文件'}共 {len(d.clauses)} 条（{d.clauses[0].cite}至{d.clauses[-1].cite}）"
                      for d in ctx.documents if d.clauses)
    numbers = "、".join(f"第{n}条" for n in ctx.analysis.clause_refs)
    direct = f"文件没有{numbers}。{counts}。"
    return Answer("", direct, True, "clause", direct=direct)


def _clause(ctx: _Context) -> Answer:
    rank = {d.doc_id: i for i, d in enumerate(ctx.documents)}
    refs = sorted(dict.fromkeys(h.ref for h in ctx.hits if h.clause in ctx.analysis.clause_refs),
                  key=lambda r: (ctx.analysis.clause_refs.index(r.clause), rank.get(r.doc_id, 99)))
    if not refs:
        return _no_such_clause(ctx)
    citations, parts = [], []
    shown, rest = refs[:MAX_CLAUSES_PER_ANSWER], refs[MAX_CLAUSES_PER_ANSWER:]
    for ref in shown:
        doc = ctx.doc(ref.doc_id)
        clause = doc.clause(ref.clause)
        citation = make_citation(doc, clause, list(range(len(clause.sentences))), 1.0)
        citations.append(citation)
        section = f"（{citation.section}）" if citation.section else ""
        parts.append(f"**{ctx.heading(doc, clause)}**{section}\n\n{quote_md(citation)}\n\n{departments_md(citation)}")
    direct = "；".join(f"{ctx.heading(ctx.doc(c.doc_id), ctx.doc(c.doc_id).clause(c.clause))}" for c in citations)
    direct = f"{direct}。原文如下。" if len(citations) == 1 else f"共 {len(citations)} 处：{direct}。"
    if rest:
        doc = ctx.doc(rest[0].doc_id)
        parts.append(f"一次最多显示 {MAX_CLAUSES_PER_ANSWER} 条；其余 {len(rest)} 条请分别查询，"
                     f"如“第{rest[0].clause}条讲什么”（{doc.clause(rest[0].clause).cite}）。")
    return Answer("", "\n\n".join([direct] + parts), False, "clause", citations, direct=direct)


def _metadata(ctx: _Context) -> Answer:
    from assistant.ingest.records import META_FIELDS

    blocks, directs = [], []
    for doc in ctx.documents:
        lines = []
        for name in ctx.analysis.metadata_fields:
            value = getattr(doc.meta, name, "").rstrip("。")
            lines.append(f"{META_FIELDS[name]}：{value}" if value else f"{META_FIELDS[name]}：文件中未载明。")
        directs.append(("；".join(lines) if not ctx.many else f"{doc.name}：" + "；".join(lines)))
        blocks.append((f"**{doc.name}**\n\n" if ctx.many else f"《{doc.meta.title}》\n\n") + "\n".join(lines))
    direct = "。".join(directs) + "。"
    stated = [getattr(d.meta, n, "") for d in ctx.documents for n in ctx.analysis.metadata_fields]
    if not any(stated):
        missing = "、".join(META_FIELDS[n] for n in ctx.analysis.metadata_fields)
        if ctx.analysis.yes_no:  # 带不带附件: the document has none — that is the answer
            direct = f"否。文件没有{missing}。"
            return Answer("", direct, False, "metadata", direct=direct)
        return refuse(ctx, f"文件没有载明{missing}。")
    wrong = _wrong_premise(ctx)
    if wrong:
        # 这个文件是2019年发布的，到现在还有效吗: the question rests on a value the document
        # contradicts; say so, with what the document does state, instead of answering.
        direct = f"问题中的“{wrong}”与文件不符。文件载明：{direct}"
        return Answer("", "\n\n".join([direct] + blocks), True, "metadata", direct=direct)
    if ctx.analysis.yes_no:
        verdict = _metadata_verdict(ctx)
        direct = verdict + direct + (_found_elsewhere(ctx) if verdict == "否。" else "")
    return Answer("", "\n\n".join([direct] + blocks), False, "metadata", direct=direct)


def _found_elsewhere(ctx: _Context) -> str:
    """For a 否 on 抄送/主送: the other field that does list the named body."""
    from assistant.ingest.records import META_FIELDS

    names = [w for w in re.findall(r"[\u4e00-\u9fff、，]{4,}", ctx.analysis.text)]
    for doc in ctx.documents:
        for field in ("addressees", "copy_to"):
            if field in ctx.analysis.metadata_fields:
                continue
            value = getattr(doc.meta, field, "")
            hit = next((n for n in names for i in range(len(n) - 3) if n[i:i + 4] in value), "")
            if hit:
                return f"（{META_FIELDS[field]}：{value.rstrip('。')}）"
    return ""


_LED_BY = re.compile(r"由([^，。？?由]{2,14}?)(?:牵头|负责|管)")


def _wrong_lead(ctx: _Context):
    """A premise that a department leads a measure (呼包鄂自创区是由教育厅牵头的，教育厅要做
    哪些事？) when the measure's clause does not list it: a refusal naming who does."""
    parts = [p for p in re.split(r"[，,；;？?。！!]", ctx.analysis.text) if p.strip()]
    if len(parts) < 2 or not ctx.hits:
        return None
    for part in parts[:-1]:
        match = _LED_BY.search(part)
        if not match:
            continue
        named = ctx.corpus.departments.find_in(match.group(1))
        # The measure is what the premise's subject names (呼包鄂自创区), not the question's
        # department: the hit whose clause shares most words with that subject.
        subject = bigrams(re.sub(r"^(?:文件[里中]?|听说|既然)", "", part[:match.start()]))
        hit = max(ctx.hits[:10], key=lambda h: overlap(subject, h.title + ctx.doc(h.doc_id).clause(h.clause).text))
        clause = ctx.doc(hit.doc_id).clause(hit.clause)
        if overlap(subject, clause.title + clause.text) < 2:
            continue
        if named and clause.departments and not set(named) & set(clause.departments):
            citation = make_citation(ctx.doc(hit.doc_id), clause, quoted_indices(ctx, clause, hit), hit.score)
            direct = (f"问题中的“{part.strip()}”与文件不符：{ctx.heading(ctx.doc(hit.doc_id), clause)}的责任单位是"
                      f"{'、'.join(clause.departments)}。")
            return Answer("", "\n\n".join([direct, evidence_md(ctx, citation)]), True, "responsibility",
                          [citation], direct=direct)
    return None


def _wrong_premise(ctx: _Context) -> str:
    """A clause of the question, other than the one that asks, that states a year, an issuing
    body or a 文号 the document contradicts (是国务院办公厅印发的…吧？文号是多少)."""
    from assistant.answering.analysis import doc_numbers_in, known_doc_numbers, years_in

    parts = [p for p in re.split(r"[，,；;？?。！!]", ctx.analysis.text) if p.strip()]
    if len(parts) < 2:
        return ""
    values = re.sub(r"\s+", "", "".join(f"{d.meta.signed_date}{d.meta.printed_date}{d.meta.issuer}"
                                       f"{d.meta.printing_office}{d.meta.doc_number}" for d in ctx.documents))
    for part in parts[:-1]:
        if any(y not in values for y in years_in(part)):
            return part.strip()
        if any(o not in values for o in _ORGAN.findall(part)):
            return part.strip()
        if any(n not in values for n in doc_numbers_in(part, known_doc_numbers(ctx.documents))):
            return part.strip()
    return ""


_LIST_FILLER = re.compile(r"名单|里面|里|有没有|是不是|包括|包含|单位|机关|给了|了吗|吗|有|在|给|向|到|了")
_FILLER = re.compile(r"(?:这份|文件|本文|有没有|是不是|是否|吗|给|了|到|的)+")


_ORGAN = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:国务院|人民政府|政府|厅|局|办)(?=印发|发布|发|出|制定|出台|下发|颁布|签发)")
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})[日号]")


def _metadata_verdict(ctx: _Context) -> str:
    """是/否 for "这是2021年出的文件吗", "抄送了内蒙古军区吗", "是不是…12号": the asked year,
    文号 or name against the stated values."""
    from assistant.answering.intent import FIELD_FORMS

    analysis = ctx.analysis
    values = "".join(getattr(d.meta, n, "") for d in ctx.documents for n in analysis.metadata_fields)
    compact = re.sub(r"\s+", "", values)
    if analysis.doc_numbers:
        return "是。" if all(n in compact for n in analysis.doc_numbers) else "否。"
    if analysis.years and not _DAY.search(analysis.text):
        return "是。" if all(y in compact for y in analysis.years) else "否。"
    days = _DAY.findall(re.sub(r"\d{4}年", "", analysis.text))
    if days and set(analysis.metadata_fields) & {"signed_date", "printed_date"}:
        # 成文日期是10月28日吗 / 是15号签的、28号印的对吧: each named day against the dates.
        said = [f"{m}月{d}日" if m else f"{d}日" for m, d in days]
        years_ok = all(y in compact for y in analysis.years)
        return "是。" if years_ok and all(x in compact for x in said) else "否。"
    if analysis.metadata_fields == ["publication"] and re.search(r"不予公开|内部", analysis.text):
        return "否。" if "公开发布" in compact else "是。"
    organs = _ORGAN.findall(analysis.text)
    if "issuer" in analysis.metadata_fields and organs:
        # 是国务院印发的吗: the named body against the issuer.
        return "是。" if all(o in compact or compact.endswith(o) for o in organs) else "否。"
    if analysis.metadata_fields == ["publication"] and "公开" in compact:
        return "否。" if re.search(r"不(?:予)?公开|内部", compact) else "是。"
    asked_forms = [f for n in analysis.metadata_fields for f in FIELD_FORMS.get(n, ()) if f in analysis.text]
    if any(len(f) >= 2 and f in compact for f in asked_forms):
        return "是。"  # 是公开发布的吗 / 此件公开发布: the value says what the question asks
    rest = analysis.text
    for forms in FIELD_FORMS.values():
        for form in sorted(forms, key=len, reverse=True):
            rest = rest.replace(form, " ")
    rest = _LIST_FILLER.sub(" ", rest)
    names = [w for w in re.findall(r"[\u4e00-\u9fff]{2,}", rest) if not _FILLER.fullmatch(w)]
    # Long names by their 4-character pieces; a short one (法院) whole.
    grams = {w[i:i + 4] for w in names for i in range(max(1, len(w) - 3))} | {w for w in names if len(w) <= 3}
    if grams and any(g in compact for g in grams):
        return "是。"
    # 自治区各委、办、厅、局是抄送单位吗: a body missing from a list field that is stated.
    listed = {"copy_to", "addressees"} & set(analysis.metadata_fields)
    return "否。" if grams and listed and compact else ""


def _department(ctx: _Context) -> Answer:
    """The clauses of each named department, per document (in preference order); with
    "共同", only the clauses every named department shares within one document."""
    rank = {h.ref: i for i, h in enumerate(ctx.hits)}
    sets = []  # (label, refs)
    for doc in ctx.documents:
        names = [n for n in ctx.analysis.departments if n in doc.departments.clauses_by_department]
        by_name = [(n, [ClauseRef(doc.doc_id, c) for c in doc.departments.clauses_by_department[n]]) for n in names]
        if ctx.analysis.department_mode == "and" and len(by_name) > 1:
            common = [r for r in by_name[0][1] if all(r in refs for _, refs in by_name[1:])]
            sets.append(("和".join(n for n, _ in by_name) + "共同", common, by_name))
        else:
            sets += [(n, refs, None) for n, refs in by_name]
    if ctx.analysis.department_mode == "and" and sets and not any(refs for _, refs, _ in sets):
        direct = f"文件中没有{sets[0][0].removesuffix('共同')}共同负责的条款。"
        lines = [direct] + [f"- {n}：{'、'.join(_cite(ctx, r) for r in refs) or '无'}"
                            for _, _, each in sets if each for n, refs in each]
        return Answer("", "\n".join(lines), False, "department", direct=direct)
    citations, parts, directs = [], [], []
    for name, refs, _ in sets:
        if not refs:
            continue
        directs.append(f"{name}是{len(refs)}条的责任单位：{'、'.join(_cite(ctx, r) for r in refs)}")
        parts.append(f"**{name}** 是以下 {len(refs)} 条的责任单位：")
        for ref in refs:
            doc = ctx.doc(ref.doc_id)
            clause = doc.clause(ref.clause)
            body = [i for i, s in enumerate(clause.sentences) if s.rstrip("。") != clause.title] or [0]
            citation = make_citation(doc, clause, body[:1], 1.0 / (1 + rank.get(ref, 0)))
            if all((c.doc_id, c.clause) != tuple(ref) for c in citations):
                citations.append(citation)
            parts.append(f"- {ctx.heading(doc, clause)}：{citation.quote}")
    direct = "；".join(directs) + "。"
    return Answer("", "\n".join([direct, ""] + parts), False, "department", citations, direct=direct)


def _cite(ctx: _Context, ref) -> str:
    doc_id, number = ref  # a ClauseRef or a (doc_id, clause) pair
    doc = ctx.doc(doc_id)
    return ctx.heading(doc, doc.clause(number))


def _grounded(ctx: _Context):
    """The refusal when the documents do not cover the question, else the citations."""
    result = ground(ctx.analysis, ctx.hits, ctx.documents, ctx.tokens, ctx.corpus.documents)
    if not result.covered:
        return refuse(ctx, result.reason, result.offer_related, result.hits or ctx.hits)
    return top_citations(ctx, result.hits)


def _responsibility(ctx: _Context) -> Answer:
    top = _grounded(ctx)
    if isinstance(top, Answer):
        return top
    first = top[0]
    heading = ctx.heading(ctx.doc(first.doc_id), ctx.doc(first.doc_id).clause(first.clause))
    who = "、".join(first.departments)
    count = f"共 {len(first.departments)} 个" if _COUNTING.search(ctx.analysis.text) else "是"
    direct = f"{heading} 的责任单位{count}：{who}。" if who else f"{heading} 未列明责任单位。"
    asked = ctx.analysis.departments
    if asked:
        listed = [d for d in asked if d in first.departments]
        missing = [d for d in asked if d not in first.departments]
        if ctx.analysis.yes_no:
            # An exclusive claim (只/仅 + a unit) holds only when no other unit is listed.
            alone = not _EXCLUSIVE.search(ctx.analysis.text) or len(first.departments) == len(listed)
            verdict = "是。" if listed and not missing and alone else "否。"
            direct = verdict + direct
        if listed:
            direct += f"其中包括您问到的：{'、'.join(listed)}。"
        if missing:
            direct += f"不包括：{'、'.join(missing)}。"
    parts = [direct] + [evidence_md(ctx, c, departments=False) for c in top]
    return Answer("", "\n\n".join(parts), False, "responsibility", top, direct=direct)


def _eligibility(ctx: _Context) -> Answer:
    who = "、".join(ctx.analysis.applicants)
    if ctx.analysis.need:
        # Applicant *and* need: the need's clause answers; the applicant is context.
        answer = _general(ctx)
        if not answer.refused:
            answer.intent = "eligibility"
            verdict = re.match(r"(?:是|否)(?:，文件有限定)?。|" + NOT_DECIDED, answer.direct) if ctx.analysis.yes_no else None
            rest = answer.direct[verdict.end():] if verdict else answer.direct
            # 高校老师能拿到…所有权吗: the verdict first, then whose need it answers.
            answer.direct = (verdict.group(0) if verdict else "") + f"针对{who}的这一需求，" + rest
            answer.answer = answer.direct + answer.answer[answer.answer.find("\n\n"):]
        return answer
    order = {h.ref: i for i, h in enumerate(ctx.hits)}
    terms = [t for key in ctx.analysis.applicants for t in lexicons.applicants()[key]["terms"]]
    found = []
    for doc in ctx.documents:
        for clause in doc.clauses:
            indices = [i for i, s in enumerate(clause.sentences) if any(t in s for t in terms)]
            if indices:
                found.append((order.get(clause.ref, len(order)), doc, clause, indices))
    if not found:
        return _general(ctx)
    found.sort(key=lambda row: row[0])
    citations = [make_citation(doc, clause, indices, 1.0 / (1 + rank)) for rank, doc, clause, indices in found]
    shown = citations[:MAX_CLAUSES_PER_ANSWER]
    direct = (f"文件中与{who}相关的措施有 {len(citations)} 条，最相关的是"
              f"{'、'.join(_cite(ctx, (c.doc_id, c.clause)) for c in shown[:3])}。")
    parts = [direct] + [evidence_md(ctx, c) for c in shown]
    if len(citations) > len(shown):
        parts.append("其余相关条款：" + "、".join(_cite(ctx, (c.doc_id, c.clause)) for c in citations[len(shown):]))
    return Answer("", "\n\n".join(parts), False, "eligibility", citations, direct=direct)


def _general(ctx: _Context) -> Answer:
    citations = _grounded(ctx)
    if isinstance(citations, Answer):
        return citations
    direct = _direct(ctx, citations[0])
    if ctx.analysis.yes_no and direct.startswith(("是", NOT_DECIDED)) and not ctx.analysis.clause_refs:
        unknown = unconfirmed_property(ctx.analysis.text, ctx.corpus.documents)
        if unknown:  # 人才公寓是免费住的吗: the text never says 免费 — not a 是
            return refuse(ctx, f"文件没有提到“{'、'.join(unknown)}”。", True, ctx.hits)
    parts = [direct] + [evidence_md(ctx, c) for c in citations]
    return Answer("", "\n\n".join(parts), False, "general", citations, direct=direct)


def _direct(ctx: _Context, citation: Citation) -> str:
    """One sentence answering the question asked, from template words and one or two whole
    verbatim units (:func:`_unit`): the provision that answers, the number with its phrase."""
    doc = ctx.doc(citation.doc_id)
    clause = doc.clause(citation.clause)
    heading = ctx.heading(doc, clause)
    analysis = ctx.analysis
    kind = {"number": "number", "date": "date"}.get(analysis.asked)
    if analysis.asked == "yes_no" or analysis.yes_no and analysis.kind == "eligibility":
        return _yes_no(ctx, citation, heading)
    if kind == "date":
        dated = _dated_phrases(ctx, citation)
        if dated:
            return f"根据{heading}：" + "；".join(dated) + "。"
    if kind:
        phrase = fact_phrase(analysis.text, citation.sentences, kind, analysis.years)
        if phrase:
            return f"根据{heading}：“{_unit(ctx, citation, phrase)}”。"
    unit = _unit(ctx, citation, second=True)
    return f"根据{heading}：“{unit}”。" if unit else f"见{heading}。"


def _unit(ctx: _Context, citation: Citation, must: str = "", second: bool = False) -> str:
    """The whole verbatim unit a direct answer quotes (:func:`~.spans.whole_unit`): with
    ``must`` (a phrase of the clause: the number's, the deciding one) the provision holding
    it; otherwise the provision of the quoted text (or one the asked year governs) that
    covers most of the question, rarer words weighing more (:attr:`_Context.unit_weights`);
    with ``second``, also the provision holding what that one lacks."""
    from assistant.ingest.provisions import clause_provisions

    doc = ctx.doc(citation.doc_id)
    clause = doc.clause(citation.clause)
    text = clause.text
    weights = ctx.unit_weights or {g: 1.0 for g in bigrams(ctx.focus_text)}
    units = {}  # each provision's (start, end) in the clause text → the years governing it
    for p in clause_provisions(doc, clause.number):
        start = p.start if text[p.start:p.end] == p.text else text.find(p.text)
        if start >= 0:
            units[(start, start + len(p.text))] = {str(y) for y in p.years}
    quoted = [(q.start, q.end) for q in citation.quotes]
    if must:
        found = [m.start() for m in re.finditer(re.escape(must), text)]
        at = next((a for a in found if any(s <= a and a + len(must) <= e for s, e in quoted)), found[0] if found else -1)
        holder = next(((s, e) for s, e in units if s <= at and at + len(must) <= e), None)
        if holder is None:
            return must
        s, e = holder
        return whole_unit(text[s:e], lambda u: coverage(weights, u), (at - s, at - s + len(must)))
    years = set(ctx.analysis.years)
    body = [(s, e) for s, e in units if any(a <= s and e <= b for a, b in quoted) or years & units[(s, e)]]
    body = [(s, e) for s, e in body if text[s:e].rstrip("。；;").strip() != clause.title] or body
    body = body or [(s, e) for s, e in units if any(s < b and a < e for a, b in quoted)]
    if not body:
        return ""
    # The words of the clause's title found it; inside the clause the other words decide.
    own = {g: w for g, w in weights.items() if g not in clause.title}
    grams = bigrams(ctx.focus_text)

    def score(unit: str) -> tuple:
        return coverage(own, unit), coverage(weights, unit)

    # A year the question names picks the provisions it governs (到2035年 → its target).
    choices = {whole_unit(text[s:e], score): len(years & units[(s, e)]) for s, e in body}
    best = max(choices, key=lambda u: (choices[u], score(u), overlap(grams, u)))
    if not second:
        return best
    # A second unit when the question asks about two things the clause states apart
    # (授权事项清单制度和直通车制度): the one holding the most of what the first lacks — at
    # least a word no other clause has.
    missing = {g: w for g, w in own.items() if g not in best}
    rest = [u for u in choices if choices[u] == choices[best] and u not in best and best not in u]
    other = max(rest, key=lambda u: coverage(missing, u), default="")
    if other and coverage(missing, other) >= 1.0:
        return "”……“".join(sorted((best, other), key=text.find))
    return best


_OPENING_DATE = re.compile(r"^(?:到)?\s*\d{4}\s*年(?:内)?$")
_SEVERAL = re.compile(r"分别|哪两|哪几|各是|几个时间")


def _dated_phrases(ctx: _Context, citation: Citation) -> list[str]:
    """For "when": each sentence-opening date (到2025年) with the provision it governs that
    shares most with the question, as one or two whole verbatim units (“到2025年”……“国家级
    高新区达到5家以上，…盟市全覆盖”); every such date when the question asks for several
    (分别是哪两年)."""
    clause = ctx.doc(citation.doc_id).clause(citation.clause)
    grams = ctx.focus_grams or bigrams(ctx.focus_text)
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", re.sub(r"(?:19|20)\d{2}年?", "", ctx.analysis.text)))
    text = clause.text
    found = []
    openers = list(re.finditer(r"(?:^|(?<=[。；]))[^。；，]*?\d{4}\s*年[^。；，]*", text))
    for k, match in enumerate(openers):
        opener = match.group(0).strip()
        # A target year governs what follows it up to the next target year (到2025年，…。
        # 发展环境明显改善…。到2035年，…).
        end = openers[k + 1].start() if k + 1 < len(openers) else len(text)
        scope = text[match.end():end]
        parts = [p for p in re.split(r"[，；、。]", scope) if p.strip()]

        def fit(p: str) -> int:
            return overlap(grams, p) + 2 * sum(1 for n in numbers if n in p)

        best = max(parts, key=fit, default="")
        score = overlap(grams, opener + scope) + 2 * sum(1 for n in numbers if n in scope)
        if not _OPENING_DATE.match(opener) or not best or not fit(best):
            found.append((score, f"“{_unit(ctx, citation, opener)}”"))
        else:
            unit = _unit(ctx, citation, best.strip())
            found.append((score, f"“{unit}”" if unit.startswith(opener) else f"“{opener}”……“{unit}”"))
    if not found:
        return []
    if _SEVERAL.search(ctx.analysis.text):
        return [f for _, f in found]
    stage = STAGE.search(ctx.analysis.text)
    if stage:  # 远期目标 → the last target year; 近期/中期 → the first
        return [found[-1][1] if stage.group(0) in ("远期", "长期", "远景", "最终") else found[0][1]]
    return [max(found, key=lambda f: f[0])[1]] if max(found)[0] > 0 else []


# A question that claims an absolute (all, any, unrestricted, once is enough) …
_ABSOLUTE = re.compile(r"所有|全部|一律|都要|不受限制|只要|一次就|就会|直接")
# … is answered 否 by a text that qualifies it (an exception, a control, a condition).
_QUALIFIER = re.compile(r"除[^，。；]{1,30}(?:外)|以外|严格|控制|限制|不得|连续|原则上|经[^，。；]{1,12}(?:后)|"
                        r"符合条件|有条件|优先")


_NEGATOR = "(?:不|不能|未)"


def _negation(analysis, citation: Citation) -> str:
    """The phrase in which the text negates what the question asks about (能重复拿钱吗 vs
    不重复支持; 逾期还受理吗 vs 逾期不予受理), unless the question carries the same negation."""
    grams = sorted(g for g in bigrams(analysis.text) if not re.match(_NEGATOR, g))
    if not grams:
        return ""
    # One pattern per question (not one per word: hundreds of patterns overflow re's cache).
    negated = re.compile(_NEGATOR + "[\u4e00-\u9fff]?(?:" + "|".join(map(re.escape, grams)) + ")")
    for sentence in citation.sentences:
        for phrase in phrases(sentence):
            if re.search(r"除.{1,30}(?:外)", phrase):
                continue  # an exception to a rule does not negate the rule
            for start in range(len(phrase)):  # every start, as the per-word search did
                match = negated.match(phrase, start)
                if match and match.group(0) not in analysis.text:
                    return phrase
    return ""


_EXCEPTION = re.compile(r"除([^，。；]{1,24}?)(?:以外|外)，[^，。；]+")
_RESTRICTION = re.compile(r"严格控制|限制|不得")


def _other_places(analysis, sentences: list[str]) -> str:
    """是依托赤峰高新区创建的吗, where the clause names 呼和浩特、包头、鄂尔多斯 for it: the
    phrase naming the other places (the question's place is not among them)."""
    from assistant.answering.places import places_named

    text = "".join(sentences)
    if not analysis.places or any(p in text for p in analysis.places):
        return ""
    grams = bigrams(analysis.text)
    named = [p for s in sentences for p in phrases(s, keep_lists=True) if places_named(p)]
    return max(named, key=lambda p: overlap(grams, p)) if named else ""


def _other_level(analysis, sentences: list[str]) -> str:
    """自治区级高新区也可以申请扩大区域范围吗, where the text grants it to 国家级 ones: the
    phrase that names another administrative level for what is asked."""
    from assistant.answering.grounding import _levels

    asked = _levels(analysis.text)
    if not asked:
        return ""
    grams = {g for g in bigrams(analysis.text) if not re.search(r"国家|家级|自治|治区|区级|盟市|市级", g)}
    about = [p for s in sentences for p in phrases(s, keep_lists=True) if _levels(p) and overlap(grams, p) >= 3]
    if any(_levels(p) & asked for p in about):
        return ""  # the text speaks of the asked level too
    return about[0] if about else ""


# A claim that something is already so (已经是国家级高新区了, 已经建成了), and the text's work of
# becoming it (创建国家级高新区工作): what is still to be created is not yet.
_ATTAINED = re.compile(r"已经?(?:是|成为|建成)([\u4e00-\u9fff]{0,12}?)(?:了|吗)")
_BECOMING = "(?:创建|争创)"


def _not_yet(analysis, sentences: list[str]) -> str:
    """The phrase in which the text still works towards what the question says is done: the
    claimed state named (是国家级高新区) and being created, else a phrase creating the
    question's topic (自创区是不是已经建成了 vs 推进…的创建工作)."""
    claimed = _ATTAINED.search(analysis.text)
    if not claimed:
        return ""
    target = claimed.group(1)
    if len(target) < 3:
        grams = bigrams(analysis.text)
        found = [p for s in sentences for p in phrases(s) if re.search(_BECOMING, p) and overlap(grams, p) >= 2]
        return max(found, key=lambda p: overlap(grams, p)) if found else ""
    becoming = re.compile(_BECOMING + "[\u4e00-\u9fff]{0,2}" + re.escape(target[-5:]))
    for sentence in sentences:
        for phrase in phrases(sentence, keep_lists=True):
            if becoming.search(phrase) and (not analysis.places or any(p in phrase for p in analysis.places)):
                return phrase
    return ""


# A claim of exclusivity: only / solely / must be (只能设在北京, 仅限国家级).
_EXCLUSIVE = re.compile(r"只|仅|唯一|必须")


def _exclusive_denied(analysis, sentences: list[str]) -> str:
    """The phrase naming the asked place or level among others (在北京市等地区; 国家级、自治区级
    科技企业孵化器) when the question claims it alone: the claim of exclusivity is 否."""
    from assistant.answering.grounding import _levels
    from assistant.answering.places import places_named

    asked_levels, asked_places = _levels(analysis.text), set(analysis.places)
    if not _EXCLUSIVE.search(analysis.text) or not (asked_levels or asked_places):
        return ""
    found = []
    for sentence in sentences:
        for phrase in phrases(sentence, keep_lists=True):
            levels, places = _levels(phrase), set(places_named(phrase))
            if asked_levels & levels and levels - asked_levels:
                found.append(phrase)
            elif asked_places & places and (places - asked_places or any(
                    re.search(re.escape(p) + "[市省区]?等", phrase) for p in asked_places)):
                found.append(phrase)
    grams = bigrams(analysis.text)
    return max(found, key=lambda p: overlap(grams, p)) if found else ""


def _not_listed(analysis, clause) -> str:
    """包头稀土高新区打造的产业里有乳业吗, where the clause lists each zone's industries: the
    enumeration about the question's subject lacks the asked item, which another enumeration
    of the same clause names — the list is closed, the answer 否. Each list is matched by the
    question's words that it alone of the clause's lists contains (包头, 稀土 | 乳业)."""
    from assistant.answering.verdicts import content_words

    lists = [p for s in clause.sentences for p in phrases(s, keep_lists=True) if p.count("、") >= 2]
    if len(lists) < 2:
        return ""
    own = [[w for w in content_words(analysis.text) if w in listing and sum(w in p for p in lists) == 1]
           for listing in lists]
    ranked = sorted(range(len(lists)), key=lambda i: -len(own[i]))
    best, second = ranked[0], ranked[1]
    asked = [w for i in ranked[1:] for w in own[i]]  # named by another list only
    return lists[best] if asked and len(own[best]) > len(own[second]) else ""


def _exception_for(analysis, citation: Citation) -> str:
    """The span excepting what the question asks about (公务员也包括在内吗 vs 除公务员以外，
    推行全员聘任制度): the rule does not cover it."""
    for sentence in citation.sentences:
        for match in _EXCEPTION.finditer(sentence):
            excepted = match.group(1)
            if re.search(re.escape(excepted[-2:]) + "(?:之外|以外|外)", analysis.text):
                continue  # 公务员之外的人是不是都…: the question states the exception itself
            if any(excepted[i:i + 2] in analysis.text for i in range(len(excepted) - 1)
                   if re.fullmatch(r"[\u4e00-\u9fff]{2}", excepted[i:i + 2])) and len(excepted) <= 8:
                return match.group(0)
    return ""


def _restriction_on(analysis, citation: Citation) -> str:
    """A phrase that restricts what the question asks for (高耗能企业会欢迎入驻吗 vs 严格控制
    高污染、高耗能、高排放企业入驻), when the question itself names no restriction."""
    if _RESTRICTION.search(analysis.text):
        return ""  # 可以不受限制地…吗 is the absolute rule's business
    grams = bigrams(analysis.text)
    for sentence in citation.sentences:
        for phrase in phrases(sentence, keep_lists=True):
            if _RESTRICTION.search(phrase) and overlap(grams, _RESTRICTION.sub("", phrase)) >= 2:
                return phrase
    return ""


def _yes_no(ctx: _Context, citation: Citation, heading: str) -> str:
    """是 / 否 with the deciding span. 否 when the text states a different number than the
    question, or qualifies an absolute the question claims (所有人员都要… vs 除公务员以外…);
    otherwise a covered question is answered 是 with the span that says so. The deciding
    span is quoted as its whole provision when that is short (:func:`_unit`)."""
    analysis = ctx.analysis

    def said(span: str) -> str:
        return f"根据{heading}：“{_unit(ctx, citation, span)}”。"

    refs = {str(r) for r in analysis.clause_refs}
    # Digits and Chinese numerals with a unit alike (四个 → 4); a year or a clause number is none.
    asked = _quantities(analysis.text)
    asked_numbers = sorted({n for n, _ in asked if n not in refs})
    phrase = fact_phrase(analysis.text, citation.sentences, "number" if asked_numbers else "", analysis.years)
    if asked_numbers and phrase:
        # The phrase stating a quantity in the asked unit (10家 → 5家以上), when one does.
        units = {u for _, u in asked if u}
        same_unit = [p for s in citation.sentences for p in phrases(s) if {u for _, u in _quantities(p)} & units]
        if units and same_unit and not {u for _, u in _quantities(phrase)} & units:
            grams = bigrams(analysis.text)
            phrase = max(same_unit, key=lambda p: overlap(grams, p))
        # The numbers of the whole provision quoted: 国家级达到25%、自治区级达到20% states 20 too.
        clause = ctx.doc(citation.doc_id).clause(citation.clause)
        counted = _listed_counts(clause.text, analysis.text)  # 依托四个高新区 vs a list of three
        if counted:
            listing = next((p for s in clause.sentences for p in phrases(s, keep_lists=True) if "、" in p
                            and _listed_counts(p, analysis.text)), phrase)
            if not asked & counted:
                return f"否。根据{heading}：“{listing}”。"
            phrase = listing  # the count is the list's: quote the list
        unit_text = _unit(ctx, citation, phrase)
        stated = _NUMBER_IN.findall(unit_text) + [n for n, _ in _quantities(unit_text) | counted]
        if stated and not set(asked_numbers) & set(stated):
            return "否。" + said(phrase)
    negated = _negation(analysis, citation)
    if negated:
        return "否。" + said(negated)
    clause = ctx.doc(citation.doc_id).clause(citation.clause)
    if analysis.years and re.search(r"只|仅", analysis.text):
        # 目标是不是只定到2025年: the text also sets another year.
        others = [y for y in re.findall(r"((?:20)\d{2})\s*年", clause.text) if y not in analysis.years]
        if others:
            phrase = next((p for s in clause.sentences for p in phrases(s) if others[0] in p), "")
            return "否。" + said(phrase) if phrase else f"否。见{heading}。"
    not_yet = _not_yet(analysis, clause.sentences)
    if not_yet:
        return "否。" + said(not_yet)
    exclusive = _exclusive_denied(analysis, clause.sentences)
    if exclusive:
        return "否。" + said(exclusive)
    other_place = _other_places(analysis, clause.sentences)
    if other_place:
        return "否。" + said(other_place)
    level = _other_level(analysis, clause.sentences)
    if level:
        return "否。" + said(level)
    excepted = _exception_for(analysis, citation)
    if excepted:
        return "否。" + said(excepted)
    unlisted = "" if asked_numbers else _not_listed(analysis, clause)  # a count is asked, not a member
    if unlisted:  # a whole enumeration: quoted as it stands
        return f"否。根据{heading}：“{unlisted}”。"
    restricted = _restriction_on(analysis, citation)
    if restricted:
        return "否，文件有限定。" + said(restricted)
    claimed = _ABSOLUTE.findall(analysis.text)
    # The text repeating the absolute (全部下放) affirms it, whatever exception it notes.
    if claimed and not any(word in s for word in claimed for s in citation.sentences):
        grams = bigrams(analysis.text)
        qualifying = [p for s in citation.sentences for p in phrases(s) if _QUALIFIER.search(p)]
        if qualifying:  # the qualifier whose whole provision speaks of what is asked
            best = max(qualifying, key=lambda p: overlap(grams, _unit(ctx, citation, p)))
            return "否，文件有限定。" + said(best)
    phrase = _unit(ctx, citation, phrase) if asked_numbers and phrase else _unit(ctx, citation)
    decision = _claim_decision(ctx, clause, citation)
    # An absolute the text neither repeats nor qualifies is not stated by it (所有地方都实现 vs 实现).
    unrepeated = claimed and not any(word in s for word in claimed for s in citation.sentences)
    if decision != "stated" or unrepeated:
        shown = f"{heading}相关的规定是：“{phrase}”。" if phrase else f"相关内容见{heading}。"
        return f"{NOT_DECIDED}{shown}"
    return f"是。根据{heading}：“{phrase}”。" if phrase else f"是。见{heading}。"


def _claimed_entities(analysis) -> list[str]:
    """What a claim names that a stating sentence must name too: bodies (core names), places,
    administrative levels, years and numbers with their unit."""
    from assistant.answering.grounding import _levels
    from assistant.ingest.departments import core_name

    numbers = [n + u for n, u in _quantities(analysis.text) if n not in {str(r) for r in analysis.clause_refs}]
    return list(dict.fromkeys([core_name(d) for d in analysis.departments] + list(analysis.places)
                              + sorted(_levels(analysis.text)) + list(analysis.years) + numbers))


# The third verdict: the text neither says 是 nor 否 (answered as a refusal that shows what
# the text does state, so a user never reads a 是 the document does not give).
NOT_DECIDED = "文件未明确。"


def _evidence(ctx: _Context, clause, citation: Citation):
    """The phrasing-independent evidence that ``clause`` answers the question (:mod:`.verdicts`)."""
    from assistant.answering import verdicts
    from assistant.answering.intent import without_self_introduction
    from assistant.answering.spans import compact_text

    frequency, clauses = clause_frequency(ctx.corpus.documents)
    claim = verdicts.claim_core(without_self_introduction(ctx.focus_text),
                                lambda g: 0 < frequency(g) <= 0.5 * clauses)
    scores = [h.score for h in ctx.hits[:2]]
    margin = scores[0] - scores[1] if len(scores) == 2 else scores[0] if scores else 0.0
    return verdicts.evidence(claim, clause.text, clause.sentences, frequency, clauses,
                             compact_text(ctx.corpus.documents), citation.score, _claimed_entities(ctx.analysis),
                             margin)


def _claim_decision(ctx: _Context, clause, citation: Citation) -> str:
    """Does ``clause`` state what the yes/no question claims (:mod:`.verdicts`)? ``stated``
    (是) or ``undecided`` (文件未明确, with what the clause says)."""
    from assistant.answering import verdicts

    found = _evidence(ctx, clause, citation)
    p = verdicts.probability(found)
    decision = verdicts.decide(p)
    ctx.analysis.verdict = {**found.to_dict(), "p_stated": round(p, 4), "decision": decision}
    return decision
