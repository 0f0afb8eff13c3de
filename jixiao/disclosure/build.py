"""Building the Form from what was read, with the notes that say how."""

from __future__ import annotations

import dataclasses
import re

from jixiao.disclosure.lines import _ranges, derive_weights
from jixiao.disclosure.read_budget import _BudgetReading
from jixiao.disclosure.report import empty_fields
from jixiao.disclosure.text import (
    squeeze,
)
from jixiao.form_labels import canon, nfkc
from scorer.model import Budget, Form, FormKind, Goal, Recorded, SignOff, Ticks

DEPARTMENT_PROJECT_NAME = "部门整体支出"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


class _FormBuilding(_BudgetReading):
    """Turns what was read into a Form; each step notes what it decided, in the order of the form."""

    def _build(self) -> Form:
        kind = self._kind()
        project_name = self._project_name(kind)
        implementing, department_name = self._units(kind)
        scored = self.scored_block or self.table_scored
        budget = self._budget_block(scored)
        goals = self._goals(scored)
        rules = self._rules()
        if self.skipped:
            self.note(f"表后第 {_ranges(self.skipped)} 行不属于本表，已跳过")
        form = Form(
            project_name=project_name,
            department=department_name,
            implementing_unit=implementing,
            year=self._year(),
            form_kind=kind,
            rules=rules,
            title=self.title,
            ticks=Ticks(**{k: tuple(v) for k, v in self.ticks.items()}),
            budget=budget,
            goals=tuple(goals),
            total_recorded=self.total,
            deviation_analysis=self.narratives.get("deviation_analysis", ""),
            improvement_measures=self.narratives.get("improvement_measures", ""),
            signoff=SignOff(**self.signoff),
        )
        self.report.empty_fields = empty_fields(
            form,
            scored,
            printed_ticks=set(self.ticks),
            national=self.national,
            printed_narratives=set(self.narratives),
        )
        return form

    def _kind(self) -> FormKind:
        department = "整体" in canon(self.title) or self.department_hint or "部门整体" in canon(self.budget_label)
        if "project_name" in self.fields and "整体" not in canon(self.title):
            department = False  # a 项目名称 row makes it a project form
        return FormKind.DEPARTMENT if department else FormKind.PROJECT

    def _project_name(self, kind: FormKind) -> str:
        project_name = self.fields.get("project_name", "")
        if kind is FormKind.DEPARTMENT:
            if not project_name:
                project_name = DEPARTMENT_PROJECT_NAME
                self.report.notes.insert(
                    0, f"部门整体支出绩效自评表没有「项目名称」：项目名称记为「{DEPARTMENT_PROJECT_NAME}」"
                )
        elif not project_name and self.subtitle:
            project_name = self.subtitle
            self.note(f"表上没有「项目名称」栏：项目名称取自表题下的括注「{self.subtitle}」")
        elif project_name and self.subtitle and squeeze(project_name) != squeeze(self.subtitle):
            self.note(f"「项目名称」{project_name} 与表题下的括注「{self.subtitle}」不同，取「项目名称」")
        return project_name

    def _units(self, kind: FormKind) -> tuple[str, str]:
        """(项目实施单位, 主管部门), each from its own row or, where the form has none, from 单位名称."""
        unit_name = self.fields.get("unit_name", "")
        implementing = self.fields.get("implementing_unit", "") or unit_name
        if not self.fields.get("implementing_unit") and unit_name and kind is FormKind.PROJECT:
            self.note("「项目实施单位」取自「单位名称」")
        department_name = self.fields.get("department", "")
        if not department_name and kind is FormKind.DEPARTMENT and unit_name:
            department_name = unit_name
            self.note("部门整体表没有「主管部门」栏：主管部门即「单位名称」所填的部门本身")
        return implementing, department_name

    def _year(self) -> int | None:
        for text in (self.title, self.year_text):
            m = _YEAR.search(nfkc(text)) or re.fullmatch(r"\s*((?:19|20)\d{2})\s*", nfkc(text))
            if m:
                return int(m.group(1))
        return None

    def _budget_block(self, scored: bool) -> Budget:
        budget_weight = self.budget.get("weight")
        if budget_weight is None and self.budget_weight_label is not None:
            if scored:
                budget_weight = self.budget_weight_label
            else:
                self.note(
                    f"预算执行情况表头印有「({self.budget_weight_label}分)」，但表上没有得分栏，"
                    "按未评分表处理，未采用此分值"
                )
        score = self.budget.get("score")
        if not self.budget_label and self.budget_main_seen:
            self.note("预算执行情况的金额行没有名称，记为「年度财政资金总额」")
        return Budget(
            label=self.budget_label or "年度财政资金总额",
            planned=self.budget.get("planned"),
            executed=self.budget.get("executed"),
            rate_text=self.budget.get("rate_text", ""),
            initial=self.budget.get("initial"),
            weight=budget_weight,
            recorded=Recorded(score) if score is not None else None,
            fiscal=self.budget.get("fiscal"),
            carryover=self.budget.get("carryover"),
            other=self.budget.get("other"),
            basic_expenditure=self.budget.get("basic_expenditure"),
            project_expenditure=self.budget.get("project_expenditure"),
        )

    def _goals(self, scored: bool) -> list[Goal]:
        goals: list[Goal] = []
        for g in self.goals:
            weight = g.weight
            if weight is not None and not scored:
                self.note(f"年度绩效目标印有分值 {weight}，但表上没有得分栏，按未评分表处理，未采用此分值")
                weight = None
            if not g.indicators and not g.text:
                continue
            goals.append(Goal(text=g.text, weight=weight, indicators=tuple(g.indicators)))
        if scored and any(ind.weight is None for goal in goals for ind in goal.indicators):
            goals = [self._derived(gi, goal) for gi, goal in enumerate(goals)]
        return goals

    def _derived(self, gi: int, goal: Goal) -> Goal:
        """A goal whose rows print a score but no weight: weights by derive_weights's rule, noted as such."""
        derived = derive_weights(goal)
        if derived is None:
            self.note(
                f"年度绩效目标 {gi + 1}：表上只有得分栏、没有分值栏，各指标的分值没有印出，"
                "也不能按推定规则得出（见 derive_weights），故留空；计分时由规则集分配"
            )
            return goal
        self.note(
            f"年度绩效目标 {gi + 1}：表上只有得分栏、没有分值栏；各指标分值按规则推定为 "
            + "、".join(str(w) for w in derived)
            + f"（得分等于最常见得分的行以该得分为分值，高于它的行以自身得分为分值，其余行按最常见得分计；"
            f"合计 {sum(derived)} 分与目标分值 {goal.weight} 分一致）。这是推定，不是表上印出的，请核对"
        )
        return Goal(
            text=goal.text,
            weight=goal.weight,
            indicators=tuple(
                dataclasses.replace(ind, weight=w) for ind, w in zip(goal.indicators, derived, strict=True)
            ),
        )

    def _rules(self) -> str | None:
        rules = "national-2020" if self.national else ("hubei-2020" if self.hubei else None)
        if rules:
            self.report.layout = "national" if self.national else "hubei"
            self.note(
                f"版式：{'财政部附件（年初预算数/全年预算数/分值）' if self.national else '湖北（预算数 (A)/执行数 (B)）'}，"
                f"规则集记为 {rules}"
            )
        else:
            self.note("未能判断版式，未指定规则集")
        return rules
