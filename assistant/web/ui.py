"""The web app: a Gradio UI over :class:`~assistant.qa.Assistant`, for three kinds of user.

* **智能问答** — a question box, example questions for 企业 / 机关工作人员 / 新员工, and an
  answer panel: the composed answer, then one card per cited clause (label, title,
  responsible departments, the full clause text with the quoted sentences marked, and a
  link that opens the clause in the 政策原文 tab). Refusals get an amber "文件未涉及" box and
  their nearby clauses are labelled 仅供参考. Each answer can be rated (saved as one JSON
  line to ``settings.feedback_path``), copied or downloaded as Markdown.
* **按部门查看** — every clause a department is responsible for; aliases such as 发改委 work.
* **政策原文** — the document's frame (文号, 发文机关 …), its outline and any clause in full.

A named API endpoint ``/ask`` returns exactly ``assistant.ask(question).to_dict()``.

Safety: every string that comes from a user or from the document is passed through
:func:`esc` before it is put into HTML; the only markup is the fixed markup written here.
Nothing is logged except, in the feedback file, the rating, question and answer. No
endpoint reads a path a user sends.

``build_ui`` returns the :class:`gr.Blocks` without starting it, so tests can pass an
assistant built on the fake encoder; ``launch`` starts a server.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

# Offline product: never phone home (gradio checks for updates / sends analytics otherwise).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.web.files_tab import files_tab  # noqa: E402
from assistant.web.render import (APP_TITLE, EXAMPLES, answer_markdown, clause_html, department_html,  # noqa: E402
                     department_not_found_html, departments_overview_html, esc, header_html, meta_table_html,
                     outline_html, render_answer_html)

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 2
FONT_SANS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
             "WenQuanYi Micro Hei", "Helvetica Neue", "Arial", "sans-serif"]
FONT_MONO = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]

# --------------------------------------------------------------------------- handlers


def save_feedback(path: Path, record: dict) -> bool:
    """Append one JSON line; False (never an exception) when the file cannot be written."""
    try:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return True
    except (OSError, ValueError, TypeError):
        return False


class Handlers:
    """Everything the UI and the API do, as plain methods (tests call them directly)."""

    def __init__(self, assistant, feedback_path, export_dir: Path | None = None):
        self.assistant = assistant
        self.feedback_path = Path(feedback_path) if feedback_path else None
        self.export_dir = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="policy-answers-"))
        self._ask_lock = threading.Lock()  # one question at a time: retrieval shares the encoder and indexes
        self._feedback_lock = threading.Lock()

    @property
    def document(self):
        return self.assistant.document

    # -- asking

    def ask(self, question: str) -> dict:
        """Answer a question about the policy document; returns the Answer as a JSON object
        (question, answer, refused, intent, citations, related, notice, error)."""
        from assistant.answering.compose import Answer

        if not isinstance(question, str):
            question = "" if question is None else str(question)
        try:
            with self._ask_lock:
                return self.assistant.ask(question).to_dict()
        except Exception as exc:  # noqa: BLE001 - the app must keep answering
            log.error("ask failed: %s", type(exc).__name__)
            message = "处理问题时出错，请稍后重试。"
            return Answer(question=question[:500], answer=message, refused=True, intent="error",
                          error=message).to_dict()

    def ask_view(self, question: str):
        """UI: (answer html, answer state, markdown, download file, feedback status, 有帮助, 没帮助, 复制)."""
        answer = self.ask(question)
        ok = not answer.get("error")
        markdown = answer_markdown(answer, self.document) if ok else ""
        path = self._export(markdown) if ok else None
        return (render_answer_html(answer, self.document), answer if ok else None, markdown,
                gr.update(value=path, interactive=ok), "",
                gr.update(interactive=ok), gr.update(interactive=ok), gr.update(interactive=ok))

    def _export(self, markdown: str) -> str | None:
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            cutoff = time.time() - 3600
            for old in self.export_dir.glob("*.md"):
                if old.stat().st_mtime < cutoff:
                    old.unlink(missing_ok=True)
            path = self.export_dir / f"政策问答-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.md"
            path.write_text(markdown, encoding="utf-8")
            return str(path)
        except OSError:
            return None

    # -- feedback

    def feedback(self, answer: dict | None, rating: str):
        """UI: save 有帮助/没帮助 for the shown answer; returns (status html, 有帮助, 没帮助)."""
        if not answer or rating not in ("up", "down"):
            return '<span class="pa-fb pa-fb-warn">请先提问，再评价回答。</span>', gr.update(), gr.update()
        record = {"time": datetime.now().astimezone().isoformat(timespec="seconds"), "rating": rating,
                  "question": answer.get("question", ""), "answer": answer.get("answer", "")}
        with self._feedback_lock:
            saved = self.feedback_path is not None and save_feedback(self.feedback_path, record)
        if not saved:
            return ('<span class="pa-fb pa-fb-warn">反馈未能保存（反馈文件不可写），回答功能不受影响。</span>',
                    gr.update(), gr.update())
        return ('<span class="pa-fb pa-fb-ok">已记录您的反馈，谢谢！</span>',
                gr.update(interactive=False), gr.update(interactive=False))

    # -- departments

    def department_choices(self) -> list[tuple[str, str]]:
        index = self.document.departments
        return [(f"{n}（{len(index.clauses_by_department.get(n, []))} 条）", n) for n in index.names]

    def department_view(self, query: str) -> str:
        from assistant.errors import DepartmentNotFound

        query = (query or "").strip()[:100]
        if not query:
            return departments_overview_html(self.document)
        try:
            names, numbers = self.document.departments.clauses_for(query)
        except DepartmentNotFound as exc:
            return department_not_found_html(query, exc.suggestions)
        return department_html(self.document, names, numbers, query)

    # -- policy text

    def clause_choices(self) -> list[tuple[str, int]]:
        return [(c.heading, c.number) for c in self.document.clauses]

    def clause_view(self, number) -> tuple[str, str]:
        """(clause html, outline html with the clause marked)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = None
        return clause_html(self.document, number), outline_html(self.document, number)


def _event_value(evt, key: str):
    data = getattr(evt, "_data", None)
    return data.get(key) if isinstance(data, dict) else None


# Delegated clicks inside an HTML panel: [data-clause] opens a clause, [data-dept] a department.
_CLICK_JS = """
element.addEventListener('click', (e) => {
  const c = e.target.closest('[data-clause]');
  if (c) { trigger('click', {clause: c.dataset.clause}); return; }
  const d = e.target.closest('[data-dept]');
  if (d) { trigger('click', {dept: d.dataset.dept}); }
});
"""

_COPY_JS = """
async (md) => {
  if (!md) return 'empty';
  try { await navigator.clipboard.writeText(md); return 'ok'; } catch (e) {}
  try {
    const t = document.createElement('textarea');
    t.value = md; t.style.position = 'fixed'; t.style.opacity = '0';
    document.body.appendChild(t); t.select();
    const ok = document.execCommand('copy'); t.remove();
    return ok ? 'ok' : 'fail';
  } catch (e) { return 'fail'; }
}
"""


# --------------------------------------------------------------------------- layout


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


CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
footer { opacity: .6; }
.pa-header { background: linear-gradient(135deg, #173c6b 0%, #1d4e89 100%); color: #fff; border-radius: 6px;
  padding: 18px 24px 16px; border-bottom: 4px solid #b8892d; }
.pa-header-top { display: flex; justify-content: space-between; align-items: center; gap: 12px; flex-wrap: wrap; }
.pa-header, .pa-header * { color: #fff !important; }
.pa-brand { font-size: 14px; letter-spacing: 2px; opacity: .85; }
.pa-badge { font-size: 12px; border: 1px solid rgba(255,255,255,.45); border-radius: 12px; padding: 2px 10px; opacity: .9; }
.pa-doc-title { color: #fff !important; font-size: 22px !important; font-weight: 600 !important; margin: 8px 0 10px !important;
  line-height: 1.45 !important; }
.pa-facts { display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 14px; }
.pa-fact-k { opacity: .7; margin-right: 6px; }
.pa-side-title { font-weight: 600; color: #1f2d3d; margin: 4px 0 2px; font-size: 14px; }
.pa-side-note { font-size: 13px; color: #5b6b7d; line-height: 1.7; }
button.pa-example { justify-content: flex-start !important; text-align: left !important; font-weight: 400 !important;
  background: #fff !important; border: 1px solid #d8e0ea !important; color: #1f2d3d !important; padding: 6px 10px !important;
  box-shadow: none !important; line-height: 1.5 !important; }
button.pa-example:hover { border-color: #1d4e89 !important; color: #1d4e89 !important; background: #f5f8fc !important; }
.pa-side-title { margin-top: 10px !important; }
#pa-actions { gap: 8px; }
#pa-actions button { flex: 0 0 auto !important; min-width: 96px !important; }
#pa-dept-search { align-self: flex-end; }
.pa-note { color: #6b7b8d; font-size: 13px; text-indent: 0 !important; }
.pa-empty { color: #5b6b7d; padding: 28px 20px; text-align: center; border: 1px dashed #cfd7e2; border-radius: 6px;
  background: #fafbfc; line-height: 1.8; }
.pa-empty-title { font-size: 16px; color: #1f2d3d; margin-bottom: 4px; }
.pa-answer { line-height: 1.8; color: #1f2d3d; }
.pa-q { display: flex; align-items: baseline; gap: 10px; margin-bottom: 12px; font-size: 16px; }
.pa-q-k { background: #1d4e89; color: #fff; border-radius: 4px; padding: 0 7px; font-size: 14px; flex: none; }
.pa-q-text { font-weight: 600; word-break: break-all; }
.pa-tag { font-size: 12px; color: #1d4e89; background: #e8eef7; border-radius: 10px; padding: 1px 9px; flex: none;
  white-space: nowrap; }
.pa-tag-ref { color: #8a5a00; background: #fdf1d6; margin-right: 8px; }
.pa-notice { font-size: 13px; color: #8a5a00; margin-bottom: 8px; }
.pa-box { border-radius: 6px; padding: 12px 18px; margin-bottom: 14px; }
.pa-box p { margin: 8px 0; }
.pa-box p:has(> strong:first-child) { margin-top: 16px; }
.pa-box p:first-of-type { margin-top: 4px; }
.pa-box p.pa-resp { color: #5b6b7d; font-size: 14px; margin-top: 4px; }
.pa-box-title { font-weight: 600; margin-bottom: 4px; font-size: 15px; }
.pa-box-answer { background: #ffffff; border: 1px solid #d8e0ea; border-left: 4px solid #1d4e89; }
.pa-box-answer .pa-box-title { color: #1d4e89; }
.pa-box-refused { background: #fff8e6; border: 1px solid #f0d48a; border-left: 4px solid #d49b1c; }
.pa-box-refused .pa-box-title { color: #8a5a00; }
.pa-box-info { background: #f1f4f8; border: 1px solid #d8e0ea; border-left: 4px solid #7a8ca3; }
.pa-answer blockquote, .pa-quote { margin: 6px 0 8px; padding: 4px 14px; border-left: 3px solid #c9d5e4;
  color: #33475b; background: #f6f8fb; }
.pa-quote p { margin: 4px 0; }
.pa-answer ul { margin: 4px 0 4px 20px; padding: 0; }
.pa-sub { font-size: 14px; color: #5b6b7d; margin: 14px 0 8px; font-weight: 600; }
.pa-cite { border: 1px solid #d8e0ea; border-radius: 6px; padding: 12px 16px; margin-bottom: 10px; background: #fff; }
.pa-cite-ref { background: #fbfbfa; border-style: dashed; }
.pa-cite-head { display: flex; align-items: baseline; flex-wrap: wrap; gap: 4px 10px; }
.pa-label { font-weight: 700; color: #1d4e89; }
.pa-title { font-weight: 600; color: #1f2d3d; }
.pa-section { font-size: 12px; color: #6b7b8d; }
.pa-depts { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; font-size: 13px; }
.pa-depts-k { color: #6b7b8d; margin-right: 2px; }
.pa-chip { background: #eef2f7; color: #2b3f55; border-radius: 4px; padding: 1px 8px; }
.pa-chip-on { background: #1d4e89; color: #fff; }
.pa-muted { color: #6b7b8d; font-size: 13px; }
.pa-details { margin-top: 8px; }
.pa-details summary { cursor: pointer; color: #1d4e89; font-size: 13px; }
.pa-fulltext { margin-top: 6px; padding: 10px 14px; background: #fafbfc; border: 1px solid #e3e8ef; border-radius: 4px;
  line-height: 1.9; }
.pa-fulltext mark, .pa-clause mark { background: #fde9a6; color: inherit; padding: 0 1px; }
.pa-cite-foot { margin-top: 6px; text-align: right; }
.pa-cite-open { margin-left: auto; }
.pa-link { background: none; border: none; color: #1d4e89; cursor: pointer; font-size: 13px; padding: 2px 0; }
.pa-link:hover { text-decoration: underline; }
.pa-fb { font-size: 13px; }
.pa-fb-ok { color: #1f7a3a; }
.pa-fb-warn { color: #a15c00; }
table.pa-meta { width: 100%; border-collapse: collapse !important; font-size: 14px; border: none !important; margin: 0 !important; }
table.pa-meta tr { border: none !important; background: transparent !important; }
table.pa-meta th, table.pa-meta td { border: none !important; border-bottom: 1px solid #eef1f5 !important;
  background: transparent !important; vertical-align: top; line-height: 1.6; }
table.pa-meta th { width: 76px; text-align: left; color: #5b6b7d !important; font-weight: 500 !important;
  padding: 6px 8px 6px 0 !important; white-space: nowrap; }
table.pa-meta td { padding: 6px 0 !important; color: #1f2d3d; }
.pa-preamble { font-size: 14px; line-height: 1.9; color: #33475b; text-indent: 2em; margin: 0; }
.pa-outline { max-height: 820px; overflow-y: auto; padding-right: 4px; }
.pa-ol-section { font-weight: 600; color: #1f2d3d; margin: 12px 0 4px; font-size: 14px; }
.pa-ol-item { display: block; width: 100%; text-align: left; background: none; border: none; border-radius: 4px;
  padding: 4px 8px; font-size: 14px; color: #33475b; cursor: pointer; line-height: 1.5; font-weight: 400 !important; }
.pa-ol-item:hover { background: #eef2f7; }
.pa-ol-on { background: #e3ebf6 !important; color: #1d4e89; font-weight: 600 !important; }
.pa-ol-label { color: #1d4e89; margin-right: 4px; }
#pa-clause .pa-clause { background: #fff; border: 1px solid #d8e0ea; border-radius: 6px; padding: 16px 22px; }
#pa-side { background: #fff; border: 1px solid #d8e0ea; border-radius: 6px; padding: 12px 14px; gap: 6px !important; }
.pa-clause-section { font-size: 13px; color: #6b7b8d; }
.pa-clause-title { margin: 2px 0 8px !important; font-size: 17px !important; color: #1f2d3d; }
.pa-clause-body { line-height: 1.9; color: #1f2d3d; }
.pa-clause-body p { margin: 2px 0; text-indent: 2em; }
.pa-raw { margin-top: 6px; font-size: 12px; color: #8593a3; }
.pa-dept-list { display: flex; flex-wrap: wrap; gap: 8px; }
.pa-dept-btn { background: #fff; border: 1px solid #d3dce7; border-radius: 4px; padding: 4px 10px; cursor: pointer;
  font-size: 13px; color: #1f2d3d; font-weight: 400 !important; }
.pa-dept-btn:hover { border-color: #1d4e89; color: #1d4e89; }
.pa-count { margin-left: 6px; color: #fff; background: #7a8ca3; border-radius: 8px; padding: 0 6px; font-size: 12px; }
.pa-dept-head { font-size: 15px; margin: 6px 0 10px; }
.pa-dept-name { font-weight: 700; color: #1d4e89; margin-right: 6px; }
"""


class PolicyApp(gr.Blocks):
    """A :class:`gr.Blocks` whose ``launch`` defaults to the app's theme, CSS and privacy
    settings, so ``build_ui(...).launch(...)`` looks and behaves like the product."""

    def launch(self, *args, **kwargs):
        kwargs.setdefault("theme", theme())
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("footer_links", ["api"])
        kwargs.setdefault("run_history", False)
        kwargs.setdefault("enable_monitoring", False)
        kwargs.setdefault("show_error", False)
        kwargs.setdefault("ssr_mode", False)
        return super().launch(*args, **kwargs)


def build_ui(assistant, feedback_path=None, *, concurrency: int = DEFAULT_CONCURRENCY,
             allow_upload: bool = False) -> PolicyApp:
    """The whole app for ``assistant``; ``feedback_path`` defaults to its settings'."""
    if feedback_path is None:
        feedback_path = assistant.settings.feedback_path
    h = Handlers(assistant, feedback_path)
    document = assistant.document
    private = {"api_visibility": "private"}
    first_clause = document.clauses[0].number if document.clauses else None

    with PolicyApp(title=f"{APP_TITLE} · {document.meta.title}"[:80], analytics_enabled=False,
                   delete_cache=(3600, 3600)) as demo:
        demo.handlers = h  # for tests
        gr.HTML(header_html(document), elem_id="pa-header")
        with gr.Tabs(selected="ask") as tabs:
            # ---------------------------------------------------------------- 智能问答
            with gr.Tab("智能问答", id="ask"):
                answer_state = gr.State(None)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7):
                        question = gr.Textbox(label="您的问题", lines=1, max_lines=4, max_length=2000,
                                              placeholder="例如：孵化器建设归哪个部门管？（按 Enter 提问）",
                                              elem_id="pa-question", autofocus=True)
                        with gr.Row():
                            ask_btn = gr.Button("提问", variant="primary", elem_id="pa-ask", scale=4)
                            clear_btn = gr.Button("清空", variant="secondary", elem_id="pa-clear", scale=1, min_width=80)
                        answer_html = gr.HTML(render_answer_html(None), elem_id="pa-answer",
                                              js_on_load=_CLICK_JS, min_height=120)
                        with gr.Row(elem_id="pa-actions"):
                            up_btn = gr.Button("有帮助", size="sm", interactive=False, scale=0, min_width=96, elem_id="pa-up")
                            down_btn = gr.Button("没帮助", size="sm", interactive=False, scale=0, min_width=96, elem_id="pa-down")
                            copy_btn = gr.Button("复制回答", size="sm", interactive=False, scale=0, min_width=96, elem_id="pa-copy")
                            download_btn = gr.DownloadButton("下载 Markdown", size="sm", interactive=False,
                                                             scale=0, min_width=120, elem_id="pa-download")
                        feedback_status = gr.HTML("", elem_id="pa-feedback-status")
                        markdown_box = gr.Textbox(visible="hidden", elem_id="pa-markdown")
                    with gr.Column(scale=3, min_width=260, elem_id="pa-side"):
                        gr.HTML('<div class="pa-side-title">常见问题</div>'
                                '<div class="pa-side-note">点击即可提问。</div>')
                        example_buttons = []
                        for group, questions in EXAMPLES.items():
                            gr.HTML(f'<div class="pa-side-title">{esc(group)}</div>')
                            for q in questions:
                                btn = gr.Button(q, size="sm", variant="secondary", elem_classes=["pa-example"])
                                example_buttons.append((btn, q))
                        gr.HTML('<div class="pa-side-note" style="margin-top:12px">回答只摘录文件原文，'
                                '每条都注明出处条款和责任单位；文件没有规定的问题，会标明“文件未涉及”，'
                                '相近条款仅供参考。</div>')

            # ---------------------------------------------------------------- 按部门查看
            with gr.Tab("按部门查看", id="departments"):
                with gr.Row(equal_height=False):
                    dept_dropdown = gr.Dropdown(choices=h.department_choices(), value=None, filterable=True,
                                                label="选择责任单位", scale=3, elem_id="pa-dept-dropdown")
                    dept_text = gr.Textbox(label="或输入部门名称 / 简称", placeholder="如：发改委、人社厅、科技厅",
                                           scale=3, elem_id="pa-dept-text")
                    dept_btn = gr.Button("查询", variant="primary", scale=0, min_width=110, elem_id="pa-dept-search")
                dept_html = gr.HTML(departments_overview_html(document), elem_id="pa-dept-result",
                                    js_on_load=_CLICK_JS)

            # ---------------------------------------------------------------- 政策原文
            with gr.Tab("政策原文", id="policy"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=4, min_width=300):
                        with gr.Accordion("目录", open=True):
                            outline = gr.HTML(outline_html(document, first_clause), elem_id="pa-outline",
                                              js_on_load=_CLICK_JS)
                    with gr.Column(scale=6):
                        clause_dropdown = gr.Dropdown(choices=h.clause_choices(), value=first_clause,
                                                      label="选择条款", filterable=True, elem_id="pa-clause-dropdown")
                        clause_view = gr.HTML(clause_html(document, first_clause), elem_id="pa-clause")
                        with gr.Accordion("文件信息", open=True):
                            gr.HTML(meta_table_html(document), elem_id="pa-meta")
                        if document.preamble:
                            with gr.Accordion("导语", open=False):
                                gr.HTML(f'<p class="pa-preamble">{esc(document.preamble)}</p>')

            files_tab(assistant, allow_upload)  # 文件: the corpus, and uploads when allowed

        # ---------------------------------------------------------------- events
        ask_outputs = [answer_html, answer_state, markdown_box, download_btn, feedback_status, up_btn, down_btn, copy_btn]
        for trigger in (ask_btn.click, question.submit):
            trigger(h.ask_view, inputs=question, outputs=ask_outputs, **private)
        for btn, q in example_buttons:
            btn.click(lambda q=q: q, outputs=question, queue=False, **private).then(
                h.ask_view, inputs=question, outputs=ask_outputs, **private)
        def clear():
            off = [gr.update(interactive=False) for _ in range(3)]
            return ("", render_answer_html(None), None, "", gr.update(value=None, interactive=False), "", *off)

        clear_btn.click(clear,
                        outputs=[question, *ask_outputs], queue=False, **private)
        up_btn.click(lambda a: h.feedback(a, "up"), inputs=answer_state,
                     outputs=[feedback_status, up_btn, down_btn], **private)
        down_btn.click(lambda a: h.feedback(a, "down"), inputs=answer_state,
                       outputs=[feedback_status, up_btn, down_btn], **private)
        copy_btn.click(lambda r: {"ok": '<span class="pa-fb pa-fb-ok">已复制到剪贴板。</span>',
                                  "empty": '<span class="pa-fb pa-fb-warn">还没有可复制的回答。</span>'}.get(
                                      r, '<span class="pa-fb pa-fb-warn">浏览器不允许复制，请使用“下载 Markdown”。</span>'),
                       inputs=markdown_box, outputs=feedback_status, js=_COPY_JS, queue=False, **private)

        clause_numbers = {c.number for c in document.clauses}

        def open_from_panel(evt: gr.EventData):
            number, dept = _event_value(evt, "clause"), _event_value(evt, "dept")
            number = int(number) if str(number).isascii() and str(number).isdigit() and int(number) in clause_numbers else None
            if number:
                body, ol = h.clause_view(number)
                return gr.Tabs(selected="policy"), gr.update(value=number), body, ol, gr.skip(), gr.skip()
            if isinstance(dept, str) and dept.strip():
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.update(value=dept), h.department_view(dept)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

        for panel in (answer_html, dept_html, outline):
            panel.click(open_from_panel, outputs=[tabs, clause_dropdown, clause_view, outline, dept_dropdown, dept_html],
                        **private)
        clause_dropdown.input(h.clause_view, inputs=clause_dropdown, outputs=[clause_view, outline], **private)
        dept_dropdown.input(h.department_view, inputs=dept_dropdown, outputs=dept_html, **private)
        for trigger in (dept_btn.click, dept_text.submit):
            trigger(h.department_view, inputs=dept_text, outputs=dept_html, **private)

        gr.api(h.ask, api_name="ask", api_description="回答一个关于政策文件的问题，返回与 `assistant ask --json` 相同的 JSON 对象。")

    demo.queue(default_concurrency_limit=concurrency)
    return demo


def launch(assistant, host: str = "127.0.0.1", port: int = 7860, *, feedback_path=None, block: bool = True,
           ready_message: str = "助手已就绪: {url}", allow_upload: bool = False):
    """Start the server; print ``ready_message`` once it accepts requests."""
    demo = build_ui(assistant, feedback_path, allow_upload=allow_upload)
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
