"""HTML for the web app: answers, citation cards, the outline, department pages.

Pure functions from records (Answer dicts, the parsed Document) to HTML strings, so they
can be tested without a server. Safety: every string that comes from a user or from the
document passes through :func:`esc` before it is put into HTML; the only markup is the
fixed markup written here.
"""

from __future__ import annotations

import html
import re

APP_TITLE = "政策文件问答助手"
# Example questions, per kind of user.
EXAMPLES: dict[str, list[str]] = {
    "企业": ["我们是一家高新技术企业，可以享受哪些扶持？", "科技型中小企业融资有什么支持？"],
    "机关工作人员": ["孵化器建设归哪个部门管？", "商务厅负责哪些工作？"],
    "新员工": ["文件的文号是什么？", "第十二条讲什么？", "高新区的发展目标是什么？"],
}

INTENT_LABELS = {
    "responsibility": "责任部门", "department": "部门职责", "eligibility": "适用对象",
    "clause": "条款查询", "metadata": "文件信息", "general": "政策内容",
    "out_of_scope": "文件未涉及", "invalid": "无效问题", "error": "处理出错",
}

META_FIELDS = [("title", "标题"), ("doc_number", "文号"), ("issuer", "发文机关"), ("signed_date", "成文日期"),
               ("addressees", "主送机关"), ("copy_to", "抄送"), ("printing_office", "印发机关"),
               ("printed_date", "印发日期"), ("publication", "公开方式")]



# --------------------------------------------------------------------------- HTML helpers


def esc(text) -> str:
    """HTML-escape ``text`` for element content and quoted attributes.

    Beyond ``html.escape`` this also encodes ``{ } $ ` `` so that no user text can be read
    as a template expression by the front end's HTML templating.
    """
    out = html.escape("" if text is None else str(text), quote=True)
    return out.replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;").replace("`", "&#96;")


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", esc(text))


def markdown_to_html(md: str) -> str:
    """The small Markdown subset answers use (paragraphs, ``**bold**``, ``> quote``,
    ``- item``) as HTML. Everything is escaped first, so no markup can pass through."""
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", (md or "").strip()):
        groups: list[tuple[str, list[str]]] = []
        for line in block.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith(">"):
                kind, content = "quote", stripped[1:].strip()
            elif stripped.startswith(("- ", "* ")):
                kind, content = "list", stripped[2:].strip()
            else:
                kind, content = "text", stripped
            if groups and groups[-1][0] == kind:
                groups[-1][1].append(content)
            else:
                groups.append((kind, [content]))
        for kind, lines in groups:
            if kind == "quote":
                parts.append("<blockquote>" + "<br>".join(_inline(x) for x in lines) + "</blockquote>")
            elif kind == "list":
                parts.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in lines) + "</ul>")
            else:
                cls = ' class="pa-resp"' if lines[0].startswith("责任单位：") else ""
                parts.append(f"<p{cls}>" + "<br>".join(_inline(x) for x in lines) + "</p>")
    return "\n".join(parts)


def highlight(text: str, sentences) -> str:
    """``text`` escaped, with each of ``sentences`` (substrings of it) wrapped in ``<mark>``."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    for sentence in sentences or []:
        if not sentence:
            continue
        start = text.find(sentence)
        while start >= 0 and any(s < start + len(sentence) and start < e for s, e in spans):
            start = text.find(sentence, start + 1)
        if start >= 0:
            spans.append((start, start + len(sentence)))
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _chips(names, strong=()) -> str:
    if not names:
        return '<span class="pa-muted">该条未列明责任单位</span>'
    return "".join(f'<span class="pa-chip{" pa-chip-on" if n in strong else ""}">{esc(n)}</span>' for n in names)


def _open_button(key, text: str = "在政策原文中查看") -> str:
    """A button that opens a clause (``12`` or ``doc:12``) in 政策原文."""
    return f'<button type="button" class="pa-link" data-clause="{esc(key)}">{esc(text)} →</button>'


def _clause_of(document, number):
    if document is None:
        return None
    try:
        return document.clause(int(number))
    except Exception:  # noqa: BLE001 - a citation of another document, or a bad number
        return None


# A clause read by OCR from a scanned page: its quote may carry a recognition error.
OCR_NOTE = "本条取自扫描件的文字识别（OCR），引文可能有识别误差，请以原件为准。"
OCR_TAG = f'<span class="pa-tag pa-tag-ocr" title="{OCR_NOTE}">文字识别</span>'


def citation_html(citation: dict, document=None, *, reference_only: bool = False, show_quote: bool = False) -> str:
    """One cited clause: label, title, departments, quote, expandable full text."""
    clause = _clause_of(document, citation.get("clause"))
    label = citation.get("label", "")
    ref = label if str(label).startswith("第") else f"第{label}条"
    section = (f'<span class="pa-section">所属部分：{esc(clause.section_title)}</span>'
               if clause and clause.section_title else "")
    tag = '<span class="pa-tag pa-tag-ref">仅供参考</span>' if reference_only else ""
    tag += OCR_TAG if citation.get("ocr") else ""
    sentences = citation.get("sentences") or ([citation["quote"]] if citation.get("quote") else [])
    # An answer already quotes its citations; related clauses of a refusal show their quote here.
    quote = ('<blockquote class="pa-quote">' + "".join(f"<p>{esc(s)}</p>" for s in sentences) + "</blockquote>"
             if reference_only or show_quote else "")
    full = ""
    if clause is not None:
        full = (f'<details class="pa-details"><summary>展开条款全文</summary>'
                f'<div class="pa-fulltext">{highlight(clause.text, sentences)}</div></details>')
    open_btn = _open_button(citation.get("clause", 0)) if clause is not None else ""
    return (
        f'<div class="pa-cite{" pa-cite-ref" if reference_only else ""}">'
        f'<div class="pa-cite-head">{tag}<span class="pa-label">{esc(ref)}</span>'
        f'<span class="pa-title">{esc(citation.get("title", ""))}</span>{section}'
        f'<span class="pa-cite-open">{open_btn}</span></div>'
        f'{quote}'
        f'<div class="pa-depts"><span class="pa-depts-k">责任单位</span>{_chips(citation.get("departments"))}</div>'
        f'{full}</div>'
    )


def render_answer_html(answer: dict | None, document=None) -> str:
    """The answer panel for one :meth:`Answer.to_dict`: everything escaped."""
    if not answer:
        return ('<div class="pa-empty"><div class="pa-empty-title">请在上方输入问题</div>'
                '<div>回答只摘录文件原文，并注明出处条款和责任单位；文件未涉及的问题会如实说明。</div></div>')
    question = answer.get("question", "")
    intent = answer.get("intent", "")
    out = ['<div class="pa-answer">']
    out.append(f'<div class="pa-q"><span class="pa-q-k">问</span><span class="pa-q-text">{esc(question)}</span>'
               f'<span class="pa-tag">{esc(INTENT_LABELS.get(intent, intent))}</span></div>')
    if answer.get("notice"):
        out.append(f'<div class="pa-notice">{esc(answer["notice"])}</div>')
    if answer.get("error"):
        out.append(f'<div class="pa-box pa-box-info"><div class="pa-box-title">请输入问题</div>'
                   f'{markdown_to_html(answer.get("error"))}</div></div>')
        return "".join(out)
    if answer.get("refused"):
        text = answer.get("answer", "")
        if answer.get("related"):
            text = text.split("\n以下条款", 1)[0]
        out.append(f'<div class="pa-box pa-box-refused"><div class="pa-box-title">文件未涉及</div>'
                   f'{markdown_to_html(text)}</div>')
        if answer.get("related"):
            out.append('<div class="pa-sub">以下条款内容相近，<strong>仅供参考</strong>，不是对该问题的回答：</div>')
            out += [citation_html(c, document, reference_only=True) for c in answer["related"]]
    else:
        out.append(f'<div class="pa-box pa-box-answer"><div class="pa-box-title">答复</div>'
                   f'{markdown_to_html(answer.get("answer", ""))}</div>')
        citations = answer.get("citations") or []
        if citations:
            out.append(f'<div class="pa-sub">依据条款（{len(citations)} 条）</div>')
            out += [citation_html(c, document) for c in citations]
    out.append("</div>")
    return "".join(out)


def answer_markdown(answer: dict | None, document=None) -> str:
    """The answer and its citations as a Markdown document (copy / download)."""
    if not answer:
        return ""
    lines = [f"# 问：{answer.get('question', '')}", "", answer.get("answer", "").strip(), ""]
    groups = [("依据条款", answer.get("citations") or []), ("相近条款（仅供参考）", answer.get("related") or [])]
    for title, citations in groups:
        if not citations:
            continue
        lines += [f"## {title}", ""]
        for c in citations:
            heading = c.get("heading") or f"第{c.get('label', '')}条 {c.get('title', '')}"
            lines += [f"### {heading}", ""]
            lines += [f"> {s}" for s in (c.get("sentences") or [c.get("quote", "")])]
            lines += ["", "责任单位：" + ("、".join(c.get("departments") or []) or "该条未列明责任单位"), ""]
    if document is not None:
        meta = document.meta
        source = f"《{meta.title}》" + (f"（{meta.doc_number}）" if meta.doc_number else "")
        lines += ["---", f"来源：{source}"]
    return "\n".join(lines).strip() + "\n"


# --------------------------------------------------------------------------- documents, clause keys

def documents_of(source, doc_ids=None) -> list:
    """The documents of ``source`` (a Corpus, a Document or a list), widest jurisdiction
    first; only ``doc_ids`` when given."""
    from assistant.ingest.duties import widest_first

    docs = _all_documents(source)
    if doc_ids:
        docs = [d for d in docs if d.doc_id in doc_ids]
    return widest_first(docs)


def clause_key(doc_id: str, number: int, spans=()) -> str:
    """``doc_id:12`` (``doc_id:12:15-75,80-90`` with highlighted spans): how a link names a clause."""
    key = f"{doc_id}:{int(number)}"
    spans = [(int(s), int(e)) for s, e in spans or () if 0 <= int(s) < int(e)]
    return key + (":" + ",".join(f"{s}-{e}" for s, e in spans) if spans else "")


_KEY = re.compile(r"^(?:([A-Za-z0-9_.\-]{1,120}):)?(\d{1,5})(?::((?:\d{1,6}-\d{1,6},?){1,20}))?$")


def parse_clause_key(value) -> tuple[str | None, int, list[tuple[int, int]]] | None:
    """``12`` / ``doc:12`` / ``doc:12:15-75,80-90`` → (doc_id or None, number, spans); else None."""
    match = _KEY.match(str(value or "").strip())
    if not match:
        return None
    spans = []
    for part in filter(None, (match.group(3) or "").split(",")):
        s, e = map(int, part.split("-"))
        if s < e:
            spans.append((s, e))
    return match.group(1), int(match.group(2)), spans


def _all_documents(source) -> list:
    if source is None:
        return []
    if hasattr(source, "documents"):
        return list(source.documents)
    return list(source) if isinstance(source, (list, tuple)) else [source]


def find_clause(source, doc_id, number):
    """(document, clause) for clause ``number`` of ``doc_id`` (the first document when
    ``doc_id`` is None), or None."""
    for doc in _all_documents(source):
        if doc_id and doc.doc_id != doc_id:
            continue
        try:
            return doc, doc.clause(int(number))
        except Exception:  # noqa: BLE001 - an unknown clause
            return None
    return None


def _doc_head(doc, count: str = "") -> str:
    number = f'<span class="pa-doc-no">{esc(doc.meta.doc_number)}</span>' if doc.meta.doc_number else ""
    return (f'<div class="pa-doc-head" data-doc="{esc(doc.doc_id)}"><span class="pa-doc-title-s">'
            f'{esc(doc.meta.title or doc.doc_id)}</span>{number}{count}</div>')


def header_html(source) -> str:
    docs = documents_of(source)
    if len(docs) == 1:
        meta = docs[0].meta
        facts = [("文号", meta.doc_number), ("发文机关", meta.issuer), ("成文日期", meta.signed_date)]
        title = meta.title or docs[0].doc_id
    else:
        facts = [("文件", f"{len(docs)} 份")] + [("", d.meta.doc_number or d.doc_id) for d in docs[:4]]
        title = "政策文件库：" + "；".join(d.meta.title or d.doc_id for d in docs[:2]) + ("等" if len(docs) > 2 else "")
    facts_html = "".join(f'<span class="pa-fact"><span class="pa-fact-k">{esc(k)}</span>{esc(v)}</span>'
                         for k, v in facts if v)
    return (
        '<div class="pa-header"><div class="pa-header-top">'
        f'<span class="pa-brand">{esc(APP_TITLE)}</span>'
        '<span class="pa-badge">离线运行 · 回答均摘自文件原文</span></div>'
        f'<h1 class="pa-doc-title">{esc(title)}</h1>'
        f'<div class="pa-facts">{facts_html}</div></div>'
    )


def meta_table_html(source, doc_ids=None) -> str:
    docs = documents_of(source, doc_ids)
    out = []
    for doc in docs:
        rows = "".join(f"<tr><th>{esc(label)}</th><td>{esc(getattr(doc.meta, key, '') or '文件未载明')}</td></tr>"
                       for key, label in META_FIELDS)
        out.append((_doc_head(doc) if len(docs) > 1 else "") + f'<table class="pa-meta">{rows}</table>')
    return "".join(out)


def outline_html(source, selected=None, doc_ids=None) -> str:
    """Each document's sections and clauses (grouped by document, widest jurisdiction first
    when there are several); ``selected`` (``doc:12`` or 12) is marked."""
    parsed = parse_clause_key(selected) if selected is not None else None
    docs = documents_of(source, doc_ids)
    if parsed and parsed[0] is None and _all_documents(source):
        parsed = (_all_documents(source)[0].doc_id, parsed[1], parsed[2])
    chosen = (parsed[0], parsed[1]) if parsed else None
    out = ['<div class="pa-outline">']
    for doc in docs:
        if len(docs) > 1:
            out.append(_doc_head(doc))
        in_section = set()
        for section in doc.sections:
            out.append(f'<div class="pa-ol-section">{esc(section.label)}{esc(section.title)}</div>')
            for number in section.clauses:
                in_section.add(number)
                out.append(_outline_item(doc, doc.clause(number), chosen))
        rest = [c for c in doc.clauses if c.number not in in_section]
        if rest:
            out.append('<div class="pa-ol-section">其他条款</div>')
            out += [_outline_item(doc, c, chosen) for c in rest]
    out.append("</div>")
    return "".join(out)


def _outline_item(doc, clause, chosen) -> str:
    on = " pa-ol-on" if chosen == (doc.doc_id, clause.number) else ""
    return (f'<button type="button" class="pa-ol-item{on}" data-clause="{esc(clause_key(doc.doc_id, clause.number))}">'
            f'<span class="pa-ol-label">{esc(clause.label)}</span>{esc(clause.title)}</button>')


def _marked(text: str, spans, offset: int = 0) -> str:
    """``text`` (which starts at ``offset`` of the clause text) escaped, with the parts inside
    ``spans`` (offsets into the clause text) wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, e in sorted(spans or ()):
        s, e = max(s - offset, pos), min(e - offset, len(text))
        if s >= e:
            continue
        out += [esc(text[pos:s]), f"<mark>{esc(text[s:e])}</mark>"]
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def clause_html(source, number, strong_departments=(), spans=()) -> str:
    """One clause in full: document, heading, section, text (``spans`` — offsets into the
    clause text — highlighted), departments. ``number`` is 12 or a key ``doc:12[:s-e,…]``."""
    parsed = parse_clause_key(number) if number is not None else None
    found = find_clause(source, parsed[0], parsed[1]) if parsed else None
    if found is None:
        return '<div class="pa-empty">请选择一个条款。</div>'
    doc, clause = found
    spans = list(spans or ()) + list(parsed[2])
    section = f'<div class="pa-clause-section">{esc(clause.section_title)}</div>' if clause.section_title else ""
    several = hasattr(source, "documents") and len(source.documents) > 1
    head = f'<div class="pa-clause-doc">{esc(doc.name)}</div>' if several else ""
    text = clause.text
    cut = len(clause.body) if text.startswith(clause.body) else len(text)
    paragraphs, pos = [], 0
    for line in text[:cut].split("\n"):
        if line.strip():
            paragraphs.append(f"<p>{_marked(line, spans, pos)}</p>")
        pos += len(line) + 1
    note = text[cut:]
    if note.strip():
        paragraphs.append(f'<p class="pa-note">{esc(note.strip())}</p>')
    return (
        f'<div class="pa-clause" data-key="{esc(clause_key(doc.doc_id, clause.number))}">{head}{section}'
        f'<h3 class="pa-clause-title">{esc(clause.heading if clause.number else clause.label)}</h3>'
        f'<div class="pa-clause-body">{"".join(paragraphs)}</div>'
        f'<div class="pa-depts"><span class="pa-depts-k">责任单位</span>{_chips(clause.departments, strong_departments)}</div>'
        '</div>'
    )


def departments_overview_html(source, doc_ids=None) -> str:
    """Every department of each document (grouped by document), with its clause count."""
    docs = documents_of(source, doc_ids)
    out = []
    for doc in docs:
        index = doc.departments
        names = sorted(index.names, key=lambda n: (-len(index.clauses_by_department.get(n, [])), n))
        chips = "".join(
            f'<button type="button" class="pa-dept-btn" data-dept="{esc(n)}">{esc(n)}'
            f'<span class="pa-count">{len(index.clauses_by_department.get(n, []))}</span></button>'
            for n in names)
        head = _doc_head(doc) if len(docs) > 1 else ""
        out.append(f'<div class="pa-dept-doc">{head}<div class="pa-sub">全部 {len(names)} 个责任单位'
                   f'（数字为其负责的条款数），点击查看：</div><div class="pa-dept-list">{chips}</div></div>')
    return "".join(out) or '<div class="pa-empty">没有文件。</div>'


def department_html(source, names: list[str], refs, query: str = "") -> str:
    """The clauses ``names`` are responsible for: ``refs`` are ClauseRefs (or, with one
    document, clause numbers), grouped by document."""
    docs = documents_of(source)
    pairs = []
    for ref in refs:
        doc_id, number = (ref.doc_id, ref.clause) if hasattr(ref, "doc_id") else (None, ref)
        found = find_clause(source, doc_id, number)
        if found:
            pairs.append(found)
    matched = "、".join(names)
    intro = (f'<div class="pa-dept-head"><span class="pa-dept-name">{esc(matched)}</span>'
             f'是以下 <strong>{len(pairs)}</strong> 条的责任单位</div>')
    if query and [query] != names:
        intro = f'<div class="pa-muted">“{esc(query)}” 对应：</div>' + intro
    cards, current = [], None
    for doc, clause in pairs:
        if len(docs) > 1 and doc.doc_id != current:
            current = doc.doc_id
            cards.append(_doc_head(doc))
        key = clause_key(doc.doc_id, clause.number)
        cards.append(f'<div class="pa-cite">{clause_html(doc, key, names)}'
                     f'<div class="pa-cite-foot">{_open_button(key)}</div></div>')
    return intro + "".join(cards)


def department_not_found_html(query: str, suggestions: list[str]) -> str:
    hint = ""
    if suggestions:
        hint = ('<div class="pa-sub">您是否要找：</div><div class="pa-dept-list">'
                + "".join(f'<button type="button" class="pa-dept-btn" data-dept="{esc(s)}">{esc(s)}</button>'
                          for s in suggestions) + "</div>")
    return (f'<div class="pa-box pa-box-refused"><div class="pa-box-title">未找到该部门</div>'
            f'<p>文件中没有“{esc(query)}”作为责任单位的条款。</p></div>{hint}')


# --------------------------------------------------------------------------- duty table, 导读


def duty_table_html(rows) -> str:
    """The duty table: one line per clause, its departments in listed order (roles where stated)."""
    if not rows:
        return '<div class="pa-empty">所选范围内没有列明责任单位的条款。</div>'
    by_clause: dict[tuple[str, int], list] = {}
    for row in rows:
        by_clause.setdefault((row.doc_id, row.clause), []).append(row)
    several = len({row.doc_id for row in rows}) > 1
    body, current = [], None
    for (doc_id, number), group in by_clause.items():
        first = group[0]
        if several and doc_id != current:
            current = doc_id
            body.append(f'<tr class="pa-duty-doc"><td colspan="3">{esc(first.document)}'
                        f'{("（" + esc(first.doc_number) + "）") if first.doc_number else ""}</td></tr>')
        depts = "".join(
            f'<li><span class="pa-duty-n">{r.order}</span>{esc(r.department)}'
            + (f'<span class="pa-tag pa-duty-role">{esc(r.role)}</span>' if r.role else "") + "</li>"
            for r in group)
        body.append(f'<tr><td class="pa-duty-clause"><button type="button" class="pa-link" '
                    f'data-clause="{esc(clause_key(doc_id, number))}">{esc(first.cite)}</button></td>'
                    f'<td>{esc(first.title)}<div class="pa-muted">{esc(first.section_title)}</div></td>'
                    f'<td><ol class="pa-duty-depts">{depts}</ol></td></tr>')
    return (f'<div class="pa-sub">{len(by_clause)} 条、{len(rows)} 项分工（按各条“责任单位”所列顺序，'
            '排在第一位的通常为牵头单位）</div>'
            '<div class="pa-duty-wrap"><table class="pa-duty"><thead><tr><th>条款</th><th>标题</th><th>责任单位</th>'
            '</tr></thead><tbody>' + "".join(body) + "</tbody></table></div>")


def guide_html(source, doc_ids=None) -> str:
    """导读 for new staff, per document: frame, sections with clause titles, targets with their
    numbers, the departments named most — all verbatim, every item a link into the text."""
    from assistant.ingest.duties import guide

    out = []
    for doc in documents_of(source, doc_ids):
        g = guide(doc)
        first = clause_key(doc.doc_id, doc.clauses[0].number) if doc.clauses else ""
        # The frame opens the text where it stands: the 前言 (part 0) when there is one, else the first clause.
        opening = clause_key(doc.doc_id, 0) if doc.preamble else first
        frame = "".join(f'<li><span class="pa-fact-k">{esc(k)}</span><button type="button" class="pa-link" '
                        f'data-clause="{esc(opening)}">{esc(v)}</button></li>' for k, v in g["frame"])
        sections = []
        for s in g["sections"]:
            items = "".join(f'<li><button type="button" class="pa-link" data-clause="{esc(clause_key(doc.doc_id, n))}">'
                            f'{esc(cite)} {esc(title)}</button></li>' for n, cite, title in s["clauses"])
            sections.append(f'<li><strong>{esc(s["label"])}{esc(s["title"]) or "其他条款"}</strong><ul>{items}</ul></li>')
        targets = "".join(
            f'<li><button type="button" class="pa-link" data-clause="{esc(clause_key(doc.doc_id, t.clause, [(t.start, t.end)]))}">'
            f'{esc(t.cite)}</button> {_marked_numbers(t.text, t.numbers)}</li>' for t in g["targets"])
        depts = "".join(f'<button type="button" class="pa-dept-btn" data-dept="{esc(n)}">{esc(n)}'
                        f'<span class="pa-count">{c}</span></button>' for n, c in g["departments"])
        out.append(
            f'<div class="pa-guide" data-doc="{esc(doc.doc_id)}">'
            f'<div class="pa-guide-title"><button type="button" class="pa-link" data-clause="{esc(first)}">'
            f'{esc(g["title"])}</button></div>'
            f'<div class="pa-guide-k">文件信息</div><ul class="pa-guide-frame">{frame or "<li>文件未载明</li>"}</ul>'
            f'<div class="pa-guide-k">结构（{len(doc.sections)} 个部分，{len(doc.clauses)} 条）</div>'
            f'<ul class="pa-guide-sections">{"".join(sections)}</ul>'
            + (f'<div class="pa-guide-k">目标与指标</div><ul class="pa-guide-targets">{targets}</ul>' if targets else "")
            + (f'<div class="pa-guide-k">涉及最多的责任单位（数字为条款数）</div><div class="pa-dept-list">{depts}</div>'
               if depts else "")
            + "</div>")
    return "".join(out) or '<div class="pa-empty">没有文件。</div>'


def _marked_numbers(text: str, numbers) -> str:
    spans = []
    for n in numbers:
        at = text.find(n)
        if at >= 0:
            spans.append((at, at + len(n)))
    merged = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return _marked(text, merged).replace("<mark>", "<strong>").replace("</mark>", "</strong>")


# --------------------------------------------------------------------------- chat messages

# Links inside chat messages; app.js turns a click on one into "open this clause / department".
OPEN_PREFIX = "#pa-open-"


def _open_link(kind: str, value, text: str, cls: str = "pa-link") -> str:
    from urllib.parse import quote

    return f'<a class="{cls}" href="{OPEN_PREFIX}{kind}:{esc(quote(str(value), safe=""))}">{esc(text)}</a>'


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$])")


def md_escape(text) -> str:
    """``text`` as literal Markdown: every character Markdown or HTML would act on escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def _spans_of(citation: dict) -> list[tuple[int, int]]:
    spans = []
    for q in citation.get("quotes") or []:
        try:
            spans.append((int(q["start"]), int(q["end"])))
        except (KeyError, TypeError, ValueError):
            continue
    return spans


def _citation_key(citation: dict, source=None) -> str | None:
    doc_id = citation.get("doc_id") or (_all_documents(source)[0].doc_id if _all_documents(source) else "")
    try:
        number = int(citation.get("clause"))
    except (TypeError, ValueError):
        return None
    if source is not None and find_clause(source, doc_id, number) is None:
        return None
    return clause_key(doc_id, number, _spans_of(citation))


_SENTENCE_END = "。！？!?；;"


def _sentence_end(text: str, at: int) -> int:
    """The index just after the sentence that ``at`` falls in (quotes “…” are skipped)."""
    depth = 0
    for i in range(at, len(text)):
        ch = text[i]
        if ch in "“「《（(":
            depth += 1
        elif ch in "”」》）)":
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END and depth == 0:
            return i + 1
    return len(text)


def marker_positions(direct: str, citations: list[dict]) -> dict[int, list[int]]:
    """Where each citation's marker goes in ``direct``: position → marker numbers (1-based).

    The direct answer names its clauses by heading (第（十一）条 加强…) or by label: a
    marker goes after the sentence that names its clause, or right after the name when the
    sentence lists several clauses; citations the direct answer does not name go at its end."""
    found: dict[int, int] = {}
    for n, c in enumerate(citations, 1):
        for name in filter(None, (c.get("heading"), _cite_of(c))):
            at = direct.find(name)
            if at >= 0:
                found[n] = at
                break
    out: dict[int, list[int]] = {}
    for n, c in enumerate(citations, 1):
        if n not in found:
            out.setdefault(len(direct), []).append(n)
            continue
        at = found[n]
        end = _sentence_end(direct, at)
        shared = [m for m, a in found.items() if m != n and _sentence_end(direct, a) == end]
        if shared:
            name = c.get("heading") if direct.find(c.get("heading") or "\0") == at else _cite_of(c)
            pos = at + len(name)
        else:
            pos = end
        out.setdefault(pos, []).append(n)
    return out


def _cite_of(citation: dict) -> str:
    label = str(citation.get("label") or "")
    if not label:
        return ""
    return label if label.startswith("第") or label.endswith("、") or label == "前言" else f"第{label}条"


def _marker(n: int, key: str | None) -> str:
    if key is None:
        return f'<sup class="pa-marker">[{n}]</sup>'
    from urllib.parse import quote

    return (f'<sup class="pa-marker"><a class="pa-marker-link" data-n="{n}" '
            f'href="{OPEN_PREFIX}clause:{esc(quote(key, safe=""))}">[{n}]</a></sup>')


def direct_with_markers(direct: str, citations: list[dict], source=None) -> str:
    """``direct`` as Markdown-safe text with the markers [1] [2] … after what they support."""
    positions = marker_positions(direct, citations)
    out, pos = [], 0
    for at in sorted(positions):
        out.append(md_escape(direct[pos:at]))
        out.append("".join(_marker(n, _citation_key(citations[n - 1], source)) for n in positions[at]))
        pos = at
    out.append(md_escape(direct[pos:]))
    return "".join(out)


def source_html(n: int | None, citation: dict, source=None, *, reference_only: bool = False) -> str:
    """One source under an answer: marker, clause label and title, document, the quoted
    spans, departments (links), and a link that opens the clause with the spans highlighted."""
    heading = citation.get("heading") or f"{_cite_of(citation)} {citation.get('title', '')}".strip()
    doc = citation.get("doc_title") or ""
    doc_line = f"《{doc}》" + (f"（{citation['doc_number']}）" if citation.get("doc_number") else "") if doc else ""
    sentences = citation.get("sentences") or ([citation["quote"]] if citation.get("quote") else [])
    depts = citation.get("departments") or []
    key = _citation_key(citation, source)
    mark = f'<span class="pa-source-n">[{n}]</span>' if n else ""
    tag = '<span class="pa-tag pa-tag-ref">仅供参考</span>' if reference_only else ""
    tag += OCR_TAG if citation.get("ocr") else ""
    chips = "".join(_open_link("dept", d, d) for d in depts) if depts else '<span class="pa-muted">该条未列明责任单位</span>'
    parts = [f'<div class="pa-source{" pa-source-ref" if reference_only else ""}" data-n="{n or ""}">',
             f'<div class="pa-source-head">{mark}{tag}<strong>{esc(heading)}</strong></div>']
    if doc_line:
        parts.append(f'<div class="pa-source-doc">{esc(doc_line)}</div>')
    if sentences:
        parts.append('<blockquote class="pa-quote">' + "".join(f"<p>{esc(s)}</p>" for s in sentences) + "</blockquote>")
    parts.append(f'<div class="pa-depts"><span class="pa-depts-k">责任单位</span>{chips}</div>')
    if key:
        parts.append(f'<div class="pa-cite-foot">{_open_link("clause", key, "在政策原文中查看（高亮引文）→", "pa-link pa-source-open")}</div>')
    parts.append("</div>")
    return "".join(parts)


def _folded(summary: str, body: str, cls: str) -> str:
    return f'<details class="{cls}"><summary>{esc(summary)}</summary>{body}</details>'


def chat_messages(question: str, answer: dict, source=None, *, debug: bool = False) -> list[dict]:
    """The two messages one turn adds to the chat: the question, and one answer.

    The answer message holds how a follow-up was understood, the direct answer with inline
    markers [1] [2] … after what they support, and under it, folded, one source per marker
    (a refusal's nearby clauses in the same form, marked 仅供参考). With ``debug`` the
    question's analysis is folded in too."""
    out = [{"role": "user", "content": md_escape(question)}]
    body = []
    if answer.get("understood_as"):
        body.append(f"*{md_escape(answer['understood_as'])}*")
    if answer.get("notice"):
        body.append(f"*注意：{md_escape(answer['notice'])}*")
    citations = [] if answer.get("error") else list(answer.get("citations") or [])
    related = list(answer.get("related") or []) if answer.get("refused") and not answer.get("error") else []
    if answer.get("error"):
        body.append(md_escape(answer["error"]))
    elif answer.get("refused"):
        text = answer.get("direct") or answer.get("answer", "")
        text = text.split("\n以下条款", 1)[0]
        title = "需要补充" if answer.get("intent") == "followup" else "文件未涉及"
        body.append(f"**【{title}】** {md_escape(text.strip())}")
        if related:
            body.append("以下相近条款**仅供参考**，不是对该问题的回答。")
    elif citations and answer.get("direct"):
        body.append(direct_with_markers(answer["direct"].strip(), citations, source))
    else:
        body.append(markdown_answer(answer.get("answer", "")))
    if citations:
        sources = "".join(source_html(n, c, source) for n, c in enumerate(citations, 1))
        body.append(_folded(f"来源（{len(citations)} 条）", sources, "pa-sources"))
    if related:
        sources = "".join(source_html(None, c, source, reference_only=True) for c in related)
        body.append(_folded(f"相近条款（{len(related)} 条，仅供参考）", sources, "pa-sources pa-sources-ref"))
    if debug and answer.get("analysis"):
        body.append(_folded("问题分析（调试）", analysis_html(answer["analysis"]), "pa-debug"))
    out.append({"role": "assistant", "content": "\n\n".join(body)})
    return out


def markdown_answer(md: str) -> str:
    """An answer's own Markdown (fixed phrases, quotes): line by line, every character escaped
    except the structure it uses (``**bold**`` around a whole line's start, ``> ``, ``- ``)."""
    lines = []
    for line in (md or "").strip().split("\n"):
        prefix = ""
        for mark in ("> ", "- "):
            if line.startswith(mark):
                prefix, line = mark, line[len(mark):]
        parts = re.split(r"\*\*(.+?)\*\*", line)
        text = "".join(f"**{md_escape(p)}**" if i % 2 else md_escape(p) for i, p in enumerate(parts))
        lines.append(prefix + text)
    return "\n".join(lines)


_ANALYSIS_FIELDS = [("kind", "问题类型"), ("asked", "所问内容"), ("yes_no", "是非问"), ("doc_ids", "限定文件"),
                    ("clause_refs", "条款"), ("section_refs", "部分"), ("departments", "部门"),
                    ("department_mode", "部门关系"), ("applicants", "申请主体"), ("need", "需求"),
                    ("metadata_fields", "元数据字段"), ("years", "年份"), ("doc_numbers", "文号"), ("places", "地名"),
                    ("asks_for", "要求的内容"), ("corrections", "纠错")]


def analysis_html(analysis: dict) -> str:
    """The question's analysis (what the assistant read) as a list: ``--debug`` only."""
    rows = []
    for key, label in _ANALYSIS_FIELDS:
        value = analysis.get(key)
        if value in (None, "", [], {}, False) or (key == "department_mode" and value == "or"):
            continue
        if isinstance(value, dict):
            value = "，".join(f"{a}→{b}" for a, b in value.items())
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append(f"<li>{esc(label)}：{esc(value)}</li>")
    return f'<ul class="pa-analysis">{"".join(rows) or "<li>（无）</li>"}</ul>'




def conversation_markdown(answers: list[dict], document=None) -> str:
    """A whole conversation as Markdown: each question, how it was understood, the answer
    and its sources (download)."""
    if not answers:
        return ""
    lines = ["# 政策问答记录", ""]
    for number, answer in enumerate(answers, 1):
        turn = answer_markdown(answer).strip().splitlines()
        turn[0] = f"## 第 {number} 问：{answer.get('question', '')}"
        if answer.get("understood_as"):
            turn[1:1] = ["", f"*{answer['understood_as']}*"]
        lines += [turn[0]] + [("#" + line) if line.startswith("##") else line for line in turn[1:]] + [""]
    docs = _all_documents(document)
    cited = {c.get("doc_id") for a in answers for c in (a.get("citations") or []) + (a.get("related") or [])}
    shown = [d for d in docs if d.doc_id in cited] or docs[:1]
    if shown:
        lines += ["---", "来源：" + "；".join(f"《{d.meta.title}》" + (f"（{d.meta.doc_number}）" if d.meta.doc_number
                                                                else "") for d in shown)]
    return "\n".join(lines).strip() + "\n"
