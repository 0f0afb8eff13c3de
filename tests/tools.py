"""Command-line tools the tests run (ruff, mypy, lint-imports), found where pip put them.

`.venv/bin/python -m pytest` does not put `.venv/bin` on PATH, so a tool is looked for
next to the running interpreter first, then on PATH.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PACKAGES = {"ruff": "ruff", "mypy": "mypy", "lint-imports": "import-linter"}


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"找不到 {name}：pip install '.[test]'（或 pip install {PACKAGES.get(name, name)}）后可测")
    return found


def approved_94(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str = "bureau", before: Callable[[], None] | None = None
) -> Path:
    """A database (JIXIAO_DB in ``tmp_path``) holding the 94 form submitted and approved, and the
    bureau's key ``tmp_path/<key>.p12`` (its certificate beside it as .pem): ready to be signed.
    ``before`` runs while the form is still a draft (evidence is attached then)."""
    from jixiao.pdf import fonts
    from tests.conftest import NINETY_FOUR
    from tests.test_pdf import PASSWORD, run

    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    assert run("keys", "new", "--name", "财政局", "-o", str(tmp_path / f"{key}.p12"))[0] == 0
    assert run("import", str(NINETY_FOUR))[0] == 0
    if before is not None:
        before()
    assert run("workflow", "submit", "老干工作经费")[0] == 0
    monkeypatch.setenv("JIXIAO_USER", REVIEWER)  # 四眼原则: another person approves, then signs
    assert run("workflow", "approve", "老干工作经费")[0] == 0
    return tmp_path


REVIEWER = "财政局审核人"


def second(store: Any, actor: str = REVIEWER) -> Any:
    """The same database as a second person: 四眼原则 wants someone other than whoever submitted or
    last changed a form to approve and sign it (migration 0014)."""
    from jixiao.storage.store import FormStore

    return FormStore(store.engine, actor=actor, catalog=store.catalog)
