"""The indicator catalog: data, loader, lookup, search and its rich views."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicator_catalog import (
    BUILTIN_LABEL,
    COMPARATORS,
    DIRECTIONS,
    KINDS,
    LEVEL1,
    LEVEL2,
    RANK_KINDS,
    Catalog,
    CatalogError,
    Entry,
    builtin_path,
    check_file,
    default_catalog,
    load_catalog,
    normalise,
)
from indicator_catalog.model import BUILTIN_SOURCES, DEPARTMENT_LEVEL1, PROJECT_LEVEL1

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.toml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def raw_builtin() -> dict:
    with builtin_path().open("rb") as fh:
        return tomllib.load(fh)


def seed_names() -> list[str]:
    names: list[str] = []
    for path in SAMPLES:
        with path.open("rb") as fh:
            form = tomllib.load(fh)
        indicators = list(form.get("indicators", []))
        for goal in form.get("goals", []):
            indicators.extend(goal.get("indicators", []))
        names.extend(ind["name"] for ind in indicators)
    return sorted(set(names))


# --------------------------------------------------------------------------- helpers for files
GOOD = {
    "name": "测试指标",
    "aliases": [],
    "level1": "产出指标",
    "level2": "数量指标",
    "direction": "positive",
    "kind": "count",
    "unit": "户",
    "comparator": ">=",
    "definition": "测试用的指标",
    "source": "local",
}


def entry_toml(fields: dict) -> str:
    lines = ["[[indicator]]"]
    for key, value in fields.items():
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines)


def write_catalog(directory: Path, *entries: dict, filename: str = "bad.toml", version: str | None = "1") -> Path:
    head = f'version = "{version}"\n\n' if version is not None else ""
    path = directory / filename
    path.write_text(head + "\n\n".join(entry_toml(e) for e in entries) + "\n", encoding="utf-8")
    return path


def good(**changes) -> dict:
    entry = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


# --------------------------------------------------------------------------- the data itself
def test_builtin_file_has_no_problems_including_units():
    # check_file also checks every unit against scorer.units (load_catalog skips that for speed)
    assert check_file(builtin_path()) == []


def test_catalog_size_and_version(catalog):
    assert raw_builtin()["version"] == "1"
    assert len(catalog) >= 220
    assert catalog.version == "1"


def test_names_and_aliases_are_unique_after_normalising():
    seen: dict[str, str] = {}
    for entry in raw_builtin()["indicator"]:
        for key in [entry["name"], *entry.get("aliases", [])]:
            k = normalise(key)
            assert k not in seen, f"「{key}」 of 「{entry['name']}」 already used by 「{seen[k]}」"
            seen[k] = entry["name"]


def test_every_entry_has_valid_enums_and_known_units(catalog):
    from scorer.units import is_known

    for e in catalog:
        assert e.level1 in LEVEL1, e
        assert e.level2 in LEVEL2[e.level1], e
        assert e.direction in DIRECTIONS, e
        assert e.kind in KINDS, e
        assert e.source in BUILTIN_SOURCES, e
        assert e.comparator in (*COMPARATORS, ""), e
        assert e.unit == "" or is_known(e.unit), e
        assert e.definition and "\n" not in e.definition, e
        assert (e.direction == "qualitative") == (e.kind == "text") == (e.comparator == ""), e
        if e.kind == "rate":
            assert e.unit == "%", e
        assert e.origin == "built-in"


def test_coverage_of_frameworks(catalog):
    by_level2: dict[tuple[str, str], int] = {}
    for e in catalog:
        by_level2[(e.level1, e.level2)] = by_level2.get((e.level1, e.level2), 0) + 1
    # every 二级 of the project framework (docs/domain.md, "The form") has common indicators
    for level1 in PROJECT_LEVEL1:
        for level2 in LEVEL2[level1]:
            if (level1, level2) == ("产出指标", "成本指标"):
                continue  # accepted for older forms; costs live under 成本指标
            assert by_level2.get((level1, level2), 0) >= 3, (level1, level2)
    # the department framework's 一级 are all present
    assert {e.level1 for e in catalog} >= set(DEPARTMENT_LEVEL1)
    for name in (
        "预算完成率",
        "预算调整率",
        "结转结余率",
        "“三公经费”控制率",
        "在职人员控制率",
        "政府采购执行率",
        "管理制度健全性",
        "资金使用合规性",
        "预决算信息公开性",
        "固定资产利用率",
    ):
        entry = catalog.lookup(name)
        assert entry is not None, name
        assert entry.level1 in DEPARTMENT_LEVEL1 and entry.source == "national", entry
    for name in ("合格率", "验收通过率", "达标率", "及时率", "完成时间", "修复时间"):
        assert catalog.lookup(name) is not None, name
    sources = {e.source for e in catalog}
    assert sources == set(BUILTIN_SOURCES)


@pytest.mark.parametrize(
    ("name", "direction", "kind", "unit"),
    [
        ("利润增长量", "positive", "amount", "元"),  # sits under 成本指标 on the form, yet more is better
        ("营业收入增长量", "positive", "amount", "元"),
        ("老干工作经费", "reverse", "amount", "元"),
        ("故障修复时间", "reverse", "duration", "小时"),
        ("全国区县级政府门户网站绩效排名", "reverse", "rank", ""),
        ("减少政务信息化项目备案系统故障率", "reverse", "rate", "%"),
        ("确保各项活动保质保量", "qualitative", "text", ""),
        ("高新技术企业新增数", "positive", "count", "户"),
        ("政务网互联网出口带宽", "positive", "count", "G"),
        ("人口、法人基础数据库数据量", "positive", "count", "条"),
        ("服务对象满意度", "positive", "rate", "%"),
        ("预算调整率", "reverse", "rate", "%"),
        ("人均补助标准", "equal", "amount", "元/人"),
        ("完成时间", "reverse", "date", ""),
    ],
)
def test_directions_by_meaning(catalog, name, direction, kind, unit):
    entry = catalog.lookup(name)
    assert entry is not None
    assert (entry.direction, entry.kind, entry.unit) == (direction, kind, unit)


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("无纸化会议系统各单位开会次数", "无纸化会议系统各单位办会次数"),
        ("信访事项处理群众满意", "信访事项处理群众满意度"),
        ("离退休人员春节重阳慰问", "离退休人员春节重阳慰问人数"),
        ("组织离退休党员学习教育", "组织离退休党员学习教育活动次数"),
        ("项目实施按照年度工作计划进行", "项目实施按年度工作计划"),
        ("老干部工作经费", "老干工作经费"),
        ("三公经费控制率", "“三公经费”控制率"),
        ('"三公经费"控制率', "“三公经费”控制率"),
    ],
)
def test_seed_spelling_variants_are_aliases(catalog, alias, name):
    entry = catalog.lookup(alias)
    assert entry is not None and entry.name == name
    assert alias in entry.aliases


@pytest.mark.parametrize("name", seed_names())
def test_every_seed_indicator_resolves(catalog, name):
    assert catalog.lookup(name) is not None, f"seed indicator 「{name}」 has no catalog entry"


def test_seed_sources_really_come_from_the_seed_forms(catalog):
    seeds = {normalise(n) for n in seed_names()}
    assert len(seeds) >= 80
    for e in catalog:
        if e.source == "seed":
            assert any(normalise(k) in seeds for k in e.keys), e.name


# --------------------------------------------------------------------------- lookup
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("服务对象满意度", "服务对象满意度"),
        (" 服务对象 满意度 ", "服务对象满意度"),
        ("服务对象\u3000满意度", "服务对象满意度"),  # ideographic space
        ("利润增长量\n", "利润增长量"),
        ("政务网互联网出口带宽", "政务网互联网出口带宽"),
        ("人口，法人基础数据库数据量", None),  # punctuation is not normalised away
        ("不存在的指标", None),
        ("", None),
    ],
)
def test_lookup_normalises_whitespace_and_width(catalog, query, name):
    entry = catalog.lookup(query)
    assert (entry.name if entry else None) == name


def test_lookup_nfkc():
    e = Entry("ＡＰＩ可用率", (), "产出指标", "质量指标", "positive", "rate", "%", ">=", "d", "local")
    cat = Catalog([e])
    assert cat.lookup("API可用率") is e
    assert cat.lookup("ＡＰＩ 可用率") is e
    assert "API可用率" in cat and cat["API可用率"] is e


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lookup_ignores_inserted_whitespace(catalog, data):
    entry = data.draw(st.sampled_from(catalog.entries))
    key = data.draw(st.sampled_from(entry.keys))
    blank = st.sampled_from(["", " ", "\t", "\u3000", "\n", "  "])
    spaces = data.draw(st.lists(blank, min_size=len(key) + 1, max_size=len(key) + 1))
    mangled = "".join(spaces[i] + key[i] for i in range(len(key))) + spaces[-1]
    assert catalog.lookup(mangled) is entry


def test_default_catalog_is_cached():
    assert default_catalog() is default_catalog()
    assert len(default_catalog()) == len(load_catalog())


# --------------------------------------------------------------------------- loader: bad files
BAD_CASES = [
    pytest.param(
        good(direction="up"), ['direction = "up" 无效', "positive / reverse / equal / qualitative"], id="bad-direction"
    ),
    pytest.param(good(kind="number"), ['kind = "number" 无效', "rate / count / amount"], id="bad-kind"),
    pytest.param(
        good(level1="产出"), ['level2 = "数量指标" 无效', "一级「产出」下应为 职责履行"], id="level2-not-under-level1"
    ),
    pytest.param(good(level1="产品指标"), ['level1 = "产品指标" 无效', "产出指标 / 效益指标"], id="bad-level1"),
    pytest.param(good(source="book"), ['source = "book" 无效', "national / seed / practice / local"], id="bad-source"),
    pytest.param(
        good(kind=None), ["缺少字段 kind", "rate / count / amount / duration / rank / date / text"], id="missing-kind"
    ),
    pytest.param(good(definition=None), ["缺少字段 definition"], id="missing-definition"),
    pytest.param(good(unit="箩筐"), ['unit = "箩筐" 不是已知单位', "scorer/data/units.txt"], id="unknown-unit"),
    pytest.param(
        good(unit="万元", kind="amount"),
        ['unit = "万元" 不是已知单位：万、亿是数量级，不是单位；应为 "元"'],
        id="scale-is-not-a-unit",
    ),
    pytest.param(good(kind="amount"), ['unit = "户" 与 kind = "amount" 不符', "元"], id="amount-needs-money"),
    pytest.param(
        good(kind="duration", direction="reverse", comparator="<="),
        ['unit = "户" 与 kind = "duration" 不符'],
        id="duration-needs-time",
    ),
    pytest.param(good(kind="rate"), ['unit = "户" 与 kind = "rate" 不符', '"%"'], id="rate-needs-percent"),
    pytest.param(
        good(comparator="<="), ['comparator = "<=" 与 direction = "positive" 不符'], id="comparator-vs-direction"
    ),
    pytest.param(
        good(direction="qualitative", comparator="", unit=""),
        ['kind = "count" 与 direction = "qualitative" 不符'],
        id="qualitative-needs-text",
    ),
    pytest.param(good(direction=1), ["direction = 1 类型错误"], id="wrong-type"),
    pytest.param(good(aliases="别名"), ['aliases = "别名" 无效'], id="aliases-not-a-list"),
    pytest.param(good(aliases=["测试 指标"]), ["aliases 中的「测试 指标」与名称相同"], id="alias-equals-name"),
    pytest.param(good(weight=10), ["未知字段 weight"], id="unknown-field"),
    pytest.param(good(definition="第一行\n第二行"), ["definition 含换行"], id="multi-line-definition"),
    pytest.param(good(name=""), ["第 1 条「（无名称）」", "name 为空"], id="empty-name"),
]


@pytest.mark.parametrize(("entry", "expected"), BAD_CASES)
def test_bad_entry_is_reported_with_file_entry_and_field(tmp_path, entry, expected):
    path = write_catalog(tmp_path, entry)
    problems = check_file(path)
    assert problems, "the problem went unnoticed"
    text = "\n".join(problems)
    assert str(path) in text
    name = entry.get("name") or "（无名称）"
    assert f"第 1 条「{name}」" in text
    for part in expected:
        assert part in text
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    assert str(path) in str(info.value)
    for part in expected:
        assert part in str(info.value)


def test_message_format_matches_the_documented_example(tmp_path):
    path = write_catalog(tmp_path, good(), good(name="xx", direction="up"), filename="catalog.toml")
    (problem,) = check_file(path)
    assert problem == f'{path}：第 2 条「xx」：direction = "up" 无效；应为 positive / reverse / equal / qualitative'


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(
            [good(), good()],
            ["第 2 条「测试指标」：name「测试指标」与第 1 条「测试指标」的名称或别名重复"],
            id="duplicate-name",
        ),
        pytest.param(
            [good(aliases=["同名"]), good(name="另一个", aliases=["同 名"])],
            ["第 2 条「另一个」", "aliases 中的「同 名」与第 1 条「测试指标」"],
            id="duplicate-alias",
        ),
        pytest.param(
            [good(), good(name="测试 指标")],
            ["第 2 条「测试 指标」：name「测试 指标」与第 1 条「测试指标」"],
            id="duplicate-after-normalising",
        ),
    ],
)
def test_duplicates_within_a_file(tmp_path, entries, expected):
    path = write_catalog(tmp_path, *entries)
    text = "\n".join(check_file(path))
    for part in expected:
        assert part in text
    with pytest.raises(CatalogError):
        load_catalog([path])


@pytest.mark.parametrize(
    ("version", "expected"),
    [(None, "缺少顶层字段 version"), ("2", 'version = "2" 无效；应为 "1"')],
)
def test_version_is_required(tmp_path, version, expected):
    path = write_catalog(tmp_path, good(), version=version)
    problems = check_file(path)
    assert any(expected in p and str(path) in p for p in problems), problems


def test_toml_syntax_error_reports_line_and_column(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('version = "1"\n\n[[indicator]]\nname = "未闭合\n', encoding="utf-8")
    problems = check_file(path)
    assert len(problems) == 1
    assert str(path) in problems[0]
    assert "TOML 语法错误（第 4 行第" in problems[0] and "列）" in problems[0]
    with pytest.raises(CatalogError, match="第 4 行"):
        load_catalog([path])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('version = "1"\n', "没有任何 [[indicator]] 条目"),
        ('version = "1"\nindicator = []\n', "没有任何 [[indicator]] 条目"),
        ('version = "1"\nindicator = "x"\n', "indicator 应为 [[indicator]] 表数组"),
        ('version = "1"\nextra = 1\n[[indicator]]\n', "未知的顶层字段 extra"),
    ],
)
def test_file_level_problems(tmp_path, content, expected):
    path = tmp_path / "f.toml"
    path.write_text(content, encoding="utf-8")
    assert any(expected in p for p in check_file(path))


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    assert check_file(path) == [f"{path}：文件不存在"]
    with pytest.raises(CatalogError, match="文件不存在"):
        load_catalog([path])


def test_check_file_reports_every_problem_not_just_the_first(tmp_path):
    path = write_catalog(
        tmp_path,
        good(name="甲", direction="up"),
        good(name="乙", unit="箩筐"),
        good(name="丙"),  # fine
        good(name="丁", kind=None, source="book"),
        good(name="甲"),  # duplicate of the first
    )
    problems = check_file(path)
    text = "\n".join(problems)
    assert len(problems) == 5, problems
    for fragment in (
        '第 1 条「甲」：direction = "up"',
        '第 2 条「乙」：unit = "箩筐"',
        "第 4 条「丁」：缺少字段 kind",
        '第 4 条「丁」：source = "book"',
        "第 5 条「甲」：name「甲」与第 1 条「甲」",
    ):
        assert fragment in text
    assert "第 3 条" not in text
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    assert info.value.problems == tuple(problems)


def test_good_extension_file_has_no_problems(tmp_path):
    path = write_catalog(
        tmp_path,
        good(),
        good(
            name="本单位培训满意度",
            aliases=["本单位培训满意"],
            level1="满意度指标",
            level2="服务对象满意度指标",
            kind="rate",
            unit="%",
        ),
        good(
            name="人均慰问金",
            level1="成本指标",
            level2="经济成本指标",
            direction="equal",
            kind="amount",
            unit="元/人",
            comparator="=",
        ),
        filename="ours.toml",
    )
    assert check_file(path) == []
    cat = load_catalog([path])
    assert len(cat) == len(load_catalog()) + 3
    assert cat.lookup("本单位培训满意").name == "本单位培训满意度"
    assert cat.lookup("测试指标").origin == str(path)
    assert cat.files == (BUILTIN_LABEL, str(path))
    assert cat.overrides == []


# --------------------------------------------------------------------------- overrides
def test_user_entry_overrides_builtin_and_is_reported(tmp_path):
    path = write_catalog(
        tmp_path,
        good(
            name="信访事项处理群众满意度",
            level1="满意度指标",
            level2="服务对象满意度指标",
            kind="rate",
            unit="%",
            definition="本单位口径",
        ),
        good(name="新指标"),
        filename="ours.toml",
    )
    assert check_file(path) == []  # overriding is allowed, not a problem
    builtin = load_catalog()
    cat = load_catalog([path])
    assert cat.overrides == [("信访事项处理群众满意度", path)]
    entry = cat.lookup("信访事项处理群众满意度")
    assert entry.definition == "本单位口径" and entry.origin == str(path) and entry.source == "local"
    # the replaced entry's aliases go with it
    assert builtin.lookup("信访事项处理群众满意") is not None
    assert cat.lookup("信访事项处理群众满意") is None
    assert len(cat) == len(builtin) + 1
    # position of the overridden entry is kept
    names = [e.name for e in cat]
    assert names.index("信访事项处理群众满意度") == [e.name for e in builtin].index("信访事项处理群众满意度")


def test_later_extension_file_overrides_earlier(tmp_path):
    a = write_catalog(tmp_path, good(definition="甲"), filename="a.toml")
    b = write_catalog(tmp_path, good(definition="乙"), filename="b.toml")
    cat = load_catalog([a, b])
    assert cat.lookup("测试指标").definition == "乙"
    assert cat.overrides == [("测试指标", b)]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            good(name="信访事项处理群众满意"),
            ["name「信访事项处理群众满意」已是内置条目「信访事项处理群众满意度」的别名"],
            id="name-is-builtin-alias",
        ),
        pytest.param(
            good(aliases=["服务对象满意度"]),
            ["aliases 中的「服务对象满意度」已是内置条目「服务对象满意度」"],
            id="alias-is-builtin-name",
        ),
    ],
)
def test_clashes_with_builtin_are_problems(tmp_path, entry, expected):
    path = write_catalog(tmp_path, entry)
    text = "\n".join(check_file(path))
    for part in expected:
        assert part in text and str(path) in text
    with pytest.raises(CatalogError):
        load_catalog([path])


# --------------------------------------------------------------------------- search
def names(matches) -> list[str]:
    return [m.entry.name for m in matches]


def test_myd_ranks_service_satisfaction_first(catalog):
    matches = catalog.search("myd")
    assert matches[0].entry.name == "服务对象满意度"
    assert matches[0].rank_kind == "initials"
    found = set(names(catalog.search("myd", limit=None)))
    every_satisfaction = {e.name for e in catalog if "满意度" in e.name}
    assert len(every_satisfaction) >= 20
    assert every_satisfaction <= found


@pytest.mark.parametrize("query", ["myd", "MYD", "manyidu", "man yi du", "man'yi'du", "满意度"])
def test_satisfaction_queries_agree(catalog, query):
    assert catalog.search(query)[0].entry.name == "服务对象满意度"


@pytest.mark.parametrize(
    ("query", "first", "rank_kind"),
    [
        ("gxjsqy", "高新技术企业新增数", "prefix"),
        ("gaoxinjishu", "高新技术企业新增数", "prefix"),
        ("高新技术", "高新技术企业新增数", "prefix"),
        ("fwdxmyd", "服务对象满意度", "exact"),
        ("fuwuduixiangmanyidu", "服务对象满意度", "exact"),
        ("合格率", "合格率", "exact"),
        ("故障", "故障修复时间", "prefix"),
        ("gzxfsj", "故障修复时间", "exact"),
        ("xiufushijian", "故障修复时间", "exact"),  # via the alias 修复时间
        ("sgjfkzl", "“三公经费”控制率", "exact"),  # quotes are ignored for pinyin
        ("三公经费控制率", "“三公经费”控制率", "exact"),
        ("chongyang", "离退休人员春节重阳慰问人数", "pinyin"),  # polyphone 重 read chong here
        ("zhongdajieri", "老干工作重大节日慰问经费", "pinyin"),  # and zhong here
    ],
)
def test_search_first_hit(catalog, query, first, rank_kind):
    top = catalog.search(query)[0]
    assert (top.entry.name, top.rank_kind) == (first, rank_kind)


def test_search_reports_the_alias_that_matched(catalog):
    top = catalog.search("xiufushijian")[0]
    assert top.matched == "修复时间" and top.via_alias


def mini(*names_and_sources: tuple[str, str]) -> Catalog:
    return Catalog(
        Entry(n, (), "产出指标", "质量指标", "positive", "rate", "%", ">=", "d", src) for n, src in names_and_sources
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # exact beats prefix beats substring (Chinese)
        ("合格率", [("合格率", "exact"), ("合格率提升幅度", "prefix"), ("产品合格率", "substring")]),
        # exact (initials) beats prefix beats initials substring
        ("hgl", [("合格率", "exact"), ("合格率提升幅度", "prefix"), ("产品合格率", "initials")]),
        # exact (full pinyin) beats prefix beats pinyin substring
        ("hegelv", [("合格率", "exact"), ("合格率提升幅度", "prefix"), ("产品合格率", "pinyin")]),
    ],
)
def test_rank_order(query, expected):
    cat = mini(("产品合格率", "practice"), ("合格率提升幅度", "practice"), ("合格率", "practice"), ("无关", "practice"))
    assert [(m.entry.name, m.rank_kind) for m in cat.search(query)] == expected


def test_initials_beat_pinyin_beat_substring():
    # "an": the initials of 全安宁 (q-a-n) contain it; 重点安排 has it only as the syllable 安 (an)
    cat = mini(("重点安排", "practice"), ("全安宁", "practice"))
    assert [(m.entry.name, m.rank_kind) for m in cat.search("an")] == [("全安宁", "initials"), ("重点安排", "pinyin")]


def test_pinyin_substring_must_start_at_a_syllable():
    cat = mini(("满意度", "practice"))
    assert cat.search("yidu") and cat.search("yidu")[0].rank_kind == "pinyin"
    assert cat.search("nyi") == []  # m-a-n|y-i: "nyi" straddles a syllable boundary mid-syllable


@pytest.mark.parametrize(
    ("entries", "query", "expected"),
    [
        # a match ending the name beats one in the middle (the head noun comes last)
        ([("全区满意度测评", "national"), ("群众满意度", "national")], "myd", ["群众满意度", "全区满意度测评"]),
        # then the standard wording: national before seed before practice
        (
            [("群众满意度", "practice"), ("服务对象满意度", "national"), ("企业满意度", "seed")],
            "myd",
            ["服务对象满意度", "企业满意度", "群众满意度"],
        ),
        # then the shorter name, then the name
        (
            [
                ("服务对象满意度", "practice"),
                ("企业满意度", "practice"),
                ("乙满意度", "practice"),
                ("甲满意度", "practice"),
            ],
            "满意度",
            ["乙满意度", "甲满意度", "企业满意度", "服务对象满意度"],
        ),
    ],
)
def test_tie_breaks(entries, query, expected):
    cat = mini(*entries)
    assert names(cat.search(query)) == expected


def test_local_entries_come_first_among_equals():
    cat = mini(("服务对象满意度", "national"), ("本局满意度", "local"))
    assert names(cat.search("myd")) == ["本局满意度", "服务对象满意度"]


def test_search_limit_and_empty_query(catalog):
    assert len(catalog.search("率", limit=5)) == 5
    assert len(catalog.search("率", limit=None)) > 50
    assert catalog.search("") == [] and catalog.search("   ") == []
    assert catalog.search("率", limit=0) == []
    assert catalog.search("没有这样的指标名称") == []


def test_search_by_every_name_finds_it_first(catalog):
    for e in catalog:
        top = catalog.search(e.name, limit=1)[0]
        assert top.entry is e and top.rank_kind == "exact", e.name


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_piece_of_a_name_finds_it_and_ranks_are_sorted(catalog, data):
    entry = data.draw(st.sampled_from(catalog.entries))
    key = normalise(data.draw(st.sampled_from(entry.keys)))
    start = data.draw(st.integers(0, len(key) - 1))
    end = data.draw(st.integers(start + 1, len(key)))
    query = key[start:end]
    results = catalog.search(query, limit=None)
    assert entry in [m.entry for m in results]
    order = [RANK_KINDS.index(m.rank_kind) for m in results]
    assert order == sorted(order)
    assert len({m.entry.name for m in results}) == len(results)  # one hit per entry
    for m in results:
        assert m.matched in m.entry.keys


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_initials_of_any_name_find_it(catalog, data):
    from indicator_catalog.search import initials

    entry = data.draw(st.sampled_from(catalog.entries))
    query = initials(entry.name)
    results = catalog.search(query, limit=None)
    hit = next(m for m in results if m.entry is entry)
    assert hit.rank_kind == "exact"


# --------------------------------------------------------------------------- import hygiene
def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return out.stdout.strip()


def test_import_and_lookup_load_no_engine_ui_or_pinyin():
    code = (
        "import sys, indicator_catalog as ic\n"
        "c = ic.load_catalog(); assert c.lookup('利润增长量').direction == 'positive'\n"
        "heavy = ['textual', 'sqlalchemy', 'reportlab', 'scorer.engine', 'pypinyin', 'pint', 'rich']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "c.search('myd')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    before, after = run_python(code).splitlines()
    assert before == "[]"
    assert after == "['pypinyin']"


# --------------------------------------------------------------------------- views
def render(fn, *args, width: int = 80) -> str:
    import io

    from rich.console import Console

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    fn(console, *args)
    return console.export_text()


def test_render_search_fits_80_columns(catalog):
    from rich.cells import cell_len

    from jixiao.catalog_view import render_search

    text = render(render_search, catalog.search("myd", limit=20))
    assert all(cell_len(line.rstrip()) <= 80 for line in text.splitlines())
    for header in ("序号", "三级指标", "一级/二级", "方向", "单位", "匹配方式"):
        assert header in text
    assert "服务对象满意度" in text and "正向" in text and "首字母" in text
    assert text.index("服务对象满意度") < text.index("信访事项处理群众满意度")
    assert "别名：社会公众满意度" in text  # an alias that matched is shown
    assert "没有找到" in render(render_search, [])


def test_render_entry_shows_every_field_with_chinese_labels(catalog):
    from rich.cells import cell_len

    from jixiao.catalog_view import render_entry

    text = render(render_entry, catalog.lookup("“三公经费”控制率"))
    assert all(cell_len(line.rstrip()) <= 80 for line in text.splitlines())
    for label in (
        "名称",
        "别名",
        "一级指标",
        "二级指标",
        "方向",
        "值类型",
        "默认单位",
        "常用比较符",
        "定义",
        "来源",
        "所在文件",
    ):
        assert label in text
    for value in ("三公经费控制率", "过程", "预算执行", "反向", "比率", "%", "≤", "国家框架", "内置"):
        assert value in text


def test_render_problems_lists_every_problem_verbatim(tmp_path):
    from jixiao.catalog_view import render_problems

    path = write_catalog(tmp_path, good(name="甲", direction="up"), good(name="乙", unit="箩筐"))
    problems = check_file(path)
    text = render(render_problems, path, problems, width=1000)
    assert f"发现 {len(problems)} 个问题" in text
    for problem in problems:
        assert problem in text
    assert "没有发现问题" in render(render_problems, path, [], width=1000)
    markup = render(render_problems, path, ["x：没有任何 [[indicator]] 条目"])
    assert "[[indicator]]" in markup
