"""A throw-away PostgreSQL server for one test run.

When ``JIXIAO_TEST_PG`` is not set and the server binaries are installed, the
test run starts its own cluster in a temporary directory on a free port, points
``JIXIAO_TEST_PG``/``JIXIAO_TEST_PG_ADMIN`` at it, and removes it at the end, so
that the README's test command runs the PostgreSQL tests too. When the binaries
are missing, ``missing_reason`` says exactly what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "本机没有 PostgreSQL 服务器程序：安装 postgresql（Debian/Ubuntu：apt-get install postgresql）后可测，或设置 JIXIAO_TEST_PG"
ADMIN_PASSWORD = "postgres"
APP_PASSWORD = "jixiao"


def find_bindir() -> Path | None:
    """The newest PostgreSQL server bin directory on this machine, if any."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key)
    for found in (*reversed(candidates), _dir_of("initdb"), _pg_config_bindir()):
        if found and (Path(found) / "initdb").exists() and (Path(found) / "pg_ctl").exists():
            return Path(found)
    return None


def _version_key(path: str) -> tuple[int, ...]:
    digits = Path(path).parent.name
    return tuple(int(p) for p in digits.split(".") if p.isdigit())


def _dir_of(tool: str) -> str | None:
    path = shutil.which(tool)
    return str(Path(path).resolve().parent) if path else None


def _pg_config_bindir() -> str | None:
    pg_config = shutil.which("pg_config")
    if not pg_config:
        return None
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
    return out.stdout.strip() or None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    bindir: Path
    data: Path
    port: int
    as_postgres_user: bool

    @property
    def app_url(self) -> str:
        return f"postgresql+psycopg://jixiao:{APP_PASSWORD}@127.0.0.1:{self.port}/jixiao_test"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres:{ADMIN_PASSWORD}@127.0.0.1:{self.port}/jixiao_test"

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        cmd = list(argv)
        if self.as_postgres_user:  # initdb and postgres refuse to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        pwfile = self.data.parent / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self.as_postgres_user:
            shutil.chown(self.data.parent, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        init = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "scram-sha-256", "-U", "postgres",
            f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb 失败：{init.stderr.strip()[-500:]}")
        opts = (
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        )
        started = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / "server.log"),
            "-o", opts, "-w", "start",
        )  # fmt: skip
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL 启动失败：{started.stderr.strip()[-500:]}")
        self._bootstrap()

    def _bootstrap(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(
                    host="127.0.0.1", port=self.port, user="postgres", password=ADMIN_PASSWORD,
                    dbname="postgres", autocommit=True,
                )  # fmt: skip
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with conn:
            conn.execute(f"CREATE ROLE jixiao LOGIN CREATEROLE PASSWORD '{APP_PASSWORD}'")
            conn.execute("CREATE DATABASE jixiao_test OWNER jixiao")

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.data.parent, ignore_errors=True)


def missing_reason() -> str | None:
    """Why a throw-away server cannot be started here, or None when it can."""
    if find_bindir() is None:
        return INSTALL_HINT
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "以 root 运行测试时需要 runuser（util-linux）来以 postgres 用户启动 PostgreSQL"
    return None


def start_throwaway() -> Server:
    bindir = find_bindir()
    assert bindir is not None
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="jixiao-test-pg-"))
    os.chmod(base, 0o700)
    server = Server(bindir=bindir, data=base / "data", port=_free_port(), as_postgres_user=as_postgres)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
