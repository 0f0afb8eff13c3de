"""``jixiao db backup FILE``, ``jixiao db restore FILE`` and ``jixiao db verify FILE``.

One portable format on both back ends (see jixiao/storage/backup.py): back up
an SQLite file and restore it into PostgreSQL, or the other way round.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.text import Text

from jixiao.safe_text import line

EXIT_OK, EXIT_INVALID = 0, 1


def _db_subparsers(sub: argparse._SubParsersAction, parser_class: type) -> argparse._SubParsersAction:
    """The sub-commands of ``jixiao db`` (created here when cli_db has not made ``db`` yet)."""
    db = sub.choices.get("db")
    if db is None:
        db = sub.add_parser("db", help="数据库：升级、查看、备份、恢复")
        return db.add_subparsers(dest="db_command", metavar="子命令", parser_class=parser_class, required=True)
    for action in db._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return db.add_subparsers(dest="db_command", metavar="子命令", parser_class=parser_class, required=True)


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    dsub = _db_subparsers(sub, parser_class)
    if "backup" in dsub.choices:
        return
    b = dsub.add_parser(
        "backup",
        help="把整个数据库备份到一个文件（gzip 压缩的 JSON 行；SQLite 与 PostgreSQL 通用）",
        description="备份全部表单、目标、指标和修改记录；先写临时文件再改名，写完后校验。",
    )
    b.add_argument("file", type=Path, metavar="FILE", help="备份文件，如 jixiao-2025-01-31.jsonl.gz")
    b.add_argument("--key", type=Path, metavar="KEYFILE", help="用此密钥签名备份（HMAC-SHA-256；见 db backup-key）")
    b.set_defaults(func=cmd_backup)
    k = dsub.add_parser(
        "backup-key",
        help="创建备份签名密钥（256 位，仅所有者可读；请与备份分开保管）",
        description="有了密钥，被改动后重新计算校验和的备份也会被识破：verify/restore 时加 --key。",
    )
    k.add_argument("file", type=Path, metavar="KEYFILE")
    k.set_defaults(func=cmd_backup_key)
    r = dsub.add_parser(
        "restore",
        help="从备份文件恢复到一个空数据库（先校验；版本须相同）",
        description="先校验备份；目标须为空库（新 SQLite 文件会自动建表）且版本相同；在一个事务中写入，读回核对后才提交。",
    )
    r.add_argument("file", type=Path, metavar="FILE")
    r.add_argument("--key", type=Path, metavar="KEYFILE", help="核验备份的密钥签名，不符则拒绝恢复")
    r.add_argument(
        "--force",
        action="store_true",
        help="目标库已有表单但还没有修改记录时，替换其中的表单（修改记录只能追加，已有修改记录的库不能覆盖）",
    )
    r.set_defaults(func=cmd_restore)
    v = dsub.add_parser("verify", help="只校验备份文件：完整、校验和、记录数与引用")
    v.add_argument("file", type=Path, metavar="FILE")
    v.add_argument("--key", type=Path, metavar="KEYFILE", help="同时核验密钥签名")
    v.set_defaults(func=cmd_verify)


def _engine(args: argparse.Namespace):
    from jixiao.storage.database import make_engine, resolve_url

    url, _ = resolve_url(args.db)
    return make_engine(url)


def _key(args: argparse.Namespace) -> bytes | None:
    from jixiao.storage.backup import BackupError
    from jixiao.storage.backup_key import BackupKeyError, load_key

    if getattr(args, "key", None) is None:
        return None
    try:
        return load_key(args.key)
    except BackupKeyError as exc:
        raise BackupError(str(exc)) from None


def cmd_backup_key(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.backup import BackupError
    from jixiao.storage.backup_key import BackupKeyError, new_key

    try:
        new_key(args.file)
    except BackupKeyError as exc:
        raise BackupError(str(exc)) from None
    out.print(
        Text(f"已创建备份签名密钥 {line(str(args.file))}（仅所有者可读）；请与备份分开保管，丢失后以前的签名无法核验"),
        soft_wrap=True,
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.storage.backup import backup

    key = _key(args)
    store = open_store(args, err)
    info = backup(store.engine, args.file, key)
    out.print(Text(f"已备份到 {line(str(info.path))}，并已校验：{info.summary()}"), soft_wrap=True)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.backup import restore
    from jixiao.storage.database import redact

    engine = _engine(args)
    try:
        info = restore(engine, args.file, force=args.force, key=_key(args))
    finally:
        engine.dispose()
    out.print(
        Text(
            f"已从 {line(str(info.path))} 恢复到 {redact(engine.url.render_as_string(hide_password=True))}，"
            f"读回核对一致：{info.summary()}"
        ),
        soft_wrap=True,
    )
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.backup import verify

    info = verify(args.file, _key(args))
    out.print(
        Text(f"{line(str(info.path))}：完好。备份于 {info.created_at}（{info.source}）：{info.summary()}"),
        soft_wrap=True,
    )
    return EXIT_OK
