"""The web app's 企业政策匹配 tab: a profile in free text plus selectors (applicant type,
盟市 / 高新区, industry) → the measures that apply, grouped by document, each with its
conditions marked 符合 / 不符合 / 待确认, amounts, periods and departments; exports as Excel
(openpyxl) and Markdown. Also the web API endpoint ``match(profile)``.

Every string from a document or a user is escaped with :func:`esc` before it goes into HTML.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.web.render import esc

_STATUS_CLASS = {"met": "pa-met", "not_met": "pa-not-met", "unknown": "pa-unknown"}
_STYLE = ("<style>.pa-match-item{border:1px solid #ddd;border-radius:6px;padding:8px 10px;margin:8px 0;"
          "overflow-wrap:anywhere}.pa-match-item blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #999}"
          ".pa-met{color:#1a7f37}.pa-not-met{color:#c62828}.pa-unknown{color:#8a6d00}"
          ".pa-match-understood{font-weight:600}</style>")
_EXAMPLES = ["我们是巴彦淖尔一家做农机装备的科技型中小企业，刚成立两年，员工40人",
             "我们是包头稀土高新区一家首次通过认定的高新技术企业",
             "赤峰的一家市级科技企业孵化器"]


def outcome_html(outcome) -> str:
    parts = [f'<div class="pa-match"><p class="pa-match-understood">{esc(outcome.profile.understood)}</p>',
             f'<p class="pa-match-message">{esc(outcome.message)}</p>']
    current = None
    for n, r in enumerate(outcome.results, 1):
        if r.doc_id != current:
            if current is not None:
                parts.append("</div>")
            current = r.doc_id
            parts.append(f'<div class="pa-match-doc"><h3>《{esc(r.doc_title)}》</h3>')
        conditions = "".join(f'<li class="{_STATUS_CLASS[c.status]}">{esc(c.text)}（{esc(c.label())}）</li>'
                             for c in r.conditions)
        rows = [f'<div class="pa-match-item"><div class="pa-match-head">{n}. <b>{esc(r.heading)}</b></div>',
                f'<blockquote>{esc(r.measure)}</blockquote>',
                f'<div>给予：{esc("；".join(dict.fromkeys(r.gives)))}</div>']
        if r.for_:
            rows.append(f'<div>适用对象：{esc("、".join(r.for_))}</div>')
        if r.amounts:
            rows.append(f'<div>金额：{esc("；".join(r.amounts))}</div>')
        if r.periods:
            rows.append(f'<div>期限/频次：{esc("；".join(r.periods))}</div>')
        if conditions:
            rows.append(f'<div>条件：<ul class="pa-match-conditions">{conditions}</ul></div>')
        rows.append(f'<div>联系部门：{esc("、".join(r.departments) or "（未列明）")}</div></div>')
        parts += rows
    if current is not None:
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def run_match(assistant, text, types=None, place="", industries=None):
    """(html, excel path, markdown path) for the tab; ``place`` is a 盟市 or a 高新区 name."""
    from assistant.matching.export import to_excel, to_markdown
    from assistant.matching.profile import zone_names

    text = (text or "").strip()[:500]
    zone = place if place in zone_names() else ""
    city = "" if zone or not place else place
    outcome = assistant.match(text, types=types or (), city=city, zone=zone, industries=industries or ())
    folder = Path(tempfile.mkdtemp(prefix="pa-match-"))
    excel = to_excel(outcome, folder / "企业政策匹配.xlsx")
    markdown = folder / "企业政策匹配.md"
    markdown.write_text(to_markdown(outcome), encoding="utf-8")
    return outcome_html(outcome), str(excel), str(markdown)


def match_tab(assistant):
    """Build the 企业政策匹配 tab inside the current Blocks (and Tabs) context (the API
    endpoint is :func:`match_api`, registered outside the Tabs)."""
    from assistant.matching.profile import city_names, industry_names, type_names, zone_names

    private = {"api_visibility": "private"}
    with gr.Tab("企业政策匹配", id="match"):
        gr.HTML(_STYLE)
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=280):
                text = gr.Textbox(label="企业情况", lines=3, elem_id="pa-match-text",
                                  placeholder="例如：" + _EXAMPLES[0])
                types = gr.Dropdown(type_names(), multiselect=True, label="主体类型", elem_id="pa-match-type")
                place = gr.Dropdown([""] + city_names() + zone_names(), value="", label="盟市 / 高新区",
                                    elem_id="pa-match-place")
                industries = gr.Dropdown(industry_names(), multiselect=True, label="行业", elem_id="pa-match-industry")
                button = gr.Button("匹配政策", variant="primary", elem_id="pa-match-go")
                gr.Examples(_EXAMPLES, inputs=text, label="示例")
            with gr.Column(scale=8, min_width=300):
                result = gr.HTML('<p class="pa-side-note">输入企业情况或选择条件后点击“匹配政策”。</p>',
                                 elem_id="pa-match-result")
                with gr.Row():
                    excel = gr.File(label="导出 Excel", interactive=False, elem_id="pa-match-excel")
                    markdown = gr.File(label="导出 Markdown", interactive=False, elem_id="pa-match-md")

        def on_match(t, ty, pl, ind):
            return run_match(assistant, t, ty, pl, ind)

        for trigger in (button.click, text.submit):
            trigger(on_match, inputs=[text, types, place, industries], outputs=[result, excel, markdown], **private)

    return result


def match_api(assistant):
    """The web API endpoint ``match(profile)`` (outside the Tabs: gr.Tabs holds only tabs)."""

    def match(profile: str) -> dict:
        return assistant.match(str(profile or "")[:500]).to_dict()

    gr.api(match, api_name="match", api_description="企业政策匹配：传入企业情况（如“我们是包头一家高新技术企业”），"
           "返回 {profile, measures, message}：每条适用措施的文件、条款、原文、条件（met/not_met/unknown）与联系部门。")
