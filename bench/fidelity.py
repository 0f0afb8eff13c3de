"""How faithfully jixiao reads real published forms: the corpus in tests/corpus, measured.

    python bench/fidelity.py            # writes docs/fidelity.md and prints the summary
    python bench/fidelity.py --check    # prints only; exit 1 when a ratchet is broken

Every corpus form is a real self-evaluation form transcribed cell by cell; each row carries the
status a careful reader gives (``_status``) and the score the unit published (``score``). This
module scores each form with the engine and compares, row by row. The comparison is kept apart
from the test (tests/test_corpus.py) so that the test and the report agree by construction.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import form_from_dict, parse_text  # noqa: E402
from scorer.numbers import q2  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
RAW = CORPUS / "raw"
KNOWN = CORPUS / "known_disagreements.toml"
DOC = ROOT / "docs" / "fidelity.md"

# The words a reader may give a row: jixiao's own status labels (scorer.result.Status).
READER_STATUSES = ("达成", "部分达成", "未达成", "待判断", "未填报")
META_KEYS = ("source", "province", "year", "unit", "kind", "layout", "complete")

# The misread classes of issue #16, and the causes that are not a misread of jixiao's.
CLASSES: dict[str, str] = {
    "1": "裸数丢了另一侧的量级/单位",
    "2": "未知的计量单位（量词）",
    "3": "方向关键词误判",
    "4": "目录缺少部门整体共性指标",
    "5": "印在目标里的定性等级未被理解",
    "6": "父行与子行",
    "7": "不可能的目标值/完成值（OCR）未被标出",
    "8": "预算块忽略表上印的执行率",
    "9": "部门整体表按项目规则计分",
    "10": "无项目名称的表被拒",
    "vocab": "定性用语或比较词不在词表中（如「及其以下」、定性目标配百分比完成值）",
    "unit": "单位自己的判断（规则分与记录分不同，非误读）",
    "rules": "本表的计分口径与所用规则集不同（舍入、档位、分值结构）",
    "source": "原文读不清或缺格，无法逐格比对",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator row: what the reader says, what the unit published, what jixiao computes."""

    form: str
    name: str
    target: str
    actual: str
    expected: str  # the reader's status
    computed: str  # jixiao's status label
    published: Decimal | None
    score: Decimal | None
    why: str  # the engine's last explanation line

    @property
    def status_wrong(self) -> bool:
        return self.expected != self.computed

    @property
    def score_equal(self) -> bool:
        return self.published is not None and self.score is not None and q2(self.published) == q2(self.score)

    @property
    def score_differs(self) -> bool:
        return self.published is not None and not self.score_equal

    @property
    def key(self) -> tuple[str, str]:
        return (self.form, self.name)


@dataclass(frozen=True, slots=True)
class FormFacts:
    form: str
    province: str
    year: int
    kind: str
    complete: bool
    rows: int
    total_published: Decimal | None
    total_computed: Decimal
    budget_published: Decimal | None
    budget_computed: Decimal | None

    @property
    def budget_differs(self) -> bool:
        """The unit's budget score and the rule's differ (at 2 decimals)."""
        if self.budget_published is None:
            return False
        return self.budget_computed is None or q2(self.budget_published) != q2(self.budget_computed)


@dataclass(frozen=True, slots=True)
class Known:
    """An entry of known_disagreements.toml: a row that disagrees today, and why."""

    form: str
    indicator: str
    kind: str  # "status", "score" or "status+score"
    cls: str  # a key of CLASSES
    why: str


@dataclass(frozen=True, slots=True)
class Fidelity:
    forms: tuple[FormFacts, ...]
    rows: tuple[Row, ...]

    @property
    def provinces(self) -> list[str]:
        return sorted({f.province for f in self.forms})

    @property
    def years(self) -> list[int]:
        return sorted({f.year for f in self.forms})

    @property
    def wrong(self) -> list[Row]:
        return [r for r in self.rows if r.status_wrong]

    @property
    def judgement(self) -> int:
        return sum(1 for r in self.rows if r.computed == "待判断")

    @property
    def judgement_share(self) -> Decimal:
        return Decimal(self.judgement) / Decimal(len(self.rows)) if self.rows else Decimal(0)

    @property
    def published(self) -> list[Row]:
        return [r for r in self.rows if r.published is not None]

    @property
    def score_equal(self) -> int:
        return sum(1 for r in self.rows if r.score_equal)

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if r.status_wrong or r.score_differs]


def read_corpus_file(path: Path) -> dict[str, Any]:
    """The raw structure of one corpus file (Decimals for numbers, as the form reader uses)."""
    data = parse_text(path.read_text(encoding="utf-8"), str(path), ".toml")
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}：顶层应为表")
    return data


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.toml") if p.name != KNOWN.name)


def _raw_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [ind for goal in data.get("goals", []) for ind in goal.get("indicators", [])]


def measure_form(path: Path) -> tuple[FormFacts, list[Row]]:
    data = read_corpus_file(path)
    meta = data["_corpus"]
    result = score_form(form_from_dict(data, str(path)))
    rows = []
    for raw, r in zip(_raw_rows(data), result.indicators, strict=True):
        explanation = r.explanation
        rows.append(
            Row(
                form=path.stem,
                name=r.indicator.name,
                target=r.indicator.target,
                actual=r.indicator.actual,
                expected=raw["_status"],
                computed=r.status.label,
                published=r.recorded.score if r.recorded else None,
                score=r.score,
                why=explanation[-1] if explanation else "",
            )
        )
    b = result.budget
    facts = FormFacts(
        form=path.stem,
        province=meta["province"],
        year=int(meta["year"]),
        kind=meta["kind"],
        complete=bool(meta["complete"]),
        rows=len(rows),
        total_published=result.form.total_recorded,
        total_computed=result.total_computed,
        budget_published=b.recorded.score if b.recorded else None,
        budget_computed=b.score,
    )
    return facts, rows


def measure() -> Fidelity:
    forms: list[FormFacts] = []
    rows: list[Row] = []
    for path in corpus_files():
        facts, form_rows = measure_form(path)
        forms.append(facts)
        rows.extend(form_rows)
    return Fidelity(tuple(forms), tuple(rows))


BUDGET = "（预算执行）"  # the indicator name a budget entry is keyed by


def load_known() -> tuple[dict[tuple[str, str], Known], dict[str, Any]]:
    """The known disagreements by (form, indicator), and the ratchet numbers.

    ``[[row]]`` entries are indicator rows; ``[[budget]]`` entries are a form's budget block,
    keyed by (form, BUDGET).
    """
    data = tomllib.loads(KNOWN.read_text(encoding="utf-8"), parse_float=Decimal)
    known: dict[tuple[str, str], Known] = {}
    for entry in data.get("row", []):
        k = Known(entry["form"], entry["indicator"], entry["kind"], str(entry["class"]), entry["why"])
        known[(k.form, k.indicator)] = k
    for entry in data.get("budget", []):
        k = Known(entry["form"], BUDGET, "score", str(entry["class"]), entry["why"])
        known[(k.form, BUDGET)] = k
    return known, data["ratchet"]


def kind_of(row: Row) -> str:
    parts = [p for p, on in (("status", row.status_wrong), ("score", row.score_differs)) if on]
    return "+".join(parts)


def ratchet_problems(fid: Fidelity, known: dict[tuple[str, str], Known], ratchet: dict[str, Any]) -> list[str]:
    """Everything that got worse than the recorded state; empty when the corpus holds."""
    out = []
    if len(fid.wrong) > ratchet["wrong_status_max"]:
        out.append(f"状态错误 {len(fid.wrong)} 行，超过上限 {ratchet['wrong_status_max']}")
    if fid.judgement_share > Decimal(str(ratchet["judgement_share_max"])):
        out.append(f"待判断占比 {fid.judgement_share:.4f}，超过上限 {ratchet['judgement_share_max']}")
    if fid.score_equal < ratchet["score_equal_min"]:
        out.append(f"得分与表上一致的只有 {fid.score_equal} 行，少于下限 {ratchet['score_equal_min']}")
    for row in fid.disagreements:
        k = known.get(row.key)
        if k is None:
            out.append(f"新的不一致：{row.form}「{row.name}」（{kind_of(row)}）：{row.why}")
        elif row.status_wrong and "status" not in k.kind:
            out.append(f"新的状态错误：{row.form}「{row.name}」应为{row.expected}，算得{row.computed}")
    for f in fid.forms:
        if f.budget_differs and (f.form, BUDGET) not in known:
            out.append(f"新的预算得分不一致：{f.form} 表上 {_n(f.budget_published)}，计算 {_n(f.budget_computed)}")
    return out


# ------------------------------------------------------------------ the report


def _pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1'))}%"


def _n(x: Decimal | None) -> str:
    return "—" if x is None else str(q2(x))


def render(fid: Fidelity, known: dict[tuple[str, str], Known], ratchet: dict[str, Any]) -> str:
    rows = len(fid.rows)
    pub = len(fid.published)
    lines = [
        "# 真实自评表的读取保真度（tests/corpus）",
        "",
        "由 `python bench/fidelity.py` 生成，勿手改。语料的来源与约定见 `tests/corpus/README.md`；",
        "已知的不一致及其误读类别在 `tests/corpus/known_disagreements.toml`，`tests/test_corpus.py` 按其中的",
        "上下限做棘轮检查（只许变好）。",
        "",
        "## 总览",
        "",
        "| 项 | 数 |",
        "|---|---|",
        f"| 表 | {len(fid.forms)}（项目 {sum(f.kind == 'project' for f in fid.forms)}，"
        f"部门整体 {sum(f.kind == 'department' for f in fid.forms)}；原文完整取得 {sum(f.complete for f in fid.forms)}） |",
        "| 目标（issue #16） | ≥ 40 张表、≥ 10 个省份；状态错误 0；待判断 ≤ 10% |",
        f"| 省份 | {len(fid.provinces)}：{'、'.join(fid.provinces)} |",
        f"| 年度 | {'、'.join(str(y) for y in fid.years)} |",
        f"| 指标行 | {rows} |",
        f"| 状态错误（与细心读者不同） | {len(fid.wrong)}（目标 0；上限 {ratchet['wrong_status_max']}） |",
        f"| 待判断 | {fid.judgement}，占 {_pct(fid.judgement_share)}（目标 ≤ 10%；上限 {_pct(Decimal(str(ratchet['judgement_share_max'])))}） |",
        f"| 表上印了得分的行 | {pub} |",
        f"| 预算执行得分 表上 = 计算 | {sum(not f.budget_differs for f in fid.forms if f.budget_published is not None)}"
        f" / {sum(f.budget_published is not None for f in fid.forms)} |",
        f"| 计算得分 = 表上得分 | {fid.score_equal}（{_pct(Decimal(fid.score_equal) / pub) if pub else '—'}；下限 {ratchet['score_equal_min']}） |",
        "",
        "## 各表",
        "",
        "| 表 | 省份 | 年度 | 类型 | 行 | 状态错误 | 待判断 | 得分一致/有得分 | 预算 表上/计算 | 总分 表上/计算 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in fid.forms:
        fr = [r for r in fid.rows if r.form == f.form]
        lines.append(
            f"| {f.form} | {f.province} | {f.year} | {'部门' if f.kind == 'department' else '项目'} | {f.rows} | "
            f"{sum(r.status_wrong for r in fr)} | {sum(r.computed == '待判断' for r in fr)} | "
            f"{sum(r.score_equal for r in fr)}/{sum(r.published is not None for r in fr)} | "
            f"{_n(f.budget_published)} / {_n(f.budget_computed)} | {_n(f.total_published)} / {_n(f.total_computed)} |"
        )
    lines += _disagreement_section(fid, known)
    return "\n".join(lines) + "\n"


def _disagreement_section(fid: Fidelity, known: dict[tuple[str, str], Known]) -> list[str]:
    by_class: dict[str, list[Row]] = {}
    for row in fid.disagreements:
        k = known.get(row.key)
        by_class.setdefault(k.cls if k else "?", []).append(row)
    counts = Counter({c: len(v) for c, v in by_class.items()})
    lines = [
        "",
        "## 不一致的行，按原因",
        "",
        "「状态」= jixiao 的状态与细心读者不同；「得分」= 计算得分与表上记录的得分不同。",
        "",
        "| 类 | 原因 | 行数 | 其中状态错误 |",
        "|---|---|---|---|",
    ]
    order = [c for c in CLASSES if c in counts] + (["?"] if "?" in counts else [])
    for c in order:
        wrong = sum(r.status_wrong for r in by_class[c])
        lines.append(f"| {c} | {CLASSES.get(c, '未归类（新的不一致）')} | {counts[c]} | {wrong} |")
    for c in order:
        lines += ["", f"### {c}：{CLASSES.get(c, '未归类（新的不一致）')}", ""]
        lines += ["| 表 | 指标 | 目标 → 完成 | 读者/jixiao | 表上/计算 | 说明 |", "|---|---|---|---|---|---|"]
        for r in by_class[c]:
            k = known.get(r.key)
            why = k.why if k else r.why
            lines.append(
                f"| {r.form} | {_cell(r.name)} | {_cell(r.target)} → {_cell(r.actual)} | {r.expected}/{r.computed} | "
                f"{_n(r.published)} / {_n(r.score)} | {_cell(why)} |"
            )
    lines += ["", "## 预算执行得分不一致的表", "", "| 表 | 表上/计算 | 类 | 说明 |", "|---|---|---|---|"]
    for f in fid.forms:
        if f.budget_differs:
            k = known.get((f.form, BUDGET))
            cls, why = (k.cls, k.why) if k else ("?", "未归类（新的不一致）")
            lines.append(f"| {f.form} | {_n(f.budget_published)} / {_n(f.budget_computed)} | {cls} | {_cell(why)} |")
    current = {r.key for r in fid.disagreements} | {(f.form, BUDGET) for f in fid.forms if f.budget_differs}
    stale = [k for key, k in known.items() if key not in current]
    if stale:
        lines += ["", "## 清单中已不再不一致的行（可从 known_disagreements.toml 删除并收紧上下限）", ""]
        lines += [f"- {k.form}「{k.indicator}」（类 {k.cls}）" for k in stale]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "（空）"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="语料保真度：写 docs/fidelity.md")
    parser.add_argument("--check", action="store_true", help="只检查棘轮，不写文件")
    args = parser.parse_args(argv)
    fid = measure()
    known, ratchet = load_known()
    problems = ratchet_problems(fid, known, ratchet)
    print(
        f"{len(fid.forms)} 张表，{len(fid.provinces)} 个省份，{len(fid.rows)} 行；状态错误 {len(fid.wrong)}；"
        f"待判断 {fid.judgement}（{_pct(fid.judgement_share)}）；得分一致 {fid.score_equal}/{len(fid.published)}"
    )
    for p in problems:
        print(p)
    if not args.check:
        DOC.write_text(render(fid, known, ratchet), encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
