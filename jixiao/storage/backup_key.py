"""A key that signs backups (HMAC-SHA-256), so that an edited backup cannot be passed off.

A backup's SHA-256 only shows the file was not damaged by accident: whoever edits the
file can recompute it. With a key kept apart from the backups (by the bureau's DBA), the
header carries an HMAC over everything the file holds; without the key nobody can make
a matching one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from jixiao.files import os_reason
from scorer.errors import JixiaoError

FIELD = "hmac_sha256"


class BackupKeyError(JixiaoError, ValueError):
    """A key file that cannot be used; the message is Chinese."""


def new_key(path: Path) -> None:
    """Write a fresh 256-bit key (hex) readable by its owner only; never overwrite one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupKeyError(f"{path}：已存在，不会覆盖（丢失旧密钥会让以前的备份无法核验）") from None
    except OSError as exc:
        raise BackupKeyError(f"{path}：无法创建（{os_reason(exc)}）") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(os.urandom(32).hex() + "\n")


def load_key(path: Path) -> bytes:
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise BackupKeyError(f"{path}：密钥文件不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupKeyError(f"{path}：无法读取密钥文件（{exc}）") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise BackupKeyError(f"{path}：不是 jixiao 备份密钥（应为 64 位十六进制）") from None
    if len(key) < 32:
        raise BackupKeyError(f"{path}：密钥太短（{len(key) * 8} 位，至少 256 位）")
    return key


def mac(key: bytes, header: dict[str, Any]) -> str:
    """HMAC-SHA-256 over the header (which holds the body's SHA-256, so over everything)."""
    fields = {k: header[k] for k in sorted(header) if k != FIELD}
    data = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def check(key: bytes, header: dict[str, Any]) -> bool:
    given = header.get(FIELD)
    return isinstance(given, str) and hmac.compare_digest(given, mac(key, header))
