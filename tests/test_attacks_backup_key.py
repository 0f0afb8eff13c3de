"""Attacks on signed backups through the command line: every refusal exits 1, and only --key catches an edit."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from jixiao.storage.backup import backup
from jixiao.storage.backup_key import FIELD, load_key, new_key
from jixiao.storage.database import make_engine
from tests.test_attacks_files import _db_with, _forms
from tests.test_cli_db import run


def _edited(good: Path, out: Path, *, strip: bool = False, extra_member: bool = False) -> Path:
    """The backup with a project renamed and its checksum recomputed; optionally the HMAC removed,
    or the edit appended as a second gzip member instead of rewritten in place."""
    lines = gzip.decompress(good.read_bytes()).split(b"\n")
    head, body = json.loads(lines[0]), lines[1:]
    i = next(i for i, line in enumerate(body) if b'"project_name":"' in line)
    body[i] = body[i].replace(b'"project_name":"', '"project_name":"篡改'.encode(), 1)
    data = b"\n".join(body)
    head["body_sha256"] = hashlib.sha256(data).hexdigest()
    if strip:
        del head[FIELD]
    raw = gzip.compress((json.dumps(head, ensure_ascii=False) + "\n").encode() + data)
    if extra_member:  # the original, signed file followed by more gzip data
        raw = good.read_bytes() + gzip.compress(b"\n")
    out.write_bytes(raw)
    return out


def test_an_edited_or_unsigned_backup_is_refused_with_the_key_and_every_refusal_exits_1(tmp_path: Path) -> None:
    db = _db_with(tmp_path, _forms()[:2])
    new_key(tmp_path / "k.key")
    good = tmp_path / "b.jsonl.gz"
    backup(make_engine(db), good, load_key(tmp_path / "k.key"))
    key = ["--key", str(tmp_path / "k.key")]
    code, out, err = run("db", "verify", str(good), *key)
    assert code == 0 and "密钥签名核验一致" in out, err
    for name, how in {"edited": {}, "stripped": {"strip": True}, "appended": {"extra_member": True}}.items():
        bad = _edited(good, tmp_path / f"{name}.jsonl.gz", **how)
        code, out, err = run("db", "verify", str(bad), *key)
        said = err + out
        assert code == 1 and ("已拒绝" in said or "不符" in said), (name, out, err)
        target = tmp_path / f"{name}.db"
        code, out, err = run("--db", f"sqlite:///{target}", "db", "restore", str(bad), *key)
        assert code == 1 and "恢复到" not in out, (name, out, err)
    # without the key the stripped copy is only "unsigned": it restores, and says the checksum proves nothing
    stripped = tmp_path / "stripped.jsonl.gz"
    code, out, _ = run("db", "verify", str(stripped))
    assert code == 0 and "无签名" in out
