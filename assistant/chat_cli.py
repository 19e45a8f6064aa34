"""``assistant chat``: an interactive conversation in the terminal.

Line editing and history come from prompt_toolkit when stdin is a terminal (readline
otherwise; plain lines when piped, so scripts can drive it). Slash commands: ``/new``
starts a new conversation, ``/doc ID`` puts a document in focus, ``/json`` toggles JSON
output, ``/help``, ``/quit``. Each answer starts with how a follow-up was understood.
"""

from __future__ import annotations

import json
import sys

import click

HELP = ("输入问题后回车；追问可用“这一条”“下一条”“那能源局呢”等。\n"
        "命令：/new 新对话  /doc 文档ID 指定文档  /json 切换 JSON 输出  /help 帮助  /quit 退出")


def _reader():
    """A function returning the next line (None at end of input)."""
    if sys.stdin.isatty():
        try:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory

            session = PromptSession(history=InMemoryHistory())

            def read_pt():
                try:
                    return session.prompt("问> ")
                except EOFError:
                    return None
            return read_pt
        except Exception:  # noqa: BLE001 - no prompt_toolkit or no usable terminal: fall back
            pass
        try:
            import readline  # noqa: F401 - importing it gives input() line editing and history
        except ImportError:
            pass

        def read_input():
            try:
                return input("问> ")
            except EOFError:
                return None
        return read_input

    def read_pipe():
        line = sys.stdin.readline()
        return None if not line else line.rstrip("\r\n")
    return read_pipe


def run_chat(assistant, *, as_json: bool = False, doc_ids=(), read=None, echo=click.echo) -> int:
    """The read–answer loop; returns the number of turns answered."""
    from assistant.answering.conversation import Conversation

    read = read or _reader()
    conversation = Conversation()

    def focus(docs) -> bool:
        if not docs:
            return True
        try:
            for doc in docs:
                assistant.corpus.document(doc)
        except Exception as exc:  # noqa: BLE001 - AssistantError with a user-facing message
            echo(f"错误: {exc}", err=True)
            return False
        conversation.doc_scope = list(docs)
        return True

    focus(list(doc_ids))
    echo(HELP, err=True)
    turns = 0
    while True:
        line = read()
        if line is None:
            break
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            command, _, argument = line.partition(" ")
            if command in ("/quit", "/exit", "/q"):
                break
            if command == "/new":
                conversation = Conversation(doc_scope=conversation.doc_scope)
                echo("已开始新对话。", err=True)
            elif command == "/doc":
                if not argument.strip():
                    echo("文档：" + "、".join(d.doc_id for d in assistant.corpus.documents), err=True)
                elif focus([argument.strip()]):
                    echo(f"已指定文档 {argument.strip()}。", err=True)
            elif command == "/json":
                as_json = not as_json
                echo("JSON 输出已" + ("开启" if as_json else "关闭") + "。", err=True)
            else:
                echo(HELP, err=True)
            continue
        answer, conversation = assistant.chat(line, conversation)
        turns += 1
        if as_json:
            echo(json.dumps(answer.to_dict(), ensure_ascii=False))
            continue
        if answer.notice:
            echo(f"注意: {answer.notice}", err=True)
        if answer.understood_as:
            echo(answer.understood_as)
        echo(answer.answer + "\n")
    return turns
