"""The review's 错/警 against ``jixiao check --from-db``, and the statuses the review counts.

The review's per-group 错/警 are each form's own (表内) checks, stored with the form; ``check
--from-db`` also puts the cross-form (跨表) findings on each form (均得满分, 实际值等于目标值 …), which
the review lists apart. 33 of 42 units read different 警告 counts in the two, unexplained; now the
review says what it counts, and the difference is exactly its 跨表问题 list. It also says which
statuses it counts: drafts were in, and nothing said so.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.checks import CHECKS
from jixiao.cli import main
from jixiao.review.groupings import FLAGS_NOTE, STATUSES

ROOT = Path(__file__).parent.parent
SEVERITIES = ("error", "warning", "info")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=100, highlight=False, color_system=None),
        err=Console(file=err, width=100, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('flags') / 'all.db'}"
    forms = [str(ROOT / "samples")] + [
        str(p) for p in sorted((ROOT / "tests" / "corpus").glob("*.toml")) if p.name != "known_disagreements.toml"
    ]
    code, _, err = run("--db", url, "import", *forms)
    assert code == 0, err
    return url


def _by_unit(check: dict, scope: str | None = None) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for form in check["forms"]:
        for f in form["findings"]:
            if scope is None or CHECKS[f["check"]].scope == scope:
                out[form["unit"]][f["severity"]] += 1
    return out


def test_the_reviews_flags_are_checks_form_findings_and_its_portfolio_the_rest(db: str) -> None:
    _, review_out, _ = run("--db", db, "review", "--json")
    _, check_out, _ = run("--db", db, "check", "--from-db", "--json")
    review, check = json.loads(review_out), json.loads(check_out)
    flags: dict[str, Counter[str]] = defaultdict(Counter)
    for g in review["groups"]:  # two units of one name under two departments are two groups
        flags[g["key"]].update({s: g["flags"][s] for s in SEVERITIES})
    portfolio: dict[str, Counter[str]] = defaultdict(Counter)
    for f in review["portfolio"]:
        portfolio[f["form"].split("/")[1]][f["severity"]] += 1
    everything, own = _by_unit(check), _by_unit(check, "form")
    assert len(flags) >= 40 and sum(map(len, portfolio.values())) > 0
    differ = 0
    for unit in flags:
        for s in SEVERITIES:
            assert flags[unit][s] == own[unit][s], (unit, s)  # 错/警: the same as check's 表内 findings
            assert flags[unit][s] + portfolio[unit][s] == everything[unit][s], (unit, s)
        differ += any(flags[unit][s] != everything[unit][s] for s in SEVERITIES)
    assert differ > 0  # the difference is real, and accounted for
    assert review["flags_count"] == FLAGS_NOTE


def test_the_review_says_which_statuses_it_counts(db: str) -> None:
    _, text, _ = run("--db", db, "review")
    assert text.splitlines()[0] == "统计范围：全部状态（草稿、已提交、已退回、已审核、已签章）"
    assert FLAGS_NOTE.replace(" ", "")[:20] in text.replace("\n", "").replace(" ", "")
    assert "跨表问题（不计入上表的错/警；" in text
    _, doc, _ = run("--db", db, "review", "--json")
    assert json.loads(doc)["statuses"] == list(STATUSES)
    _, doc, _ = run("--db", db, "review", "--json", "--status", "draft")
    assert json.loads(doc)["statuses"] == ["draft"]
    _, text, _ = run("--db", db, "review", "--status", "draft")
    assert text.splitlines()[0] == "统计范围：仅草稿的表单"


def test_by_level1_the_cross_form_list_does_not_speak_of_a_column_it_lacks(db: str) -> None:
    """By 一级指标 the table counts rows by status; it has no 错/警 column to leave findings out of."""
    _, text, _ = run("--db", db, "review", "--by", "level1")
    flat = text.replace("\n", "").replace(" ", "")
    assert "跨表问题（" in flat and "错/警" not in flat
