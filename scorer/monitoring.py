"""Mid-year monitoring (绩效运行监控, "双监控"): a dated snapshot on the same indicator rows.

A snapshot records, for one project and a period from January (1–6月, 1–7月, a quarter's end),
the money executed so far and, per indicator, the progress to date, a forecast for the year in
the platform's words (完成目标可能性: 确定能 / 有可能 / 完全不可能), and for a deviation its cause
(经费保障 / 制度保障 / 人员保障 / 硬件条件保障 / 其他) and the correction (纠偏措施). Rows are the
form's rows: matched by their stable identity, else by name. Files are TOML or JSON, read
strictly like form files (docs/form-format.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from scorer.formfile import MAX_BYTES, FormFileError, _Reader, parse_text
from scorer.frozen import FrozenValue
from scorer.model import Form, Indicator


class Forecast(StrEnum):
    """完成目标可能性, as the platform's monitoring form words it."""

    ON_TRACK = "确定能"
    AT_RISK = "有可能"
    WILL_MISS = "完全不可能"


CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")

_TOP = {"format", "year", "implementing_unit", "project_name", "months", "date", "executed", "planned", "rows"}
_ROW = {"indicator", "uid", "to_date", "forecast", "cause", "correction"}


@dataclass(frozen=True, slots=True)
class Progress(FrozenValue):
    """One indicator's state at the snapshot."""

    indicator: str  # the 三级 name, as on the form
    to_date: str = ""  # 1–N月执行情况: a cell like the actual ("260人次", "完成部署")
    forecast: Forecast | None = None
    cause: str = ""  # one of CAUSES, when the row deviates
    correction: str = ""  # 纠偏措施
    uid: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot(FrozenValue):
    """A project's monitoring at the end of month ``months`` of ``year``."""

    year: int
    implementing_unit: str
    project_name: str
    months: int
    executed: Decimal | None = None  # 万元 executed so far
    planned: Decimal | None = None  # 万元 budget for the year (else the form's)
    date: str = ""
    rows: tuple[Progress, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.year}/{self.implementing_unit}/{self.project_name}"

    def row_for(self, ind: Indicator) -> Progress | None:
        """The progress row of a form's indicator: by its stable identity, else by name."""
        if ind.uid:
            for p in self.rows:
                if p.uid == ind.uid:
                    return p
        return next((p for p in self.rows if p.indicator == ind.name and not p.uid), None)

    def matches(self, form: Form) -> bool:
        return (form.year, form.implementing_unit, form.project_name) == (
            self.year,
            self.implementing_unit,
            self.project_name,
        )


def _whole(v: Any) -> int | None:
    """A whole number from TOML (int) or JSON (Decimal), else None."""
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        return None
    if isinstance(v, Decimal) and (not v.is_finite() or v != v.to_integral_value() or abs(v) > 10**6):
        return None
    return int(v)


def _row(r: _Reader, d: Any, where: str) -> Progress:
    d = r.table(d, where, _ROW)
    name = r.text(d, "indicator", where)
    if not name.strip():
        raise r.fail(f"{where}.indicator", "缺少指标名称")
    forecast = r.text(d, "forecast", where)
    if forecast and forecast not in set(Forecast):
        raise r.fail(f"{where}.forecast", f"「{forecast}」不是完成目标可能性；应为 {' / '.join(Forecast)}，或留空")
    cause = r.text(d, "cause", where)
    if cause and cause not in CAUSES:
        raise r.fail(f"{where}.cause", f"「{cause}」不是偏差原因类别；应为 {' / '.join(CAUSES)}，或留空")
    return Progress(
        indicator=name,
        to_date=r.text(d, "to_date", where),
        forecast=Forecast(forecast) if forecast else None,
        cause=cause,
        correction=r.text(d, "correction", where),
        uid=r.text(d, "uid", where),
    )


def snapshot_from_dict(data: Any, path: str) -> Snapshot:
    r = _Reader(path)
    d = r.table(data, "", _TOP)
    year, months = _whole(d.get("year")), _whole(d.get("months"))
    if year is None or not 1990 <= year <= 2200:
        raise r.fail("year", "应为年度（如 2024）")
    if months is None or not 1 <= months <= 12:
        raise r.fail("months", "应为 1–12 的月数（1–6月 填 6）")
    rows = d.get("rows", [])
    if not isinstance(rows, list):
        raise r.fail("rows", "应为表的列表（[[rows]]）")
    for key in ("executed", "planned"):
        money = r.number(d, key, "")
        if money is not None and (money < 0 or (key == "planned" and money == 0)):
            raise r.fail(key, f"应为{'非负' if key == 'executed' else '正'}数（万元），实际为 {money}")
    unit, project = r.text(d, "implementing_unit", ""), r.text(d, "project_name", "")
    if not unit.strip() or not project.strip():
        raise r.fail(
            "implementing_unit" if not unit.strip() else "project_name",
            "缺少；监控记录以 年度 + 实施单位 + 项目名称 对应表单",
        )
    return Snapshot(
        year=year,
        implementing_unit=unit,
        project_name=project,
        months=months,
        executed=r.number(d, "executed", ""),
        planned=r.number(d, "planned", ""),
        date=r.text(d, "date", ""),
        rows=tuple(_row(r, row, f"rows[{i}]") for i, row in enumerate(rows)),
    )


def snapshot_to_dict(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as its file's data (money as exact decimal text): ``snapshot_from_dict`` reads it back."""
    data: dict[str, Any] = {
        "year": snap.year,
        "implementing_unit": snap.implementing_unit,
        "project_name": snap.project_name,
        "months": snap.months,
    }
    for key, value in (("executed", snap.executed), ("planned", snap.planned)):
        if value is not None:
            data[key] = format(value, "f")
    if snap.date:
        data["date"] = snap.date
    fields = ("indicator", "uid", "to_date", "forecast", "cause", "correction")
    data["rows"] = [{k: str(v) for k in fields if (v := getattr(p, k))} for p in snap.rows]
    return data


def load_snapshot(path: Path) -> Snapshot:
    """Read one monitoring file; raises FormFileError naming the file and key."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise FormFileError(name, "", f"文件过大；单个文件不应超过 {MAX_BYTES} 字节")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FormFileError(name, "", f"无法读取：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise FormFileError(name, "", "不是 UTF-8 编码的文本") from None
    return snapshot_from_dict(parse_text(text, name, path.suffix.lower()), name)
