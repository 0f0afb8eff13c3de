"""Rule sets: named, versioned scoring rules kept as TOML data files.

Province- and year-specific differences live in ``scorer/rulesets/*.toml``;
the engine reads only the values defined here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scorer.errors import JixiaoError
from scorer.formulas import FORMULAS
from scorer.frozen import FrozenValue

DEFAULT_RULES = "national-2020"
DEPARTMENT_RULES = "department-2020"
# 一级 names of the 部门整体支出 framework (投入/过程/产出/效果 and the provinces' words for them)
_FRAMEWORK_LEVEL1 = frozenset({"投入", "过程", "效果", "决策", "管理", "结果", "投入指标", "过程指标", "效果指标"})


def rules_name_for(form: Any) -> str:
    """The rule set a form is scored under when it names none: the one place for that default.

    A 部门整体支出 form written in the department framework (投入/过程/产出/效果) gets the
    department family; every other form, the national project rules.
    """
    if form.rules:
        return str(form.rules)
    if getattr(getattr(form, "form_kind", None), "value", "") == "department" and any(
        ind.level1.strip() in _FRAMEWORK_LEVEL1 for goal in form.goals for ind in goal.indicators
    ):
        return DEPARTMENT_RULES
    return DEFAULT_RULES


_FORMULAS = {d: {name for dd, name in FORMULAS if dd == d} for d, _ in FORMULAS}  # from scorer/formulas.py
_POSITIONS = {"top", "middle", "bottom"}
_TIERS = ("achieved", "partly", "not_achieved")


class RuleSetError(JixiaoError, ValueError):
    """A rule set that does not exist or does not validate."""


@dataclass(frozen=True, slots=True)
class Band(FrozenValue):
    """A qualitative tier's share of the weight, as fractions, and its default spot."""

    low: Decimal
    high: Decimal
    position: str

    @property
    def default(self) -> Decimal:
        if self.position == "top":
            return self.high
        if self.position == "bottom":
            return self.low
        return (self.low + self.high) / 2


@dataclass(frozen=True, slots=True)
class BudgetCap(FrozenValue):
    """Execution rate in [rate_at_least, rate_below) caps the total at max_total."""

    rate_at_least: Decimal
    rate_below: Decimal
    max_total: Decimal


@dataclass(frozen=True, slots=True)
class Grade(FrozenValue):
    min: Decimal
    grade: str


@dataclass(frozen=True, slots=True)
class RuleSet(FrozenValue):
    name: str
    version: str
    title: str
    layout: str
    total: Decimal
    budget_weight: Decimal
    budget_caps: tuple[BudgetCap, ...]
    weight_mode: str  # "goals" or "level1"
    indicators_total: Decimal
    level1_weights: tuple[tuple[str, Decimal], ...]
    level1_alias: tuple[tuple[str, str], ...]
    missing_level1: str  # "redistribute": a 一级 the form lacks passes its points on; "forfeit": they are lost
    positive_formula: str
    reverse_formula: str
    equal_formula: str
    bands: tuple[tuple[str, Band], ...]
    over_completion: Decimal
    grades: tuple[Grade, ...]
    about_tolerance: Decimal  # 约1000人 / 1000人左右: how far "about" reaches, as a fraction of the number
    source: str = ""
    # 目标审核 (the declaration stage): indicators a declaration must have (matched in 一级/二级 or
    # the name), and when a cost target is "far above" its peers (ratio to their median, how many)
    target_required: tuple[str, ...] = ("成本", "满意度")
    target_required_department: tuple[str, ...] = ()  # a department's declaration (部门整体)
    target_peer_ratio: Decimal = Decimal(2)
    target_peer_min: int = 3
    # 运行监控 (mid-year): the executed share (%) expected by the end of a month, and the indicator
    # pace bands (% of the pro-rata target: red below, yellow below, blue at or above), and the
    # largest gap (points) between spending and target progress
    monitoring_spending: tuple[tuple[int, Decimal], ...] = (
        (4, Decimal(25)),
        (6, Decimal(40)),
        (8, Decimal(60)),
        (10, Decimal(80)),
    )
    pace_red: Decimal = Decimal(60)
    pace_yellow: Decimal = Decimal(80)
    pace_blue: Decimal = Decimal(120)
    monitoring_gap: Decimal = Decimal(10)
    # days after the end of its last month within which a snapshot is due; a snapshot stored later
    # was written after the fact (补记) and says nothing about how the year stood then
    monitoring_due_days: int = 31
    # 评价结果应用: what each grade means for next year's budget (one of RESULT_ACTIONS)
    results: tuple[tuple[str, str], ...] = (("优", "优先保障"), ("良", "保障"), ("中", "压缩"), ("差", "取消"))

    def result_action(self, grade: str) -> str:
        return dict(self.results).get(grade, "")

    def band(self, tier: str) -> Band:
        return dict(self.bands)[tier]

    def grade_for(self, total: Decimal) -> str:
        for g in self.grades:
            if total >= g.min:
                return g.grade
        return self.grades[-1].grade

    def grade_bands_text(self) -> str:
        parts = []
        upper: Decimal | None = None
        for g in self.grades:
            parts.append(f"{g.grade} ≥{g.min}" if upper is None else f"{g.grade} {g.min}–{upper}")
            upper = g.min
        return "，".join(parts)


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise RuleSetError(f"{where}：应为数字，实际为 {value!r}")
    try:
        return Decimal(str(value))
    except Exception:
        raise RuleSetError(f"{where}：应为数字，实际为 {value!r}") from None


# Every key a rule-set file may hold: a table's keys, a list of tables' keys ("[]"), or None for
# a table whose keys are data (一级 names). Anything else is a typo that would switch a rule off.
_SCHEMA: dict[str, Any] = {
    "name": None,
    "version": None,
    "title": None,
    "layout": None,
    "total": None,
    "budget": {"weight": None, "caps": [{"rate_at_least": None, "rate_below": None, "max_total": None}]},
    "weights": {"mode": None, "indicators_total": None, "missing_level1": None, "level1": {}, "level1_alias": {}},
    "formulas": {"positive": None, "reverse": None, "equal": None},
    "qualitative": {
        "achieved": None,
        "partly": None,
        "not_achieved": None,
        "default": {"achieved": None, "partly": None, "not_achieved": None},
    },
    "over_completion": {"threshold": None},
    "estimates": {"about_tolerance": None},
    "grades": [{"min": None, "grade": None}],
    "targets": {"required": None, "required_department": None, "peer_cost_ratio": None, "peer_min": None},
    "monitoring": {
        "spending": {},
        "pace_red": None,
        "pace_yellow": None,
        "pace_blue": None,
        "gap": None,
        "due_days": None,
    },
    "results": {},
}
_MISSING_LEVEL1 = ("redistribute", "forfeit")


def _strict(table: Any, schema: dict[str, Any], source: str, where: str) -> None:
    """Unknown keys are errors, at every depth; a table of data names (schema {}) takes any key."""
    if not isinstance(table, dict):
        raise RuleSetError(f"{source}：{where or '文件'} 应为表")
    if not schema:
        return
    for key, value in table.items():
        if key not in schema:
            raise RuleSetError(f"{source}：未知的键 {where}{key}；可用：{', '.join(schema)}")
        sub = schema[key]
        if isinstance(sub, dict):
            _strict(value, sub, source, f"{where}{key}.")
        elif isinstance(sub, list):
            if not isinstance(value, list):
                raise RuleSetError(f"{source}：{where}{key} 应为表的列表")
            for i, item in enumerate(value):
                _strict(item, sub[0], source, f"{where}{key}[{i}].")


def _need(source: str, table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise RuleSetError(f"{source}：缺少 {where}{key}")
    return table[key]


def build(data: dict[str, Any], source: str) -> RuleSet:
    """Validate parsed TOML and build a RuleSet; errors name the file and key (checked in file order)."""
    _strict(data, _SCHEMA, source, "")
    name = _need(source, data, "name", "")
    budget = _need(source, data, "budget", "")
    weights = _need(source, data, "weights", "")
    formulas = _need(source, data, "formulas", "")
    qual = _need(source, data, "qualitative", "")
    mode = _need(source, weights, "mode", "weights.")
    if mode not in ("goals", "level1"):
        raise RuleSetError(f"{source}：weights.mode = {mode!r}，应为 goals 或 level1")
    for kind, allowed in _FORMULAS.items():
        f = _need(source, formulas, kind, "formulas.")
        if f not in allowed:
            raise RuleSetError(f"{source}：formulas.{kind} = {f!r}，应为 {sorted(allowed)} 之一")
    bands = _bands(source, qual)
    caps = _caps(source, budget)
    grades = _grades(source, data)
    total = _dec(_need(source, data, "total", ""), f"{source}：total")
    budget_weight = _dec(_need(source, budget, "weight", "budget."), f"{source}：budget.weight")
    level1, indicators_total = _indicator_points(source, weights, mode)
    missing_level1 = str(weights.get("missing_level1", "redistribute"))
    if missing_level1 not in _MISSING_LEVEL1:
        raise RuleSetError(
            f"{source}：weights.missing_level1 = {missing_level1!r}，应为 {' 或 '.join(_MISSING_LEVEL1)}"
        )
    if budget_weight + indicators_total != total:
        raise RuleSetError(f"{source}：预算执行分值 {budget_weight} + 指标分值 {indicators_total} ≠ 总分 {total}")
    targets = {**_targets(source, data.get("targets", {})), **_monitoring(source, data.get("monitoring", {}))}
    if "results" in data:
        targets["results"] = _results(source, data["results"], grades)
    over_table = _need(source, data, "over_completion", "")
    over = _dec(over_table.get("threshold", "1.2"), f"{source}：over_completion.threshold")
    return RuleSet(
        name=str(name),
        version=str(_need(source, data, "version", "")),
        title=str(data.get("title", name)),
        layout=str(data.get("layout", "national")),
        total=total,
        budget_weight=budget_weight,
        budget_caps=caps,
        weight_mode=mode,
        indicators_total=indicators_total,
        level1_weights=level1,
        level1_alias=tuple(weights.get("level1_alias", {}).items()),
        missing_level1=missing_level1,
        positive_formula=formulas["positive"],
        reverse_formula=formulas["reverse"],
        equal_formula=formulas["equal"],
        bands=bands,
        over_completion=over,
        grades=grades,
        about_tolerance=_about_tolerance(source, _need(source, data, "estimates", "")),
        source=source,
        **targets,
    )


def _about_tolerance(source: str, table: dict[str, Any]) -> Decimal:
    """[estimates] about_tolerance: percent of the number an "about" estimate may be off, 0 < x < 100."""
    tol = _dec(_need(source, table, "about_tolerance", "estimates."), f"{source}：estimates.about_tolerance")
    if not 0 < tol < 100:
        raise RuleSetError(f"{source}：estimates.about_tolerance = {tol}，应大于 0 且小于 100（百分数）")
    return tol / 100


def _targets(source: str, table: dict[str, Any]) -> dict[str, Any]:
    """[targets]: what target review asks of a declaration; absent keys keep the defaults."""
    out: dict[str, Any] = {}
    for key, field in (("required", "target_required"), ("required_department", "target_required_department")):
        if key in table:
            required = table[key]
            if not isinstance(required, list) or not all(isinstance(x, str) and x.strip() for x in required):
                raise RuleSetError(f'{source}：targets.{key} 应为指标名称的列表（如 ["成本", "满意度"]）')
            out[field] = tuple(required)
    if "peer_cost_ratio" in table:
        ratio = _dec(table["peer_cost_ratio"], f"{source}：targets.peer_cost_ratio")
        if ratio <= 1:
            raise RuleSetError(f"{source}：targets.peer_cost_ratio = {ratio}，应大于 1")
        out["target_peer_ratio"] = ratio
    if "peer_min" in table:
        n = table["peer_min"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise RuleSetError(f"{source}：targets.peer_min 应为正整数，实际为 {n!r}")
        out["target_peer_min"] = n
    return out


def _monitoring(source: str, table: dict[str, Any]) -> dict[str, Any]:
    """[monitoring]: the thresholds of the mid-year deviation warnings; absent keys keep the defaults."""
    out: dict[str, Any] = {}
    if "spending" in table:
        months = []
        for key, value in table["spending"].items():
            if not str(key).isdigit() or not 1 <= int(key) <= 12:
                raise RuleSetError(f"{source}：未知的键 monitoring.spending.{key}；键应为 1–12 的月份")
            share = _dec(value, f"{source}：monitoring.spending.{key}")
            if not 0 <= share <= 100:
                raise RuleSetError(f"{source}：monitoring.spending.{key} = {share}，应在 0–100 之间（百分数）")
            months.append((int(key), share))
        out["monitoring_spending"] = tuple(sorted(months))
    for key, field in (
        ("pace_red", "pace_red"),
        ("pace_yellow", "pace_yellow"),
        ("pace_blue", "pace_blue"),
        ("gap", "monitoring_gap"),
    ):
        if key in table:
            out[field] = _dec(table[key], f"{source}：monitoring.{key}")
    if "due_days" in table:
        days = table["due_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 366:
            raise RuleSetError(f"{source}：monitoring.due_days = {days!r}，应为 0–366 的整数（天）")
        out["monitoring_due_days"] = days
    red, yellow, blue = (
        out.get(k, RuleSet.__dataclass_fields__[k].default) for k in ("pace_red", "pace_yellow", "pace_blue")
    )
    if not red <= yellow <= 100 <= blue:
        raise RuleSetError(
            f"{source}：monitoring 应满足 pace_red ≤ pace_yellow ≤ 100 ≤ pace_blue，实际为 {red} / {yellow} / {blue}"
        )
    return out


#: The actions a grade can have on next year's budget; 压缩 and 取消 forbid a larger request.
RESULT_ACTIONS = ("优先保障", "保障", "压缩", "取消")


def _results(source: str, table: dict[str, Any], grades: tuple[Grade, ...]) -> tuple[tuple[str, str], ...]:
    """[results]: each of the rule set's grades → one of RESULT_ACTIONS."""
    names = [g.grade for g in grades]
    for grade, action in table.items():
        if grade not in names:
            raise RuleSetError(f"{source}：未知的键 results.{grade}；键应为本规则集的等级：{' / '.join(names)}")
        if action not in RESULT_ACTIONS:
            raise RuleSetError(f"{source}：results.{grade} = {action!r}，应为 {' / '.join(RESULT_ACTIONS)} 之一")
    missing = [g for g in names if g not in table]
    if missing:
        raise RuleSetError(f"{source}：results 缺少等级 {' / '.join(missing)}")
    return tuple((g, str(table[g])) for g in names)


def _bands(source: str, qual: dict[str, Any]) -> tuple[tuple[str, Band], ...]:
    """[qualitative]: each tier's [low, high] percent of the points and where in it the default sits."""
    bands = []
    positions = qual.get("default", {})
    for tier in _TIERS:
        pair = _need(source, qual, tier, "qualitative.")
        if not isinstance(pair, list) or len(pair) != 2:
            raise RuleSetError(f"{source}：qualitative.{tier} 应为 [下限, 上限]（百分数）")
        low, high = (_dec(v, f"{source}：qualitative.{tier}") / 100 for v in pair)
        if not Decimal(0) <= low <= high <= Decimal(1):
            raise RuleSetError(f"{source}：qualitative.{tier} = {pair}，应满足 0 ≤ 下限 ≤ 上限 ≤ 100")
        pos = positions.get(tier, "top")
        if pos not in _POSITIONS:
            raise RuleSetError(f"{source}：qualitative.default.{tier} = {pos!r}，应为 top / middle / bottom")
        bands.append((tier, Band(low, high, pos)))
    return tuple(bands)


def _caps(source: str, budget: dict[str, Any]) -> tuple[BudgetCap, ...]:
    """[[budget.caps]]: an execution rate in [at least, below) caps the total."""
    caps = []
    for i, cap in enumerate(budget.get("caps", [])):
        where = f"{source}：budget.caps[{i}]"
        caps.append(
            BudgetCap(
                rate_at_least=_dec(_need(source, cap, "rate_at_least", f"budget.caps[{i}]."), where) / 100,
                rate_below=_dec(_need(source, cap, "rate_below", f"budget.caps[{i}]."), where) / 100,
                max_total=_dec(_need(source, cap, "max_total", f"budget.caps[{i}]."), where),
            )
        )
    return tuple(caps)


def _grades(source: str, data: dict[str, Any]) -> tuple[Grade, ...]:
    """[[grades]], highest first; at least one."""
    grades = sorted(
        (
            Grade(
                _dec(_need(source, g, "min", f"grades[{i}]."), f"{source}：grades[{i}].min"),
                str(_need(source, g, "grade", "grades.")),
            )
            for i, g in enumerate(_need(source, data, "grades", ""))
        ),
        key=lambda g: -g.min,
    )
    if not grades:
        raise RuleSetError(f"{source}：grades 不能为空")
    return tuple(grades)


def _indicator_points(
    source: str, weights: dict[str, Any], mode: str
) -> tuple[tuple[tuple[str, Decimal], ...], Decimal]:
    """The 一级 weights, and the indicators' total: their sum (mode level1) or indicators_total (goals)."""
    level1 = tuple((k, _dec(v, f"{source}：weights.level1.{k}")) for k, v in weights.get("level1", {}).items())
    if mode == "level1":
        if not level1:
            raise RuleSetError(f"{source}：weights.mode = level1 时需要 [weights.level1]")
        return level1, sum((v for _, v in level1), Decimal(0))
    total = _dec(_need(source, weights, "indicators_total", "weights."), f"{source}：weights.indicators_total")
    return level1, total


def load_file(path: Path) -> RuleSet:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise RuleSetError(f"{path}：无法读取（{exc.strerror}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{path}：TOML 语法错误：{exc}") from None
    return build(data, str(path))


def available() -> list[str]:
    """Names of the built-in rule sets."""
    folder = resources.files("scorer") / "rulesets"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


@cache
def load(name: str) -> RuleSet:
    """A built-in rule set by name, or a rule set file by path."""
    if name.endswith(".toml") or "/" in name:
        return load_file(Path(name))
    if name not in available():
        raise RuleSetError(f"未知规则集「{name}」；可用：{', '.join(available())}")
    res = resources.files("scorer") / "rulesets" / f"{name}.toml"
    data = tomllib.loads(res.read_text(encoding="utf-8"), parse_float=Decimal)
    rs = build(data, f"scorer/rulesets/{name}.toml")
    if rs.name != name:
        raise RuleSetError(f"scorer/rulesets/{name}.toml：name = {rs.name!r} 与文件名不符")
    return rs


def rules_for(form: Any, override: RuleSet | None = None) -> RuleSet:
    """The rule set a form is scored under: the caller's override, else the one the form names or
    its kind implies (``rules_name_for``). RuleSetError when that name is not a rule set."""
    return override or load(rules_name_for(form))
