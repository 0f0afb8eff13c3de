"""Sheets with one row per indicator (the budget platform's export), read through a profile.

A profile (``profiles.toml``, loaded strictly) names the headers each field goes by. A sheet is
taken as a profile when one of its first rows holds the headers of every required field; each
other column is reported as left out, never guessed. Rows are grouped into forms by year, unit and
project, in the order met; a coded 一级/二级 cell (``02-质量指标``) keeps its name (a 三级 name is
free text, taken as written). ``detect`` says what
each column was taken as (``jixiao import --dry-run``), ``read_flat`` gives the forms, and
``write_flat`` writes forms back in the profile's own headers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from jixiao.xlsx.errors import XlsxError
from scorer.errors import JixiaoError
from scorer.model import Budget, Form, FormKind, Goal, Indicator, Recorded
from scorer.numbers import comma_problem, out_of_range, ungroup

HEAD_ROWS = 10  # where a header row is looked for
NUMBER_FIELDS = ("weight", "score", "planned", "executed", "total", "budget_score")
_CODE = re.compile(r"^[0-9A-Za-z.]+\s*[-－—]\s*(?=\S)")
_BRACKETS = str.maketrans("（）【】", "()[]")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    required: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]  # field → the headers it goes by, the first written back
    blank: tuple[str, ...] = ()  # required headers whose cells may be empty (a draft's target)


@cache
def profiles() -> tuple[Profile, ...]:
    """The shipped profiles (``profiles.toml``)."""
    return parse_profiles(resources.files("jixiao.xlsx").joinpath("profiles.toml").read_text(encoding="utf-8"))


def parse_profiles(text: str) -> tuple[Profile, ...]:
    """Profiles from TOML; an unknown key or field is an error, not ignored."""
    data = tomllib.loads(text)
    if set(data) - {"profile"}:
        raise ValueError(f"profiles.toml：未知的键 {sorted(set(data) - {'profile'})}")
    out = []
    for p in data["profile"]:
        if not {"name", "title", "required", "columns"} <= set(p) <= {"name", "title", "required", "columns", "blank"}:
            raise ValueError(
                f"profiles.toml：画像「{p.get('name')}」的键应为 name、title、required、columns（可有 blank）"
            )
        unknown = (set(p["columns"]) | set(p["required"]) | set(p.get("blank", ()))) - set(FIELDS)
        if unknown:
            raise ValueError(f"profiles.toml：画像「{p['name']}」有未知字段 {sorted(unknown)}")
        columns = {k: tuple(v) for k, v in p["columns"].items()}
        out.append(Profile(p["name"], p["title"], tuple(p["required"]), columns, tuple(p.get("blank", ()))))
    return tuple(out)


FIELDS = {
    "year": "年度",
    "department": "主管部门",
    "unit": "实施单位",
    "project_code": "项目代码",
    "project": "项目名称",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "指标值（年初目标值）",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "自评得分",
    "deviation": "偏差原因分析",
    "planned": "预算数",
    "executed": "执行数",
    "form_kind": "自评类型",
    "total": "单位自评得分",
    "budget_score": "预算执行得分",
    "rate": "执行率",
    "deviation_analysis": "偏差分析及整改措施",
    "improvement_measures": "结果应用建议",
}
KINDS = {FormKind.PROJECT: "项目支出", FormKind.DEPARTMENT: "部门整体支出"}  # the platform's PM_ / BGT_ tables


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).lstrip("*＊").translate(_BRACKETS)


@dataclass(frozen=True, slots=True)
class Detected:
    """How a sheet was read: the profile, the header row, each column and what it was taken as."""

    profile: Profile
    sheet: str
    header_row: int
    columns: tuple[tuple[str, str, str | None], ...]  # (letter, header text, field or None: left out)

    def field_columns(self) -> dict[str, int]:
        return {f: i for i, (_, _, f) in enumerate(self.columns) if f}

    def holds(self) -> frozenset[str]:
        """The fields the sheet has a column for: only these may update a stored form."""
        return frozenset(f for _, _, f in self.columns if f)


def detect(ws: Any) -> Detected | None:
    """The profile a sheet is in, from its first rows; None when it is in none."""
    from openpyxl.utils import get_column_letter

    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEAD_ROWS, values_only=True), start=1):
        heads = [_norm(v) for v in row]
        for p in profiles():
            taken: list[str | None] = []
            for h in heads:
                field = next((f for f, names in p.columns.items() if h and h in {_norm(n) for n in names}), None)
                taken.append(field if field not in taken else None)
            if set(p.required) <= set(f for f in taken if f):
                cols = tuple(
                    (get_column_letter(i + 1), str(v or ""), taken[i])
                    for i, v in enumerate(row)
                    if v is not None or taken[i]
                )
                return Detected(p, ws.title, r, cols)
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: Any, where: tuple[str, str, int, str]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    file, sheet, row, col = where
    text = repr(value) if isinstance(value, float) else ungroup(str(value).strip())
    if text is None:
        raise XlsxError(file, comma_problem(str(value).strip()), sheet=sheet, row=row, column=col, text=str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise XlsxError(file, "应为数字", sheet=sheet, row=row, column=col, text=str(value)) from None
    why = out_of_range(number)
    if why:
        raise XlsxError(file, why, sheet=sheet, row=row, column=col, text=str(value))
    return number


def read_flat(file: str, ws: Any, found: Detected) -> list[Form]:
    """The sheet's forms, grouped by (year, unit, project) in the order met."""
    cols = found.field_columns()
    letters = {f: found.columns[i][0] for f, i in cols.items()}
    groups: dict[tuple[int, str, str], list[tuple[int, dict[str, Any]]]] = {}
    for r, row in enumerate(ws.iter_rows(min_row=found.header_row + 1, values_only=True), start=found.header_row + 1):
        cells = {f: row[i] if i < len(row) else None for f, i in cols.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        for f in found.profile.required:
            if f not in found.profile.blank and not _text(cells[f]):
                raise XlsxError(file, f"缺少「{FIELDS[f]}」", sheet=ws.title, row=r, column=letters[f])
        year = _text(cells["year"])
        if not re.fullmatch(r"\d{4}", year):
            raise XlsxError(file, "年度应为四位数字", sheet=ws.title, row=r, column=letters["year"], text=year)
        groups.setdefault((int(year), _text(cells["unit"]), _text(cells["project"])), []).append((r, cells))
    if not groups:
        raise XlsxError(file, f"按「{found.profile.title}」读取，表头之下没有指标行", sheet=ws.title)
    return [_form(file, ws.title, key, rows, letters) for key, rows in groups.items()]


FORM_FIELDS = (  # one value per form, repeated on each of its rows
    "department",
    "planned",
    "executed",
    "form_kind",
    "total",
    "budget_score",
    "rate",
    "deviation_analysis",
    "improvement_measures",
)


def _same_on_every_row(
    file: str, sheet: str, rows: list[tuple[int, dict[str, Any]]], letters: dict[str, str], num: Any
) -> None:
    """A form's own fields agree on all its rows (a blank repeats the first): taking the first row's
    money silently would misstate the form."""
    r0, first = rows[0]
    for field in FORM_FIELDS:
        if field not in letters:
            continue

        def read(r: int, cells: dict[str, Any], field: str = field) -> Any:
            return num(r, cells, field) if field in NUMBER_FIELDS else _text(cells.get(field))

        want = read(r0, first)
        for r, cells in rows[1:]:
            got = read(r, cells)
            if got not in (None, "") and got != want:
                raise XlsxError(
                    file,
                    f"同一表单各行的「{FIELDS[field]}」不一致（第 {r0} 行为「{_text(first.get(field))}」）",
                    sheet=sheet,
                    row=r,
                    column=letters[field],
                    text=_text(cells.get(field)),
                )


def _name(value: Any) -> str:
    return _CODE.sub("", _text(value))


def _kind(file: str, sheet: str, r: int, letter: str, value: Any) -> FormKind:
    """项目支出 or 部门整体支出 (a code before it, or 绩效自评 after it, as the platform writes them);
    a blank is a project, as the platform's project tables are; any other word stops the file."""
    text = re.sub(r"(绩效)?(自评)?表?$", "", _name(value))
    for kind, label in KINDS.items():
        if text in (label, label.removesuffix("支出")):
            return kind
    if not text:
        return FormKind.PROJECT
    words = "、".join(KINDS.values())
    raise XlsxError(file, f"自评类型应为{words}之一", sheet=sheet, row=r, column=letter, text=_text(value))


def _indicators(rows: list[tuple[int, dict[str, Any]]], num: Any) -> tuple[Indicator, ...]:
    out = []
    for r, cells in rows:
        score = num(r, cells, "score")
        out.append(
            Indicator(
                level1=_name(cells.get("level1")),
                level2=_name(cells.get("level2")),
                name=_text(cells["name"]),  # free text: "0-6岁儿童健康管理率" has no code to drop
                target=_text(cells["target"]),
                actual=_text(cells.get("actual")),
                weight=num(r, cells, "weight"),
                recorded=Recorded(score, "") if score is not None else None,
                deviation=_text(cells.get("deviation")),
            )
        )
    return tuple(out)


def _form(
    file: str, sheet: str, key: tuple[int, str, str], rows: list[tuple[int, dict[str, Any]]], letters: dict[str, str]
) -> Form:
    year, unit, project = key
    r0, first = rows[0]

    def num(r: int, cells: dict[str, Any], field: str) -> Decimal | None:
        return _number(cells.get(field), (file, sheet, r, letters.get(field, ""))) if field in letters else None

    _same_on_every_row(file, sheet, rows, letters, num)
    budget_score = num(r0, first, "budget_score")
    return Form(
        project_name=project,
        department=_text(first.get("department")),
        implementing_unit=unit,
        year=year,
        form_kind=_kind(file, sheet, r0, letters.get("form_kind", ""), first.get("form_kind")),
        budget=Budget(
            planned=num(r0, first, "planned"),
            executed=num(r0, first, "executed"),
            rate_text=_text(first.get("rate")),
            recorded=Recorded(budget_score, "") if budget_score is not None else None,
        ),
        goals=(Goal(text="", indicators=_indicators(rows, num)),),
        total_recorded=num(r0, first, "total"),
        deviation_analysis=_text(first.get("deviation_analysis")),
        improvement_measures=_text(first.get("improvement_measures")),
    )


#: why a form whose rows have sub-rows (子项) is never written to a platform sheet
SUB_ROWS_WHY = (
    "含子项（父项的分值与得分为其子项之和），平台表每行一个指标、没有子项栏："
    "父项与子项都写出，权重与自评得分会重复计算、再导入时分值翻倍；只写其一，又会丢掉指标行或改变分值"
)


class SubRowsRefused(JixiaoError):
    """Forms with sub-rows given to ``write_flat``: no sheet of the profile carries them faithfully."""


def has_sub_rows(form: Form) -> bool:
    """Whether a row of the form is the sub-row of another (a first row marked 子项 is an ordinary row)."""
    from scorer.weights import family_parents

    return any(p is not None for p in family_parents(form))


def write_flat(forms: list[Form], profile: Profile) -> Any:
    """A workbook with one row per indicator under the profile's own headers (the first of each).

    A form with sub-rows is refused (SubRowsRefused), never written: a parent's 权重 and 自评得分 are
    its sub-rows' summed, and the sheet cannot say which rows are which (``SUB_ROWS_WHY``)."""
    from openpyxl import Workbook

    refused = [f for f in forms if has_sub_rows(f)]
    if refused:
        keys = "；".join(f"{f.year}/{f.implementing_unit}/{f.project_name}" for f in refused)
        raise SubRowsRefused(f"{len(refused)} 份表单{SUB_ROWS_WHY}；未写出平台表：{keys}")
    fields = list(profile.columns)
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评指标"
    ws.append([("*" if f in profile.required else "") + profile.columns[f][0] for f in fields])
    for form in forms:
        for ind in form.indicators:
            values = {
                "year": form.year,
                "department": form.department,
                "unit": form.implementing_unit,
                "project_code": "",
                "project": form.project_name,
                "level1": ind.level1,
                "level2": ind.level2,
                "name": ind.name,
                "target": ind.target,
                "actual": ind.actual,
                "weight": _cell(ind.weight),
                "score": _cell(ind.recorded.score if ind.recorded else None),
                "deviation": ind.deviation,
                "planned": _cell(form.budget.planned),
                "executed": _cell(form.budget.executed),
                "form_kind": KINDS[form.form_kind],
                "total": _cell(form.total_recorded),
                "budget_score": _cell(form.budget.recorded.score if form.budget.recorded else None),
                "rate": form.budget.rate_text,
                "deviation_analysis": form.deviation_analysis,
                "improvement_measures": form.improvement_measures,
            }
            row = ws.max_row + 1
            for col, f in enumerate(fields, start=1):
                cell = ws.cell(row, col, values[f])
                if isinstance(values[f], str):  # text as text: "=100%" is a target, not a formula
                    cell.data_type, cell.number_format = "s", "@"
    return wb


def _cell(value: Decimal | None) -> str | None:
    """Numbers as text cells: a double would not keep the decimal exactly."""
    return None if value is None else f"{value:f}"
