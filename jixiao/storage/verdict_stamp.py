"""Which jixiao computed a stored verdict: the stamp in ``forms.computed_rules``.

The list, the review and the TUI's list read the stored verdict (totals, grades, problem counts)
by SQL, without rescoring. After jixiao is upgraded, a changed rule set, cell reading or check
would leave those numbers as the old version computed them, and a reviewer would read stale
totals. Every verdict is therefore stamped with a fingerprint of everything that decides it (the
scoring core with its rule sets and data, the catalog, the checks, the code that stores the
verdict); a stamp that is not this jixiao's marks the verdict as stale: ``db upgrade`` and ``db
rescore`` recompute it, the default database recomputes it on opening, and the review says how many
it still read.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_

from jixiao.storage.models import FormRow

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: the packages and modules whose content decides a verdict, relative to the installation's root
DECIDING = (
    *("scorer", "indicator_catalog", "jixiao/checks", "jixiao/scoring.py"),
    *("jixiao/storage/convert.py", "jixiao/storage/validate.py"),
)
#: the kinds of file that make a difference (sources, compiled modules, data); caches are left out
KINDS = frozenset({".py", ".toml", ".json", ".txt", ".csv", ".so", ".pyd"})
#: how many hex digits of the fingerprint a stamp keeps (48 bits: no accidental equality)
WIDTH = 12
#: the stored column's width (models.FormRow.computed_rules)
COLUMN = 100


@cache
def fingerprint() -> str:
    """The hex fingerprint of the files that decide a verdict, in this installation."""
    return fingerprint_of(Path(__file__).resolve().parents[2])


def fingerprint_of(root: Path) -> str:
    """The fingerprint of the deciding files under ``root`` (an installation's or a checkout's top)."""
    digest = hashlib.sha256()
    for part in DECIDING:
        path = root / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if f.suffix in KINDS and "__pycache__" not in f.parts:
                digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:WIDTH]


def stamp(rules_name: str, rules_version: str) -> str:
    """What ``computed_rules`` holds: the rule set, as before, and which jixiao scored under it."""
    tail = f"#{fingerprint()}"
    return f"{rules_name}@{rules_version}"[: COLUMN - len(tail)] + tail


def current_suffix() -> str:
    """The end of every stamp this jixiao writes (a stored verdict without it is stale)."""
    return f"#{fingerprint()}"


def vouched() -> ColumnElement[bool]:
    """A stored verdict that stands: the database vouches for its writer (migration 0004) and this
    jixiao computed it. Every other verdict is recomputed from the form's data when it is read."""
    return and_(FormRow.scores_trusted, FormRow.computed_rules.endswith(current_suffix(), autoescape=True))


def vouched_row(row: FormRow) -> bool:
    """``vouched`` for a row already read."""
    return bool(row.scores_trusted) and row.computed_rules.endswith(current_suffix())


def stale_count(engine: Engine) -> int:
    """How many stored verdicts another jixiao computed: the list and the review read them as they
    were until ``db rescore`` recomputes them."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    stale = ~FormRow.computed_rules.endswith(current_suffix(), autoescape=True)
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(FormRow).where(stale)).scalar_one()
