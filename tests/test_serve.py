"""`jixiao serve` in a real headless Chromium (issue 20): the page loads the form list, the 94 form
opens, a cell is edited with the keyboard, the form is re-scored and saved to the same database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.storage.database import make_engine
from jixiao.storage.store import FormStore

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="没有安装 Chromium（.ci/run 会安装 Debian 的 chromium）")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FORM = "2024/武昌区商业行业离退休人员管理服务中心/老干工作经费"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(check, seconds: float = 60):  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.25)
    return check()


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "served.db"
    env = {**os.environ, "JIXIAO_DB": str(db), "JIXIAO_USER": "浏览器用户"}
    subprocess.run(
        [sys.executable, "-m", "jixiao", "import", str(ROOT / "samples")], env=env, check=True, capture_output=True
    )
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def up() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    assert _until(up, 30), "jixiao serve did not start"
    try:
        yield f"http://127.0.0.1:{port}/", db
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)


@needs_chromium
def test_the_94_form_is_edited_and_rescored_in_a_browser(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    url, db = served
    store = FormStore(make_engine(f"sqlite:///{db}"))
    before = store.find(FORM)
    assert before.form.indicators[1].actual == "≥4"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url, timeout=30_000)
        page.wait_for_selector("body.-first-byte", state="attached", timeout=60_000)  # the app's first output
        html = page.content()
        assert "会话已结束" in html and "Session ended" not in html  # the page around the app speaks Chinese too
        time.sleep(2)
        page.click("#terminal")
        page.keyboard.press("Enter")  # the first row of the list: the 94 form
        time.sleep(3)
        page.keyboard.press("ArrowDown")  # 组织离退休党员学习教育
        for _ in range(5):  # to 实际完成值
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        time.sleep(1)
        page.keyboard.press("End")
        for _ in range(4):
            page.keyboard.press("Backspace")
            time.sleep(0.1)
        page.keyboard.press("3")
        time.sleep(0.3)
        page.keyboard.press("Enter")

        def saved():  # type: ignore[no-untyped-def]
            sf = store.find(FORM)
            return sf if sf.form.indicators[1].actual == "3" else None

        after = _until(saved, 30)
        page.screenshot(path=str(tmp_path / "serve.png"))  # looked at: the re-scored form, 良
        browser.close()
    assert after is not None, "the edit made in the browser did not reach the database"
    assert after.updated_by == "浏览器用户" and after.version == before.version + 1
    rows = {s.id: s for s in store.list()}
    assert rows[after.id].total_computed < Decimal("98.10")  # re-scored: 3 of ≥4 is no longer met
    assert (tmp_path / "serve.png").stat().st_size > 20_000


def test_a_remote_address_needs_allow_remote(tmp_path: Path) -> None:
    env = {**os.environ, "JIXIAO_DB": str(tmp_path / "x.db")}
    done = subprocess.run(
        [sys.executable, "-m", "jixiao", "serve", "--host", "0.0.0.0"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "--allow-remote" in done.stderr and not (tmp_path / "x.db").exists()
