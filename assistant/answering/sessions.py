"""Server-side chat sessions: :class:`Conversation` objects by id, bounded by LRU and TTL.

The store never grows past ``max_sessions`` (the least recently used one is dropped) and a
session unused for ``ttl_seconds`` is gone. :meth:`SessionStore.open` never fails: an id
that is missing, malformed, unknown or expired gets a fresh conversation, and the notice
says so (except for a missing id, which is how a client starts a chat). Conversations
themselves keep only their last N turns, so memory stays bounded however long a chat runs.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict

from assistant.answering.conversation import Conversation

MAX_SESSIONS = 1000
TTL_SECONDS = 3600.0
_VALID_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")

NOTICE_MALFORMED = "会话编号无效，已开始新对话。"
NOTICE_UNKNOWN = "会话不存在或已过期，已开始新对话。"
NOTICE_EXPIRED = "会话已过期，已开始新对话。"


def new_session_id() -> str:
    return secrets.token_urlsafe(12)


class SessionStore:
    """Thread-safe LRU + TTL map from session id to :class:`Conversation`.

    ``adopt_unknown``: a well-formed id the store has not seen becomes a new session under
    that id (the CLI's JSON-lines protocol, where the client names its sessions) instead of
    a new random id with a notice (the web API, where ids are handed out by the server).
    """

    def __init__(self, max_sessions: int = MAX_SESSIONS, ttl_seconds: float = TTL_SECONDS, *,
                 adopt_unknown: bool = False, clock=time.monotonic):
        self.max_sessions = max(1, int(max_sessions))
        self.ttl_seconds = float(ttl_seconds)
        self.adopt_unknown = adopt_unknown
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (stamp, _) = next(iter(self._items.items()))
            if now - stamp <= self.ttl_seconds:
                break
            del self._items[key]

    def open(self, session_id) -> tuple[str, Conversation, str]:
        """(id, conversation, notice) for ``session_id``; see the class docstring."""
        if session_id is None or (isinstance(session_id, str) and not session_id.strip()):
            return new_session_id(), Conversation(), ""
        if isinstance(session_id, int) and not isinstance(session_id, bool):
            session_id = str(session_id)
        if not isinstance(session_id, str) or not _VALID_ID.match(session_id.strip()):
            return new_session_id(), Conversation(), NOTICE_MALFORMED
        session_id = session_id.strip()
        with self._lock:
            entry = self._items.get(session_id)
            expired = entry is not None and self._clock() - entry[0] > self.ttl_seconds
            if expired:
                del self._items[session_id]
                entry = None
        if entry is not None:
            try:
                return session_id, Conversation.from_dict(entry[1]), ""
            except ValueError:
                return new_session_id(), Conversation(), NOTICE_MALFORMED
        if self.adopt_unknown:
            return session_id, Conversation(), NOTICE_EXPIRED if expired else ""
        return new_session_id(), Conversation(), NOTICE_EXPIRED if expired else NOTICE_UNKNOWN

    def save(self, session_id: str, conversation: Conversation) -> None:
        """Store a snapshot (plain data, so callers cannot change it afterwards)."""
        data = conversation.to_dict()
        with self._lock:
            self._items[session_id] = (self._clock(), data)
            self._items.move_to_end(session_id)
            self._expire()
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._items.pop(session_id, None)


def chat_turn(assistant, store: SessionStore, question, session_id=None, doc_scope=None):
    """One turn of a stored session: the Answer (with ``session`` and any notice set).
    ``doc_scope`` pins a new conversation to those documents (``--doc``)."""
    sid, conversation, notice = store.open(session_id)
    if doc_scope and not conversation.doc_scope:
        conversation.doc_scope = list(doc_scope)
    answer, conversation = assistant.chat(question, conversation)
    store.save(sid, conversation)
    answer.session = sid
    if notice:
        answer.notice = f"{notice} {answer.notice}".strip()
    return answer
