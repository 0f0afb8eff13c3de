"""The unit's 公章 image in its field of the sign-off block (issue 20): printed, named in the
metadata, under the signature; not a signature; bad images refused with the file named."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytest.importorskip("pyhanko")

from jixiao.pdf.layout import LayoutError, render_pdf  # noqa: E402
from jixiao.pdf.meta import page_text, read_meta  # noqa: E402
from jixiao.pdf.seal import load_seal, seal_from  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import load_form  # noqa: E402
from tests.conftest import NINETY_FOUR  # noqa: E402
from tests.test_pdf import run  # noqa: E402
from tests.tools import approved_94  # noqa: E402

FORM = "老干工作经费"


def _png(path: Path, kind: str = "PNG", size: tuple[int, int] = (400, 400)) -> Path:
    im = Image.new("RGB", size, "white")
    ImageDraw.Draw(im).ellipse((10, 10, size[0] - 10, size[1] - 10), outline="red", width=12)
    im.save(path, kind)
    return path


def test_the_seal_is_printed_in_its_field_and_named_in_the_metadata(tmp_path: Path) -> None:
    result = score_form(load_form(NINETY_FOUR))
    seal = load_seal(_png(tmp_path / "公章.png"))
    plain, sealed = render_pdf(result), render_pdf(result, seal=seal)
    assert "单位（盖章）" in page_text(sealed) and "单位（盖章）" not in page_text(plain)
    assert read_meta(sealed).seal == seal.sha256 and read_meta(plain).seal == ""
    assert render_pdf(result, seal=seal) == sealed  # reproducible
    png = tmp_path / "p.png"
    import subprocess

    (tmp_path / "s.pdf").write_bytes(sealed)
    done = subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-singlefile",
            "-f",
            "2",
            "-l",
            "2",
            str(tmp_path / "s.pdf"),
            str(png.with_suffix("")),
        ]
    )
    assert done.returncode == 0
    red = Image.open(png).convert("RGB").getcolors(1 << 20)
    assert any(r > 180 and g < 90 and b < 90 for _, (r, g, b) in red)  # the seal's red ring is on the page


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"not an image", "不是可读的 PNG 或 JPEG 图像"),
        (b"x" * (2 * 1024 * 1024 + 1), "超过上限"),
    ],
    ids=["not-image", "too-big"],
)
def test_a_bad_seal_is_refused(data: bytes, said: str) -> None:
    with pytest.raises(LayoutError, match=said):
        seal_from(data, "公章.png")


def test_a_gif_is_refused_by_its_kind(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    with pytest.raises(LayoutError, match="应为 PNG 或 JPEG，实际为 GIF"):
        seal_from(buf.getvalue(), "公章.gif")


def test_a_sealed_signed_pdf_verifies_and_the_seal_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    approved_94(monkeypatch, tmp_path, key="k")
    seal = _png(tmp_path / "公章.jpg", "JPEG")
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "out"), "--sign", str(tmp_path / "k.p12"), "--seal", str(seal))
    assert code == 0, err
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    code, out, _ = run("verify", str(pdf), "--trust", str(tmp_path / "k.pem"))
    assert code == 0 and "公章图像" in out and "不是数字签名" in out and "一致" in out
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "x"), "--seal", str(tmp_path / "none.png"))
    assert code == 1 and "无法读取公章图像" in err and "Traceback" not in err


@pytest.mark.parametrize("size", [(1200, 300), (4000, 40), (200, 600)], ids=["4:1", "100:1", "tall"])
def test_a_genuine_copy_with_a_seal_of_any_shape_verifies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The pixel comparison leaves out the whole seal field: a wide seal was drawn past the square the
    check left out (and a flat one changed the row's height), so a genuine copy was 不一致 (exit 1)."""
    approved_94(monkeypatch, tmp_path, key="k")
    seal = _png(tmp_path / "公章.png", size=size)
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "out"), "--sign", str(tmp_path / "k.p12"), "--seal", str(seal))
    assert code == 0, err
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    code, out, _ = run("verify", str(pdf), "--trust", str(tmp_path / "k.pem"))
    assert code == 0 and "不一致" not in out and "一致" in out, out
