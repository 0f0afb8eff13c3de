"""PDF commands: ``jixiao pdf`` (render, optionally sign), ``jixiao keys new``; ``jixiao verify`` is registered
here and lives in ``jixiao/cli/verify.py``.

Registered by ``jixiao.cli.build_parser`` through ``add_commands``. Every failure the user
can cause (font, key, password, form, workflow) is one Chinese line and exit status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from jixiao.safe_text import line

EXIT_OK, EXIT_INVALID, EXIT_UNTRUSTED = 0, 1, 2
FORM_SUFFIXES = (".toml", ".json")

if TYPE_CHECKING:
    from jixiao.storage.store import FormStore


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    p = sub.add_parser(
        "pdf",
        help="把表单生成为 PDF（官方版式，嵌入中文字体），可加数字签名",
        description="按官方版式把表单生成为 PDF；--sign 时加 PAdES 数字签名（密码取自环境变量 JIXIAO_KEY_PASSWORD 或提示输入）。",
    )
    p.add_argument(
        "forms",
        nargs="+",
        metavar="FORM",
        help="表单文件（.toml/.json）或目录，或数据库中的表单（编号、项目名称或 年度/实施单位/项目名称）",
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="输出目录")
    p.add_argument("--layout", choices=("hubei", "national"), help="版式（默认由规则集决定）")
    p.add_argument("--rules", metavar="NAME", help="使用此规则集（名称或 .toml 文件），覆盖表单中指定的规则集")
    p.add_argument(
        "--font",
        metavar="FILE",
        help="中文 TrueType 字体文件（.ttf/.ttc，可写 文件.ttc#序号）；默认读环境变量 JIXIAO_PDF_FONT，否则自动查找",
    )
    p.add_argument(
        "--sign",
        type=Path,
        metavar="KEY.p12",
        help="用此密钥签名（PKCS#12）；数据库中的表单须为「已审核」，签名后变为「已签章」",
    )
    p.add_argument(
        "--signer", metavar="NAME", help="签名人姓名（默认取证书的 CN；签数据库中的表单时以数据库登记的姓名为准）"
    )
    p.add_argument("--pdfa", action="store_true", help="输出 PDF/A-2b（长期归档）；附有佐证材料的表单不能为 PDF/A-2")
    p.add_argument(
        "--seal",
        type=Path,
        metavar="公章.png",
        help="单位公章图像（PNG/JPEG，≤2 MB），印在签字栏下的「单位（盖章）」处；不是数字签名，签名覆盖它",
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="并行生成的进程数（默认为 CPU 核数；1 表示在当前进程中逐份生成）",
    )
    p.set_defaults(func=cmd_pdf)
    _add_verify_and_keys(sub, parser_class)


def _add_verify_and_keys(sub: argparse._SubParsersAction, parser_class: type) -> None:
    v = sub.add_parser("verify", help="验证已签名的 PDF：是否完整、签名人、时间、证书是否受信任、数据是否与数据库一致")
    v.add_argument("files", nargs="+", type=Path, metavar="FILE.pdf")
    v.add_argument(
        "--trust", action="append", type=Path, default=[], metavar="CERT.pem", help="受信任的根证书（PEM/DER），可多次"
    )
    from jixiao.cli.verify import cmd_verify

    v.set_defaults(func=cmd_verify)

    k = sub.add_parser("keys", help="签名密钥：创建试用的自签名证书")
    ksub = k.add_subparsers(dest="keys_command", metavar="子命令", parser_class=parser_class, required=True)
    kn = ksub.add_parser(
        "new",
        help="创建自签名证书和密钥（PKCS#12），供试用",
        description="创建自签名证书（CN=名称）和 RSA 密钥，存为有密码保护的 .p12，证书另存为同名 .pem（供 verify --trust 使用）。"
        "密码取自环境变量 JIXIAO_KEY_PASSWORD，否则提示输入两次。正式签章请使用 CA 颁发的证书。",
    )
    kn.add_argument("--name", required=True, metavar="名称", help="证书名称（CN），可用中文，如 张三 或 单位名称")
    kn.add_argument(
        "-o", "--output", type=Path, required=True, metavar="KEY.p12", help="密钥文件（.p12）；证书另存为同名的 .pem"
    )
    kn.add_argument("--days", type=int, default=3 * 365, help="有效天数（默认 1095）")
    kn.add_argument("--force", action="store_true", help="覆盖已有文件")
    kn.set_defaults(func=cmd_keys_new)


def _error(err: Console, message: str, label: str = "错误") -> None:
    err.print(Text.assemble((f"{label}：", "bold red" if label == "错误" else "bold yellow"), message), soft_wrap=True)


def _pdf_errors() -> tuple[type[Exception], ...]:
    from jixiao.pdf.fonts import FontError
    from jixiao.pdf.layout import LayoutError
    from jixiao.pdf.sign import SignError
    from jixiao.pdf.verify import VerifyError

    return (FontError, LayoutError, SignError, VerifyError)


# ------------------------------------------------------------------ pdf


@dataclass
class _Item:
    label: str  # file path or database key, for messages
    form: Any
    stored: Any = None  # StoredForm when it came from the database


class _Stores:
    """Opens the database only when a FORM is not a file."""

    def __init__(self, args: argparse.Namespace, err: Console) -> None:
        self.args, self.err = args, err
        self._store: FormStore | None = None

    def get(self) -> FormStore:
        if self._store is None:
            from jixiao.cli.db import open_store

            self._store = open_store(self.args, self.err)
        return self._store


def _collect(refs: list[str], stores: _Stores, err: Console) -> tuple[list[_Item], int]:
    from jixiao.storage import StoreError
    from scorer.formfile import FormFileError, find_form_files, load_form

    items: list[_Item] = []
    failed = 0
    for ref in refs:
        p = Path(ref)
        looks_like_file = p.suffix.lower() in FORM_SUFFIXES or p.is_dir() or p.is_file()
        if looks_like_file:
            if not p.exists():
                _error(err, f"{ref}：文件或目录不存在")
                failed += 1
                continue
            for f in find_form_files([p]):
                try:
                    items.append(_Item(str(f), load_form(f)))
                except FormFileError as exc:
                    _error(err, str(exc))
                    failed += 1
            continue
        try:
            sf = stores.get().find(ref)
        except StoreError as exc:
            _error(err, str(exc))
            failed += 1
            continue
        items.append(_Item(sf.key, sf.form, sf))
    return items, failed


def _out_path(directory: Path, form: Any, used: set[Path]) -> Path:
    from jixiao.files import form_stem, unique_path

    return unique_path(directory, form_stem(form), ".pdf", used)


def _reported(
    command: Callable[[argparse.Namespace, Console, Console], int], args: argparse.Namespace, out: Console, err: Console
) -> int:
    """Run a PDF command; a missing component or a user-caused PDF error is one line, exit 1."""
    try:
        return command(args, out, err)
    except ImportError as exc:
        _error(err, f"缺少 PDF 组件 {exc.name or exc}：请安装 jixiao 的依赖（reportlab、pyHanko、pypdf）")
        return EXIT_INVALID
    except _pdf_errors() as exc:
        _error(err, str(exc))
        return EXIT_INVALID


def cmd_pdf(args: argparse.Namespace, out: Console, err: Console) -> int:
    return _reported(_cmd_pdf, args, out, err)


class _PdfRun:
    """One ``jixiao pdf`` run: which forms are scored, rendered, written and (if asked) signed."""

    def __init__(self, args: argparse.Namespace, err: Console, stores: _Stores, font: Any) -> None:
        self.args, self.err, self.stores, self.font = args, err, stores, font
        self.key: Any = None
        self.signer_name = ""
        self.seal: Any = None  # jixiao.pdf.seal.Seal
        self.written: list[tuple[Path, _Item]] = []
        self.used: set[Path] = set()
        self.signed = 0
        self.failed = 0
        self.left = 0  # forms not written because a write failed first (a full disk): not tried

    def scored(self, items: list[_Item], override: Any, advance: Any) -> list[tuple[_Item, Any]]:
        """Each form with its result; a form whose rule set is unknown, or that may not be signed, fails here."""
        from jixiao.scoring import score_form
        from jixiao.storage import StoreError
        from jixiao.workflow import WorkflowError
        from jixiao.workflow import transition as wf_transition
        from scorer.rules import RuleSetError, rules_for

        todo: list[tuple[_Item, Any]] = []
        for item in items:
            try:
                rules = rules_for(item.form, override)
            except RuleSetError as exc:
                _error(self.err, f"{item.label}：键 rules：{exc}")
                self.failed += 1
                advance()
                continue
            if self.key is not None and item.stored is not None:
                try:
                    wf_transition(item.stored.status, "sign")
                    cert = self.key.signer.signing_cert.sha256.hex()  # and the signer's own certificate (0024)
                    self.stores.get().may(item.stored.id, "sign", cert)  # 四眼原则: before the PDF is signed
                except WorkflowError as exc:
                    _error(self.err, f"表单「{item.label}」：{exc}")
                    self.failed += 1
                    advance()
                    continue
            try:
                todo.append((item, self._as_stored(item, score_form(item.form, rules))))
            except StoreError as exc:  # evidence changed past jixiao: that form is not printed
                _error(self.err, f"表单「{item.label}」：{exc}")
                self.failed += 1
                advance()
        return todo

    def _as_stored(self, item: _Item, result: Any) -> Any:
        """A stored form's 复核 go on its PDF after the sign-off, its evidence files into it."""
        if item.stored is None:
            return result
        from jixiao.pdf.attachments import Attachment
        from jixiao.pdf.batch import Printed
        from jixiao.storage import StoreError, evidence, rechecks

        if item.stored.stage.value == "declaration":  # targets only: printed as declared, without scores
            if self.key is not None:
                raise StoreError(f"是目标申报表，不在此签章（签章用于已审核的自评表）：{item.stored.key}")
            return Printed(result, {}, declaration=True)
        found = rechecks.latest(self.stores.get(), item.stored.id)
        rows = {r.indicator.uid: r.indicator.name for r in result.indicators}
        attached = tuple(
            Attachment(e.name, data, f"佐证：{rows.get(e.indicator_uid, '本表')}", e.media_type)
            for e, data in evidence.files(self.stores.get(), item.stored.id)
        )
        return Printed(result, found, attached) if found or attached else result

    def render(self, todo: list[tuple[_Item, Any]], advance: Any) -> None:
        """Render (in worker processes when there are several), writing in input order.

        Forms finish in any order; they are written in input order (so that names that clash
        get -2, -3 … exactly as one by one), the bar moves as each finishes.
        """
        from jixiao.pdf.batch import iter_batch

        ready: dict[int, Any] = {}
        next_index = 0
        for outcome in iter_batch(
            [result for _, result in todo],
            names=[item.label for item, _ in todo],
            layout=self.args.layout,
            font=self.font,
            seal=self.seal,
            pdfa=self.args.pdfa,
            key=self.key,
            signer_name=self.signer_name,
            jobs=self.args.jobs,  # one form, or --jobs 1: no pool
        ):
            ready[outcome.index] = outcome
            while next_index in ready:
                done = ready.pop(next_index)
                if done.ok and not self._store_or_say(todo[next_index][0], done.pdf):
                    self.left = len(todo) - next_index - 1
                    return
                if not done.ok:
                    _error(self.err, done.error)
                    self.failed += 1
                next_index += 1
            advance()

    def _store_or_say(self, item: _Item, data: bytes) -> bool:
        """Write one PDF; a file that cannot be written (a full disk) is named and stops the batch (the
        next would fail the same way), and the summary still says how many were written."""
        from jixiao.files import path_problem

        try:
            self.store(item, data)
        except OSError as exc:
            _error(self.err, f"表单「{item.label}」：{path_problem(exc)}")
            self.failed += 1
            return False
        return True

    def store(self, item: _Item, data: bytes) -> None:
        from jixiao.cli.db import atomic_write
        from jixiao.pdf.canonical import form_sha256
        from jixiao.workflow import WorkflowError

        path = _out_path(self.args.output, item.form, self.used)
        atomic_write(path, data)
        if self.key is not None:
            self.signed += 1
            if item.stored is not None:
                from jixiao.storage import StoreError

                try:
                    certificate = self.key.signer.signing_cert.sha256.hex()  # verify holds signed copies to it
                    self.stores.get().mark_signed(item.stored.id, self.signer_name, form_sha256(item.form), certificate)
                except (StoreError, WorkflowError) as exc:
                    _error(
                        self.err, f"表单「{item.label}」：PDF 已签名并写入 {path}，但数据库状态未能改为已签章：{exc}"
                    )
                    self.failed += 1
        self.written.append((path, item))

    def report(self, out: Console) -> int:
        key, font = self.key, self.font
        if len(self.written) <= 20:
            for path, item in self.written:
                note = (
                    f"（已签名：{self.signer_name}" + ("，数据库状态：已签章）" if item.stored is not None else "）")
                    if key
                    else ""
                )
                out.print(Text(f"{path}{note}"), soft_wrap=True)
        out.print(
            Text(
                f"已生成 {len(self.written)} 份 PDF 到 {line(str(self.args.output))}/"
                + (f"，其中签名 {self.signed} 份" if key else "")
                + (f"；失败 {self.failed} 份" if self.failed else "")
                + (f"；写入失败后其余 {self.left} 份未生成" if self.left else "")
                + f"。字体：{font.face}"
                + ("（已嵌入）" if font.embedded else "（未嵌入）")
            ),
            soft_wrap=True,
        )
        return EXIT_INVALID if self.failed or self.left else EXIT_OK


def _signing(run: _PdfRun, args: argparse.Namespace, stores: _Stores, stored: bool) -> str:
    """The key and the 签章人. On a database the 签章人 is the one it records (0028: the login's name),
    so the PDF and the record never differ; why not ("" when it may go on), said before anything is signed."""
    from jixiao.pdf.sign import load_key

    run.key = load_key(args.sign)  # SignError: missing file, wrong password
    asked = (args.signer or "").strip()
    run.signer_name = asked or run.key.name
    if not stored:
        return ""
    from jixiao.storage.users import recorded_signer

    recorded = recorded_signer(stores.get().engine)
    if recorded is None:
        return ""
    if asked and asked != recorded:
        return (
            f"签章人以数据库登记的姓名为准：「{recorded}」；--signer「{asked}」与之不同。"
            "请去掉 --signer，或请管理员更正登记的姓名；未签任何表单"
        )
    run.signer_name = recorded
    return ""


def _cmd_pdf(args: argparse.Namespace, out: Console, err: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from jixiao.pdf.fonts import find_font
    from scorer.rules import RuleSetError
    from scorer.rules import load as load_rules

    if args.jobs is not None and args.jobs < 1:
        _error(err, "--jobs 必须是正整数")
        return EXIT_INVALID
    font = find_font(args.font)
    if font.warning:
        _error(err, font.warning, "警告")
    override = None
    if args.rules:
        try:
            override = load_rules(args.rules)
        except RuleSetError as exc:
            _error(err, f"--rules：{exc}")
            return EXIT_INVALID
    stores = _Stores(args, err)
    items, failed = _collect(list(args.forms), stores, err)
    if not items:
        if not failed:
            _error(err, "没有找到表单")
        return EXIT_INVALID
    run = _PdfRun(args, err, stores, font)
    run.failed = failed
    if args.seal is not None:
        from jixiao.pdf.seal import load_seal

        run.seal = load_seal(args.seal)  # LayoutError naming the file: not an image, too big
    if args.sign is not None:
        refused = _signing(run, args, stores, any(item.stored is not None for item in items))
        if refused:
            _error(err, refused)
            return EXIT_INVALID
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=len(items) < 2,
        # No refresh thread: the pool forks its workers while this bar is up, and a
        # thread holding a lock at fork time can hang the child. Redrawn on every form.
        auto_refresh=False,
    ) as progress:
        task = progress.add_task("签章" if run.key else "生成 PDF", total=len(items))
        progress.refresh()

        def advance() -> None:
            progress.advance(task)
            progress.refresh()

        run.render(run.scored(items, override, advance), advance)
    return run.report(out)


# ------------------------------------------------------------------ keys


def cmd_keys_new(args: argparse.Namespace, out: Console, err: Console) -> int:
    return _reported(_cmd_keys_new, args, out, err)


def _cmd_keys_new(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import atomic_write
    from jixiao.pdf.sign import certificate_pem, key_password
    from jixiao.pdf.trial_keys import key_days_problem, new_key

    target: Path = args.output
    pem_path = target.with_suffix(".pem")
    for p in (target, pem_path):
        if p.exists() and not args.force:
            _error(err, f"{p} 已存在；要覆盖请加 --force")
            return EXIT_INVALID
    if key_days_problem(args.days):  # before the password is asked for
        _error(err, key_days_problem(args.days))
        return EXIT_INVALID
    password = key_password(confirm=True, prompt="为新密钥设置密码：")
    info = new_key(args.name, target, password, days=args.days)
    atomic_write(pem_path, certificate_pem(target, password))
    out.print(
        Text(f"已创建密钥 {target}（证书 CN={info.subject}，自签名，有效期至 {info.not_after:%Y-%m-%d}）"),
        soft_wrap=True,
    )
    out.print(Text(f"证书已另存为 {pem_path}：验证时用 jixiao verify FILE.pdf --trust {pem_path}"), soft_wrap=True)
    out.print(Text(f"证书指纹 SHA-256 {info.sha256}", style="dim"))
    out.print(Text("这是试用的自签名证书；正式签章请使用 CA 颁发的证书。", style="yellow"))
    return EXIT_OK
