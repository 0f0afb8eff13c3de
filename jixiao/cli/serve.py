"""``jixiao serve``: the terminal UI in a browser (textual-serve), for finance staff who do not live
in a terminal.

Each browser session starts its own ``jixiao`` process on the same database (``--db`` or
``JIXIAO_DB``), so it has that database login's role and row-level security, like the terminal.
textual-serve has no sign-in of its own: the server listens on this machine only unless
``--allow-remote`` says otherwise, and then belongs behind the bureau's authenticating proxy.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from pathlib import Path

from rich.console import Console

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    s = sub.add_parser(
        "serve",
        help="在浏览器中使用终端界面（textual-serve）；每个浏览器会话一个独立进程，同一数据库",
        description="在本机端口上提供终端界面的网页版：每打开一个浏览器页面，就启动一个 jixiao 进程，"
        "连接同一个数据库（--db 或 JIXIAO_DB），角色与行级安全随该数据库登录名。默认只监听本机；"
        "对外提供须加 --allow-remote，并放在有身份认证的反向代理之后。",
    )
    s.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，仅本机）")
    s.add_argument("--port", type=int, default=8000, metavar="端口", help="监听端口（默认 8000）")
    s.add_argument("--allow-remote", action="store_true", help="允许监听非本机地址（textual-serve 本身不做登录认证）")
    s.set_defaults(func=cmd_serve)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(db: str | None) -> str:
    """The shell command each browser session runs: this Python, this jixiao, the same database."""
    return shlex.join([sys.executable, "-m", "jixiao", *(["--db", db] if db else [])])


def cmd_serve(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.inputs import say_error

    if not _loopback(args.host) and not args.allow_remote:
        say_error(err, f"监听地址 {args.host} 不是本机；textual-serve 不做登录认证，对外提供须加 --allow-remote")
        return 2
    if not 0 < args.port < 65536:
        say_error(err, f"端口 {args.port} 无效（1–65535）")
        return 2
    from jixiao import session

    session.open_store(args.db, announce=lambda m: err.print(m), report=lambda m: err.print(f"警告：{m}"))
    from textual_serve.server import Server

    out.print(f"jixiao 网页版：http://{args.host}:{args.port}/（Ctrl+C 结束）")
    server = Server(command(args.db), host=args.host, port=args.port, title="jixiao 绩效自评")
    server.templates_path = chinese_templates(server.templates_path)
    server.serve()
    return EXIT_OK


# the words textual-serve's page shows around the app, in Chinese
PAGE_WORDS = {">Start<": ">开始<", "Session ended.": "会话已结束。", ">Restart<": ">重新开始<"}


def chinese_templates(templates: Path) -> Path:
    """textual-serve's own page with its words in Chinese, in a temporary folder (the library's
    template itself, so it follows the installed version; a word it no longer has stays as it is)."""
    import tempfile

    text = (templates / "app_index.html").read_text(encoding="utf-8")
    for english, chinese in PAGE_WORDS.items():
        text = text.replace(english, chinese)
    folder = Path(tempfile.mkdtemp(prefix="jixiao-serve-"))
    (folder / "app_index.html").write_text(text, encoding="utf-8")
    return folder
