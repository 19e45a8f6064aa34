"""The web app: a Gradio chat over :class:`~assistant.qa.Assistant`, for three kinds of user.

* **智能问答** — a chat: the conversation stays on screen and follow-ups (这一条、下一条、
  那能源局呢) refer to earlier turns. Each answer is **one message**: how a follow-up was
  understood, the direct answer with inline markers [1] [2] … after what they support, and
  under it, folded, one source per marker (clause label and title, document, the quoted
  spans, departments as links, and a link that opens 政策原文 at that clause with the quoted
  spans highlighted); a refusal shows the nearby clauses in the same folded form, marked
  仅供参考. One copy and one 👍/👎 per answer (feedback is saved as one JSON line to
  ``settings.feedback_path``, rotated at a size limit). The question's analysis only with
  ``python app.py --debug``. Example questions per user group, 新对话, and the whole
  conversation as a Markdown download with its sources. The conversation lives per browser
  in a ``gr.State``.
* **按部门查看** — a document selector (all documents by default, grouped by document, widest
  jurisdiction first); every clause a department is responsible for, with short names
  (发改委) resolved per document; the duty table (责任分工: departments × clauses in the
  order each 责任单位 note lists them, 牵头/配合 where stated), filterable by section and
  exported as .xlsx / .csv.
* **政策原文** — the same document selector; 导读 for new staff (frame, sections with their
  clauses' titles, targets with their numbers, the departments named most — every item a
  link into the text), the outline, any clause in full, the documents' frames.

Corpus changes while the app runs (an upload in 文件, ``assistant add`` / ``remove``, seen by
:meth:`Handlers.watch`) swap the whole assistant under the lock every answer holds.

Named APIs: ``/ask`` returns ``assistant.ask(question).to_dict()``; ``/chat`` takes
``(question, session)`` and adds ``session`` and ``understood_as`` (server-side sessions,
LRU + TTL). Handlers live in :mod:`assistant.web.handlers`, HTML in
:mod:`assistant.web.render`, styles and the small client script in ``web/static/``.

Safety: user and document text is escaped (:func:`~assistant.web.render.esc`) before it
goes into HTML, and the chat sanitises what it renders. No endpoint reads a path a user sends.

``build_ui`` returns the :class:`gr.Blocks` without starting it, so tests can pass an
assistant built on the fake encoder; ``launch`` starts a server.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

# Offline product: never phone home (gradio checks for updates / sends analytics otherwise).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.web.files_tab import files_tab  # noqa: E402
from assistant.web.match_tab import match_api, match_tab  # noqa: E402
from assistant.web.handlers import Handlers, parse_link  # noqa: E402
from assistant.web.render import (APP_TITLE, EXAMPLES, esc,  # noqa: E402
                                  header_html)

log = logging.getLogger(__name__)

# Document selectors and clause keys (doc:12[:spans]) of 按部门查看 / 政策原文. (Kept apart from
# the imports above so that tab registrations next to ``files_tab`` merge cleanly.)
from assistant.web.handlers import ALL_DOCUMENTS  # noqa: E402
from assistant.web.render import clause_key, parse_clause_key  # noqa: E402, F401

DEFAULT_CONCURRENCY = 8  # parallel requests reach the query micro-batcher (assistant/embedding/batching.py)
FONT_SANS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
             "WenQuanYi Micro Hei", "Helvetica Neue", "Arial", "sans-serif"]
FONT_MONO = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]
STATIC = Path(__file__).resolve().parent / "static"
CSS = (STATIC / "app.css").read_text(encoding="utf-8")
JS = (STATIC / "app.js").read_text(encoding="utf-8")

# Example questions shown beside the chat: per user group, plus a follow-up pair.
CHAT_EXAMPLES = {**EXAMPLES, "连续追问": ["第五条讲什么？", "再下一条呢？", "人社厅负责哪些？", "那能源局呢？"]}

# Delegated clicks inside an HTML panel: [data-clause] opens a clause, [data-dept] a department.
_CLICK_JS = """
element.addEventListener('click', (e) => {
  const c = e.target.closest('[data-clause]');
  if (c) { trigger('click', {clause: c.dataset.clause}); return; }
  const d = e.target.closest('[data-dept]');
  if (d) { trigger('click', {dept: d.dataset.dept}); }
});
"""


def _event_value(evt, key: str):
    data = getattr(evt, "_data", None)
    return data.get(key) if isinstance(data, dict) else None


def theme() -> gr.themes.Base:
    """A calm blue-grey theme using system fonts only (no web fonts: the app runs offline)."""
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue, secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate, radius_size=gr.themes.sizes.radius_sm,
        text_size=gr.themes.sizes.text_md, font=FONT_SANS, font_mono=FONT_MONO,
    ).set(
        body_background_fill="#f3f5f8", block_background_fill="#ffffff",
        button_primary_background_fill="#1d4e89", button_primary_background_fill_hover="#163d6d",
        button_primary_text_color="#ffffff", block_title_text_weight="600",
    )


class PolicyApp(gr.Blocks):
    """A :class:`gr.Blocks` whose ``launch`` defaults to the app's theme, CSS and privacy
    settings, so ``build_ui(...).launch(...)`` looks and behaves like the product."""

    def launch(self, *args, **kwargs):
        kwargs.setdefault("theme", theme())
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("js", JS)
        kwargs.setdefault("footer_links", ["api"])
        kwargs.setdefault("run_history", False)
        kwargs.setdefault("enable_monitoring", False)
        kwargs.setdefault("show_error", False)
        kwargs.setdefault("ssr_mode", False)
        return super().launch(*args, **kwargs)


def build_ui(assistant, feedback_path=None, *, concurrency: int = DEFAULT_CONCURRENCY,
             allow_upload: bool = False, debug: bool = False) -> PolicyApp:
    """The whole app for ``assistant``; ``feedback_path`` defaults to its settings'; ``debug``
    shows each question's analysis under its answer."""
    if feedback_path is None:
        feedback_path = assistant.settings.feedback_path
    h = Handlers(assistant, feedback_path, debug=debug)
    document = assistant.document
    private = {"api_visibility": "private"}

    with PolicyApp(title=f"{APP_TITLE} · {document.meta.title}"[:80], analytics_enabled=False,
                   delete_cache=(3600, 3600)) as demo:
        demo.handlers = h  # for tests
        gr.HTML(header_html(assistant.corpus), elem_id="pa-header")
        with gr.Tabs(selected="ask") as tabs:
            # ---------------------------------------------------------------- 智能问答
            with gr.Tab("智能问答", id="ask"):
                # This browser's conversation: plain data, bounded in turns and dropped after an idle hour.
                state = gr.State(None, time_to_live=3600)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7):
                        chatbot = gr.Chatbot(
                            value=[], elem_id="pa-chat", height=560, label="对话", show_label=False,
                            buttons=["copy", "copy_all"], feedback_options=("Like", "Dislike"),
                            layout="bubble", placeholder=(
                                "<div class='pa-empty'><div class='pa-empty-title'>请在下方输入问题</div>"
                                "<div>回答只摘录文件原文，并注明出处条款和责任单位；可以接着追问，"
                                "如“这一条由谁负责？”“下一条呢？”“那能源局呢？”。</div></div>"),
                            sanitize_html=True, render_markdown=True, group_consecutive_messages=False)
                        with gr.Row(elem_id="pa-composer"):
                            question = gr.Textbox(label="您的问题", show_label=False, lines=1, max_lines=4,
                                                  max_length=2000, scale=8, elem_id="pa-question", autofocus=True,
                                                  placeholder="例如：孵化器建设归哪个部门管？（按 Enter 发送）")
                            send_btn = gr.Button("发送", variant="primary", elem_id="pa-send", scale=0, min_width=88)
                        with gr.Row(elem_id="pa-chat-actions"):
                            new_btn = gr.Button("新对话", size="sm", variant="secondary", scale=0, min_width=96,
                                                elem_id="pa-new")
                            download_btn = gr.DownloadButton("下载对话（Markdown）", size="sm", interactive=False,
                                                             scale=0, min_width=150, elem_id="pa-download")
                        feedback_status = gr.HTML("", elem_id="pa-feedback-status")
                    with gr.Column(scale=3, min_width=260, elem_id="pa-side"):
                        gr.HTML('<div class="pa-side-title">常见问题</div>'
                                '<div class="pa-side-note">点击即可提问；可以接着追问。</div>')
                        example_buttons = []
                        for group, questions in CHAT_EXAMPLES.items():
                            gr.HTML(f'<div class="pa-side-title">{esc(group)}</div>')
                            for q in questions:
                                btn = gr.Button(q, size="sm", variant="secondary", elem_classes=["pa-example"])
                                example_buttons.append((btn, q))
                        gr.HTML('<div class="pa-side-note" style="margin-top:12px">回答只摘录文件原文，'
                                '每条都注明出处条款和责任单位；文件没有规定的问题，会标明“文件未涉及”，'
                                '相近条款仅供参考。</div>')
                # Chat links (app.js) write "clause:12" / "dept:…" here and press the button.
                link_target = gr.Textbox(elem_id="pa-link-target", elem_classes=["pa-hidden"], show_label=False,
                                         container=False)
                link_go = gr.Button("open", elem_id="pa-link-go", elem_classes=["pa-hidden"])

            # ---------------------------------------------------------------- 按部门查看
            with gr.Tab("按部门查看", id="departments"):
                dept_doc = gr.Dropdown(choices=h.document_choices(), value=ALL_DOCUMENTS, label="文件",
                                       elem_id="pa-dept-doc")
                with gr.Row(equal_height=False):
                    dept_dropdown = gr.Dropdown(choices=h.department_choices(), value=None, filterable=True,
                                                label="选择责任单位", scale=3, elem_id="pa-dept-dropdown")
                    dept_text = gr.Textbox(label="或输入部门名称 / 简称", placeholder="如：发改委、人社厅、科技厅",
                                           scale=3, elem_id="pa-dept-text")
                    dept_btn = gr.Button("查询", variant="primary", scale=0, min_width=110, elem_id="pa-dept-search")
                dept_html = gr.HTML(h.department_view(""), elem_id="pa-dept-result", js_on_load=_CLICK_JS)
                with gr.Accordion("责任分工表（部门 × 条款，可导出）", open=False, elem_id="pa-duty-box"):
                    duty_table, duty_xlsx, duty_csv = h.duty_view()
                    with gr.Row(equal_height=False):
                        duty_section = gr.Dropdown(choices=h.section_choices(), value="", label="按部分筛选",
                                                   scale=3, elem_id="pa-duty-section")
                        duty_xlsx_btn = gr.DownloadButton("导出 Excel", value=duty_xlsx["value"], size="sm", scale=0,
                                                          min_width=110, elem_id="pa-duty-xlsx")
                        duty_csv_btn = gr.DownloadButton("导出 CSV", value=duty_csv["value"], size="sm", scale=0,
                                                         min_width=110, elem_id="pa-duty-csv")
                    duty_html = gr.HTML(duty_table, elem_id="pa-duty", js_on_load=_CLICK_JS)

            # ---------------------------------------------------------------- 政策原文
            with gr.Tab("政策原文", id="policy"):
                first_clause = h.first_clause()
                policy_doc = gr.Dropdown(choices=h.document_choices(), value=ALL_DOCUMENTS, label="文件",
                                         elem_id="pa-policy-doc")
                with gr.Accordion("导读（新员工从这里开始）", open=False, elem_id="pa-guide-box"):
                    guide = gr.HTML(h.policy_tab()[4], elem_id="pa-guide", js_on_load=_CLICK_JS)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=4, min_width=300):
                        with gr.Accordion("目录", open=True):
                            outline = gr.HTML(h.clause_view(first_clause)[1], elem_id="pa-outline",
                                              js_on_load=_CLICK_JS)
                    with gr.Column(scale=6):
                        clause_dropdown = gr.Dropdown(choices=h.clause_choices(), value=first_clause,
                                                      label="选择条款", filterable=True, elem_id="pa-clause-dropdown")
                        clause_view = gr.HTML(h.clause_view(first_clause)[0], elem_id="pa-clause")
                        with gr.Accordion("文件信息", open=True):
                            meta_html = gr.HTML(h.policy_tab()[3], elem_id="pa-meta")
                        if document.preamble:
                            with gr.Accordion("导语", open=False):
                                gr.HTML(f'<p class="pa-preamble">{esc(document.preamble)}</p>')

            # ---------------------------------------------------------------- 文件 (files helper)
            files_tab(assistant, allow_upload)  # 文件: the corpus, and uploads when allowed
            match_tab(assistant)  # 企业政策匹配: the support matcher and its exports

        # ---------------------------------------------------------------- events
        chat_outputs = [question, chatbot, state, download_btn]
        for trigger in (send_btn.click, question.submit):
            trigger(h.respond, inputs=[question, chatbot, state], outputs=chat_outputs, **private)
        for btn, q in example_buttons:
            btn.click(lambda history, st, q=q: h.respond(q, history, st), inputs=[chatbot, state],
                      outputs=chat_outputs, **private)
        new_btn.click(h.reset, outputs=chat_outputs, queue=False, **private).then(
            lambda: "", outputs=feedback_status, queue=False, **private)
        chatbot.clear(h.reset, outputs=chat_outputs, queue=False, **private)
        chatbot.like(h.like, inputs=[chatbot, state], outputs=feedback_status, **private)

        def open_target(kind, value, doc=ALL_DOCUMENTS):
            """Open a clause (``doc:12[:spans]``) in 政策原文 or a department in 按部门查看;
            ``doc`` is the tab's document choice (kept when it shows the clause, else all)."""
            skip = (gr.skip(),) * len(open_outputs)
            if kind == "clause":
                parsed = parse_clause_key(value)
                if parsed is None or h.clause_view(value)[0].startswith('<div class="pa-empty">'):
                    return skip
                doc_id = parsed[0] or (h.corpus.documents[0].doc_id if h.corpus.documents else "")
                if doc and doc != doc_id:  # a clause of another document than the one shown
                    doc = ALL_DOCUMENTS
                body, ol = h.clause_view(value, doc)
                plain = clause_key(doc_id, parsed[1])
                choices = gr.update(choices=h.clause_choices(doc), value=plain if parsed[1] else None)  # 0: 前言
                _, _, _, meta, guide_page = h.policy_tab(doc)
                return (gr.Tabs(selected="policy"), choices, body, ol, gr.update(value=doc), meta, guide_page,
                        gr.skip(), gr.skip())
            if kind == "dept" and isinstance(value, str) and value.strip():
                return (gr.Tabs(selected="departments"), *(gr.skip(),) * 6,
                        gr.update(value=value), h.department_view(value, doc))
            return skip

        open_outputs = [tabs, clause_dropdown, clause_view, outline, policy_doc, meta_html, guide, dept_text, dept_html]

        def open_from_panel(doc, evt: gr.EventData):
            number, dept = _event_value(evt, "clause"), _event_value(evt, "dept")
            if number is not None:
                return open_target("clause", str(number), doc)
            if dept is not None:
                result = open_target("dept", dept, doc)
                return (gr.skip(), *result[1:])  # stay on the tab the panel is in
            return open_target("", "")

        def open_from_link(target, policy, departments):
            parsed = parse_link(target)
            if not parsed:
                return open_target("", "")
            return open_target(*parsed, policy if parsed[0] == "clause" else departments)

        def open_from_policy_panel(doc, evt: gr.EventData):
            dept = _event_value(evt, "dept")  # 导读's departments open 按部门查看
            return open_target("dept", dept) if dept is not None else open_from_panel(doc, evt)

        for panel in (outline, guide):
            panel.click(open_from_policy_panel, inputs=policy_doc, outputs=open_outputs, **private)
        for panel in (dept_html, duty_html):
            panel.click(open_from_panel, inputs=dept_doc, outputs=open_outputs, **private)
        link_go.click(open_from_link, inputs=[link_target, policy_doc, dept_doc], outputs=open_outputs, **private)
        clause_dropdown.input(h.clause_view, inputs=[clause_dropdown, policy_doc], outputs=[clause_view, outline],
                              **private)
        policy_doc.input(h.policy_tab, inputs=policy_doc,
                         outputs=[clause_dropdown, clause_view, outline, meta_html, guide], **private)
        dept_dropdown.input(h.department_view, inputs=[dept_dropdown, dept_doc], outputs=dept_html, **private)
        for trigger in (dept_btn.click, dept_text.submit):
            trigger(h.department_view, inputs=[dept_text, dept_doc], outputs=dept_html, **private)
        dept_doc.input(h.departments_tab, inputs=dept_doc,
                       outputs=[dept_dropdown, dept_html, duty_section, duty_html, duty_xlsx_btn, duty_csv_btn],
                       **private)
        duty_section.input(h.duty_view, inputs=[dept_doc, duty_section], outputs=[duty_html, duty_xlsx_btn, duty_csv_btn],
                           **private)

        # A page opened after the corpus changed (an upload, `assistant add` while running)
        # shows the corpus as it now is in the document views.
        shown = {"corpus": h.corpus}

        def refresh_views():
            if h.corpus is shown["corpus"]:
                return (gr.skip(),) * len(refresh_outputs)
            documents = gr.update(choices=h.document_choices(), value=ALL_DOCUMENTS)
            return (documents, documents, *h.departments_tab(ALL_DOCUMENTS), *h.policy_tab(ALL_DOCUMENTS))

        refresh_outputs = [dept_doc, policy_doc, dept_dropdown, dept_html, duty_section, duty_html, duty_xlsx_btn,
                           duty_csv_btn, clause_dropdown, clause_view, outline, meta_html, guide]
        demo.load(refresh_views, outputs=refresh_outputs, queue=False, **private)

        gr.api(h.ask, api_name="ask", api_description="回答一个关于政策文件的问题（不带对话上下文），返回与 "
               "`assistant ask --json` 相同的 JSON 对象。")
        gr.api(h.chat, api_name="chat", api_description="对话中的一轮：传入问题和上一轮返回的 session（首轮留空），"
               "返回与 /ask 相同的 JSON 对象，另含 session 与 understood_as（追问被理解为什么）。")
        match_api(assistant)  # match(profile): Assistant.match(profile).to_dict()

    demo.queue(default_concurrency_limit=concurrency)
    return demo


def launch(assistant, host: str = "127.0.0.1", port: int = 7860, *, feedback_path=None, block: bool = True,
           ready_message: str = "助手已就绪: {url}", allow_upload: bool = False, debug: bool = False):
    """Start the server; print ``ready_message`` once it accepts requests. A CLI ``assistant
    add`` / ``remove`` while it runs is picked up (the whole assistant swapped under the lock)."""
    demo = build_ui(assistant, feedback_path, allow_upload=allow_upload, debug=debug)
    demo.handlers.watch()
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True, inbrowser=False)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    print(ready_message.format(url=f"http://{shown}:{port}"), flush=True)
    if host in ("0.0.0.0", "::"):
        print(f"（已监听所有网络接口 {host}，局域网内可用本机 IP 访问）", flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            pass
        finally:
            demo.close()
    return demo
