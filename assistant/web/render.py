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


def _open_button(number: int, text: str = "在政策原文中查看") -> str:
    return f'<button type="button" class="pa-link" data-clause="{int(number)}">{esc(text)} →</button>'


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


def header_html(document) -> str:
    meta = document.meta
    facts = [("文号", meta.doc_number), ("发文机关", meta.issuer), ("成文日期", meta.signed_date)]
    facts_html = "".join(f'<span class="pa-fact"><span class="pa-fact-k">{esc(k)}</span>{esc(v)}</span>'
                         for k, v in facts if v)
    return (
        '<div class="pa-header"><div class="pa-header-top">'
        f'<span class="pa-brand">{esc(APP_TITLE)}</span>'
        '<span class="pa-badge">离线运行 · 回答均摘自文件原文</span></div>'
        f'<h1 class="pa-doc-title">{esc(meta.title or document.doc_id)}</h1>'
        f'<div class="pa-facts">{facts_html}</div></div>'
    )


def meta_table_html(document) -> str:
    rows = "".join(f"<tr><th>{esc(label)}</th><td>{esc(getattr(document.meta, key, '') or '文件未载明')}</td></tr>"
                   for key, label in META_FIELDS)
    return f'<table class="pa-meta">{rows}</table>'


def outline_html(document, selected: int | None = None) -> str:
    out = ['<div class="pa-outline">']
    in_section = set()
    for section in document.sections:
        out.append(f'<div class="pa-ol-section">{esc(section.label)}{esc(section.title)}</div>')
        for number in section.clauses:
            in_section.add(number)
            out.append(_outline_item(document.clause(number), selected))
    rest = [c for c in document.clauses if c.number not in in_section]
    if rest:
        out.append('<div class="pa-ol-section">其他条款</div>')
        out += [_outline_item(c, selected) for c in rest]
    out.append("</div>")
    return "".join(out)


def _outline_item(clause, selected) -> str:
    on = " pa-ol-on" if clause.number == selected else ""
    return (f'<button type="button" class="pa-ol-item{on}" data-clause="{clause.number}">'
            f'<span class="pa-ol-label">{esc(clause.label)}</span>{esc(clause.title)}</button>')


def clause_html(document, number, strong_departments=()) -> str:
    """One clause in full: heading, section, text, departments."""
    clause = _clause_of(document, number)
    if clause is None:
        return '<div class="pa-empty">请选择一个条款。</div>'
    section = f'<div class="pa-clause-section">{esc(clause.section_title)}</div>' if clause.section_title else ""
    text = clause.text
    body, note = (text[:len(clause.body)], text[len(clause.body):]) if text.startswith(clause.body) else (text, "")
    paragraphs = "".join(f"<p>{esc(line)}</p>" for line in body.split("\n") if line.strip())
    if note.strip():
        paragraphs += f'<p class="pa-note">{esc(note.strip())}</p>'
    return (
        f'<div class="pa-clause">{section}<h3 class="pa-clause-title">{esc(clause.heading)}</h3>'
        f'<div class="pa-clause-body">{paragraphs}</div>'
        f'<div class="pa-depts"><span class="pa-depts-k">责任单位</span>{_chips(clause.departments, strong_departments)}</div>'
        '</div>'
    )


def departments_overview_html(document) -> str:
    index = document.departments
    names = sorted(index.names, key=lambda n: (-len(index.clauses_by_department.get(n, [])), n))
    chips = "".join(
        f'<button type="button" class="pa-dept-btn" data-dept="{esc(n)}">{esc(n)}'
        f'<span class="pa-count">{len(index.clauses_by_department.get(n, []))}</span></button>'
        for n in names)
    return (f'<div class="pa-sub">全部 {len(names)} 个责任单位（数字为其负责的条款数），点击查看：</div>'
            f'<div class="pa-dept-list">{chips}</div>')


def department_html(document, names: list[str], numbers: list[int], query: str = "") -> str:
    matched = "、".join(names)
    intro = (f'<div class="pa-dept-head"><span class="pa-dept-name">{esc(matched)}</span>'
             f'是以下 <strong>{len(numbers)}</strong> 条的责任单位</div>')
    if query and [query] != names:
        intro = f'<div class="pa-muted">“{esc(query)}” 对应：</div>' + intro
    cards = []
    for number in numbers:
        cards.append(f'<div class="pa-cite">{clause_html(document, number, names)}'
                     f'<div class="pa-cite-foot">{_open_button(number)}</div></div>')
    return intro + "".join(cards)


def department_not_found_html(query: str, suggestions: list[str]) -> str:
    hint = ""
    if suggestions:
        hint = ('<div class="pa-sub">您是否要找：</div><div class="pa-dept-list">'
                + "".join(f'<button type="button" class="pa-dept-btn" data-dept="{esc(s)}">{esc(s)}</button>'
                          for s in suggestions) + "</div>")
    return (f'<div class="pa-box pa-box-refused"><div class="pa-box-title">未找到该部门</div>'
            f'<p>文件中没有“{esc(query)}”作为责任单位的条款。</p></div>{hint}')


# --------------------------------------------------------------------------- chat messages

# Links inside chat messages; app.js turns a click on one into "open this clause / department".
OPEN_PREFIX = "#pa-open-"
MAX_FULLTEXT_CHARS = 4000


def _open_link(kind: str, value, text: str) -> str:
    from urllib.parse import quote

    return f'<a class="pa-link" href="{OPEN_PREFIX}{kind}:{esc(quote(str(value), safe=""))}">{esc(text)}</a>'


def _bold_quotes(text: str, sentences) -> str:
    """``text`` escaped, with the quoted ``sentences`` in bold (the chat's highlight)."""
    return highlight(text, sentences).replace("<mark>", "<strong>").replace("</mark>", "</strong>")


def citation_message(citation: dict, document=None, *, reference_only: bool = False) -> dict:
    """One cited clause as a collapsible chat message: quote, departments, full clause, link."""
    clause = _clause_of(document, citation.get("clause")) if document is not None and (
        citation.get("doc_id") in (None, "", document.doc_id)) else None
    heading = citation.get("heading") or f"第{citation.get('label', '')}条 {citation.get('title', '')}"
    sentences = citation.get("sentences") or ([citation["quote"]] if citation.get("quote") else [])
    depts = citation.get("departments") or []
    parts = ['<div class="pa-cite-msg">']
    if reference_only:
        parts.append('<div class="pa-muted">内容相近，仅供参考，不是对该问题的回答。</div>')
    if citation.get("ocr"):
        parts.append(f'<div class="pa-muted">{OCR_TAG}{OCR_NOTE}</div>')
    parts.append('<blockquote class="pa-quote">' + "".join(f"<p>{esc(s)}</p>" for s in sentences) + "</blockquote>")
    chips = "".join(_open_link("dept", d, d) for d in depts) if depts else '<span class="pa-muted">该条未列明责任单位</span>'
    parts.append(f'<div class="pa-depts"><span class="pa-depts-k">责任单位</span>{chips}</div>')
    if clause is not None:
        full = clause.text if len(clause.text) <= MAX_FULLTEXT_CHARS else clause.text[:MAX_FULLTEXT_CHARS] + "…"
        parts.append(f'<details class="pa-details"><summary>展开条款全文</summary>'
                     f'<div class="pa-fulltext">{_bold_quotes(full, sentences)}</div></details>')
        parts.append(f'<div class="pa-cite-foot">{_open_link("clause", clause.number, "在政策原文中查看 →")}</div>')
    parts.append("</div>")
    title = ("仅供参考：" if reference_only else "依据：") + heading + ("（文字识别）" if citation.get("ocr") else "")
    return {"role": "assistant", "content": "".join(parts), "metadata": {"title": title, "status": "done"}}


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$])")


def md_escape(text) -> str:
    """``text`` as literal Markdown: every character Markdown or HTML would act on escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def chat_messages(question: str, answer: dict, document=None) -> list[dict]:
    """The messages one turn adds to the chat: the question, the answer, one per citation.

    The answer message is Markdown (what 复制 copies): how a follow-up was understood, the
    answer as composed — fixed phrases and verbatim quotes — or a marked refusal. Citations
    follow as collapsible cards."""
    out = [{"role": "user", "content": md_escape(question)}]
    body = []
    if answer.get("understood_as"):
        body.append(f"*{md_escape(answer['understood_as'])}*")
    if answer.get("notice"):
        body.append(f"*注意：{md_escape(answer['notice'])}*")
    if answer.get("error"):
        body.append(answer["error"])
    elif answer.get("refused"):
        text = answer.get("answer", "")
        if answer.get("related"):
            text = text.split("\n以下条款", 1)[0]
        title = "需要补充" if answer.get("intent") == "followup" else "文件未涉及"
        body.append(f"**【{title}】** {text.strip()}")
        if answer.get("related"):
            body.append("以下相近条款**仅供参考**，不是对该问题的回答。")
    else:
        body.append(answer.get("answer", "").strip())
    out.append({"role": "assistant", "content": "\n\n".join(body)})
    if not answer.get("error"):
        out += [citation_message(c, document) for c in answer.get("citations") or []]
        if answer.get("refused"):
            out += [citation_message(c, document, reference_only=True) for c in answer.get("related") or []]
        if answer.get("analysis"):
            out.append(analysis_message(answer["analysis"]))
    return out


_ANALYSIS_FIELDS = [("kind", "问题类型"), ("asked", "所问内容"), ("yes_no", "是非问"), ("doc_ids", "限定文件"),
                    ("clause_refs", "条款"), ("section_refs", "部分"), ("departments", "部门"),
                    ("department_mode", "部门关系"), ("applicants", "申请主体"), ("need", "需求"),
                    ("metadata_fields", "元数据字段"), ("years", "年份"), ("doc_numbers", "文号"), ("places", "地名"),
                    ("asks_for", "要求的内容"), ("corrections", "纠错")]


def analysis_message(analysis: dict) -> dict:
    """The question's analysis as a collapsed debug message (what the assistant read)."""
    rows = []
    for key, label in _ANALYSIS_FIELDS:
        value = analysis.get(key)
        if value in (None, "", [], {}, False) or (key == "department_mode" and value == "or"):
            continue
        if isinstance(value, dict):
            value = "，".join(f"{a}→{b}" for a, b in value.items())
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append(f"- {label}：{md_escape(value)}")
    return {"role": "assistant", "content": "\n".join(rows) or "（无）",
            "metadata": {"title": "问题分析（调试）", "status": "done"}}


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
    if document is not None:
        meta = document.meta
        lines += ["---", f"来源：《{meta.title}》" + (f"（{meta.doc_number}）" if meta.doc_number else "")]
    return "\n".join(lines).strip() + "\n"
