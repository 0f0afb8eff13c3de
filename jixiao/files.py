"""Files jixiao writes: safe names and all-or-nothing writes, for every command and screen.

Kept apart from the CLI so that adapters (PDF, review, TUI) never import a command module.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
MAX_STEM_BYTES = 180  # file systems allow 255 bytes; room for "-NN.xlsx" and temp-file affixes


def safe_name(text: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file-name stem from a form's names: no path or control characters, no bidi overrides,
    at most ``max_bytes`` bytes of UTF-8 (cut between characters, never inside one)."""
    shown = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in text)
    shown = _UNSAFE.sub("_", shown)
    shown = re.sub(r"_{2,}", "_", shown).strip(" ._")
    data = shown.encode("utf-8")
    if len(data) > max_bytes:
        shown = data[:max_bytes].decode("utf-8", "ignore").rstrip(" ._")
    return shown or "未命名表单"


def form_stem(form: object, tail: str = "") -> str:
    """The file-name stem of a form: 年度-实施单位-项目名称 (and ``tail``), each part it has; a form
    that names neither unit nor project is 未命名表单 (never "None--" for a form without its year,
    never a bare 「2025」)."""
    year = getattr(form, "year", None)
    names = [getattr(form, "implementing_unit", ""), getattr(form, "project_name", "")]
    name = "-".join(p for p in names if p and p.strip()) or "未命名表单"
    if year:
        name = f"{year}-{name}"
    return safe_name(f"{name}-{tail}" if tail else name)


def unique_path(directory: Path, stem: str, suffix: str, used: set[Path]) -> Path:
    """``directory/stem.suffix``, numbered ``-2``, ``-3`` … when another form of this run took it."""
    path = directory / f"{stem}{suffix}"
    n = 2
    while path in used:
        path = directory / f"{stem}-{n}{suffix}"
        n += 1
    used.add(path)
    return path


def atomic_write(path: Path, data: bytes | Callable[[Path], None], private: bool = False) -> None:
    """Write to a temporary file beside ``path`` then rename: never a partial file.

    ``data`` is the bytes, or a function that writes the temporary path. The file gets the mode
    any file the user creates gets (0666 less the umask: an exported form or PDF is as readable
    as the user's other files); a ``private`` one (a signing key) is the user's alone (0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # a short name of its own: ".{name}.…" would pass the 255-byte limit before the name does
        fd, tmp = _temporary(path.parent, f"{path.suffix[:16]}.tmp", 0o600 if private else 0o666)
    except OSError as exc:  # name the path asked for, not the temporary file beside it
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
        if callable(data):
            data(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, an I/O error: said of the file asked for, the temporary gone
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is None or exc.filename == tmp:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary(directory: Path, suffix: str, mode: int) -> tuple[int, str]:
    """A new file in ``directory`` created with ``mode`` (the umask applies), open for writing."""
    for _ in range(100):
        name = os.path.join(directory, f".jixiao-{secrets.token_hex(6)}{suffix}")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "无法创建临时文件", str(directory))


_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许此操作",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中有一部分不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统为只读",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "文件已存在",
    errno.EBUSY: "文件正被占用",
    errno.EMFILE: "打开的文件过多",
    errno.EIO: "磁盘读写错误",
}


def os_reason(exc: OSError) -> str:
    """The reason of a file error in Chinese (the system's own text is English)."""
    reason = _OS_REASONS.get(exc.errno or -1)
    if reason:
        return reason
    return f"系统错误（{exc.errno}）" if exc.errno else "无法访问该文件"


def path_problem(exc: OSError) -> str:
    """What a file error says to the user: the path they named (not a temporary file beside it) and why."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    where = f"{os.fsdecode(path)}：" if path is not None else ""
    return f"{where}无法使用此路径（{os_reason(exc)}）"


def output_directory(path: Path) -> None:
    """Make ``path`` the directory a command writes into, or raise the OSError that says why it cannot be.

    Checked before the first file, so a path that is a file is one error, not one per form.
    """
    if path.exists() and not path.is_dir():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    path.mkdir(parents=True, exist_ok=True)
