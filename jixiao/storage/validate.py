"""What may be stored: a form's identity, text the database can hold, the length limits, the engine's verdict counts."""

from __future__ import annotations

import builtins
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from jixiao.storage.convert import fill_fields, fill_row
from jixiao.storage.models import FormRow, GoalRow, IndicatorRow
from jixiao.storage.records import StoreError, form_key
from scorer import numbers as fmt
from scorer.model import Direction, Form
from scorer.result import FormResult, ProblemCode
from scorer.rules import RuleSetError, rules_for


def finding_counts(result: FormResult) -> tuple[int, int, int]:
    """(errors, warnings, infos) of the shared form checks, stored for SQL review."""
    from jixiao.checks import run_form_checks, summarise
    from scorer.result import Severity

    counts = summarise(run_form_checks(result))
    return counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]


def refused(exc: DBAPIError) -> bool:
    """The database refused the writer (a grant or a row policy), not the data."""
    text = str(exc.orig)
    return "permission denied" in text or "row-level security" in text


def write_error(exc: SQLAlchemyError, denied: str, failed: str) -> StoreError:
    """What to say of a write the database did not take: ``denied`` when a grant or row policy
    refused the writer, else ``failed：`` and the database's own first line (or the error's name)."""
    if isinstance(exc, DBAPIError):
        return StoreError(denied if refused(exc) else f"{failed}：{_first_line(exc)}")
    return StoreError(f"{failed}：{type(exc).__name__}")


def integrity_error(exc: SQLAlchemyError, key: str, denied: str) -> StoreError:
    """A second form of the same identity said as such; any other refusal (a bound, a check, a
    trigger) in the database's own words, in Chinese: never taken for a duplicate."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state is not None:  # PostgreSQL: the unique key of forms
        duplicate = state == "23505" and getattr(getattr(orig, "diag", None), "table_name", None) == "forms"
    else:  # SQLite names the columns
        duplicate = "UNIQUE constraint failed: forms." in str(orig)
    if duplicate:
        return StoreError(f"已有同一 年度/实施单位/项目名称 的表单：{key}")
    return write_error(exc, denied, f"写入数据库失败：{key}")


def _first_line(exc: DBAPIError) -> str:
    from jixiao.storage.db_messages import in_chinese

    return in_chinese((str(exc.orig).strip().splitlines() or [type(exc).__name__])[0].replace("ERROR:", "").strip())


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str:
    """What in ``text`` no database can keep ("" when nothing): PostgreSQL text cannot hold
    NUL, and a lone surrogate cannot be written as UTF-8 at all."""
    m = _UNSTORABLE.search(text)
    if m is None:
        return ""
    return "空字符 NUL（\\x00）" if m.group() == "\x00" else f"不成对的代理字符 U+{ord(m.group()):04X}"


# Free-text fields (偏差分析、改进措施、理由 …) hold at most this many characters, whatever the
# file they come from (TOML/JSON files are also capped at 5 MB; an Excel cell at 32,767 characters).
MAX_TEXT_CHARS = 50_000
# An audit entry's texts (a change's before and after, its reason): a field's values, each within the
# caps above, and a reason jixiao may lengthen (a reopen names the signature it voids).
MAX_AUDIT_CHARS = 1_000_000


@functools.cache
def _plan(table: Any) -> tuple[tuple[str, str, int, bool], ...]:
    """Per column of ``table``: (key, name, VARCHAR length or 0, holds an exact decimal)."""
    from sqlalchemy import String

    from jixiao.storage.types import ExactDecimal

    return tuple(
        (
            col.key,
            col.name,
            col.type.length if isinstance(col.type, String) and col.type.length else 0,
            isinstance(col.type, ExactDecimal),
        )
        for col in table.columns
    )


def _check_row(obj: object, where: str) -> list[str]:
    """Every text column fits (PostgreSQL enforces VARCHAR lengths, SQLite does not) and is
    storable; every number is one a form may hold."""
    from jixiao.storage.labels import column_label
    from scorer.numbers import out_of_range

    problems = []
    for key, name, length, exact in _plan(obj.__table__):  # type: ignore[attr-defined]
        value = getattr(obj, key, None)
        if isinstance(value, str):
            bad = unstorable(value)
            if bad:
                problems.append(f"{where}「{column_label(name)}」含有{bad}")
            elif length and len(value) > length:
                problems.append(f"{where}「{column_label(name)}」过长（{len(value)} 字，上限 {length} 字）")
            elif len(value) > MAX_TEXT_CHARS:  # free text (分析、理由、说明): the same cap for every source
                problems.append(f"{where}「{column_label(name)}」过长（{len(value)} 字，上限 {MAX_TEXT_CHARS} 字）")
        elif isinstance(value, list):
            problems.extend(
                f"{where}「{column_label(name)}」含有{unstorable(v)}"
                for v in value
                if isinstance(v, str) and unstorable(v)
            )
        elif exact and isinstance(value, Decimal):
            why = out_of_range(value)
            if why:
                problems.append(f"{where}「{column_label(name)}」{why}")
    return problems


def _clean(rows: list[Any]) -> bool:
    """True when ``_check_row`` would find nothing in any of ``rows``: the same rules, tested the
    cheap way (one regular-expression pass over all the text), so that only a form with a
    problem pays for the messages. ``tests/test_storage_checks.py`` holds the two to agreeing."""
    from scorer.numbers import out_of_range

    texts: list[str] = []
    add = texts.append
    for obj in rows:
        values = obj.__dict__
        for key, _, length, exact in _plan(obj.__table__):
            value = values.get(key)
            if isinstance(value, str):
                if len(value) > (min(length, MAX_TEXT_CHARS) if length else MAX_TEXT_CHARS):
                    return False
                add(value)
            elif isinstance(value, list):
                texts.extend(v for v in value if isinstance(v, str))
            elif exact and isinstance(value, Decimal) and out_of_range(value):
                return False
    return _UNSTORABLE.search("".join(texts)) is None


@functools.cache
def _caps() -> tuple[int, int, int, int, int, bool, bool, bool]:
    """What ``_clean`` allows the goal and indicator values ``fill_row`` sets: the longest text of
    level1, level2, name, direction and goal text, and whether the four numbers are checked."""

    def cap(table: Any, key: str) -> tuple[int, bool]:
        length, exact = next((n, e) for k, _, n, e in _plan(table) if k == key)
        return (min(length, MAX_TEXT_CHARS) if length else MAX_TEXT_CHARS), exact

    ind, goal = IndicatorRow.__table__, GoalRow.__table__
    lengths = [cap(ind, k)[0] for k in ("level1", "level2", "name", "direction")]
    free = [cap(ind, k) for k in ("target", "actual", "adjusted_target", "recorded_reason", "deviation", "uid")]
    if any(n != MAX_TEXT_CHARS or e for n, e in free):  # pragma: no cover - a column got a limit: update this
        raise RuntimeError("jixiao.storage.validate: an indicator's free-text column changed")
    exact = [cap(ind, "weight")[1], cap(ind, "recorded_score")[1], cap(goal, "weight")[1]]
    l1, l2, ln, ld = lengths
    return l1, l2, ln, ld, cap(goal, "text")[0], exact[0], exact[1], exact[2]


def _form_clean(form: Form) -> bool:
    """True only when ``_clean`` would find nothing in the rows ``fill_row`` makes of ``form``, read
    from the form itself without building them (most of the storage check's cost). False when in
    doubt: the caller then builds the rows and checks them fully, so a False costs time, never a
    different answer. ``tests/test_storage_checks.py`` holds it to ``_clean``."""
    from scorer.numbers import out_of_range

    l1, l2, ln, ld, lg, w_exact, r_exact, g_exact = _caps()
    top: Any = _PlainForm()
    fill_fields(top, form)
    if not _clean([top]):
        return False
    texts: list[str] = []
    add = texts.extend
    big = MAX_TEXT_CHARS
    try:
        for g in form.goals:
            if len(g.text) > lg or (g_exact and isinstance(g.weight, Decimal) and out_of_range(g.weight)):
                return False
            texts.append(g.text)
            for i in g.indicators:
                rec = i.recorded
                reason = rec.reason if rec is not None else ""
                row = (i.target, i.actual, i.adjusted_target, reason, i.deviation, i.uid)
                if (
                    len(i.level1) > l1
                    or len(i.level2) > l2
                    or len(i.name) > ln
                    or len(i.direction) > ld
                    or max(map(len, row)) > big
                    or (w_exact and isinstance(i.weight, Decimal) and out_of_range(i.weight))
                    or (r_exact and rec is not None and isinstance(rec.score, Decimal) and out_of_range(rec.score))
                ):
                    return False
                add(row)
                add((i.level1, i.level2, i.name, i.direction))
        return _UNSTORABLE.search("".join(texts)) is None
    except (TypeError, AttributeError):  # not text where text belongs: let the full check say so
        return False


def _problems(row: Any, clean: bool) -> list[str]:
    """Every problem of a form's plain rows, each named by where it is (``clean``: no text or
    number problem, so only the directions are left to look at)."""
    problems = [] if clean else _check_row(row, "")
    for gi, g in enumerate(row.goals, start=1):
        if not clean:
            problems.extend(_check_row(g, f"目标 {gi}："))
        for i in g.indicators:
            if not clean:
                problems.extend(_check_row(i, f"指标「{i.name[:40]}」："))
            if i.direction and Direction.of(i.direction) is None:
                problems.append(_bad_direction(i.name, i.direction))
    return problems


def _bad_direction(name: str, direction: str) -> str:
    labels = " / ".join(d.label for d in Direction)
    return f"指标「{name[:40]}」：指标方向「{direction[:20]}」无效；应为 {labels}，或留空"


def _direction_problems(form: Form) -> list[str]:
    """``_problems`` of a form whose rows are clean: its indicators' directions that are not one."""
    return [
        _bad_direction(i.name, i.direction)
        for g in form.goals
        for i in g.indicators
        if i.direction and Direction.of(i.direction) is None
    ]


class _Plain:
    """A row's values without the ORM's bookkeeping (which costs more than the checks): validation only reads them."""

    __table__: ClassVar[Any]

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class _PlainForm(_Plain):
    __table__ = FormRow.__table__


class _PlainGoal(_Plain):
    __table__ = GoalRow.__table__


class _PlainIndicator(_Plain):
    __table__ = IndicatorRow.__table__


def stored_row_problems(table: str, values: dict[str, Any]) -> list[str]:
    """What ``_check_row`` finds in a row of ``forms``, ``goals`` or ``indicators`` given as its column
    values (a backup's row): text jixiao would not store, a number out of a form's range."""
    plain = {"forms": _PlainForm, "goals": _PlainGoal, "indicators": _PlainIndicator}.get(table)
    return [] if plain is None else _check_row(plain(**values), "")


def validate_for_storage(form: Form) -> None:
    missing = [
        label
        for label, v in (("年度", form.year), ("项目实施单位", form.implementing_unit), ("项目名称", form.project_name))
        if not v
    ]
    if missing:
        raise StoreError(
            f"表单「{form.project_name or '（无名称）'}」缺少{'、'.join(missing)}；入库的表单以 年度 + 实施单位 + 项目名称 识别"
        )
    try:
        rules_for(form)
    except RuleSetError as exc:
        raise StoreError(f"表单「{form.project_name}」：键 rules：{exc}") from None
    if _form_clean(form):  # the common case: only the directions are left to look at
        problems = _direction_problems(form)
    else:
        row: Any = _PlainForm()
        fill_row(row, form, _PlainGoal, _PlainIndicator)
        problems = _problems(row, _clean([row, *row.goals, *(i for g in row.goals for i in g.indicators)]))
    if problems:
        more = f"；另有 {len(problems) - 5} 处" if len(problems) > 5 else ""
        raise StoreError(f"表单「{form.project_name[:100]}」不能入库：{'；'.join(problems[:5])}{more}")


#: A form whose printed title says this is a 申报表 (targets only): never stored as a self-evaluation.
DECLARATION_MARK = "申报表"
#: what a title's 申报表 may be written with: spaces that spread a title across its row (ASCII,
#: full-width, NFKC's), the traditional 報
_TITLE_NOISE = str.maketrans({"報": "报", **{c: None for c in " \t\r\n\u3000\u00a0"}})


def is_declaration_title(title: str) -> bool:
    """The printed title names a 申报表 and not a 自评表 (a self-evaluation may name its declaration)."""
    squeezed = unicodedata.normalize("NFKC", title).translate(_TITLE_NOISE)
    return DECLARATION_MARK in squeezed and "自评" not in squeezed


def check_import(
    forms: Sequence[tuple[str, Form]], score: Callable[[Form], FormResult] | None, declarations: bool = False
) -> builtins.list[FormResult]:
    """Before anything is written: each form storable, none twice, and clean when given ``score``.

    Clean means no unreadable cell (e.g. an unknown unit): files from outside must be clean
    before they enter the database. A form titled as a 申报表 is refused unless ``declarations``:
    stored as a self-evaluation it would be scored 0.00 差 on its empty actuals. Returns the
    results ``score`` gave, in order.
    """
    results: builtins.list[FormResult] = []
    for source, form in forms:
        if not declarations and is_declaration_title(form.title):
            raise StoreError(
                f"{source}：表单「{form.project_name}」的表题是「{form.title}」，是绩效目标申报表，不是自评表；"
                "申报表请用 jixiao targets declare 导入"
            )
        try:
            validate_for_storage(form)
        except StoreError as exc:
            raise StoreError(f"{source}：{exc}") from None
        if score is not None:
            result = score(form)
            bad = [p for p in result.all_problems if p.code == ProblemCode.INVALID_CELL]
            if bad:
                detail = "；".join(
                    f"指标「{p.indicator}」{p.column}「{p.text}」：{p.message.split('：', 1)[-1]}" for p in bad[:5]
                )
                raise StoreError(f"{source}：表单「{form.project_name}」有 {len(bad)} 个无效单元格：{detail}")
            results.append(result)
    seen: dict[tuple[int | None, str, str], str] = {}
    for source, form in forms:
        ident = (form.year, form.implementing_unit, form.project_name)
        if ident in seen:
            raise StoreError(f"{source}：与 {seen[ident]} 是同一份表单（{form_key(form)}），一次导入中只能出现一次")
        seen[ident] = source
    return results


def inconsistency(result: FormResult) -> str:
    """Why a form may not be submitted, approved or signed as it stands; "" when it may."""
    if result.total_mismatch:
        return (
            f"表中总分 {fmt.score(result.total_recorded)} 与各项自评得分之和 "
            f"{fmt.score(result.recorded_sum)} 不一致；请更正总分或各项得分，或清空总分由各项之和给出"
        )
    if result.weights_over:
        return (
            f"分值合计 {fmt.weight(result.weight_total)} 超过规则集「{result.rules.name}」的总分 "
            f"{fmt.weight(result.rules.total)}，规则得分可能高于满分；请更正各项分值"
        )
    return ""
