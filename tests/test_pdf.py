"""Signed PDF forms (issue 6): layout, font, reproducibility, signatures, tampering, CLI."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
pytest.importorskip("pyhanko")
pypdf = pytest.importorskip("pypdf")

from rich.console import Console  # noqa: E402

from jixiao.pdf import fonts  # noqa: E402
from jixiao.pdf.canonical import canonical_json, form_sha256  # noqa: E402
from jixiao.pdf.layout import render_pdf  # noqa: E402
from jixiao.pdf.meta import read_meta  # noqa: E402
from jixiao.pdf.sign import SignError, certificate_pem, load_key, sign_pdf, sign_pdf_async  # noqa: E402
from jixiao.pdf.trial_keys import new_key  # noqa: E402
from jixiao.pdf.verify import load_certificates, verify_pdf, verify_pdf_async  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import dumps_json, form_from_dict, load_form  # noqa: E402
from scorer.rules import load as load_rules  # noqa: E402
from tests.conftest import NINETY_FOUR, ROOT, SAMPLES  # noqa: E402

LONG_FORM = SAMPLES / "2024-wangluo-yunwei.toml"
PASSWORD = "测试口令-123"


def _text(pdf: bytes) -> str:
    """All page text with whitespace removed (CJK cells wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def result94():  # type: ignore[no-untyped-def]
    return score_form(load_form(NINETY_FOUR))


@pytest.fixture(scope="module")
def pdf94(result94) -> bytes:  # type: ignore[no-untyped-def]
    return render_pdf(result94)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "张三.p12"
    new_key("张三（测试）", path, PASSWORD)
    return path


@pytest.fixture(scope="module")
def signed94(pdf94: bytes, key: Path) -> bytes:
    return sign_pdf(pdf94, key, PASSWORD)


# ------------------------------------------------------------------ layout


def test_94_form_text_has_every_cell_the_totals_and_the_title(pdf94: bytes, result94) -> None:  # type: ignore[no-untyped-def]
    text = _text(pdf94)
    form = result94.form
    for s in (form.title, form.project_name, form.department, form.implementing_unit, "预算执行情况", "年度绩效目标"):
        assert _squash(s) in text, s
    for ind in form.indicators:
        for cell in (ind.name, ind.target, ind.actual, ind.level1, ind.level2):
            assert _squash(cell) in text, cell
    # the recorded total with its mark, and the rule total in the footnote
    assert "94※3" in text
    assert "规则计算总分98.10（优）" in text
    assert "规则得分8.10" in text and "规则得分10.00" in text
    assert "等级：优" in text
    for s in ("20", "24.7", "123.5%"):
        assert s in text
    assert _squash(form.deviation_analysis) in text
    assert _squash(form.improvement_measures) in text
    for label in ("填表人", "审核人", "单位负责人", "联系电话", "填报日期", "第1页共1页"):
        assert label in text


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_sample_renders_every_indicator(path: Path) -> None:
    form = load_form(path)
    text = _text(render_pdf(score_form(form)))
    for ind in form.indicators:
        for cell in (ind.name, ind.target, ind.actual):
            assert _squash(cell) in text, (path.name, cell)
    for goal in form.goals:
        assert _squash(goal.text) in text


def test_long_form_flows_over_pages_with_repeated_headers() -> None:
    pdf = render_pdf(score_form(load_form(LONG_FORM)))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    total = len(reader.pages)
    for n, page in enumerate(reader.pages, start=1):
        text = _squash(page.extract_text())
        assert f"第{n}页共{total}页" in text
    second = _squash(reader.pages[1].extract_text())
    assert "三级指标" in second and "（续）" in second  # repeated header row, continued side label


def test_national_layout_renders_its_own_columns() -> None:
    form = load_form(NINETY_FOUR)
    pdf = render_pdf(score_form(form), layout="national")
    text = _text(pdf)
    for s in ("年初预算数", "全年预算数", "全年执行数", "年度总体目标", "偏差原因分析及改进措施", "绩效指标", "94※3"):
        assert s in text, s
    for ind in form.indicators:
        assert _squash(ind.name) in text
    assert read_meta(pdf).layout == "national"
    # a national rule set picks the national layout by itself
    other = load_form(SAMPLES / "2024-qiye-guanlifei.toml")
    assert read_meta(render_pdf(score_form(other, load_rules("national-2020")))).layout == "national"


def test_unknown_layout_is_a_clear_error(result94) -> None:  # type: ignore[no-untyped-def]
    from jixiao.pdf.layout import LayoutError

    with pytest.raises(LayoutError, match="未知版式"):
        render_pdf(result94, layout="shanghai")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm 未安装（poppler-utils），跳过渲染检查")
def test_page_one_renders_non_blank(pdf94: bytes, tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "f.pdf"
    src.write_bytes(pdf94)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(src), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("L")
    dark = sum(img.histogram()[:128])
    assert dark > img.width * img.height * 0.01  # text and rules, not a blank page


# ------------------------------------------------------------------ reproducibility and metadata


def test_same_form_gives_byte_identical_pdf(result94, pdf94: bytes) -> None:  # type: ignore[no-untyped-def]
    assert render_pdf(result94) == pdf94


def test_byte_identical_across_processes(pdf94: bytes) -> None:
    code = (
        "import sys\n"
        "from jixiao.scoring import score_form\nfrom scorer.formfile import load_form\n"
        "from jixiao.pdf.layout import render_pdf\n"
        f"sys.stdout.buffer.write(render_pdf(score_form(load_form(__import__('pathlib').Path({str(NINETY_FOUR)!r})))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    assert out.stdout == pdf94


def test_metadata_carries_rules_version_and_form_sha256(pdf94: bytes, result94) -> None:  # type: ignore[no-untyped-def]
    meta = read_meta(pdf94)
    assert meta.rules == "hubei-2020"
    assert meta.rules_version == load_rules("hubei-2020").version
    assert meta.form_sha256 == form_sha256(result94.form)
    assert meta.form_key == "2024/武昌区商业行业离退休人员管理服务中心/老干工作经费"
    assert meta.signature_box is not None and meta.signature_box[0] == 0
    info = pypdf.PdfReader(io.BytesIO(pdf94)).metadata
    assert form_sha256(result94.form) in info["/Subject"]
    assert info["/CreationDate"] == info["/ModDate"]


def test_canonical_json_is_format_independent() -> None:
    form = load_form(NINETY_FOUR)
    again = form_from_dict(__import__("json").loads(dumps_json(form)))
    assert canonical_json(form) == canonical_json(again)
    assert form_sha256(form) == form_sha256(again)
    assert b'"executed":"24.7"' in canonical_json(form)
    assert b" " not in canonical_json(form).replace("老干".encode(), b"")[:200]


# ------------------------------------------------------------------ font


def test_font_is_an_embedded_truetype_subset(pdf94: bytes) -> None:
    font = fonts.find_font()
    if not font.embedded:
        pytest.skip(f"本机没有可嵌入的中文 TrueType 字体（{font.warning}）；CI 须安装 fonts-wqy-microhei")
    reader = pypdf.PdfReader(io.BytesIO(pdf94))
    seen = []
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            seen.append(str(f["/BaseFont"]))
            assert re.fullmatch(r"/[A-Z]{6}\+.+", str(f["/BaseFont"])), f["/BaseFont"]
            descriptor = f["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor
    assert seen


def test_configured_font_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(fonts.FontError, match="不存在"):
        fonts.find_font("/nonexistent/字体.ttf")
    monkeypatch.setenv(fonts.ENV_FONT, "/nonexistent/x.ttc")
    with pytest.raises(fonts.FontError, match=fonts.ENV_FONT):
        fonts.find_font()


def test_configured_font_invalid_or_cff_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font at all" * 10)
    with pytest.raises(fonts.FontError, match="不是 TrueType"):
        fonts.find_font(str(junk))
    cff = tmp_path / "NotoSansCJK.otf"
    cff.write_bytes(b"OTTO" + b"\x00" * 60)
    with pytest.raises(fonts.FontError, match="CFF"):
        fonts.find_font(str(cff))
    truncated = tmp_path / "bad.ttf"
    truncated.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 20)
    with pytest.raises(fonts.FontError):
        fonts.find_font(str(truncated))


def test_cid_fallback_warns(monkeypatch: pytest.MonkeyPatch, result94) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fonts, "_system_candidates", lambda: ())
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    font = fonts.find_font()
    assert not font.embedded and "空白" in font.warning
    assert "老干工作经费" in _text(render_pdf(result94, font=font))


# ------------------------------------------------------------------ signatures


def test_sign_then_verify_is_intact_and_names_the_signer(signed94: bytes, key: Path, result94) -> None:  # type: ignore[no-untyped-def]
    report = verify_pdf(signed94)
    assert report.signed and report.intact and not report.modified
    assert report.status_label == "完整"
    (sig,) = report.signatures
    assert sig.signer == "张三（测试）" and sig.name == "张三（测试）"
    assert sig.signing_time is not None
    assert not sig.trusted  # self-signed, no --trust
    assert report.meta.form_sha256 == form_sha256(result94.form)
    pem = key.with_suffix(".pem")
    pem.write_bytes(certificate_pem(key, PASSWORD))
    trusted = verify_pdf(signed94, load_certificates([pem]))
    assert trusted.intact and trusted.trusted


def test_unsigned_pdf_is_reported_unsigned(pdf94: bytes) -> None:
    report = verify_pdf(pdf94)
    assert not report.signed and not report.intact and report.status_label == "未签名"


def _byte_range(pdf: bytes) -> list[int]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert m
    return [int(x) for x in m.groups()]


@pytest.mark.parametrize("where", ["first", "second", "metadata"])
def test_flipped_byte_in_signed_range_is_modified(signed94: bytes, where: str) -> None:
    a, b, c, d = _byte_range(signed94)
    if where == "first":
        i = b // 2
    elif where == "second":
        i = c + d // 2
    else:
        i = signed94.index(b"hubei-2020")
    assert a <= i < a + b or c <= i < c + d
    bad = bytearray(signed94)
    bad[i] ^= 0x01
    report = verify_pdf(bytes(bad))
    assert report.modified and not report.intact
    assert report.status_label in ("已被修改", "无效")


def test_incremental_update_changing_content_is_modified(signed94: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed94))
    # paint over the total and write a new score
    patch = generic.StreamObject(stream_data=b"q 1 1 1 rg 740 215 50 16 re f Q BT /F1 9 Tf 750 220 Td (100) Tj ET")
    w.add_stream_to_page(0, w.add_object(patch))
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue())
    assert report.modified and report.status_label == "已被修改"
    assert any("追加了修改" in p for s in report.signatures for p in s.problems)


def test_incremental_annotation_changing_a_score_is_modified(signed94: bytes) -> None:
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText

    w = PdfWriter(io.BytesIO(signed94), incremental=True)
    w.add_annotation(0, FreeText(text="得分 100", rect=(740, 215, 790, 232)))
    out = io.BytesIO()
    w.write(out)
    assert verify_pdf(out.getvalue()).modified


def test_incremental_metadata_change_is_modified_and_signed_hash_kept(signed94: bytes) -> None:
    from pypdf import PdfWriter

    w = PdfWriter(io.BytesIO(signed94), incremental=True)
    w.add_metadata({"/JixiaoFormSHA256": "0" * 64})
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue())
    assert report.modified and report.metadata_changed
    assert report.meta.form_sha256 == read_meta(signed94).form_sha256  # what was signed


def test_wrong_password_and_missing_key_are_clear_errors(pdf94: bytes, key: Path, tmp_path: Path) -> None:
    with pytest.raises(SignError, match="密码错误"):
        sign_pdf(pdf94, key, "wrong")
    with pytest.raises(SignError, match="不存在"):
        sign_pdf(pdf94, tmp_path / "none.p12", PASSWORD)


def test_signing_twice_is_refused(signed94: bytes, key: Path) -> None:
    with pytest.raises(SignError, match="已经签名"):
        sign_pdf(signed94, key, PASSWORD)


def test_async_sign_and_verify_inside_a_running_loop(pdf94: bytes, key: Path) -> None:
    signing_key = load_key(key, PASSWORD)

    async def inside() -> tuple[bytes, object]:
        signed = await sign_pdf_async(pdf94, signing_key, signer_name="李四")
        return signed, await verify_pdf_async(signed)

    signed, report = asyncio.run(inside())
    assert report.intact  # type: ignore[attr-defined]
    assert report.signatures[0].name == "李四"  # type: ignore[attr-defined]


# ------------------------------------------------------------------ CLI


_out_buf, _err_buf = io.StringIO(), io.StringIO()
_out = Console(file=_out_buf, width=200, highlight=False, color_system=None)
_err = Console(file=_err_buf, width=200, highlight=False, color_system=None, soft_wrap=True)


def run(*argv: str) -> tuple[int, str, str]:
    _out_buf.seek(0)
    _out_buf.truncate()
    _err_buf.seek(0)
    _err_buf.truncate()
    from jixiao.cli.app import main

    code = main(list(argv), out=_out, err=_err)
    return code, _out_buf.getvalue(), _err_buf.getvalue()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    return tmp_path


def test_cli_keys_pdf_sign_verify_and_tamper(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("keys", "new", "--name", "王五", "-o", str(env / "k.p12"))
    assert code == 0, err
    assert (env / "k.p12").exists() and (env / "k.pem").exists()
    code, out, err = run("pdf", str(SAMPLES), "-o", str(env / "out"))
    assert code == 0, err
    assert len(list((env / "out").glob("*.pdf"))) == 9
    code, out, err = run("pdf", str(NINETY_FOUR), "-o", str(env / "signed"), "--sign", str(env / "k.p12"))
    assert code == 0, err
    (signed,) = (env / "signed").glob("*.pdf")
    code, out, err = run("verify", str(signed), "--trust", str(env / "k.pem"))
    assert code == 2, err  # JIXIAO_DB names a database that is not there: nothing confirmed
    assert "完整" in out and "王五" in out and "受信任" in out and "指定的数据库文件" in out
    assert not (env / "t.db").exists()  # verify never creates one
    monkeypatch.delenv("JIXIAO_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(env / "data"))  # no database anywhere: nothing to compare
    code, out, err = run("verify", str(signed), "--trust", str(env / "k.pem"))
    assert code == 0 and "数据库中未找到" in out, out
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = env / "bad.pdf"
    bad.write_bytes(bytes(data))
    code, out, err = run("verify", str(bad))
    assert code == 1 and "已被修改" in out


def test_cli_errors_are_one_clear_line(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("keys", "new", "--name", "王五", "-o", str(env / "k.p12"))
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", "wrong")
    code, out, err = run("pdf", str(NINETY_FOUR), "-o", str(env / "o"), "--sign", str(env / "k.p12"))
    assert code == 1 and "密码错误" in err and "Traceback" not in err
    code, out, err = run("pdf", str(NINETY_FOUR), "-o", str(env / "o"), "--sign", str(env / "none.p12"))
    assert code == 1 and "不存在" in err and "Traceback" not in err
    monkeypatch.setenv(fonts.ENV_FONT, str(env / "none.ttf"))
    code, out, err = run("pdf", str(NINETY_FOUR), "-o", str(env / "o"))
    assert code == 1 and "字体" in err and "Traceback" not in err
    monkeypatch.delenv(fonts.ENV_FONT)
    code, out, err = run("pdf", str(env / "missing.toml"), "-o", str(env / "o"))
    assert code == 1 and "不存在" in err
    code, out, err = run("verify", str(env / "none.pdf"))
    assert code == 1 and "不存在" in err
    code, out, err = run("verify", str(NINETY_FOUR), "--trust", str(env / "none.pem"))
    assert code == 1 and "信任证书" in err
    code, out, err = run("keys", "new", "--name", "王五", "-o", str(env / "k.p12"))
    assert code == 1 and "已存在" in err


def test_cli_signs_database_forms_only_when_approved(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("keys", "new", "--name", "审核人", "-o", str(env / "k.p12"))
    code, out, err = run("import", str(NINETY_FOUR))
    assert code == 0, err
    code, out, err = run("pdf", "没有这个项目", "-o", str(env / "o"))
    assert code == 1 and "没有找到表单" in err
    code, out, err = run("pdf", "老干工作经费", "-o", str(env / "o"), "--sign", str(env / "k.p12"))
    assert code == 1 and "不能签章" in err
    assert not list((env / "o").glob("*.pdf"))
    monkeypatch.setenv("JIXIAO_USER", "填报人")
    run("workflow", "submit", "老干工作经费")
    monkeypatch.setenv("JIXIAO_USER", "审核人")
    run("workflow", "approve", "老干工作经费")
    monkeypatch.setenv("JIXIAO_USER", "填报人")  # 四眼原则: who submitted may not sign; nothing is written
    code, out, err = run("pdf", "老干工作经费", "-o", str(env / "o"), "--sign", str(env / "k.p12"), "--signer", "赵六")
    assert code == 1 and "不能签章自己提交或修改的表单" in err and not list((env / "o").glob("*.pdf"))
    monkeypatch.setenv("JIXIAO_USER", "审核人")
    code, out, err = run("pdf", "老干工作经费", "-o", str(env / "o"), "--sign", str(env / "k.p12"), "--signer", "赵六")
    assert code == 0, err
    code, out, err = run("list")
    assert "已签章" in out
    (pdf,) = (env / "o").glob("*.pdf")
    code, out, err = run("verify", str(pdf))
    assert code == 2, err  # intact, but nobody vouched for the certificate
    assert "自称" in out and "赵六" in out and "一致" in out and "不受信任" in out and "未确认" in out
    code, out, err = run("verify", str(pdf), "--trust", str(env / "k.pem"))
    assert code == 0 and "页面内容与数据库一致" in out, out
    code, out, err = run("workflow", "reopen", "老干工作经费", "-m", "需要更正")
    assert code == 0, err
    code, out, err = run("verify", str(pdf), "--trust", str(env / "k.pem"))
    assert code == 1 and "数据库已与此签章件不一致" in out, out
