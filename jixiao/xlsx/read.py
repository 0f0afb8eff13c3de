"""Reading one sheet back into a Form by locating its labels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.form_labels import (
    BUDGET_SUBROWS,
    SIGNOFF_LABELS,
    TICK_LABELS,
    TOTAL_LABELS,
    budget_key,
    canon,
    indicator_key,
    nfkc,
)
from jixiao.xlsx.sheet import (
    _DIRECTION_IN,
    _HEADER_FIELDS,
    _TICKED,
    _UNTICKED,
    _WS,
    _goal_label,
    _is_deviation_label,
    _Sheet,
    _split_label,
)
from scorer.model import (
    FIRST_YEAR,
    LAST_YEAR,
    TICK_GROUPS,
    Budget,
    Form,
    FormKind,
    Goal,
    Indicator,
    Recorded,
    SignOff,
    Ticks,
)


class _FormReader:
    """Reads one form sheet.

    ``carry_blanks``: a blank 一级/二级 cell repeats the one above (hand-made sheets). jixiao's
    own sheets merge those cells instead, so for them a blank cell means an empty level.
    """

    def __init__(self, sheet: _Sheet, carry_blanks: bool = True) -> None:
        self.s = sheet
        self.carry_blanks = carry_blanks
        self.kinds: dict[int, str] = {}
        table_left: int | None = None  # leftmost column of the current indicator header
        for r in sorted(sheet.by_row):
            kind = self._kind(r)
            if kind == "header":
                table_left = sheet.first_col(r)
            elif kind in ("info", "signoff", "budget") and table_left is not None and sheet.first_col(r) > table_left:
                # an indicator row under merged 一级 cells whose first text happens to be a label word
                # (or a 二级 such as 预算执行管理, which read as a second 预算执行 block)
                kind = None
            elif kind is not None:
                table_left = None
            if kind:
                self.kinds[r] = kind
        self.sections = sorted(self.kinds)

    # ---- row classification
    def _kind(self, r: int) -> str | None:
        s = self.s
        for c in s.by_row[r]:
            if canon(s.text(r, c)).startswith("一级指标"):
                return "header"
        text = s.text(r, s.first_col(r))
        label, _ = _split_label(text)
        if _goal_label(text)[0]:
            return "goal"
        if canon(text).startswith("预算执行"):
            return "budget"
        if label in TOTAL_LABELS:
            return "total"
        if _is_deviation_label(label):
            return "deviation"
        if label.startswith("改进措施"):
            return "improve"
        if any(label in v for v in SIGNOFF_LABELS.values()):
            return "signoff"
        if label in TICK_LABELS or any(label in v for v in _HEADER_FIELDS.values()):
            return "info"
        return None

    def _block_end(self, r: int) -> int:
        """Last row of the block starting at section row r."""
        later = [x for x in self.sections if x > r]
        return (later[0] - 1) if later else self.s.max_row

    def _rows(self, start: int, end: int) -> list[int]:
        return [r for r in sorted(self.s.by_row) if start <= r <= end]

    def _find(self, aliases: Sequence[str], rows: Sequence[int]) -> tuple[int, int] | None:
        s = self.s
        for r in rows:
            for c in s.by_row.get(r, ()):
                if _split_label(s.text(r, c))[0] in aliases:
                    return r, c
        return None

    # ---- the whole form
    def read(self) -> Form | None:
        """The sheet as a Form; None when it is not a form sheet (no 一级指标 header, no 项目名称)."""
        s = self.s
        free = self._free_rows()
        pn = self._find(_HEADER_FIELDS["project_name"], free)
        if not any(self.kinds[r] == "header" for r in self.sections):
            if pn is None:
                return None  # not a form sheet (e.g. notes)
            raise s.fail(
                "找不到「一级指标」表头行；应有 一级指标 / 二级指标 / 三级指标 / 年初目标值 / 实际完成值 … 的表头"
            )
        if pn is None:
            raise s.fail("找不到「项目名称」；表头部分应有 项目名称 及其内容")
        project_name, _ = s.value_after(*pn)  # empty: named below, or warned about by the engine
        fields = self._header_fields(free)
        title = self._title()
        has_unit_label = self._find(_HEADER_FIELDS["implementing_unit"], free) is not None
        if has_unit_label:
            kind = FormKind.PROJECT
        elif self._find(_HEADER_FIELDS["unit_name"], free) is not None or "整体" in title:
            kind = FormKind.DEPARTMENT
        else:
            kind = FormKind.PROJECT
        department, unit = fields["department"][0], fields["unit"][0]
        if not project_name and kind is FormKind.DEPARTMENT:
            project_name = department or unit  # a 部门整体支出 form is named after its department
        budget, goals, total, deviation, improvement = self._sections()
        signoff, ticks = self._signoff(free), self._tick_groups(free)
        return Form(
            project_name=project_name,
            department=department,
            implementing_unit=unit,
            year=self._year(*fields["year"]),
            form_kind=kind,
            rules=fields["rules"][0] or None,
            title=title,
            ticks=Ticks(**ticks),
            budget=budget,
            goals=tuple(goals),
            total_recorded=total,
            deviation_analysis=deviation,
            improvement_measures=improvement,
            signoff=SignOff(**signoff),
        )

    def _free_rows(self) -> list[int]:
        """Rows outside the budget block and the indicator tables: where header and sign-off labels are."""
        s = self.s
        free = [r for r in sorted(s.by_row) if self.kinds.get(r) in ("info", "signoff", None)]
        table_rows: set[int] = set()
        for r in self.sections:
            if self.kinds[r] in ("header", "budget"):
                table_rows.update(self._rows(r + 1, self._block_end(r)))
        return [r for r in free if r not in table_rows]

    def _header_fields(self, free: list[int]) -> dict[str, tuple[str, tuple[int, int] | None]]:
        """主管部门, the unit (项目实施单位, else 单位名称), 规则集 and 年度: each text and where it sits."""
        s = self.s

        def header(key: str) -> tuple[str, tuple[int, int] | None]:
            at = self._find(_HEADER_FIELDS[key], free)
            if at is None:
                return "", None
            value, col = s.value_after(*at)
            return value, (at[0], col) if col else None

        department = header("department")
        unit = header("implementing_unit")
        if self._find(_HEADER_FIELDS["implementing_unit"], free) is None:
            unit = header("unit_name")
        rules = header("rules")
        return {"department": department, "unit": unit, "rules": rules, "year": header("year")}

    def _sections(self) -> tuple[Budget, list[Goal], Decimal | None, str, str]:
        """The budget block, the goals with their tables, 总分 and the two narratives, in sheet order."""
        s = self.s
        budget = Budget()
        total: Decimal | None = None
        deviation = improvement = ""
        pending: dict[str, Any] | None = None  # the goal being collected
        collected: list[dict[str, Any]] = []
        for r in self.sections:
            kind_r = self.kinds[r]
            if kind_r == "budget":
                budget = self._budget(r, self._block_end(r))
            elif kind_r == "goal":
                pending = self._goal(r)
                collected.append(pending)
            elif kind_r == "header":
                if pending is None:  # a table without a 年度绩效目标 row above it
                    pending = {"text": "", "weight": None, "indicators": [], "implicit": True}
                    collected.append(pending)
                pending["indicators"].extend(self._table(r, self._block_end(r)))
            elif kind_r == "total":
                _, col = s.value_after(r, s.first_col(r), stop_at_labels=False)
                total = s.number(r, col, "总分")
            elif kind_r in ("deviation", "improve"):
                text, _ = s.value_after(r, s.first_col(r), stop_at_labels=False)
                if kind_r == "deviation":
                    deviation = text
                else:
                    improvement = text
        goals = [
            Goal(text=g["text"], weight=g["weight"], indicators=tuple(g["indicators"]))
            for g in collected
            if not (g.get("implicit") and not g["indicators"])
        ]
        return budget, goals, total, deviation, improvement

    def _signoff(self, free: list[int]) -> dict[str, str]:
        s = self.s
        signoff = {}
        for key, aliases in SIGNOFF_LABELS.items():
            at = self._find(aliases, free)
            signoff[key] = s.value_after(*at)[0] if at else ""
        return signoff

    def _tick_groups(self, free: list[int]) -> dict[str, tuple[str, ...]]:
        ticks = {}
        for label, key in TICK_LABELS.items():
            at = self._find((label,), free)
            ticks[key] = self._ticks(key, *at) if at else ()
        return ticks

    def _title(self) -> str:
        s = self.s
        first_section = self.sections[0] if self.sections else s.max_row + 1
        for r in self._rows(1, first_section - 1):
            for c in s.by_row[r]:
                text = s.text(r, c)
                if text and not re.fullmatch(r"[（(].*[)）]", text, re.S):
                    return text
        return ""

    def _year(self, text: str, at: tuple[int, int] | None) -> int | None:
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?度?", nfkc(text).strip())
        year = int(m.group(1)) if m else None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            r, c = at if at else (None, None)
            raise self.s.fail("年度应为四位年份，如 2024", r, c, text)
        return year

    def _ticks(self, key: str, r: int, c: int) -> tuple[str, ...]:
        s = self.s
        _, inline = _split_label(s.text(r, c))
        parts = [inline] if inline else []
        parts += [s.text(r, c2) for c2 in s.right_of(r, c)]
        text = " ".join(parts)
        has_boxes = any(mark in text for mark in (*_TICKED, *_UNTICKED))
        # "☑部门预算项目 ☐区级专项" puts the box before its option; "部门预算项目√ 区级专项□" after it.
        box_first = text.lstrip().startswith((*_TICKED, *_UNTICKED))
        ticked = []
        for option in TICK_GROUPS[key]:
            pos, name = text.find(option), option
            if pos < 0 and option.endswith("项目"):
                name = option[: -len("项目")]
                pos = text.find(name)
            if pos < 0:
                continue
            before = text[:pos].rstrip()
            after = text[pos + len(name) :].lstrip()
            if name != option and after.startswith("项目"):
                after = after[2:].lstrip()
            if not has_boxes or (before.endswith(_TICKED) if box_first else after.startswith(_TICKED)):
                ticked.append(option)
        return tuple(ticked)

    def _goal(self, r: int) -> dict[str, Any]:
        s = self.s
        c = s.first_col(r)
        text = s.text(r, c)
        _, bracket, inline = _goal_label(text)
        weight = None
        b = _WS.sub("", bracket)
        if b.endswith("分"):
            try:
                weight = Decimal(b[:-1])
            except InvalidOperation:
                raise s.fail("目标分值应为数字，如「年度绩效目标 1（80分）」", r, c, text) from None
        goal_text = inline or s.value_after(r, c, stop_at_labels=False)[0]
        return {"text": goal_text, "weight": weight, "indicators": []}

    def _budget(self, start: int, end: int) -> Budget:
        s = self.s
        label_col = next(c for c in s.by_row[start] if canon(s.text(start, c)).startswith("预算执行"))
        raw_label = nfkc(s.text(start, label_col))
        m = re.search(r"\(\s*([0-9.]+)\s*分\s*\)", raw_label)
        block_weight = Decimal(m.group(1)) if m else None
        rows = self._rows(start, end)
        head_row, cols = self._budget_head(rows, (start, label_col))
        if head_row is None:
            return self._budget_inline(rows, block_weight, (start, label_col))
        data = [r for r in rows if r > head_row]
        mapped = set(cols.values())

        def label_of(r: int) -> tuple[str, int | None]:
            for c in s.by_row[r]:
                if c not in mapped and (r, c) != (start, label_col):
                    return s.text(r, c), c
            return "", None

        main = data[0] if data else None
        b: dict[str, Any] = {"label": "年度财政资金总额", "weight": block_weight}
        if main is not None:
            label, _ = label_of(main)
            if label:
                b["label"] = label
            for key, what in (("initial", "年初预算数"), ("planned", "预算数"), ("executed", "执行数")):
                b[key] = s.number(main, cols.get(key), what, "万元")
            b["rate_text"] = s.text(main, cols["rate"]) if "rate" in cols else ""
            if "weight" in cols and s.text(main, cols["weight"]):
                b["weight"] = s.number(main, cols["weight"], "预算执行分值")
            score = s.number(main, cols.get("score"), "预算执行得分")
            reason = s.text(main, cols["reason"]) if "reason" in cols else ""
            b["recorded"] = self._recorded(score, reason, main, cols.get("reason"))
        for r in data[1:]:
            label, lc = label_of(r)
            sub = next((k for word, k in BUDGET_SUBROWS if word in canon(label)), None)
            if sub is None:
                raise s.fail(
                    "不认识的预算行；应为 其中：财政拨款 / 上年结转 / 其他资金 / 基本支出总额 / 项目支出总额",
                    r,
                    lc or s.by_row[r][0],
                    label or s.text(r, s.by_row[r][0]),
                )
            col = next(
                (cols[k] for k in ("planned", "initial", "executed") if k in cols and s.text(r, cols[k])),
                None,
            )
            if col is None:
                col = next((c for c in s.by_row[r] if c != lc), None)
            b[sub] = s.number(r, col, label, "万元")
        return Budget(**b)

    def _budget_head(self, rows: list[int], label_at: tuple[int, int]) -> tuple[int | None, dict[str, int]]:
        """The budget block's header row and its columns; None when the labels sit beside their values."""
        s = self.s
        for r in rows:
            found: dict[str, int] = {}
            for c in s.by_row[r]:
                if (r, c) == label_at:
                    continue
                key = budget_key(canon(s.text(r, c)))
                if key and key not in found:
                    found[key] = c
            if "planned" in found and "executed" in found:
                # In a header row the labels sit side by side and the values below them;
                # in the printed Hubei style each label is followed by its value.
                nxt = s.right_of(r, found["planned"])
                if not nxt or budget_key(canon(s.text(r, nxt[0]))) is not None:
                    return r, found
                return None, {}
        return None, {}

    def _budget_inline(self, rows: list[int], block_weight: Decimal | None, label_at: tuple[int, int]) -> Budget:
        """Hubei printed style: 预算数： | 20 | 执行数： | 24.7 | 执行率： | 123.5% | 得分 | 20 side by side."""
        s = self.s
        found: dict[str, tuple[int, int | None, str]] = {}
        for r in rows:
            for c in s.by_row[r]:
                if (r, c) == label_at:
                    continue
                key = budget_key(_split_label(s.text(r, c))[0])
                if key and key not in found:
                    value, col = s.value_after(r, c)
                    if budget_key(_split_label(value)[0]) is not None:
                        value, col = "", None
                    found[key] = (r, col, value)

        def num(key: str, what: str, suffix: str) -> Decimal | None:
            if key not in found:
                return None
            r, col, _ = found[key]
            return s.number(r, col, what, suffix)

        weight = num("weight", "预算执行分值", "分")
        score = num("score", "预算执行得分", "分")
        reason_at = found.get("reason")
        return Budget(
            planned=num("planned", "预算数", "万元"),
            executed=num("executed", "执行数", "万元"),
            initial=num("initial", "年初预算数", "万元"),
            rate_text=found["rate"][2] if "rate" in found else "",
            weight=weight if weight is not None else block_weight,
            recorded=self._recorded(
                score,
                reason_at[2] if reason_at else "",
                reason_at[0] if reason_at else 0,
                reason_at[1] if reason_at else None,
            ),
        )

    def _recorded(self, score: Decimal | None, reason: str, r: int, c: int | None) -> Recorded | None:
        if score is None:
            if reason:
                raise self.s.fail("写了得分理由却没有得分", r, c, reason)
            return None
        return Recorded(score, reason)

    def _table(self, head: int, end: int) -> list[Indicator]:
        s = self.s
        cols: dict[str, int] = {}
        for c in range(1, s.max_col + 1):
            key = indicator_key(canon(s.resolved(head, c)))
            if key and key not in cols:
                cols[key] = c
        if "name" not in cols:
            raise s.fail("表头行缺少「三级指标」列", head)

        def cell(r: int, key: str) -> str:
            return s.text(r, cols[key]) if key in cols else ""

        out: list[Indicator] = []
        prev1 = prev2 = ""
        for r in self._rows(head + 1, end):
            l1 = s.resolved(r, cols["level1"]) if "level1" in cols else ""
            l2 = s.resolved(r, cols["level2"]) if "level2" in cols else ""
            l1, l2 = _WS.sub("", l1), _WS.sub("", l2)
            if self.carry_blanks:  # blank 一级/二级 cells continue the group above, as merged cells do
                l1 = l1 or prev1
                if not l2 and l1 == prev1:
                    l2 = prev2
            prev1, prev2 = l1, l2
            name = cell(r, "name")
            rest = [
                cell(r, k) for k in ("target", "actual", "weight", "score", "reason", "deviation", "adjusted_target")
            ]
            if not name and not any(rest):
                continue
            if canon(name) in ("合计", "小计", "总计") or (not name and canon(l1) in ("合计", "小计", "总计")):
                continue
            if not name:
                raise s.fail("三级指标名称不能为空", r, cols["name"], "")
            direction_text = cell(r, "direction")
            direction = _DIRECTION_IN.get(direction_text.lower() if direction_text.isascii() else direction_text)
            if direction is None:
                raise s.fail("指标方向应为 正向 / 反向 / 等于 / 定性（或留空）", r, cols["direction"], direction_text)
            score = s.number(r, cols.get("score"), "得分")
            out.append(
                Indicator(
                    level1=l1,
                    level2=l2,
                    name=name,
                    target=cell(r, "target"),
                    actual=cell(r, "actual"),
                    weight=s.number(r, cols.get("weight"), "分值"),
                    recorded=self._recorded(score, cell(r, "reason"), r, cols.get("reason")),
                    adjusted_target=cell(r, "adjusted_target"),
                    deviation=cell(r, "deviation"),
                    direction=direction,
                )
            )
        return out
