"""The web app: ``python app.py [--host HOST] [--port PORT]``.

Loads the embedding model and the indexes (rebuilding them if missing or stale), printing
each stage, then serves the Gradio UI of :mod:`assistant.web.ui` and prints its address. Heavy
imports happen inside ``main`` so that ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def _port(value: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口必须是 1–65535 之间的整数，而不是“{value}”") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口必须在 1–65535 之间，而不是 {port}")
    return port


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="app.py",
        description="政策文件问答助手 — 网页界面（离线运行）。",
        epilog="环境变量 ASSISTANT_HOST / ASSISTANT_PORT 可设置默认值；"
               "ASSISTANT_FEEDBACK_PATH 设置反馈文件位置。",
    )
    parser.add_argument("--host", default=os.environ.get("ASSISTANT_HOST") or DEFAULT_HOST,
                        help=f"监听地址（默认 {DEFAULT_HOST}；0.0.0.0 表示局域网可访问）")
    parser.add_argument("--port", type=_port, default=None,
                        help=f"端口（默认 {DEFAULT_PORT}，或环境变量 ASSISTANT_PORT）")
    parser.add_argument("--allow-upload", action="store_true",
                        help="在“文件”页允许上传政策文件加入语料库（仅限本机地址 127.0.0.1 / localhost）")
    parser.add_argument("--debug", action="store_true",
                        help="在每个回答下显示问题分析（调试用；--json 输出始终包含 analysis）")
    args = parser.parse_args(argv)
    from assistant.web.net import is_loopback

    if args.allow_upload and not is_loopback(args.host):
        parser.error(f"--allow-upload 只能与本机地址一起使用（127.0.0.1、localhost 或 ::1），而不是 {args.host}")
    if args.port is None:
        env = os.environ.get("ASSISTANT_PORT", "").strip()
        try:
            args.port = _port(env) if env else DEFAULT_PORT
        except argparse.ArgumentTypeError as exc:
            parser.error(f"ASSISTANT_PORT: {exc}")
    return args


def check_port(host: str, port: int) -> str | None:
    """None if ``host:port`` can be listened on, else a message saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"无法识别监听地址“{host}”；请使用如 127.0.0.1 或 0.0.0.0 的地址。"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except PermissionError:
            return f"没有权限监听端口 {port}；请用 --port 指定 1024 以上的端口。"
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux / macOS / Windows
                return f"端口 {port} 已被占用；请用 --port 指定其他端口，例如 --port {port + 1}。"
            return f"无法监听 {host}:{port}：{exc.strerror or exc}。"
    return None


def main(argv=None) -> int:
    args = parse_args(argv)
    problem = check_port(args.host, args.port)
    if problem:
        print(f"错误: {problem}", file=sys.stderr)
        return 1

    def say(message: str) -> None:
        print(message, flush=True)

    try:
        from assistant.config import Settings
        from assistant.errors import AssistantError

        settings = Settings.from_env()
        try:
            started = time.perf_counter()
            say("正在加载嵌入模型 …")
            from assistant.embedding.encoder import load_encoder

            encoder = load_encoder(settings)
            say(f"  模型已加载（{time.perf_counter() - started:.1f} 秒）")
            started = time.perf_counter()
            say("正在加载索引（缺失或过期时自动重建，首次约需一两分钟）…")
            from assistant.qa import Assistant

            assistant = Assistant.load(settings, encoder=encoder, progress=True, log=lambda m: say(f"  {m}"))
            say(f"  索引已就绪（{time.perf_counter() - started:.1f} 秒）")
            say("正在启动网页服务 …")
            from assistant.web.ui import launch

            launch(assistant, args.host, args.port, feedback_path=settings.feedback_path,
                   allow_upload=args.allow_upload, debug=args.debug)
        except AssistantError as exc:
            print(f"错误: {exc}", file=sys.stderr)
            if "model" in type(exc).__name__.lower():
                print("提示: 运行 `make run`（或 `assistant model fetch`）获取模型。", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"错误: 无法启动网页服务：{exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - last line of defence for the user
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            print(f"内部错误: {type(exc).__name__}: {exc}（设置 ASSISTANT_DEBUG=1 查看详情）", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        print("\n已停止。", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
