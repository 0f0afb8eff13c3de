"""File errors reach users in Chinese, never as the system's English strerror (#15)."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.files import os_reason
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOENT, "文件或目录不存在"),
        (errno.EACCES, "没有权限"),
        (errno.EISDIR, "这是一个目录，不是文件"),
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EROFS, "文件系统为只读"),
        (errno.ENAMETOOLONG, "文件名过长"),
        (errno.EXDEV, f"系统错误（{errno.EXDEV}）"),
        (None, "无法访问该文件"),
    ],
)
def test_os_reason_is_chinese(code: int | None, reason: str) -> None:
    exc = OSError(code, "Some English text") if code else OSError("boom")
    assert os_reason(exc) == reason
    assert "English" not in os_reason(exc)


def test_a_trust_file_that_is_a_directory_is_named_in_chinese(tmp_path: Path) -> None:
    trust = tmp_path / "trust.pem"
    trust.mkdir()
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    out = subprocess.run(
        [sys.executable, "-m", "jixiao", "verify", str(pdf), "--trust", str(trust)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode != 0
    assert "这是一个目录，不是文件" in out.stderr, out.stderr
    assert "Is a directory" not in out.stderr and "Traceback" not in out.stderr
