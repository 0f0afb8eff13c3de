"""Narrative against tables: every number the 绩效自评情况说明 states, held against the forms it describes.

A department's disclosure says in words what its forms say in cells: how many projects were
self-evaluated and with how much money, the department form's money, and per project its
budget, execution and rate. The words are typed by hand and often copied from another table
of the same document; these checks read each stated figure (``claims``) and compare it with the
forms, so that a number a reader sees in the text is the number in the tables. A claim that
cannot be tied to a form is said, never guessed (待判断).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from jixiao.checks.model import Finding
from scorer import numbers as fmt
from scorer.model import Form, FormKind
from scorer.result import Severity

_NUM = r"([0-9][0-9,，]*(?:\.[0-9]+)?)"
#: the phrasings read, each a named pattern tried in order (whitespace removed from the text first)
PATTERNS: dict[str, re.Pattern[str]] = {
    "projects": re.compile(rf"共涉及(?:项目)?{_NUM}个(?:一级)?(?:项目)?[，,]资金{_NUM}万元"),
    "department": re.compile(rf"对{_NUM}个单位开展整体支出绩效自评[，,]资金{_NUM}万元"),
    "project": re.compile(
        rf"(?:^|[。；\s])[0-9]+[.．、]([^：:。；]{{2,40}}?)(?:项目)?(?:绩效)?自评综述[：:]"
        rf"项目全年预算数为{_NUM}万元[，,]执行数为{_NUM}万元[，,]完成预算的{_NUM}%"
    ),
}
MIN_NAME_MATCH = 4  # characters a narrative's project name must share with its form's


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of the narrative and the figures it states."""

    kind: str  # a key of PATTERNS
    text: str  # the sentence as found (whitespace removed)
    figures: tuple[Decimal, ...]
    name: str = ""  # the project a per-project claim names
    unread: str = ""  # why a figure cannot be read (its comma is no thousands separator): not compared


def _dec(text: str) -> Decimal | None:
    """A stated figure, its thousands commas (half- or full-width, as NFKC folds them) read by the one
    rule (scorer.numbers.ungroup); None for "1234,567" or "0,125", which are not compared at all."""
    plain = fmt.ungroup(text.replace("，", ","))
    return None if plain is None else Decimal(plain)


def claims(text: str) -> list[Claim]:
    """Every stated figure the narrative's known phrasings give, in the order they appear."""
    flat = re.sub(r"\s+", "", text)
    found: list[tuple[int, Claim]] = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(flat):
            groups = m.groups()
            name = groups[0].strip() if kind == "project" else ""
            numbers = groups[1:] if kind == "project" else groups
            sentence = m.group(0).lstrip("。；")
            figures = [_dec(n) for n in numbers]
            bad = next((n for n, f in zip(numbers, figures, strict=True) if f is None), None)
            read = () if bad else tuple(f for f in figures if f is not None)
            found.append((m.start(), Claim(kind, sentence, read, name, fmt.comma_problem(bad) if bad else "")))
    return [c for _, c in sorted(found, key=lambda x: x[0])]


def _finding(check_id: str, severity: Severity, message: str, value: Decimal | None = None) -> Finding:
    return Finding(check_id, severity, f"绩效自评情况说明：{message}", "", "", value)


def _money(value: Decimal) -> str:
    return fmt.money(value, "—")


def _planned(forms: Sequence[Form]) -> Decimal:
    return sum((f.budget.planned or Decimal(0) for f in forms), Decimal(0))


def _source(text: str, stated: Decimal) -> str:
    """Where else the document shows a stated total that is not the forms' (where it was copied from)."""
    places = elsewhere(text, stated)
    return f"；该数见于文档{'、'.join(places)}" if places else ""


def _check_totals(claim: Claim, forms: Sequence[Form], text: str) -> list[Finding]:
    projects = [f for f in forms if f.form_kind is FormKind.PROJECT]
    count, money = claim.figures
    out = []
    if count != len(projects):
        out.append(
            _finding(
                "narrative-project-count",
                Severity.ERROR,
                f"「{claim.text}」称涉及项目 {count} 个，而项目支出绩效自评表有 {len(projects)} 张",
                count - len(projects),
            )
        )
    total = _planned(projects)
    if money != total:
        out.append(
            _finding(
                "narrative-project-money",
                Severity.ERROR,
                f"「{claim.text}」称资金 {_money(money)} 万元，而 {len(projects)} 张项目支出绩效自评表的预算数合计 "
                f"{_money(total)} 万元（相差 {_money(money - total)} 万元）{_source(text, money)}",
                money - total,
            )
        )
    return out


def _check_department(claim: Claim, forms: Sequence[Form], text: str) -> list[Finding]:
    departments = [f for f in forms if f.form_kind is FormKind.DEPARTMENT]
    units, money = claim.figures
    out = []
    if not departments:
        return [
            _finding(
                "narrative-unmatched",
                Severity.WARNING,
                f"「{claim.text}」说的部门整体支出自评资金没有对应的部门整体支出绩效自评表（待判断）",
            )
        ]
    total = _planned(departments)
    names = "、".join(f"「{f.project_name}」" for f in departments)
    if money != total:
        out.append(
            _finding(
                "narrative-department-money",
                Severity.ERROR,
                f"「{claim.text}」称部门整体支出自评资金 {_money(money)} 万元，而部门整体支出绩效自评表{names}"
                f"的预算数为 {_money(total)} 万元（相差 {_money(money - total)} 万元）{_source(text, money)}",
                money - total,
            )
        )
    seen = len({f.implementing_unit for f in forms})
    if units != seen:
        out.append(
            _finding(
                "narrative-unit-count",
                Severity.WARNING,
                f"「{claim.text}」称 {units} 个单位，而各表的实施单位共 {seen} 个",
                units - seen,
            )
        )
    return out


def _form_named(name: str, forms: Sequence[Form]) -> tuple[Form | None, str]:
    """The project form the narrative's name means: the one sharing the longest run of characters, if unique."""

    def shared(f: Form) -> int:
        m = SequenceMatcher(None, name, f.project_name, autojunk=False)
        return m.find_longest_match(0, len(name), 0, len(f.project_name)).size

    projects = [f for f in forms if f.form_kind is FormKind.PROJECT]
    scored = sorted(((shared(f), f) for f in projects), key=lambda x: -x[0])
    if not scored or scored[0][0] < min(MIN_NAME_MATCH, len(name)):
        return None, "没有名称相近的项目支出绩效自评表"
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None, f"名称与「{scored[0][1].project_name}」「{scored[1][1].project_name}」同样相近"
    return scored[0][1], ""


def _check_project(claim: Claim, forms: Sequence[Form], text: str) -> list[Finding]:
    form, why = _form_named(claim.name, forms)
    if form is None:
        return [
            _finding("narrative-unmatched", Severity.WARNING, f"「{claim.text[:60]}」无法对应到表单（{why}，待判断）")
        ]
    planned, executed, rate = claim.figures
    b = form.budget
    said = f"「{claim.name}」的综述"
    out = []
    for what, stated, actual in (("全年预算数", planned, b.planned), ("执行数", executed, b.executed)):
        if actual is None or stated != actual:
            out.append(
                _finding(
                    "narrative-project-budget",
                    Severity.ERROR,
                    f"{said}称{what} {_money(stated)} 万元，而项目支出绩效自评表「{form.project_name}」为 "
                    f"{_money(actual) if actual is not None else '（未填）'} 万元",
                    stated - actual if actual is not None else None,
                )
            )
    if b.planned and b.executed is not None:
        computed = fmt.q2(b.executed / b.planned * 100)
        if abs(rate - computed) >= Decimal("0.1"):
            out.append(
                _finding(
                    "narrative-project-budget",
                    Severity.ERROR,
                    f"{said}称完成预算的 {rate}%，而表「{form.project_name}」的执行数÷预算数为 {computed}%",
                    rate - computed,
                )
            )
    return out


_CHECKERS = {"projects": _check_totals, "department": _check_department, "project": _check_project}


def check_narrative(text: str, forms: Sequence[Form]) -> list[Finding]:
    """Each stated figure of the narrative against the forms; the same sum stated for two things is said too."""
    found = claims(text)
    if not found:
        return [
            _finding(
                "narrative-unmatched",
                Severity.WARNING,
                "没有读出说明中的任何数字（未找到「共涉及项目N个，资金X万元」或各项目的自评综述；待判断）",
            )
        ]
    unread = [c for c in found if c.unread]
    found = [c for c in found if not c.unread]
    out = [
        _finding(
            "narrative-unmatched", Severity.WARNING, f"「{c.text[:60]}」的数字无法读出：{c.unread}，不作比较（待判断）"
        )
        for c in unread
    ]
    out += [f for c in found for f in _CHECKERS[c.kind](c, forms, text)]
    out += _same_money_twice(found)
    return out


def _same_money_twice(found: Sequence[Claim]) -> list[Finding]:
    projects = [c for c in found if c.kind == "projects"]
    departments = [c for c in found if c.kind == "department"]
    return [
        _finding(
            "narrative-same-money",
            Severity.WARNING,
            f"同一金额 {_money(p.figures[-1])} 万元在说明中既是项目支出自评资金（「{p.text}」），"
            f"又是部门整体支出自评资金（「{d.text}」）；二者口径不同，不应相等",
            p.figures[-1],
        )
        for p in projects
        for d in departments
        if p.figures[-1] == d.figures[-1]
    ]


def elsewhere(text: str, value: Decimal, limit: int = 3) -> list[str]:
    """Lines of the document outside the narrative that show ``value`` (where a copied figure came from)."""
    shown = {f"{value:,f}", f"{value:f}"}
    out = []
    for no, line in enumerate(text.splitlines(), start=1):
        if any(s in line for s in shown) and not any(p.search(re.sub(r"\s+", "", line)) for p in PATTERNS.values()):
            if "绩效自评" in line:  # the narrative's own wording
                continue
            out.append(f"第 {no} 行「{' '.join(line.split())[:60]}」")
            if len(out) == limit:
                break
    return out
