"""`jixiao users …`, `jixiao units …`, `jixiao whoami`: who may see and change what."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.cli.zh import count_value

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    u = sub.add_parser("users", help="用户：填报人、审核人、管理员（PostgreSQL 上由数据库强制执行）")
    usub = u.add_subparsers(dest="users_command", metavar="子命令", parser_class=parser_class, required=True)
    ua = usub.add_parser("add", help="添加或更新用户；PostgreSQL 上同时创建其数据库登录角色")
    ua.add_argument("login", help="登录名（数据库角色名）：小写字母、数字、下划线")
    ua.add_argument("--name", default="", help="姓名")
    ua.add_argument(
        "--role",
        choices=("filler", "reviewer", "admin"),
        required=True,
        help="filler 填报人 / reviewer 审核人 / admin 管理员",
    )
    ua.add_argument("--unit", default="", help="填报人所属的项目实施单位")
    ua.add_argument("--department", default="", help="审核人的审核范围（主管部门）；留空为全部")
    ua.set_defaults(func=cmd_users_add)
    uc = usub.add_parser(
        "cert", help="登记用户的签章证书（PEM 或 DER）：PostgreSQL 上该用户只能用这张证书签章，别人不能用它"
    )
    uc.add_argument("login", help="登录名")
    uc.add_argument("certificate", type=Path, nargs="?", metavar="CERT", help="证书文件（.pem / .crt / .der）")
    uc.add_argument("--cert", type=Path, dest="cert_file", metavar="CERT", help="同 CERT：证书文件")
    uc.set_defaults(func=cmd_users_cert)
    usub.add_parser("list", help="列出用户").set_defaults(func=cmd_users_list)
    ul = usub.add_parser("log", help="用户与单位的修改记录（谁在何时改了谁的角色、单位、证书；仅管理员可见）")
    ul.add_argument("--limit", type=count_value, default=200, help="最多列出最近的多少条（默认 200）")
    ul.set_defaults(func=cmd_users_log)
    ur = usub.add_parser("remove", help="删除用户（PostgreSQL 上同时删除其登录角色）")
    ur.add_argument("login")
    ur.set_defaults(func=cmd_users_remove)

    n = sub.add_parser("units", help="单位：项目实施单位及其主管部门")
    nsub = n.add_subparsers(dest="units_command", metavar="子命令", parser_class=parser_class, required=True)
    na = nsub.add_parser("add", help="添加单位")
    na.add_argument("name")
    na.add_argument("--department", default="", help="主管部门")
    na.set_defaults(func=cmd_units_add)
    nsub.add_parser("list", help="列出单位").set_defaults(func=cmd_units_list)
    nr = nsub.add_parser("remove", help="删除单位")
    nr.add_argument("name")
    nr.set_defaults(func=cmd_units_remove)

    sub.add_parser("whoami", help="当前用户与角色").set_defaults(func=cmd_whoami)


def _directory(args: argparse.Namespace, err: Console):
    from jixiao.storage.database import open_database
    from jixiao.storage.users import Directory

    engine, _ = open_database(args.db, announce=lambda m: err.print(Text(m, style="cyan")))
    return Directory(engine)


def _new_password(login: str) -> str | None:
    """From JIXIAO_NEW_PASSWORD, or asked twice at a terminal; never from the command line."""
    pw = os.environ.get("JIXIAO_NEW_PASSWORD")
    if pw:
        return pw
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(f"为 {login} 设置数据库密码：")
    if first != getpass.getpass("再输入一次："):
        raise SystemExit("两次输入的密码不一致")
    return first


def cmd_users_add(args: argparse.Namespace, out: Console, err: Console) -> int:
    d = _directory(args, err)
    password = _new_password(args.login) if d.postgres else None
    user = d.add_user(args.login, args.name, args.role, args.unit, args.department, password)
    where = (
        "（数据库登录角色已创建，权限由 PostgreSQL 强制执行）" if d.postgres else "（SQLite：角色仅作记录，不强制执行）"
    )
    out.print(f"用户 {user.login}（{user.name}，{user.role_label}）已保存{where}。")
    return EXIT_OK


def cmd_users_cert(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.pdf.verify import VerifyError, load_certificates

    given = [p for p in (args.certificate, args.cert_file) if p is not None]
    if len(given) != 1:
        err.print(Text.assemble(("错误：", "bold red"), "请给出一个证书文件：jixiao users cert 登录名 证书.pem"))
        return EXIT_INVALID
    args.certificate = given[0]
    try:
        certs = load_certificates([args.certificate])
    except VerifyError as exc:
        err.print(Text.assemble(("错误：", "bold red"), str(exc).replace("信任证书文件", "证书文件")))
        return EXIT_INVALID
    if len(certs) != 1:
        err.print(
            Text.assemble(
                ("错误：", "bold red"), f"{args.certificate} 含 {len(certs)} 张证书；请只给出该用户的签章证书"
            )
        )
        return EXIT_INVALID
    sha = certs[0].sha256.hex()
    _directory(args, err).register_certificate(args.login, sha)
    name = certs[0].subject.native.get("common_name", "（证书无名称）")
    out.print(Text(f"已为用户 {args.login} 登记签章证书 CN={name}，SHA-256 {sha}。"))
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    d = _directory(args, err)
    t = Table(title="用户", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("登录名", "姓名", "角色", "单位", "审核范围", "签章证书"):
        t.add_column(col, overflow="fold")
    for u in d.users():
        t.add_row(
            u.login,
            Text(u.name),
            u.role_label,
            Text(u.unit),
            Text(u.department or ("全部" if u.role == "reviewer" else "")),
            f"{u.cert_sha256[:16]}…" if u.cert_sha256 else ("未登记" if u.role != "filler" else ""),
        )
    out.print(t)
    if not d.postgres:
        out.print(Text("SQLite 数据库：角色仅作记录，不强制执行；多人共用请使用 PostgreSQL。", style="dim"))
    return EXIT_OK


def cmd_users_log(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.people_log import people_log

    if args.limit < 1:
        err.print(Text.assemble(("错误：", "bold red"), f"--limit 应为正整数，而不是 {args.limit}"))
        return EXIT_INVALID
    changes = people_log(_directory(args, err).engine, args.limit)
    if changes is None:
        out.print(Text("SQLite 数据库不记录用户与单位的修改（角色仅作记录）；多人共用请使用 PostgreSQL。", style="dim"))
        return EXIT_OK
    if not changes:
        out.print("没有用户与单位的修改记录（只有管理员能看到这些记录）。")
        return EXIT_OK
    t = Table(title="用户与单位的修改记录", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("时间", "操作人", "对象", "操作", "内容"):
        t.add_column(col, overflow="fold")
    for c in changes:
        said = "；".join(f"{f}：{a}" if not b else f"{f}：{b}" if not a else f"{f}：{b} → {a}" for f, b, a in c.changes)
        t.add_row(
            c.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            Text(c.by),
            Text(f"{c.table} {c.subject}"),
            c.op,
            Text(said),
        )
    out.print(t)
    return EXIT_OK


def cmd_users_remove(args: argparse.Namespace, out: Console, err: Console) -> int:
    _directory(args, err).remove_user(args.login)
    out.print(f"已删除用户 {args.login}。")
    return EXIT_OK


def cmd_units_add(args: argparse.Namespace, out: Console, err: Console) -> int:
    unit = _directory(args, err).add_unit(args.name, args.department)
    out.print(f"已添加单位「{unit.name}」（主管部门：{unit.department or '—'}）。")
    return EXIT_OK


def cmd_units_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    t = Table(title="单位", title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column("单位", overflow="fold")
    t.add_column("主管部门", overflow="fold")
    for u in _directory(args, err).units():
        t.add_row(Text(u.name), Text(u.department))
    out.print(t)
    return EXIT_OK


def cmd_units_remove(args: argparse.Namespace, out: Console, err: Console) -> int:
    _directory(args, err).remove_unit(args.name)
    out.print(f"已删除单位「{args.name}」。")
    return EXIT_OK


def cmd_whoami(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.store import current_actor

    me = _directory(args, err).whoami()
    if me is None:
        out.print(f"未登记的用户（记录修改时使用：{current_actor()}）。")
        return EXIT_OK
    out.print(
        f"{me.login}（{me.name}），{me.role_label}"
        + (f"，单位：{me.unit}" if me.unit else "")
        + (f"，审核范围：{me.department}" if me.department else "")
    )
    return EXIT_OK
