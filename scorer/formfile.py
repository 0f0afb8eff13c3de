"""Read and write form files (TOML for people, JSON for machines).

Both formats share one structure (docs/form-format.md). Numbers are read as
Decimal straight from the text, never through float. Every error names the
file and the line/column or key path, and what was expected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

# tomli, not the standard tomllib: the same parser, shipped compiled (form files are read by the
# thousand: an import or a province's `score DIR` spends a third of its time here).
import tomli

from scorer.errors import JixiaoError
from scorer.formwrite import FORMAT, dumps_json, dumps_toml, form_to_dict
from scorer.model import (
    FIRST_YEAR,
    LAST_YEAR,
    TICK_GROUPS,
    Budget,
    Direction,
    Form,
    FormKind,
    Goal,
    Indicator,
    Recorded,
    SignOff,
    Ticks,
)
from scorer.numbers import comma_problem, out_of_range, ungroup
from scorer.parser_messages import parser_message

SUFFIXES = (".toml", ".json")
MAX_BYTES = 5_000_000


__all__ = [
    "FORMAT",
    "FormFileError",
    "dumps_json",
    "dumps_toml",
    "find_form_files",
    "form_from_dict",
    "form_to_dict",
    "load_form",
    "parse_text",
    "parser_message",
]


class FormFileError(JixiaoError, ValueError):
    """A form file that cannot be read; ``where`` is a line/column or key path."""

    def __init__(self, path: str, where: str, message: str) -> None:
        self.path = path
        self.where = where
        self.detail = message
        super().__init__(f"{path}：{where}：{message}" if where else f"{path}：{message}")


_TOP = {
    "format",
    "form_kind",
    "title",
    "year",
    "project_name",
    "department",
    "implementing_unit",
    "rules",
    "total_score",
    "deviation_analysis",
    "improvement_measures",
    "ticks",
    "budget",
    "goals",
    "indicators",
    "signoff",
}
_BUDGET = {
    "label",
    "planned",
    "executed",
    "rate",
    "initial",
    "weight",
    "score",
    "score_reason",
    "fiscal",
    "carryover",
    "other",
    "basic_expenditure",
    "project_expenditure",
}
_GOAL = {"text", "weight", "indicators"}
_IND = {
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "score",
    "score_reason",
    "adjusted_target",
    "deviation",
    "direction",
    "sub",
    "uid",
}
_SIGNOFF = {"preparer", "reviewer", "unit_head", "finance_head", "project_lead", "contact", "phone", "date"}
_DIRECTIONS = {"", *Direction}


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> FormFileError:
        return FormFileError(self.path, f"键 {where}" if where else "", message)

    def table(self, value: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, f"应为表（键值对），实际为 {_type(value)}")
        unknown = [k for k in value if k not in allowed and not str(k).startswith("_")]
        if unknown:
            raise self.fail(
                f"{where}.{unknown[0]}" if where else str(unknown[0]),
                f"未知的键；可用的键：{', '.join(sorted(allowed))}",
            )
        return value

    def text(self, d: dict[str, Any], key: str, where: str) -> str:
        v = d.get(key)
        if v is None:
            return ""
        if isinstance(v, bool) or not isinstance(v, str | int | Decimal):
            raise self.fail(_join(where, key), f"应为文本，实际为 {_type(v)}")
        return v if isinstance(v, str) else str(v)

    def flag(self, d: dict[str, Any], key: str, where: str) -> bool:
        v = d.get(key, False)
        if not isinstance(v, bool):
            raise self.fail(_join(where, key), f"应为 true 或 false，实际为 {_type(v)}")
        return v

    def number(self, d: dict[str, Any], key: str, where: str) -> Decimal | None:
        v = d.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, bool):
            raise self.fail(_join(where, key), f"应为数字，实际为 {_type(v)}")
        if isinstance(v, int | Decimal):
            value = Decimal(v)
        elif isinstance(v, str):
            cleaned = ungroup(re.sub(r"(分|万元)$", "", v.strip()).strip())
            if cleaned is None:
                raise self.fail(_join(where, key), comma_problem(v.strip()))
            try:
                value = Decimal(cleaned)
            except InvalidOperation:
                raise self.fail(_join(where, key), f"应为数字，实际为文本「{_clip(v)}」") from None
        else:
            raise self.fail(_join(where, key), f"应为数字，实际为 {_type(v)}")
        if not value.is_finite():
            raise self.fail(_join(where, key), f"应为有限的数字，实际为「{_clip(str(value))}」")
        why = out_of_range(value)
        if why:
            raise self.fail(_join(where, key), f"{why}，实际为「{_clip(str(value))}」")
        return value


def _clip(text: str, limit: int = 60) -> str:
    """A value quoted in a message: a 100,000-digit number is shown by its start."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _type(v: Any) -> str:
    return {
        bool: "布尔值",
        int: "整数",
        float: "数字",
        str: "文本",
        list: "列表",
        dict: "表",
        Decimal: "数字",
    }.get(type(v), type(v).__name__)


def _recorded(r: _Reader, d: dict[str, Any], where: str) -> Recorded | None:
    score = r.number(d, "score", where)
    reason = r.text(d, "score_reason", where)
    if score is None:
        if reason:
            raise r.fail(_join(where, "score_reason"), "给出了理由但没有得分（score）")
        return None
    return Recorded(score, reason)


def _indicator(r: _Reader, raw: Any, where: str) -> Indicator:
    d = r.table(raw, where, _IND)
    direction = r.text(d, "direction", where)
    if direction not in _DIRECTIONS:
        raise r.fail(_join(where, "direction"), f"「{direction}」无效；应为 positive / reverse / equal / qualitative")
    name = r.text(d, "name", where)
    if not name.strip():
        raise r.fail(_join(where, "name"), "三级指标名称不能为空")
    return Indicator(
        level1=_level(r.text(d, "level1", where)),
        level2=_level(r.text(d, "level2", where)),
        name=name.strip(),
        target=r.text(d, "target", where),
        actual=r.text(d, "actual", where),
        weight=r.number(d, "weight", where),
        recorded=_recorded(r, d, where),
        adjusted_target=r.text(d, "adjusted_target", where),
        deviation=r.text(d, "deviation", where),
        direction=direction,
        sub=r.flag(d, "sub", where),
        uid=r.text(d, "uid", where),
    )


def _level(name: str) -> str:
    return "".join(name.split())


def _list(r: _Reader, v: Any, where: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise r.fail(where, f"应为列表，实际为 {_type(v)}")
    return v


def _ticks(r: _Reader, raw: Any) -> Ticks:
    d = r.table(raw, "ticks", set(TICK_GROUPS))
    values: dict[str, tuple[str, ...]] = {}
    for key, options in TICK_GROUPS.items():
        v = d.get(key)
        items = [v] if isinstance(v, str) else _list(r, v, f"ticks.{key}")
        for n, item in enumerate(items):
            if item not in options:
                raise r.fail(f"ticks.{key}", f"「{item}」不是可选项；应为 {' / '.join(options)}")
            if item in items[:n]:
                raise r.fail(f"ticks.{key}", f"「{item}」勾选了不止一次")
        values[key] = tuple(items)
    return Ticks(**values)


def form_from_dict(data: Any, path: str = "<内存>") -> Form:
    """Build a Form from the parsed file structure, validating as it goes (in the file's order)."""
    r = _Reader(path)
    if not isinstance(data, dict):
        raise r.fail("", f"文件顶层应为表（对象），实际为 {_type(data)}")
    d = r.table(data, "", _TOP)
    fmt = d.get("format")
    if fmt is not None and fmt != FORMAT:
        raise r.fail("format", f"「{fmt}」不受支持；应为 {FORMAT}")
    kind = r.text(d, "form_kind", "") or "project"
    try:
        form_kind = FormKind(kind)
    except ValueError:
        raise r.fail("form_kind", f"「{kind}」无效；应为 project（项目支出）或 department（部门整体支出）") from None
    year = _year(r, d.get("year"))
    project_name = r.text(d, "project_name", "").strip()
    if not project_name and form_kind is FormKind.DEPARTMENT:
        # a 部门整体支出 form has no project by nature: it is named after its department
        project_name = r.text(d, "department", "").strip() or r.text(d, "implementing_unit", "").strip()
    # a project form without a name is read, and the engine warns about the empty header cell
    budget = _budget(r, d.get("budget"))
    goals = _goals(r, d)
    s = r.table(d.get("signoff"), "signoff", _SIGNOFF)
    rules = r.text(d, "rules", "") or None
    return Form(
        project_name=project_name.strip(),
        department=r.text(d, "department", "").strip(),
        implementing_unit=r.text(d, "implementing_unit", "").strip(),
        year=year,
        form_kind=form_kind,
        rules=rules,
        title=r.text(d, "title", ""),
        ticks=_ticks(r, d.get("ticks")),
        budget=budget,
        goals=tuple(goals),
        total_recorded=r.number(d, "total_score", ""),
        deviation_analysis=r.text(d, "deviation_analysis", ""),
        improvement_measures=r.text(d, "improvement_measures", ""),
        signoff=SignOff(**{k: r.text(s, k, "signoff") for k in _SIGNOFF}),
    )


def _year(r: _Reader, year_v: Any) -> int | None:
    """年度: empty, or a whole number (or its digits as text) between FIRST_YEAR and LAST_YEAR."""
    if year_v is None or year_v == "":
        return None
    if (
        isinstance(year_v, int)
        and not isinstance(year_v, bool)
        or isinstance(year_v, str)
        and year_v.isascii()
        and year_v.isdigit()
        and len(year_v) <= 6
    ):
        year = int(year_v)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise r.fail("year", f"年度 {year} 不合理；应为四位年份，如 2024")
        return year
    raise r.fail("year", f"应为年份（整数），实际为 {_type(year_v)}「{_clip(str(year_v))}」")


def _budget(r: _Reader, raw: Any) -> Budget:
    b = r.table(raw, "budget", _BUDGET)
    return Budget(
        label=r.text(b, "label", "budget") or "年度财政资金总额",
        planned=r.number(b, "planned", "budget"),
        executed=r.number(b, "executed", "budget"),
        rate_text=r.text(b, "rate", "budget"),
        initial=r.number(b, "initial", "budget"),
        weight=r.number(b, "weight", "budget"),
        recorded=_recorded(r, b, "budget"),
        fiscal=r.number(b, "fiscal", "budget"),
        carryover=r.number(b, "carryover", "budget"),
        other=r.number(b, "other", "budget"),
        basic_expenditure=r.number(b, "basic_expenditure", "budget"),
        project_expenditure=r.number(b, "project_expenditure", "budget"),
    )


def _goals(r: _Reader, d: dict[str, Any]) -> list[Goal]:
    """[[goals]] with their indicators, or one goal from a top-level ``indicators`` list (not both)."""
    goals: list[Goal] = []
    for gi, g in enumerate(_list(r, d.get("goals"), "goals")):
        where = f"goals[{gi}]"
        gd = r.table(g, where, _GOAL)
        inds = tuple(
            _indicator(r, x, f"{where}.indicators[{i}]")
            for i, x in enumerate(_list(r, gd.get("indicators"), f"{where}.indicators"))
        )
        goals.append(Goal(text=r.text(gd, "text", where), weight=r.number(gd, "weight", where), indicators=inds))
    flat = _list(r, d.get("indicators"), "indicators")
    if flat:
        if goals:
            raise r.fail("indicators", "不能同时使用 goals 与顶层 indicators；请把指标放进 goals")
        goals.append(Goal(indicators=tuple(_indicator(r, x, f"indicators[{i}]") for i, x in enumerate(flat))))
    return goals


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


class _DuplicateKey(JixiaoError, ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: json keeps the last of two silently, TOML refuses."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_text(text: str, path: str, suffix: str) -> Any:
    """Parse TOML or JSON text into plain data with Decimal numbers."""
    if suffix == ".json":
        try:
            return json.loads(
                text,
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_no_constant,
                object_pairs_hook=_unique_keys,
            )
        except _DuplicateKey as twice:  # its own name: mypyc types each name by its first binding
            raise FormFileError(path, f"键 {_clip(str(twice))}", "同一个对象中出现两次，无法确定取哪个值") from None
        except json.JSONDecodeError as exc:
            raise FormFileError(
                path, f"第 {exc.lineno} 行第 {exc.colno} 列", f"JSON 语法错误：{parser_message(exc.msg)}"
            ) from None
        except ValueError as exc:
            raise FormFileError(path, "", f"JSON 内容无效：{exc}") from None
        except RecursionError:
            raise FormFileError(path, "", "JSON 嵌套过深") from None
        except ArithmeticError:  # Decimal's InvalidOperation: an exponent past what a decimal can hold
            raise FormFileError(path, "", "JSON 内容无效：有数字的指数过大，无法读取") from None
    try:
        return tomli.loads(text, parse_float=Decimal)
    except tomli.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        where = f"第 {m.group(1)} 行第 {m.group(2)} 列" if m else ("文件末尾" if "end of document" in msg else "")
        msg = msg.replace("(at end of document)", "")
        raise FormFileError(path, where, f"TOML 语法错误：{parser_message(_TOML_POS.sub('', msg).strip())}") from None
    except ValueError as exc:  # the parser lets int()'s digit limit through as a bare ValueError
        if "digits" in str(exc):
            raise FormFileError(path, "", "TOML 内容无效：整数位数过多（超过 4300 位）") from None
        raise FormFileError(path, "", f"TOML 内容无效：{exc}") from None
    except RecursionError:
        raise FormFileError(path, "", "TOML 嵌套过深") from None
    except ArithmeticError:  # Decimal's InvalidOperation: 1e99999999999999999999
        raise FormFileError(path, "", "TOML 内容无效：有数字的指数过大，无法读取") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"不支持 {name}")


def _json_ints(data: Any) -> Any:
    """JSON integers were read as Decimal; the year must be an int again."""
    if isinstance(data, dict) and isinstance(data.get("year"), Decimal):
        y = data["year"]
        if y.is_finite() and y.copy_abs() < 10**6 and y == y.to_integral_value():  # no int() of 10^100000
            data = {**data, "year": int(y)}
    return data


def load_form(path: Path) -> Form:
    """Read one form file; raises FormFileError with a precise location."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FormFileError(name, "", f"不支持的文件类型「{path.suffix}」；应为 .toml 或 .json")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FormFileError(name, "", f"文件过大（{size} 字节）；单个表单文件不应超过 {MAX_BYTES} 字节")
        raw = path.read_bytes()
    except OSError as exc:
        raise FormFileError(name, "", f"无法读取：{exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormFileError(name, f"第 {exc.start} 字节", "不是 UTF-8 编码的文本") from None
    data = parse_text(text, name, suffix)
    if suffix == ".json":
        data = _json_ints(data)
    return form_from_dict(data, name)


def find_form_files(paths: list[Path], on_missing: Callable[[Path], None] | None = None) -> list[Path]:
    """Expand directories recursively into their form files, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()))
        elif p.exists():
            out.append(p)
        elif on_missing is not None:
            on_missing(p)
    return out
