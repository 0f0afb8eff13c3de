from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pg_server

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NINETY_FOUR = SAMPLES / "2024-shangye-laogan.toml"

_SERVER: pg_server.Server | None = None
MAX_WORKERS = 4


def pytest_configure(config: pytest.Config) -> None:
    """Start a throw-away PostgreSQL for this run unless one is given (JIXIAO_TEST_PG).

    Runs before any test module is imported, so modules that read JIXIAO_TEST_PG
    at import time see the server. Set JIXIAO_TEST_PG=off to run without one.
    """
    global _SERVER
    if os.environ.get("JIXIAO_TEST_PG") or hasattr(config, "workerinput"):
        if os.environ.get("JIXIAO_TEST_PG") == "off":
            os.environ["JIXIAO_TEST_PG"] = ""
        return
    reason = pg_server.missing_reason()
    if reason is not None:
        os.environ["JIXIAO_TEST_PG_SKIP_REASON"] = reason
        return
    _SERVER = pg_server.start_throwaway()
    os.environ["JIXIAO_TEST_PG"] = _SERVER.app_url
    os.environ["JIXIAO_TEST_PG_ADMIN"] = _SERVER.admin_url
    from tests.storage_backends import build_templates  # after the URLs: it reads them at import

    os.environ["JIXIAO_TEST_PG_TEMPLATES"] = build_templates(_SERVER.app_url, _SERVER.admin_url)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): the cores this process may use, at most MAX_WORKERS.

    A container may show more CPUs than its quota gives it, and each worker holds ~1 GB and its
    own PostgreSQL connections; more workers than cores only slow the run down.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, decides instead (xdist's own hook reads it).
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, min(cores, MAX_WORKERS))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _SERVER
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Any]:
    """A PostgreSQL schema with the seed and one login per role (tests/role_setup.py).

    Imported here, not at the top: the server address is known only after pytest_configure.
    """
    from tests.role_setup import make_setup

    yield from make_setup(tmp_path)
