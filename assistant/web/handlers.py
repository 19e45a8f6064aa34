"""What the web app does, as plain methods the UI events and the named APIs call.

Tests call these directly. The chat keeps its conversation per browser in a ``gr.State``
(plain data, bounded to the last turns); the ``chat`` API keeps server-side sessions in a
:class:`~assistant.answering.sessions.SessionStore` (LRU + TTL). Nothing is logged except,
in the feedback file, the rating, question and answer.
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
from urllib.parse import unquote

import gradio as gr

from assistant.answering.conversation import Conversation
from assistant.answering.sessions import SessionStore, chat_turn
from assistant.web.render import (chat_messages, clause_html, clause_key, conversation_markdown, department_html,
                                  department_not_found_html, departments_overview_html, documents_of, duty_table_html,
                                  guide_html, meta_table_html, outline_html, parse_clause_key)

log = logging.getLogger(__name__)

MAX_CHAT_TURNS = 20  # turns kept on screen and in the download, per browser
ERROR_MESSAGE = "处理问题时出错，请稍后重试。"
ALL_DOCUMENTS = ""  # the document selectors' "all documents"
FEEDBACK_MAX_BYTES = 5 * 2**20  # the feedback file rotates at this size …
FEEDBACK_BACKUPS = 3  # … keeping feedback.jsonl.1 … .3


def rotate(path: Path, max_bytes: int = FEEDBACK_MAX_BYTES, backups: int = FEEDBACK_BACKUPS) -> None:
    """``path`` → ``path.1`` → … → ``path.N`` (the oldest dropped) once it reaches ``max_bytes``."""
    try:
        if path.stat().st_size < max_bytes:
            return
    except OSError:
        return
    for i in range(backups, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        newer = path if i == 1 else path.with_name(f"{path.name}.{i - 1}")
        if newer.exists():
            os.replace(newer, older)


def save_feedback(path: Path, record: dict, max_bytes: int = FEEDBACK_MAX_BYTES) -> bool:
    """Append one JSON line (rotating the file at ``max_bytes``); False (never an exception)
    when the file cannot be written."""
    try:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rotate(path, max_bytes)
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

    def __init__(self, assistant, feedback_path, export_dir: Path | None = None, sessions: SessionStore | None = None,
                 *, debug: bool = False):
        self.assistant = assistant
        self.feedback_path = Path(feedback_path) if feedback_path else None
        self.export_dir = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="policy-chats-"))
        self.sessions = sessions or SessionStore()
        self.debug = debug  # the question's analysis under each answer (python app.py --debug)
        # One question at a time (retrieval shares the encoder and indexes); a corpus swap
        # (upload, a CLI add/remove seen by watch()) takes the same lock.
        self._ask_lock = getattr(assistant, "lock", None) or threading.RLock()
        self._feedback_lock = threading.Lock()
        self._signature = self._index_signature()

    @property
    def document(self):
        return self.assistant.document

    @property
    def corpus(self):
        return self.assistant.corpus

    # -- the corpus changing under the running app

    def _index_signature(self) -> str:
        signature = getattr(self.assistant, "index_signature", None)
        return signature() if callable(signature) else ""

    def refresh_if_changed(self) -> bool:
        """Reload when the index was rebuilt by someone else (``assistant add`` / ``remove``
        while the app runs): loaded beside the live assistant, swapped in under the lock."""
        signature = self._index_signature()
        if not signature or signature == self._signature:
            return False
        self._signature = signature
        try:
            self.assistant.reload()
        except Exception as exc:  # noqa: BLE001 - keep serving the corpus we have
            log.error("reload failed: %s: %s", type(exc).__name__, exc)
            return False
        self._signature = self._index_signature()
        log.info("corpus reloaded: %d documents", len(self.corpus.documents))
        return True

    def watch(self, every: float = 3.0) -> threading.Thread:
        """A daemon thread that calls :meth:`refresh_if_changed` every ``every`` seconds."""
        def loop():
            while True:
                time.sleep(every)
                self.refresh_if_changed()

        thread = threading.Thread(target=loop, name="corpus-watch", daemon=True)
        thread.start()
        return thread

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
        corpus = self.corpus
        history = _trim(list(history or []) + chat_messages(question, answer, corpus, debug=self.debug))
        path = self._export(conversation_markdown(answers, corpus))
        return "", history, state, gr.update(value=path, interactive=path is not None)

    def reset(self):
        """UI: 新对话. Returns (question box, chat messages, state, download button)."""
        return "", [], None, gr.update(value=None, interactive=False)

    def markdown(self, state) -> str:
        return conversation_markdown((state or {}).get("answers") or [], self.corpus)

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

    # -- document selectors

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, doc_id) for the selectors: all documents first, then each, widest jurisdiction first."""
        docs = documents_of(self.corpus)
        return [(f"全部文件（{len(docs)} 份）", ALL_DOCUMENTS)] + [
            (f"{d.meta.title or d.doc_id}" + (f"（{d.meta.doc_number}）" if d.meta.doc_number else ""), d.doc_id)
            for d in docs]

    def _doc_ids(self, doc) -> list[str] | None:
        doc = _text(doc).strip()
        known = {d.doc_id for d in self.corpus.documents}
        return [doc] if doc in known else None

    # -- departments

    def department_choices(self, doc=ALL_DOCUMENTS) -> list[tuple[str, str]]:
        docs = documents_of(self.corpus, self._doc_ids(doc))
        counts: dict[str, int] = {}
        for d in docs:
            for name, numbers in d.departments.clauses_by_department.items():
                counts[name] = counts.get(name, 0) + len(numbers)
        return [(f"{n}（{c} 条）", n) for n, c in counts.items()]

    def department_view(self, query: str, doc=ALL_DOCUMENTS) -> str:
        """A department's clauses in the chosen documents; short names (发改委) resolve per document."""
        from assistant.errors import DepartmentNotFound

        corpus = self.corpus
        doc_ids = self._doc_ids(doc)
        query = _text(query).strip()[:100]
        if not query:
            return departments_overview_html(corpus, doc_ids)
        try:
            names, refs = corpus.departments.clauses_for(query, doc_ids)
        except DepartmentNotFound as exc:
            return department_not_found_html(query, exc.suggestions)
        order = {d.doc_id: i for i, d in enumerate(documents_of(corpus))}
        refs = sorted(refs, key=lambda r: (order.get(r.doc_id, 0), r.clause))
        return department_html(corpus, names, refs, query)

    def departments_tab(self, doc=ALL_DOCUMENTS):
        """The 按部门查看 tab for a document choice: (department choices, overview, section
        choices, duty table, xlsx, csv)."""
        table, xlsx, csv_path = self.duty_view(doc, "")
        return (gr.update(choices=self.department_choices(doc), value=None), self.department_view("", doc),
                gr.update(choices=self.section_choices(doc), value=""), table, xlsx, csv_path)

    # -- the duty table (责任分工)

    def section_choices(self, doc=ALL_DOCUMENTS) -> list[tuple[str, str]]:
        docs = documents_of(self.corpus, self._doc_ids(doc))
        out = [("全部部分", "")]
        for d in docs:
            prefix = f"{d.meta.title or d.doc_id} · " if len(docs) > 1 else ""
            out += [(f"{prefix}{s.label}{s.title}", f"{d.doc_id}:{s.number}") for s in d.sections]
        return out

    def duty_rows(self, doc=ALL_DOCUMENTS, section=""):
        from assistant.ingest.duties import duty_rows

        return duty_rows(documents_of(self.corpus, self._doc_ids(doc)), _text(section).strip() or None)

    def duty_view(self, doc=ALL_DOCUMENTS, section=""):
        """(table html, xlsx download, csv download) for the chosen documents and section."""
        from assistant.ingest.duties import write_csv, write_xlsx

        rows = self.duty_rows(doc, section)
        stem = f"责任分工-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            self._sweep("责任分工-*")
            xlsx = str(write_xlsx(rows, self.export_dir / f"{stem}.xlsx"))
            csv_path = str(write_csv(rows, self.export_dir / f"{stem}.csv"))
        except OSError:
            xlsx = csv_path = None
        return (duty_table_html(rows), gr.update(value=xlsx, interactive=xlsx is not None),
                gr.update(value=csv_path, interactive=csv_path is not None))

    def _sweep(self, pattern: str) -> None:
        cutoff = time.time() - 3600
        for old in self.export_dir.glob(pattern):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)

    # -- policy text

    def clause_choices(self, doc=ALL_DOCUMENTS) -> list[tuple[str, str]]:
        docs = documents_of(self.corpus, self._doc_ids(doc))
        several = len(docs) > 1
        return [((f"{d.meta.doc_number or d.doc_id} · " if several else "") + c.heading, clause_key(d.doc_id, c.number))
                for d in docs for c in d.clauses]

    def first_clause(self, doc=ALL_DOCUMENTS) -> str | None:
        for d in documents_of(self.corpus, self._doc_ids(doc)):
            if d.clauses:
                return clause_key(d.doc_id, d.clauses[0].number)
        return None

    def clause_view(self, key, doc=ALL_DOCUMENTS) -> tuple[str, str]:
        """(clause html, outline html with the clause marked); ``key`` is ``doc:12[:s-e,…]`` or 12."""
        corpus = self.corpus
        parsed = parse_clause_key(key)
        if parsed is None:
            return clause_html(corpus, None), outline_html(corpus, None, self._doc_ids(doc))
        return clause_html(corpus, _text(key)), outline_html(corpus, _text(key), self._doc_ids(doc))

    def policy_tab(self, doc=ALL_DOCUMENTS):
        """The 政策原文 tab for a document choice: (clause choices, clause, outline, meta, 导读)."""
        first = self.first_clause(doc)
        body, outline = self.clause_view(first, doc)
        doc_ids = self._doc_ids(doc)
        return (gr.update(choices=self.clause_choices(doc), value=first), body, outline,
                meta_table_html(self.corpus, doc_ids), guide_html(self.corpus, doc_ids))


def parse_link(target) -> tuple[str, str] | None:
    """``clause:doc:12:15-75`` / ``clause:12`` / ``dept:自治区科技厅`` (from a chat link) →
    (kind, value); else None."""
    kind, _, value = _text(target).partition(":")
    value = unquote(value).strip()[:200]
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
