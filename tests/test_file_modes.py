"""The files jixiao writes get the mode the user's other files get: an exported form, a PDF or a
review is readable by whom the umask lets read it (it was 0600 from the temporary file it began as,
so colleagues on a shared folder could not open the PDFs finance signed), a signing key stays 0600."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jixiao.files import atomic_write
from tests.test_pdf import PASSWORD, run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_written_file_follows_the_umask(tmp_path: Path, umask_022: None) -> None:
    atomic_write(tmp_path / "a.toml", b"x = 1\n")
    atomic_write(tmp_path / "b.xlsx", lambda tmp: tmp.write_bytes(b"PK"))
    assert _mode(tmp_path / "a.toml") == 0o644
    assert _mode(tmp_path / "b.xlsx") == 0o644
    atomic_write(tmp_path / "k.p12", b"secret", private=True)
    assert _mode(tmp_path / "k.p12") == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_exports_and_pdfs_are_readable_as_the_umask_allows_and_the_key_is_not(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    samples = Path(__file__).parents[1] / "samples"
    assert run("import", str(samples / "2024-shangye-laogan.toml"))[0] == 0
    for fmt in ("toml", "json"):
        assert run("export", "--format", fmt, "-o", str(tmp_path / fmt))[0] == 0
    assert run("pdf", "老干工作经费", "-o", str(tmp_path / "pdf"))[0] == 0
    assert run("keys", "new", "--name", "张三", "-o", str(tmp_path / "key.p12"))[0] == 0
    written = [*(tmp_path / "toml").iterdir(), *(tmp_path / "json").iterdir(), *(tmp_path / "pdf").iterdir()]
    assert len(written) == 3
    assert {p.name: oct(_mode(p)) for p in written} == {p.name: oct(0o644) for p in written}
    assert _mode(tmp_path / "key.p12") == 0o600


def test_a_full_disk_names_the_file_asked_for_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pdf samples/ -o onto a full disk was 内部错误：OSError：[Errno 28] (no file named in it)."""
    import errno

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as raised:
        atomic_write(tmp_path / "表.pdf", full)
    assert raised.value.filename == str(tmp_path / "表.pdf") and raised.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
    from jixiao.files import path_problem

    assert path_problem(raised.value) == f"{tmp_path / '表.pdf'}：无法使用此路径（磁盘空间不足）"


def test_a_batch_that_fills_the_disk_says_how_many_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pdf samples/ -o onto a disk that fills midway stopped at the first file it could not write: the
    PDFs before it stayed, and nothing said how many. It still stops there (the next would fail the same
    way), names the file, and the summary says what was written, what failed and what was not tried."""
    import errno

    from jixiao.cli import db
    from tests.conftest import SAMPLES

    real = db.atomic_write
    calls: list[Path] = []

    def fills_up(path: Path, data: object, **kw: object) -> None:
        calls.append(path)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "atomic_write", fills_up)
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    code, out, err = run("pdf", str(SAMPLES), "-o", str(tmp_path / "pdf"), "--jobs", "1")
    forms = len(list(SAMPLES.glob("*.toml")))
    assert code == 1 and "Traceback" not in err and "内部错误" not in err, err
    assert f"已生成 3 份 PDF 到 {tmp_path / 'pdf'}/；失败 1 份；写入失败后其余 {forms - 4} 份未生成" in out, out
    assert err.count("磁盘空间不足") == 1, err
    assert len(list((tmp_path / "pdf").iterdir())) == 3
