"""A real-terminal smoke run: jixiao in tmux at 80×24 (skipped where tmux is absent)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="没有 tmux：跳过真实终端冒烟测试")


SOCKET = f"jixiao-test-{os.getpid()}"  # a private tmux server: no shared environment


_socket = [SOCKET]


def tmux(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", "-L", _socket[0], *args], capture_output=True, text=True)


@pytest.fixture(autouse=True)
def _own_server() -> None:
    """Each test its own tmux server: a server still exiting from the last test refuses a session
    ("server exited unexpectedly") or hands the new pane its old 80×24."""
    _socket[0] = f"{SOCKET}-{uuid.uuid4().hex[:6]}"


def _capture(session: str) -> str:
    return tmux("capture-pane", "-t", session, "-p").stdout


def _wait_for(session: str, text: str, timeout: float = 20) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"屏幕上没有出现「{text}」：\n{screen}")


def test_jixiao_in_a_real_terminal(tmp_path: Path) -> None:
    session = f"jixiao-{uuid.uuid4().hex[:8]}"
    data = tmp_path / "data"
    cmd = f"cd {ROOT} && env XDG_DATA_HOME={data} JIXIAO_DB= TERM=xterm-256color {sys.executable} -m jixiao"
    assert tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd).returncode == 0
    try:
        screen = _wait_for(session, "老干工作经费")
        assert "表单列表" in screen and "98.10" in screen and "94.00" in screen
        lines = screen.splitlines()
        assert len(lines) <= 24
        tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "三级指标")
        screen = _wait_for(session, "自评得分")
        assert "规则得分 98.10（优）" in screen and "自评 94.00（优）" in screen
        assert "编辑" in screen and "自评得分" in screen  # actions discoverable in the footer
        tmux("send-keys", "-t", session, "C-q")
        time.sleep(0.5)
    finally:
        tmux("kill-server")
    assert (data / "jixiao" / "jixiao.db").exists()


def test_multi_goal_form_in_a_wide_real_terminal(tmp_path: Path) -> None:
    """120×40: the search opens its single match, and each 年度绩效目标 is a section of the grid."""
    from rich.cells import cell_len

    session = f"jixiao-{uuid.uuid4().hex[:8]}"
    data = tmp_path / "data"
    # COLUMNS/LINES from the test runner's terminal would override the pane's size
    cmd = f"cd {ROOT} && env -u COLUMNS -u LINES XDG_DATA_HOME={data} JIXIAO_DB= TERM=xterm-256color {sys.executable} -m jixiao"
    assert tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd).returncode == 0
    try:
        _wait_for(session, "老干工作经费")
        _wait_for(session, "武昌区商业行业离退休人员")  # at 80 columns it is cut after 武昌区商
        time.sleep(1)  # the list re-laid out for the new width
        tmux("send-keys", "-t", session, "/")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "-l", "计划")
        _wait_for(session, "共 1 份表单")  # the search took the text: one match left
        tmux("send-keys", "-t", session, "Enter")
        screen = _wait_for(session, "目标3")
        assert "目标1" in screen and "目标2" in screen and "计划管理费" in screen
        lines = screen.splitlines()
        assert len(lines) <= 40 and all(cell_len(x) <= 120 for x in lines)
        screen = _wait_for(session, "服务数创企业满意度")
        order = [screen.index(s) for s in ("目标1", "高新技术企业新增数", "目标2", "科技成果转化活动举办次数", "目标3")]
        assert order == sorted(order)
        tmux("send-keys", "-t", session, "C-q")
        time.sleep(0.5)
    finally:
        tmux("kill-server")
