"""The web app's 文件 tab: the documents of the corpus with their metadata, and — only when
the app was started with ``--allow-upload`` on a loopback address — an upload that adds
files exactly as ``assistant add`` does (same checks, same duplicate refusal, same size
limit), then updates the index (only the new units are embedded) and switches the running
assistant to the new corpus.

Every string from a document or a user is escaped with :func:`esc` before it is put into
HTML. Uploads from a non-loopback client are refused even when the flag is set.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import gradio as gr

from assistant.config import MAX_DOCUMENT_BYTES
from assistant.errors import AssistantError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.web.net import is_loopback
from assistant.web.render import esc

log = logging.getLogger(__name__)

_UPLOAD_LOCK = threading.Lock()  # one corpus change at a time


def documents_html(corpus) -> str:
    """A table of the corpus: one row per document."""
    from assistant.ingest.library import summary

    rows = []
    for doc in corpus.documents:
        row = summary(doc)
        departments = row["departments"]
        shown = "、".join(departments[:6]) + (f" 等 {len(departments)} 个" if len(departments) > 6 else "")
        rows.append(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
                row["title"] or row["doc_id"], row["doc_number"] or "—", row["issuer"] or "—",
                row["signed_date"] or "—", f"{row['clauses']} 条", shown or "—",
                f"{row['file']}（{row['format'].upper()}）", row["doc_id"])) + "</tr>")
    problems = "".join(f"<li>{esc(p)}</li>" for p in getattr(corpus, "problems", []))
    return (f'<div class="pa-files"><p>语料库共 {len(corpus.documents)} 份文件。</p>'
            '<table class="pa-files-table"><thead><tr><th>标题</th><th>文号</th><th>发文机关</th><th>成文日期</th>'
            '<th>条款</th><th>责任单位</th><th>文件</th><th>文档 ID</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>"
            + (f'<p class="pa-side-note">未能读取的文件：</p><ul>{problems}</ul>' if problems else "")
            + "</div>")


def reload_assistant(assistant) -> None:
    """Point ``assistant`` at the corpus as it now is on disk (index updated, new units
    embedded only), keeping its loaded encoder: loaded beside it, then swapped in whole
    under the lock every answer holds (:meth:`Assistant.swap_from`)."""
    assistant.reload()


def add_uploads(assistant, paths: list[str], client_host: str | None) -> tuple[str, str]:
    """(status HTML, documents table HTML) after adding uploaded files."""
    from assistant.ingest.library import check_new, copy_in, summary

    if not is_loopback(client_host):
        return '<span class="pa-fb pa-fb-warn">只能从本机上传文件。</span>', documents_html(assistant.corpus)
    paths = [p for p in (paths or []) if p]
    if not paths:
        return '<span class="pa-fb pa-fb-warn">请先选择文件。</span>', documents_html(assistant.corpus)
    try:
        with _UPLOAD_LOCK:
            for path in paths:
                size = Path(path).stat().st_size
                if size > MAX_DOCUMENT_BYTES:
                    raise AssistantError(f"{Path(path).name}: 文件过大 ({size / 2**20:.0f} MB，上限 "
                                         f"{MAX_DOCUMENT_BYTES / 2**20:.0f} MB)")
            added = copy_in(check_new([Path(p) for p in paths], assistant.settings.corpus_dir),
                            assistant.settings.corpus_dir)
            reload_assistant(assistant)
    except (AssistantError, OSError) as exc:
        return f'<span class="pa-fb pa-fb-warn">未添加：{esc(exc)}</span>', documents_html(assistant.corpus)
    lines = [f"已添加《{esc(s['title'] or s['doc_id'])}》（{esc(s['doc_number'] or '无文号')}，{s['clauses']} 条）"
             for s in map(summary, added)]
    return '<span class="pa-fb pa-fb-ok">' + "<br>".join(lines) + "，现在可以提问。</span>", documents_html(assistant.corpus)


def files_tab(assistant, allow_upload: bool = False):
    """Build the 文件 tab inside the current Blocks (and Tabs) context."""
    with gr.Tab("文件", id="files"):
        table = gr.HTML(documents_html(assistant.corpus), elem_id="pa-files")
        if not allow_upload:
            gr.HTML('<div class="pa-side-note">网页上传已关闭。管理员可用命令 <code>assistant add 文件</code> 添加文件，'
                    '或以 <code>python app.py --allow-upload</code> 启动（仅限本机访问）。</div>')
            return table
        upload = gr.File(label=f"上传政策文件（{' '.join(SUPPORTED_SUFFIXES)}，单个不超过 "
                               f"{MAX_DOCUMENT_BYTES // 2**20} MB）", file_count="multiple",
                         file_types=list(SUPPORTED_SUFFIXES), type="filepath", elem_id="pa-upload")
        button = gr.Button("添加到语料库", variant="primary", elem_id="pa-upload-add")
        status = gr.HTML("", elem_id="pa-upload-status")

        def on_add(files, request: gr.Request):
            host = getattr(getattr(request, "client", None), "host", None)
            status_html, table_html = add_uploads(assistant, files or [], host)
            return status_html, table_html, None

        button.click(on_add, inputs=upload, outputs=[status, table, upload], api_visibility="private")
    return table
