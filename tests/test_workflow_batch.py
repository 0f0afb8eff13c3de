"""Batch workflow actions (issue 20): every form the filters select, each on its own, each with its result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _jixiao(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"JIXIAO_DB": str(db), "JIXIAO_USER": "审核人", "PATH": "/usr/bin:/bin", "HOME": str(db.parent)}
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT)


def test_each_selected_form_is_done_or_refused_with_its_reason(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    assert _jixiao(db, "import", str(ROOT / "samples")).returncode == 0
    early = _jixiao(db, "workflow", "approve", "--all")  # drafts are not approved: each says so
    assert early.returncode == 1 and early.stderr.count("✗") == 9 and "只有已提交的表单可以审核通过" in early.stderr
    assert "审核通过：0 份完成，9 份未审核通过（共 9 份）" in early.stdout
    one = _jixiao(db, "workflow", "submit", "--all", "--unit", "商业")
    assert one.returncode == 0 and "提交：1 份完成，0 份未提交（共 1 份）" in one.stdout
    mixed = _jixiao(db, "workflow", "return", "--all", "--status", "submitted")
    assert mixed.returncode == 1 and "退回需要填写理由" in mixed.stderr
    back = _jixiao(db, "workflow", "return", "--all", "--status", "submitted", "-m", "请补充满意度调查")
    assert back.returncode == 0 and "已提交 → 已退回" in back.stdout
    listed = _jixiao(db, "list", "--status", "returned")
    assert "表单（1 份）" in listed.stdout
    nothing = _jixiao(db, "workflow", "submit", "--all", "--year", "1999")
    assert nothing.returncode == 1 and "没有符合条件的表单" in nothing.stderr
    both = _jixiao(db, "workflow", "submit", "老干工作经费", "--all")
    assert both.returncode == 2 and "两者选一" in both.stderr
