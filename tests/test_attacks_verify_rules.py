"""verify never reads a file a signed copy names as its rule set: the copy's metadata is the signer's."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from pypdf import PdfReader  # noqa: E402

from jixiao.pdf.sign import sign_pdf  # noqa: E402
from tests import test_attacks_sign as genuine  # noqa: E402
from tests.test_attacks_redsign import _with_info  # noqa: E402
from tests.test_pdf import PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
bureau = genuine.bureau  # the database with the 94 form signed by the bureau's key


# ------------------------------------------------------------------ verify: the rule set a signed copy names


def test_a_rule_set_named_by_path_in_a_signed_copy_is_not_read_by_verify(bureau: Path, tmp_path: Path) -> None:
    """A signed copy names its rule set in its metadata, which the signer writes. verify loaded it by
    name, and a name with "/" is a file on the verifying machine: a copy naming a FIFO (or /dev/zero)
    hung ``jixiao verify`` (or filled its memory). Signed here by the attacker's own untrusted key, on a
    form signed before migration 0020 (no certificate of record). Now it is an unknown rule set: 未确认."""
    home = bureau
    with sqlite3.connect(tmp_path / "t.db") as conn:
        assert conn.execute("UPDATE forms SET signer_cert_sha256 = NULL").rowcount == 1
    (plain,) = (home / "plain").glob("*.pdf")
    fifo = tmp_path / "规则.toml"
    os.mkfifo(fifo)
    info = {**dict(PdfReader(io.BytesIO(plain.read_bytes())).metadata or {}), "/JixiaoRules": str(fifo)}
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(sign_pdf(_with_info(plain.read_bytes(), info), home / "attacker.p12", PASSWORD))
    env = {**os.environ, "JIXIAO_DB": str(tmp_path / "t.db")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "jixiao", "verify", str(forged), "--trust", str(home / "bureau.pem")],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("jixiao verify hung reading the rule set the signed copy named")
    said = " ".join(done.stdout.split())
    assert done.returncode == 2 and "通过：" not in said and "Traceback" not in done.stderr, said + done.stderr
