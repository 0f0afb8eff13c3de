"""``jixiao verify``: is a signed PDF intact, who signed it and when, is the certificate trusted,
and does the signed data agree with the database.

Registered by ``jixiao.cli.pdf.add_commands``. Exit status, worst over the files: 1 (not intact, or
disagreeing with the database) beats 2 (intact, but the certificate is not trusted, the database does
not hold the form, or its pages could not be compared) beats 0.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.cli.pdf import EXIT_INVALID, EXIT_OK, EXIT_UNTRUSTED, _error, _reported
from jixiao.files import os_reason


def cmd_verify(args: argparse.Namespace, out: Console, err: Console) -> int:
    return _reported(_cmd_verify, args, out, err)


def _no_database(args: argparse.Namespace) -> tuple[str, str, bool | None] | None:
    """None when there is a database to ask; else what the 数据库 row says. No database at all (the default
    file absent) agrees: there is nothing to compare. A database that was named (``--db``, ``JIXIAO_DB``) but
    is not there confirms nothing: a mistyped path made every copy 通过 without asking any database, where
    an unreachable PostgreSQL left it 未确认."""
    from sqlalchemy.engine import make_url

    from jixiao.safe_text import line
    from jixiao.storage.database import redact, resolve_url

    url, default = resolve_url(getattr(args, "db", None))
    try:
        parsed = make_url(url)
    except Exception:
        return f"未能与数据库比对：无法识别数据库地址「{line(redact(url))}」", "yellow", None
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database and Path(parsed.database).exists():  # never create a database just to look a form up
        return None
    if default:
        return "数据库中未找到（没有可用的数据库）", "yellow", True
    return f"未能与数据库比对：指定的数据库文件「{line(str(parsed.database or url))}」不存在", "yellow", None


def _db_check(
    args: argparse.Namespace, err: Console, report: Any, cache: dict[str, Any]
) -> tuple[str, str, bool | None]:
    """(text, style, agrees) saying whether the signed copy still is the database's form.

    It agrees only when the fingerprint matches, the form is still 已签章, signed with the certificate
    of record, and the signed pages show what the database's form renders to. Without any database it
    agrees; with one that does not hold the form (or cannot be read) it is None: not confirmed, since
    anyone holding a trusted key could have signed a form the database never had."""
    from jixiao.pdf.canonical import form_sha256
    from jixiao.storage import DatabaseError, NotFound, StoreError

    meta = report.meta
    no_database = _no_database(args)
    if no_database is not None:
        return no_database
    if not meta.form_sha256 or not meta.form_key:
        return "PDF 中没有 jixiao 的表单数据指纹，无法与数据库比对", "yellow", None
    try:
        if "store" not in cache:
            from jixiao.cli.db import open_store

            cache["store"] = open_store(args, err)
        sf = cache["store"].find(meta.form_key)
    except NotFound:
        return f"数据库中未找到表单「{meta.form_key}」", "yellow", None
    except (StoreError, DatabaseError) as exc:
        return f"数据库中未找到：{exc}", "yellow", None
    where = f"数据库中的表单「{sf.key}」（编号 {sf.id}，{sf.status.label}）"
    now = form_sha256(sf.form)
    if now != meta.form_sha256:
        return (
            f"不一致：{where}在签名后已被修改（数据库 SHA-256 {now[:16]}…，PDF {meta.form_sha256[:16]}…）",
            "bold red",
            False,
        )
    if sf.status.value != "signed":
        return f"不一致：{where}已不是「已签章」，数据库已与此签章件不一致", "bold red", False
    if sf.signature_sha256 and sf.signature_sha256 != meta.form_sha256:
        return f"不一致：{where}记录的签章指纹与本文件不同", "bold red", False
    signer, of_record = _certificate_of_record(report, sf, where, cache.get("trust", ()), cache["store"])
    if not of_record:
        return signer, "bold red", False
    signer += _holder(cache["store"], sf.signer_cert_sha256)
    from jixiao.storage import evidence

    stored = sorted(e.sha256 for e in evidence.for_form(cache["store"], sf.id))
    if sorted(a.sha256 for a in report.attachments) != stored:
        return f"不一致：签章件所附佐证材料与{where}的佐证材料不同", "bold red", False
    printed = _rechecks_as_signed(cache["store"], sf, meta)
    if printed is None:
        return f"不一致：签章件上的复核记录与{where}的复核记录不同", "bold red", False
    said = _page_check(sf.form, meta, printed, report, where)
    if said is not None:
        return said
    return (
        f"一致：{where}与签名时的数据相同，页面内容与数据库一致；{signer}",
        "green" if sf.signer_cert_sha256 else "yellow",
        True,
    )


def _certificate_of_record(report: Any, sf: Any, where: str, trust: Any, store: Any) -> tuple[str, bool]:
    """(what is said, agrees): every signature of the copy must be made with a certificate registered to
    the login that signed (when it has one registered), and with the certificate the database recorded
    when jixiao signed the form. A form signed before jixiao kept it (NULL) is not failed for that: the
    text says its certificate of record is unknown."""
    not_theirs = _not_the_signers(store, sf.id, report)
    if not_theirs:
        return not_theirs, False
    said, agrees = _against_the_recorded_certificate(report, sf, where, trust)
    named = _not_the_named_signer(report, sf, where) if agrees else ""
    return (named, False) if named else (said, agrees)


def _against_the_recorded_certificate(report: Any, sf: Any, where: str, trust: Any) -> tuple[str, bool]:
    recorded = sf.signer_cert_sha256
    if not recorded:
        return "数据库未记录签章证书（此前签章的表单），无法确认签名证书是否为签章时所用的证书", True
    names = {_sha256(c): _cn(c) for c in trust}
    ours = f"CN={names[recorded]}" if recorded in names else f"签章人 {sf.signed_by or '（未记录）'}"
    for s in report.signatures:
        if s.certificate_sha256 != recorded:
            return (
                f"不一致：本文件的签名证书（CN={s.signer or '（证书无名称）'}，SHA-256 {s.certificate_sha256[:16]}…）"
                f"不是{where}记录的签章证书（{ours}，SHA-256 {recorded[:16]}…）",
                False,
            )
    return f"签名证书即数据库记录的签章证书（SHA-256 {recorded[:16]}…）", True


def _not_the_named_signer(report: Any, sf: Any, where: str) -> str:
    """Why a signature names another 签章人 than the database recorded ("" if none does). jixiao writes
    one name into both; since 0028 the database writes the signing login's own, so a copy signed with the
    right key under another name (「局长」 for a reviewer) is a forgery of the name."""
    from jixiao.safe_text import display

    for s in report.signatures:
        if s.name and sf.signed_by and s.name != sf.signed_by:
            return (
                f"不一致：本文件的签章人为「{display(s.name, single_line=True, limit=100)}」，"
                f"{where}记录的签章人为「{display(sf.signed_by, single_line=True, limit=100)}」"
            )
    return ""


def _not_the_signers(store: Any, form_id: int, report: Any) -> str:
    """Why a signature of the copy is not made with a certificate ever registered to the login the
    database recorded as signing the form, when that login has one registered (migration 0026); "" if none."""
    from jixiao.storage.users import signer_binding

    for s in report.signatures:
        found = signer_binding(store.engine, form_id, s.certificate_sha256)
        if found is not None and found[1] and not found[2]:
            return (
                f"不一致：数据库记录签章人为登录名「{found[0]}」，该用户已登记签章证书；本文件的签名证书"
                f"（CN={s.signer or '（证书无名称）'}，SHA-256 {s.certificate_sha256[:16]}…）不是登记给该用户的证书"
            )
    return ""


def _holder(store: Any, recorded: str | None) -> str:
    """Whose certificate it is, as the users' registry says (migration 0024): a name beside the CN."""
    if not recorded:
        return ""
    holder = store.certificate_holder(recorded)
    if holder is None:
        return "；该证书未登记给任何用户（jixiao users cert）"
    return f"；证书登记给用户 {holder[1]}（{holder[0]}）"


def _sha256(cert: Any) -> str:
    try:
        return str(cert.sha256.hex())
    except Exception:
        return ""


def _cn(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    except Exception:
        return ""


def _render(form: Any, meta: Any, rechecks: dict[str, Any], seal: Any) -> bytes | None:
    """``form`` rendered under the signed copy's rule set and layout (None if it cannot be)."""
    from jixiao.pdf.layout import render_form

    if not _builtin_rules(meta):
        return None
    try:
        return render_form(form, rules=meta.rules or None, layout=meta.layout or None, rechecks=rechecks, seal=seal)
    except Exception:
        return None


def _builtin_rules(meta: Any) -> bool:
    """The copy names no rule set, or one of jixiao's own. The name is the signer's metadata, and a
    name with "/" or ".toml" would be read as a file on this machine (a FIFO or /dev/zero hung verify)."""
    from scorer.rules import available

    return not meta.rules or meta.rules in available()


def _page_check(
    form: Any, meta: Any, rechecks: dict[str, Any], report: Any, where: str
) -> tuple[str, str, bool | None] | None:
    """Why the signed pages are not the database's form rendered again (None: they are).

    First the words (white space ignored), then what a reader sees: every pixel outside the
    signature appearance and the seal image. Pixels that differ on a copy from another jixiao
    version, or set in a font this machine does not use, cannot tell a forgery from an older or
    other renderer, so that copy stays 未确认, never 通过.
    """
    from jixiao.pdf import meta as M
    from jixiao.pdf import pixels
    from jixiao.pdf.seal import stand_in

    rendered = _render(form, meta, rechecks, stand_in() if meta.seal else None)
    if rendered is None:  # never a pass by default: the pages were not compared
        return f"未能比对：无法按签章件的规则集与版式重新生成{where}的页面", "yellow", None
    if M.page_text(rendered) != report.signed_text:  # a page with no text (an image of a table) is not the form
        return f"不一致：签章页面显示的内容与{where}不同（页面可能被涂改后重新签名）", "bold red", False
    try:
        differ = pixels.differing_pages(report.signed_revision, rendered, _masks(form, meta, rechecks, rendered))
        fonts_missing = not pixels.font_names(rendered) <= pixels.font_names(report.signed_revision)
    except Exception:
        return f"未能比对：无法逐像素比对签章页面与{where}", "yellow", None
    creator = dict(M.read_info(report.signed_revision)).get("/Creator")
    if differ and (fonts_missing or creator != dict(M.read_info(rendered)).get("/Creator")):
        why = "所用字体" if fonts_missing else f"生成程序（{creator or '未知'}）"
        return f"未能比对：签章件的{why}与本机 jixiao 不同，无法逐像素比对{where}的页面", "yellow", None
    if differ:
        pages = "、".join(str(i + 1) for i in differ)
        return (
            f"不一致：签章件第 {pages} 页看到的内容与{where}不同（页面可能被涂盖、重绘或隐藏后重新签名）",
            "bold red",
            False,
        )
    return None


def _masks(form: Any, meta: Any, rechecks: dict[str, Any], rendered: bytes) -> list[Any]:
    """The boxes not compared: the signature appearance and the seal field, as jixiao's own layout puts them."""
    from jixiao.pdf import meta as M
    from jixiao.pdf import pixels
    from jixiao.pdf.seal import seal_from

    box = M.read_meta(rendered).signature_box
    masks = [box] if box is not None else []
    if meta.seal:  # the database does not hold the image: where a black one of the largest size lands
        for size in ((1, 1), _widest()):  # a square one and the widest the layout draws: the seal field
            black = _render(form, meta, rechecks, seal_from(_black_png(size), "stand-in"))
            masks += pixels.changed_region(rendered, black) if black is not None else []
    return masks


def _widest() -> tuple[int, int]:
    """A seal image's size in pixels that the layout draws 30 mm high and as wide as it draws any seal."""
    from jixiao.pdf.layout import SEAL_HEIGHT, SEAL_MAX_WIDTH

    return round(100 * SEAL_MAX_WIDTH / SEAL_HEIGHT), 100


def _black_png(size: tuple[int, int] = (1, 1)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size).save(buf, "PNG")
    return buf.getvalue()


def _rechecks_as_signed(store: Any, sf: Any, meta: Any) -> dict[str, Any] | None:
    """The 复核 the signed copy printed, as the database held them then (None: it never held them).

    The 复核 table is append-only, so each state it has been in is a prefix of its rows; one added
    after signing leaves the signed copy's prefix in place.
    """
    if not meta.rechecks:
        return {}
    from jixiao.pdf.recheck_block import rechecks_digest
    from jixiao.scoring import score_form
    from jixiao.storage import rechecks
    from scorer.rules import load, rules_name_for

    if not _builtin_rules(meta):
        return None
    try:  # under the signed copy's rule set, as it was rendered
        result = score_form(sf.form, load(meta.rules or rules_name_for(sf.form)))
    except Exception:
        return None
    rows = rechecks.history(store, sf.id)
    for k in range(len(rows) + 1):
        state = {r.indicator_uid: r for r in rows[:k]}
        if rechecks_digest(result, state) == meta.rechecks:
            return state
    return None


def _cmd_verify(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.pdf.verify import load_certificates
    from scorer.errors import JixiaoError

    trust = load_certificates(args.trust)
    status = EXIT_OK
    cache: dict[str, Any] = {"trust": trust}
    for path in args.files:
        try:
            verdict = _verify_one(path, args, cache, out, err)
        except JixiaoError:  # the database or the command, not this file: one line, as before
            raise
        except Exception:  # whatever the file holds, it gets a verdict and the next file is verified
            _error(err, f"{path}：无法完成验证（文件中有 jixiao 无法分析的结构），结论：不通过")
            verdict = EXIT_INVALID
        status = max(status, verdict) if EXIT_INVALID not in (status, verdict) else EXIT_INVALID
    return status


def _verify_one(path: Path, args: argparse.Namespace, cache: dict[str, Any], out: Console, err: Console) -> int:
    """Verify one file, print its table and return its verdict."""
    from jixiao.safe_text import display

    report = _report_of(path, cache["trust"], err)
    if report is None:
        return EXIT_INVALID
    t = _report_table(path, report, bool(args.trust))
    agrees: bool | None = True
    if report.signed and not report.error:
        text, st, agrees = _db_check(args, err, report, cache)
        t.add_row("数据库", Text(display(text), style=st))  # it names the file's form key
    verdict = _verdict(report, agrees)
    said = UNCONFIRMED_IN_DB if verdict == EXIT_UNTRUSTED and agrees is None else VERDICTS[verdict]
    t.add_row("结论", Text(said, style="bold green" if verdict == EXIT_OK else "bold red"))
    out.print(t)
    if len(args.files) > 1:
        out.print()
    return verdict


def _report_of(path: Path, trust: Any, err: Console) -> Any:
    """The file's verification report, whatever the damage; None (said on stderr) if it cannot be read."""
    from jixiao.pdf.verify import VerifyReport, unreadable, verify_pdf

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _error(err, f"{path}：文件不存在")
        return None
    except OSError as exc:
        _error(err, f"{path}：无法读取：{os_reason(exc)}")
        return None
    try:
        return verify_pdf(data, trust)
    except Exception as exc:  # a verdict for every file, whatever the damage
        return VerifyReport(error=unreadable(exc))


def _report_table(path: Path, report: Any, trust_given: bool) -> Table:
    """What the file says about itself: its signatures, their certificates and the signed data.

    Every text the file gives (its metadata, file names, a certificate's names, a parser's message) is
    whoever made the file's: shown with ``line``/``display``, so it can neither move the cursor nor
    repaint the verdict below it."""
    from jixiao.safe_text import display, line

    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    label = report.status_label
    style = "bold green" if label == "完整" else "bold red"
    t.add_row("文件", Text(line(str(path))))
    t.add_row("签名", Text(label, style=style))
    if report.error:
        t.add_row("原因", Text(display(report.error), style="red"))
    if report.metadata_changed:
        t.add_row("元数据", Text("签名后元数据（文档信息或 XMP）被改动；以下为签名时的数据", style="red"))
    if report.unparsed_tail:
        t.add_row(
            "追加内容",
            Text("签名后文件末尾追加了未经分析的内容（部分阅读器会显示与签名时不同的页面）", style="bold red"),
        )
    for s in report.signatures:
        _signature_rows(t, s, trust_given)
    m = report.meta
    if m.rules:
        t.add_row("规则集", Text(f"{line(m.rules)}（版本 {line(m.rules_version)}）"))
    if m.form_key:
        t.add_row("表单", Text(line(m.form_key)))
    if m.form_sha256:
        t.add_row("数据指纹", Text(f"SHA-256 {m.form_sha256}"))
    if m.seal:
        t.add_row("公章图像", Text(f"SHA-256 {m.seal[:16]}…（图像，不是数字签名；在签名范围内）"))
    if m.rechecks:
        t.add_row("复核记录", _rechecks_row(m.rechecks))
    for a in report.attachments:
        t.add_row("附件", Text(f"{line(a.name)}（{a.size:,} 字节，SHA-256 {a.sha256[:16]}…，在签名范围内）"))
    if report.attachments_changed:
        t.add_row("附件", Text("签名后附件被增删或改动", style="bold red"))
    return t


def _rechecks_row(value: str) -> Text:
    """What /JixiaoRechecks says: "N sha256" as jixiao writes it. The value is the file maker's: a blank
    one stopped verify with 内部错误 (IndexError) and exit 3, before any verdict."""
    import re

    from jixiao.safe_text import line

    found = re.fullmatch(r"(\d{1,9}) [0-9a-f]{64}", value)
    if found is None:
        return Text(f"无法识别（「{line(value[:80])}」，不是 jixiao 写入的格式）", style="red")
    return Text(f"{int(found.group(1))} 条，附于表后，在签名范围内")


def _signing_time(when: Any) -> str:
    """The signing time the signature states, in local time. It is the signer's claim: 9999-12-31 23:59 UTC
    is past the last local time east of UTC, and stopped verify with 内部错误 (OverflowError) there."""
    if when is None:
        return "（未知）"
    try:
        return str(when.astimezone().strftime("%Y-%m-%d %H:%M:%S %z"))
    except (OverflowError, ValueError):
        return str(when.strftime("%Y-%m-%d %H:%M:%S %z"))


def _signature_rows(t: Table, s: Any, trust_given: bool) -> None:
    from jixiao.safe_text import display, line

    cert = f"证书 CN={line(s.signer)}" + (
        f"，颁发者 {line(s.issuer)}" if s.issuer and s.issuer != s.signer else "，自签名"
    )
    t.add_row("签名人", Text(f"{line(s.signer) or '（证书无名称）'}（{cert}）"))
    if s.name and s.name != s.signer:
        t.add_row("自称", Text(f"{line(s.name)}（签名中自行填写的姓名，未经证书证明）", style="yellow"))
    when = _signing_time(s.signing_time)
    t.add_row("签名时间", Text(when))
    if s.intact and s.valid:
        trust = Text(
            "受信任" if s.trusted else "不受信任（自签名，或未用 --trust 指定其根证书）",
            style="green" if s.trusted else "yellow",
        )
    else:  # pyHanko builds no chain for a broken signature: whether the certificate is trusted is not known
        trust = Text("未判断（签名无效，无从确认证书）", style="yellow")
    t.add_row("证书", trust)
    t.add_row("证书指纹", Text(f"SHA-256 {s.certificate_sha256}", style="dim"))
    for problem in s.problems:
        if problem.startswith("证书不受信任") and not trust_given:
            continue
        t.add_row("问题", Text(display(problem), style="red"))


# verify's exit status, worst over the files: 1 beats 2 beats 0
VERDICTS = {
    EXIT_OK: "通过：签名完整，证书受信任，与数据库一致（或无数据库可比）",
    EXIT_INVALID: "不通过：未签名、签名无效或已被修改，或与数据库不一致",
    EXIT_UNTRUSTED: "未确认：签名完整，但证书不受信任（请用 --trust 指定签发机构的根证书）",
}


UNCONFIRMED_IN_DB = (
    "未确认：签名完整，但未能与数据库确认这份签章件（原因见「数据库」一行：数据库中没有这份表单，"
    "或页面无法比对），可能是伪造件"
)


def _verdict(report: Any, agrees: bool | None) -> int:
    """``agrees`` None: a database is there but does not hold the form, which leaves the copy unconfirmed."""
    if not report.intact or agrees is False:
        return EXIT_INVALID
    return EXIT_OK if report.trusted and agrees is not None else EXIT_UNTRUSTED
