"""The web app over HTTP (gradio_client) and its rendering and handler functions.

One app per module, on the fake encoder: the ``/ask`` and ``/chat`` API contracts, chat
turns and their messages, escaping of markup, feedback (saved, and not saved without
breaking answers), the conversation download, concurrency, and ``app.py``'s command line.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT
from bench.loadtest import free_port

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

ANSWER_KEYS = {"question", "answer", "refused", "intent", "citations", "related", "notice", "error",
               "direct", "analysis", "understood_as", "session"}
CITATION_KEYS = {"ocr", "doc_id", "doc_title", "clause", "label", "title", "quote", "departments", "score", "heading",
                 "sentences", "quotes", "doc_number", "section"}
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def assistant(fake_assistant):
    return fake_assistant


def _start(assistant, feedback_path):
    from assistant.web.ui import build_ui

    demo = build_ui(assistant, feedback_path)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    return demo, url


@pytest.fixture(scope="module")
def app(assistant, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("feedback") / "sub" / "feedback.jsonl"
    demo, url = _start(assistant, feedback)
    yield demo, url, feedback
    demo.close()


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app[1], verbose=False)


# ------------------------------------------------------------------------------ the API


def test_ask_returns_the_answer_dict(client, assistant):
    result = client.predict("孵化器建设归哪个部门管？", api_name="/ask")
    assert set(result) == ANSWER_KEYS
    assert result == assistant.ask("孵化器建设归哪个部门管？").to_dict()
    assert result["refused"] is False and result["intent"] == "responsibility"
    assert result["citations"], result
    document = assistant.document
    for citation in result["citations"]:
        assert set(citation) == CITATION_KEYS
        text = document.clause(citation["clause"]).text
        assert citation["sentences"] and citation["quote"] == "".join(citation["sentences"])
        for sentence in citation["sentences"]:
            assert sentence in text  # verbatim
    assert "自治区科技厅" in result["citations"][0]["departments"]


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_returns_error_field(client, question):
    result = client.predict(question, api_name="/ask")
    assert set(result) == ANSWER_KEYS
    assert result["error"] and result["refused"] is True


def test_script_question_is_answered_and_escaped(client, assistant):
    from assistant.web.render import render_answer_html

    result = client.predict(SCRIPT, api_name="/ask")
    assert set(result) == ANSWER_KEYS
    page = render_answer_html(result, assistant.document)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page


def test_only_ask_chat_and_match_are_public_endpoints(client):
    """UI events are private: no endpoint takes a file path from a caller (match takes a profile text)."""
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {"/ask", "/chat", "/match"}


def test_chat_api_keeps_a_session(client):
    first = client.predict("第五条讲什么？", "", api_name="/chat")
    assert set(first) == ANSWER_KEYS and first["session"] and not first["notice"]
    second = client.predict("再下一条呢？", first["session"], api_name="/chat")
    assert second["session"] == first["session"]
    assert [c["clause"] for c in second["citations"]] == [6]
    assert second["understood_as"] == "理解为：第（六）条 强化创新平台建设 讲什么？"
    other = client.predict("再下一条呢？", "", api_name="/chat")  # a new session has nothing to refer to
    assert other["refused"] and other["answer"].startswith("请先说明是哪一条") and other["session"] != first["session"]


@pytest.mark.parametrize("session", ["no-such-session", "../../etc/passwd", "x" * 500])
def test_chat_api_bad_session_starts_fresh_and_says_so(client, session):
    result = client.predict("下一条呢？", session, api_name="/chat")
    assert result["session"] and result["session"] != session
    assert "新对话" in result["notice"] and result["refused"]


def test_concurrent_asks_all_succeed(app):
    from gradio_client import Client

    questions = ["孵化器建设归哪个部门管？", "商务厅负责哪些工作？", "文件的文号是什么？", "今天天气怎么样？"] * 2

    def one(question):
        return Client(app[1], verbose=False).predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, questions))
    assert [r["question"] for r in results] == questions
    assert all(set(r) == ANSWER_KEYS and not r["error"] for r in results)


# ------------------------------------------------------------------------------ rendering


def _hostile_answer() -> dict:
    bad = '<script>alert(1)</script><img src=x onerror="alert(2)">${7*7}{{x}}'
    citation = {"doc_id": "d", "doc_title": bad, "clause": 1, "label": bad, "title": bad, "quote": bad,
                "departments": [bad], "score": 1.0, "heading": bad, "sentences": [bad]}
    return {"question": bad, "answer": f"**{bad}**\n\n> {bad}\n- {bad}", "refused": False, "intent": bad,
            "citations": [citation], "related": [citation], "notice": bad, "error": ""}


@pytest.mark.parametrize("refused", [False, True])
def test_render_escapes_everything(refused):
    from assistant.web.render import render_answer_html

    answer = dict(_hostile_answer(), refused=refused)
    page = render_answer_html(answer)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "${" not in page and "{{" not in page
    assert "&lt;script&gt;" in page


def test_render_marks_quotes_in_full_clause_text(assistant):
    from assistant.web.render import render_answer_html

    result = assistant.ask("孵化器建设归哪个部门管？").to_dict()
    page = render_answer_html(result, assistant.document)
    assert "<details" in page and "<mark>" in page and 'data-clause="11"' in page
    assert "自治区科技厅" in page and "pa-box-answer" in page


def test_refusal_looks_different(assistant):
    from assistant.web.render import render_answer_html

    result = assistant.ask("今天天气怎么样？").to_dict()
    assert result["refused"]
    page = render_answer_html(result, assistant.document)
    assert "文件未涉及" in page and "pa-box-refused" in page and "pa-box-answer" not in page
    if result["related"]:
        assert "仅供参考" in page


def test_highlight_and_markdown_helpers():
    from assistant.web.render import highlight, markdown_to_html

    assert highlight("甲<b>乙。丙。", ["丙。"]) == "甲&lt;b&gt;乙。<mark>丙。</mark>"
    html = markdown_to_html("**粗体** 文字\n\n> 引文<i>\n\n- 项目")
    assert "<strong>粗体</strong>" in html and "<blockquote>引文&lt;i&gt;</blockquote>" in html
    assert "<li>项目</li>" in html


def test_chat_turns_messages_state_and_download(app):
    h = app[0].handlers
    box, history, state, download = h.respond("孵化器建设归哪个部门管？", [], None)
    assert box == "" and [m["role"] for m in history[:2]] == ["user", "assistant"]
    assert len(history) == 2 and not history[1].get("metadata")  # one message per answer
    answer = history[1]["content"]
    assert "自治区科技厅" in answer
    # The marker after the direct answer, the source folded under it, opening the clause at the quote.
    direct, _, sources = answer.partition('<details class="pa-sources">')
    assert re.search(r'<a class="pa-marker-link" data-n="1" href="#pa-open-clause:neimenggu-gaoxinqu-2021%3A11%3A\d+-\d+">\[1\]</a>',
                     direct)
    assert "<summary>来源（1 条）</summary>" in sources and "第（十一）条 加强对科技创新创业的服务支持" in sources
    assert "<blockquote" in sources and "#pa-open-dept:" in sources and "问题分析" not in answer
    _, history, state, download = h.respond("这一条还支持什么？", history, state)
    assert sum(m["role"] == "user" for m in history) == 2 and len(history) == 4
    assert "理解为：第（十一）条" in history[-1]["content"]
    path = Path(download["value"])
    text = path.read_text(encoding="utf-8")
    assert path.suffix == ".md" and "## 第 1 问：孵化器建设归哪个部门管？" in text and "## 第 2 问：这一条还支持什么？" in text
    assert "理解为：第（十一）条" in text and "### 依据条款" in text and "内政发〔2021〕13号" in text
    assert text == h.markdown(state)
    assert h.respond("   ", history, state)[1] is not history  # an empty question changes nothing
    assert h.reset()[1] == [] and h.reset()[2] is None


def test_chat_history_and_state_stay_bounded(app):
    from assistant.web.handlers import MAX_CHAT_TURNS

    h = app[0].handlers
    history, state = [], None
    for _ in range(MAX_CHAT_TURNS + 5):
        _, history, state, _ = h.respond("第一条讲什么？", history, state)
    assert sum(m["role"] == "user" for m in history) == MAX_CHAT_TURNS
    assert len(state["answers"]) == MAX_CHAT_TURNS
    assert len(state["conversation"]["turns"]) <= state["conversation"]["max_turns"]


def test_chat_state_that_is_garbage_starts_fresh(app):
    _, history, state, _ = app[0].handlers.respond("下一条呢？", [], {"conversation": {"clauses": "bad"}})
    assert "请先说明是哪一条" in history[1]["content"] and state["conversation"]["turns"]


def test_chat_messages_escape_markup():
    from assistant.web.render import chat_messages

    answer = _hostile_answer()
    answer["understood_as"] = answer["question"]
    for refused in (False, True):
        messages = chat_messages(answer["question"], dict(answer, refused=refused))
        user = messages[0]["content"]  # Markdown: every character markup could act on is escaped
        assert not re.search(r"(?<!\\)[<>*`\[]", user) and "\\<script\\>" in user
        assert len(messages) == 2
        text, _, folded = messages[1]["content"].partition("<details")
        assert not re.search(r"(?<!\\)<(?:script|img)", text) and not re.search(r"(?<!\\)\$(?!\\)", text)
        assert "<script" not in folded.lower() and "<img" not in folded.lower() and "${" not in folded
        assert folded and "仅供参考" in folded if refused else "来源" in folded


# ------------------------------------------------------------------------------ feedback


def test_feedback_writes_a_json_line(app, client):
    demo, _, feedback = app
    answer = client.predict("孵化器建设归哪个部门管？", api_name="/ask")
    assert "已记录" in demo.handlers.feedback(answer, "up")
    demo.handlers.feedback(answer, "down")
    lines = feedback.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 2
    record = json.loads(lines[-2])
    assert set(record) == {"time", "rating", "question", "answer"}  # nothing about the user
    assert record["rating"] == "up" and record["question"] == "孵化器建设归哪个部门管？"
    assert record["answer"] == answer["answer"]
    assert json.loads(lines[-1])["rating"] == "down"


def test_like_on_a_message_rates_its_turn(app):
    import gradio as gr

    demo, _, feedback = app
    h = demo.handlers
    _, history, state, _ = h.respond("第五条讲什么？", [], None)
    _, history, state, _ = h.respond("下一条呢？", history, state)
    second = max(i for i, m in enumerate(history) if m["role"] == "user") + 1  # the answer of turn 2
    evt = gr.LikeData(target=None, data={"index": second, "value": history[second]["content"], "liked": False})
    assert "已记录" in h.like(history, state, evt)
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "down" and record["question"] == "下一条呢？"
    evt = gr.LikeData(target=None, data={"index": 1, "value": "", "liked": True})
    h.like(history, state, evt)
    assert json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])["question"] == "第五条讲什么？"


def test_feedback_without_an_answer_asks_for_one(app):
    assert "请先提问" in app[0].handlers.feedback(None, "up")


def test_unwritable_feedback_keeps_answering(assistant, tmp_path):
    from gradio_client import Client

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for bad_path in (blocker / "feedback.jsonl", tmp_path):  # under a file; a directory
        demo, url = _start(assistant, bad_path)
        try:
            client = Client(url, verbose=False)
            answer = client.predict("商务厅负责哪些工作？", api_name="/ask")
            assert answer["citations"] and not answer["error"]
            assert "反馈未能保存" in demo.handlers.feedback(answer, "up")
            assert client.predict("文件的文号是什么？", api_name="/ask")["intent"] == "metadata"
        finally:
            demo.close()


# ------------------------------------------------------------------------------ other tabs


def test_department_view(app):
    h = app[0].handlers
    assert "自治区发展改革委" in h.department_view("发改委")
    assert "自治区人力资源社会保障厅" in h.department_view("人社厅")
    missing = h.department_view("<b>教育部</b>")
    assert "未找到" in missing and "<b>" not in missing
    assert "全部" in h.department_view("")


def test_clause_view(app):
    body, outline = app[0].handlers.clause_view(12)
    assert "第（十二）条" in body and "自治区地方金融监管局" in body
    assert 'pa-ol-on" data-clause="neimenggu-gaoxinqu-2021:12"' in outline
    body, _ = app[0].handlers.clause_view("neimenggu-gaoxinqu-2021:12:0-8")
    assert "<p><mark>强化科技金融服务</mark>。完善" in body  # the span's offsets are into the clause text
    body, _ = app[0].handlers.clause_view("not a number")
    assert "请选择" in body


# ------------------------------------------------------------------------------ app.py


def _run_app(*args, timeout=20):
    return subprocess.run([sys.executable, str(REPO_ROOT / "app.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT)


def test_app_help_is_instant():
    # "Instant" as a property, not a wall-clock bound: --help imports none of the heavy
    # libraries (python -X importtime lists every module imported, on stderr).
    result = subprocess.run([sys.executable, "-X", "importtime", str(REPO_ROOT / "app.py"), "--help"],
                            capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert result.returncode == 0 and "--port" in result.stdout and "--host" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "argparse" in imported  # the import log was read
    assert not imported & {"torch", "gradio", "sentence_transformers", "faiss", "llama_index", "assistant"}


def test_app_bad_port_is_a_clear_message():
    result = _run_app("--port", "99999")
    assert result.returncode != 0 and "65535" in result.stderr and "Traceback" not in result.stderr


def test_app_port_in_use_is_a_clear_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        result = _run_app("--port", str(s.getsockname()[1]))
    assert result.returncode == 1 and "已被占用" in result.stderr and "Traceback" not in result.stderr
