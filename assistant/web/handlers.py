"""What the web app does, as plain methods the UI events and the named APIs call.

Tests call these directly. The chat keeps its conversation per browser in a ``gr.State``
(plain data, bounded to the last turns); the ``chat`` API keeps server-side sessions in a
:class:`~assistant.answering.sessions.SessionStore` (LRU + TTL). Nothing is logged except,
in the feedback file, the rating, question and answer.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import gradio as gr

from assistant.answering.conversation import Conversation
from assistant.answering.sessions import SessionStore, chat_turn
from assistant.web.render import (chat_messages, clause_html, conversation_markdown, department_html,
                                  department_not_found_html, departments_overview_html, outline_html)

log = logging.getLogger(__name__)

MAX_CHAT_TURNS = 20  # turns kept on screen and in the download, per browser
ERROR_MESSAGE = "处理问题时出错，请稍后重试。"


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


def _error_answer(question: str, session: str = "") -> dict:
    from assistant.answering.compose import Answer

    return Answer(question=question[:500], answer=ERROR_MESSAGE, refused=True, intent="error",
                  error=ERROR_MESSAGE, session=session).to_dict()


def _text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


class Handlers:
    """Everything the UI and the API do."""

    def __init__(self, assistant, feedback_path, export_dir: Path | None = None, sessions: SessionStore | None = None):
        self.assistant = assistant
        self.feedback_path = Path(feedback_path) if feedback_path else None
        self.export_dir = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="policy-chats-"))
        self.sessions = sessions or SessionStore()
        self._ask_lock = threading.Lock()  # one question at a time: retrieval shares the encoder and indexes
        self._feedback_lock = threading.Lock()

    @property
    def document(self):
        return self.assistant.document

    # -- the named APIs

    def ask(self, question: str) -> dict:
        """Answer one question about the policy document, with no conversation; returns the
        Answer as a JSON object (question, answer, refused, intent, citations, related, notice,
        error, understood_as, session)."""
        question = _text(question)
        try:
            with self._ask_lock:
                return self.assistant.ask(question).to_dict()
        except Exception as exc:  # noqa: BLE001 - the app must keep answering
            log.error("ask failed: %s", type(exc).__name__)
            return _error_answer(question)

    def chat(self, question: str, session: str = "") -> dict:
        """One turn of a conversation: follow-ups (这一条、下一条、那能源局呢) refer to earlier
        turns of ``session``. Returns the ask JSON plus ``session`` (pass it back next turn) and
        ``understood_as``. An empty session starts a conversation; an unknown, expired or
        malformed one starts a fresh one and says so in ``notice``."""
        question = _text(question)
        try:
            with self._ask_lock:
                return chat_turn(self.assistant, self.sessions, question, session).to_dict()
        except Exception as exc:  # noqa: BLE001
            log.error("chat failed: %s", type(exc).__name__)
            return _error_answer(question, session if isinstance(session, str) else "")

    # -- the chat UI

    def respond(self, question, history, state):
        """UI: one turn. Returns (question box, chat messages, state, download button)."""
        question = _text(question)
        if not question.strip():
            return gr.update(), gr.skip(), gr.skip(), gr.skip()
        state = dict(state or {})
        try:
            conversation = Conversation.from_dict(state.get("conversation") or {})
        except ValueError:
            conversation = Conversation()
        try:
            with self._ask_lock:
                answer, conversation = self.assistant.chat(question, conversation)
            answer = answer.to_dict()
        except Exception as exc:  # noqa: BLE001
            log.error("chat failed: %s", type(exc).__name__)
            answer = _error_answer(question)
        answers = (list(state.get("answers") or []) + [answer])[-MAX_CHAT_TURNS:]
        state = {"conversation": conversation.to_dict(), "answers": answers}
        history = _trim(list(history or []) + chat_messages(question, answer, self.document))
        path = self._export(conversation_markdown(answers, self.document))
        return "", history, state, gr.update(value=path, interactive=path is not None)

    def reset(self):
        """UI: 新对话. Returns (question box, chat messages, state, download button)."""
        return "", [], None, gr.update(value=None, interactive=False)

    def markdown(self, state) -> str:
        return conversation_markdown((state or {}).get("answers") or [], self.document)

    def _export(self, markdown: str) -> str | None:
        if not markdown:
            return None
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

    def feedback(self, answer: dict | None, rating: str) -> str:
        """Save 有帮助/没帮助 for one answer; returns a status line for the page."""
        if not answer or rating not in ("up", "down"):
            return '<span class="pa-fb pa-fb-warn">请先提问，再评价回答。</span>'
        record = {"time": datetime.now().astimezone().isoformat(timespec="seconds"), "rating": rating,
                  "question": answer.get("question", ""), "answer": answer.get("answer", "")}
        with self._feedback_lock:
            saved = self.feedback_path is not None and save_feedback(self.feedback_path, record)
        if not saved:
            return '<span class="pa-fb pa-fb-warn">反馈未能保存（反馈文件不可写），回答功能不受影响。</span>'
        return '<span class="pa-fb pa-fb-ok">已记录您的反馈，谢谢！</span>'

    def like(self, history, state, evt: gr.LikeData) -> str:
        """UI: 👍/👎 on a chat message → the feedback of the turn that message belongs to."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        rating = "up" if evt.liked is True or evt.liked == "Like" else "down" if evt.liked in (False, "Dislike") else ""
        answers = (state or {}).get("answers") or []
        turn = _turn_of(history or [], index)
        answer = answers[turn] if turn is not None and -len(answers) <= turn < len(answers) else None
        if not rating:
            return '<span class="pa-fb">已取消评价。</span>'
        return self.feedback(answer, rating)

    # -- departments

    def department_choices(self) -> list[tuple[str, str]]:
        index = self.document.departments
        return [(f"{n}（{len(index.clauses_by_department.get(n, []))} 条）", n) for n in index.names]

    def department_view(self, query: str) -> str:
        from assistant.errors import DepartmentNotFound

        query = _text(query).strip()[:100]
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


def parse_link(target) -> tuple[str, str] | None:
    """``clause:12`` / ``dept:自治区科技厅`` (from a chat link) → (kind, value); else None."""
    kind, _, value = _text(target).partition(":")
    value = unquote(value).strip()[:100]
    if kind in ("clause", "dept") and value:
        return kind, value
    return None


def _turn_of(history: list, index) -> int | None:
    """Which turn (0-based among the kept answers) the message at ``index`` belongs to."""
    try:
        index = int(index)
    except (TypeError, ValueError):
        return None
    if not 0 <= index < len(history):
        return None
    users = [i for i, m in enumerate(history) if isinstance(m, dict) and m.get("role") == "user"]
    before = [i for i in users if i <= index]
    if not before:
        return None
    # Turns are counted from the end: the history may have been trimmed at the front.
    return len(before) - 1 - len(users)


def _trim(history: list) -> list:
    """The last MAX_CHAT_TURNS turns of messages."""
    users = [i for i, m in enumerate(history) if isinstance(m, dict) and m.get("role") == "user"]
    if len(users) <= MAX_CHAT_TURNS:
        return history
    return history[users[-MAX_CHAT_TURNS]:]
