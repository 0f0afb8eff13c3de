"""Loading and validating catalog files (the built-in one and users' extension files).

A catalog file is TOML::

    version = "1"

    [[indicator]]
    name = "高新技术企业新增数"
    aliases = []
    level1 = "产出指标"
    level2 = "数量指标"
    direction = "positive"
    kind = "count"
    unit = "户"
    comparator = ">="
    definition = "年内新认定的高新技术企业数量"
    source = "seed"

Every file is validated once, when it is loaded. Problems name the file, the
entry (its 1-based index and name) and the field, and say what was expected.
``check_file`` returns all problems of a file; ``load_catalog`` raises
``CatalogError`` carrying all problems of the first bad file.

The units of the built-in file are checked by the test suite rather than at
every start-up (checking them loads pint, ~0.2 s); units of extension files are
always checked, with ``scorer.units.is_known``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from indicator_catalog.model import (
    BUILTIN_ORIGIN,
    CATALOG_VERSION,
    COMPARATORS,
    DIRECTIONS,
    KINDS,
    LEVEL1,
    LEVEL2,
    SOURCES,
    Catalog,
    Entry,
    Override,
    normalise,
)
from scorer.errors import JixiaoError
from scorer.model import Direction

BUILTIN_LABEL = "indicator_catalog/data/catalog.toml"

FIELDS = (
    "name",
    "aliases",
    "level1",
    "level2",
    "direction",
    "kind",
    "unit",
    "comparator",
    "definition",
    "source",
)
OPTIONAL_FIELDS = frozenset({"aliases"})

_SEP = " / "
_EXPECTED = {
    "name": "非空字符串（三级指标名称）",
    "aliases": '字符串列表，如 ["别名一", "别名二"]，可为空 []',
    "level1": _SEP.join(LEVEL1),
    "level2": "二级指标名称，须属于所填一级",
    "direction": _SEP.join(DIRECTIONS),
    "kind": _SEP.join(KINDS),
    "unit": '单位表 scorer/data/units.txt 中的单位（如 户、元、%、小时、元/人），无单位填 ""',
    "comparator": _SEP.join(f'"{c}"' for c in COMPARATORS) + '，定性指标为 ""',
    "definition": "一行中文定义",
    "source": _SEP.join(SOURCES),
}
_ENUMS: dict[str, tuple[str, ...]] = {
    "level1": LEVEL1,
    "direction": DIRECTIONS,
    "kind": KINDS,
    "comparator": (*COMPARATORS, ""),
    "source": SOURCES,
}
_COMPARATORS_FOR = {
    Direction.POSITIVE: (">=", ">", "="),
    Direction.REVERSE: ("<=", "<"),
    Direction.EQUAL: ("=",),
    Direction.QUALITATIVE: ("",),
}
_COMPARATOR_HINT = {
    Direction.POSITIVE: '正向指标应为 ">="、">" 或 "="',
    Direction.REVERSE: '反向指标应为 "<=" 或 "<"',
    Direction.EQUAL: '等值指标应为 "="',
    Direction.QUALITATIVE: '定性指标应为 ""',
}
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


class CatalogError(JixiaoError, ValueError):
    """Bad catalog data. ``problems`` lists every problem found; the message joins them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------------------- helpers
def _show(value: Any) -> str:
    """A value as it would be written in TOML (close enough for messages)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _where(label: str, index: int, name: str | None) -> str:
    return f"{label}：第 {index} 条「{name or '（无名称）'}」："


def builtin_path() -> Path:
    """Filesystem path of the built-in catalog file."""
    return Path(str(resources.files("indicator_catalog") / "data" / "catalog.toml"))


def _unit_dimension(unit: str) -> str | None:
    """The unit's base dimension per ``scorer.units``, or None when the unit is unknown."""
    # Imported here, not at the top: the units file is read on first use, and only checking a
    # catalog needs it.
    from scorer.units import UnitError, resolve

    try:
        return resolve(unit).dimension
    except UnitError:
        return None


# ---------------------------------------------------------------------------- one entry
def _check_entry(raw: Any, index: int, label: str, check_units: bool) -> tuple[Entry | None, list[str]]:
    """One [[indicator]]: every problem found (fields, then the rules between fields), or the entry."""
    if not isinstance(raw, dict):
        return None, [f"{label}：第 {index} 条：应为 [[indicator]] 表，实际为 {_show(raw)}"]
    name = raw.get("name")
    where = _where(label, index, name if isinstance(name, str) else None)
    problems = [f"{where}未知字段 {key}；可用字段为 {'、'.join(FIELDS)}" for key in raw if key not in FIELDS]
    values = _field_values(raw, where, problems)
    # field-specific and cross-field rules, only on values that passed the basic checks
    _cross_field_problems(values, name, where, problems)
    unit = values.get("unit")
    if unit is not None:
        problems.extend(_unit_problems(where, unit, values.get("kind"), check_units))
    if problems:
        return None, problems
    entry = Entry(
        name=values["name"].strip(),
        aliases=tuple(a.strip() for a in values["aliases"]),
        level1=values["level1"],
        level2=values["level2"],
        direction=values["direction"],
        kind=values["kind"],
        unit=values["unit"].strip(),
        comparator=values["comparator"],
        definition=values["definition"].strip(),
        source=values["source"],
    )
    return entry, []


def _field_values(raw: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """Each field that passes its own check (type, emptiness, allowed values); the rest are problems."""
    values: dict[str, Any] = {}
    for fld in FIELDS:
        if fld not in raw:
            if fld in OPTIONAL_FIELDS:
                values[fld] = []
            else:
                problems.append(f"{where}缺少字段 {fld}；应为 {_EXPECTED[fld]}")
            continue
        value = raw[fld]
        if fld == "aliases":
            if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
                problems.append(f"{where}aliases = {_show(value)} 无效；应为 {_EXPECTED['aliases']}")
                continue
        elif not isinstance(value, str):
            problems.append(f"{where}{fld} = {_show(value)} 类型错误；应为字符串：{_EXPECTED[fld]}")
            continue
        elif fld in ("name", "level2", "definition") and not value.strip():
            problems.append(f"{where}{fld} 为空；应为 {_EXPECTED[fld]}")
            continue
        elif fld in _ENUMS and value not in _ENUMS[fld]:
            problems.append(f"{where}{fld} = {_show(value)} 无效；应为 {_EXPECTED[fld]}")
            continue
        values[fld] = value
    return values


def _cross_field_problems(values: dict[str, Any], name: Any, where: str, problems: list[str]) -> None:
    """Rules between fields: one-line definition, 二级 under its 一级, distinct aliases, direction vs
    comparator and kind. A field found wrong here is dropped from ``values``."""
    definition = values.get("definition")
    if isinstance(definition, str) and ("\n" in definition or "\r" in definition):
        problems.append(f"{where}definition 含换行；应为一行中文定义")
        values.pop("definition")
    level1, level2 = values.get("level1"), values.get("level2")
    if level1 is not None and level2 is not None and level2 not in LEVEL2[level1]:
        problems.append(f"{where}level2 = {_show(level2)} 无效；一级「{level1}」下应为 {_SEP.join(LEVEL2[level1])}")
        values.pop("level2")
    aliases = values.get("aliases")
    if isinstance(name, str) and aliases:
        seen = {normalise(name)}
        for alias in aliases:
            k = normalise(alias)
            if k in seen:
                what = "与名称相同" if k == normalise(name) else "重复"
                problems.append(f"{where}aliases 中的「{alias}」{what}；别名应互不相同且不同于名称")
            seen.add(k)
    direction, kind, comparator = values.get("direction"), values.get("kind"), values.get("comparator")
    if direction is not None and comparator is not None and comparator not in _COMPARATORS_FOR[direction]:
        problems.append(
            f"{where}comparator = {_show(comparator)} 与 direction = {_show(direction)} 不符；"
            f"{_COMPARATOR_HINT[direction]}"
        )
    if direction is not None and kind is not None and (direction == Direction.QUALITATIVE) != (kind == "text"):
        if direction == Direction.QUALITATIVE:
            problems.append(
                f'{where}kind = {_show(kind)} 与 direction = "qualitative" 不符；定性指标应为 kind = "text"'
            )
        else:
            problems.append(
                f'{where}kind = "text" 与 direction = {_show(direction)} 不符；'
                f'文本指标应为 direction = "qualitative"，否则请选 {_SEP.join(k for k in KINDS if k != "text")}'
            )


def _unit_problems(where: str, unit: str, kind: str | None, check_units: bool) -> list[str]:
    unit = unit.strip()
    if kind in ("rank", "date", "text"):
        if unit:
            return [f'{where}unit = {_show(unit)} 与 kind = {_show(kind)} 不符；名次、日期和文本指标不带单位，应为 ""']
        return []
    if kind == "rate" and unit not in ("%", "‰"):
        return [f'{where}unit = {_show(unit)} 与 kind = "rate" 不符；比率应为 "%" 或 "‰"']
    if not unit:
        if kind in ("amount", "duration"):
            return [f"{where}unit 为空；{KIND_UNIT_HINT[kind]}"]
        return []
    if not check_units:
        return []
    dimension = _unit_dimension(unit)
    if dimension is None:
        if len(unit) > 1 and unit[0] in "万亿" and _unit_dimension(unit[1:]) is not None:
            return [f"{where}unit = {_show(unit)} 不是已知单位：万、亿是数量级，不是单位；应为 {_show(unit[1:])}"]
        return [f"{where}unit = {_show(unit)} 不是已知单位；应为 {_EXPECTED['unit']}"]
    if kind == "amount" and not dimension.startswith("[currency]"):
        return [f'{where}unit = {_show(unit)} 与 kind = "amount" 不符；{KIND_UNIT_HINT["amount"]}']
    if kind == "duration" and dimension not in (
        "[time]",
        "[workday]",
        "[calendar]",
    ):  # 个月、季度、年: calendar periods
        return [f'{where}unit = {_show(unit)} 与 kind = "duration" 不符；{KIND_UNIT_HINT["duration"]}']
    return []


KIND_UNIT_HINT = {
    "amount": '金额应以 元 计，如 "元"、"元/人"',
    "duration": '时长应为时间单位，如 "小时"、"天"、"工作日"、"个月"、"年"',
}


# ---------------------------------------------------------------------------- one file
Numbered = list[tuple[int, Entry]]  # (1-based position in the file, entry)


def _parse_text(text: str, label: str, origin: str, check_units: bool) -> tuple[Numbered, list[str]]:
    """Entries (with their position) and problems of one file. Entries with problems are left out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        if m:
            return [], [f"{label}：TOML 语法错误（第 {m.group(1)} 行第 {m.group(2)} 列）：{msg[: m.start()]}"]
        return [], [f"{label}：TOML 语法错误：{msg}"]

    problems: list[str] = []
    version = data.get("version")
    if version is None:
        problems.append(f'{label}：缺少顶层字段 version；应为 version = "{CATALOG_VERSION}"')
    elif version != CATALOG_VERSION:
        problems.append(f'{label}：顶层 version = {_show(version)} 无效；应为 "{CATALOG_VERSION}"')
    for key in data:
        if key not in ("version", "indicator"):
            problems.append(f"{label}：未知的顶层字段 {key}；只允许 version 和 [[indicator]]")

    raw_entries = data.get("indicator")
    if raw_entries is None:
        problems.append(f"{label}：没有任何 [[indicator]] 条目")
        return [], problems
    if not isinstance(raw_entries, list):
        problems.append(f"{label}：indicator 应为 [[indicator]] 表数组")
        return [], problems
    if not raw_entries:
        problems.append(f"{label}：没有任何 [[indicator]] 条目")
        return [], problems

    entries: Numbered = []
    owners: dict[str, tuple[int, str]] = {}  # normalised key -> (index, entry name)
    for index, raw in enumerate(raw_entries, start=1):
        entry, entry_problems = _check_entry(raw, index, label, check_units)
        problems.extend(entry_problems)
        # duplicates are checked even on entries with other problems, when the name is usable
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        aliases = raw.get("aliases", [])
        keys = [name] + ([a for a in aliases if isinstance(a, str) and a.strip()] if isinstance(aliases, list) else [])
        where = _where(label, index, name)
        duplicate = False
        for pos, key in enumerate(keys):
            k = normalise(key)
            if k in owners:
                other_index, other_name = owners[k]
                field_text = f"name「{key}」" if pos == 0 else f"aliases 中的「{key}」"
                problems.append(
                    f"{where}{field_text}与第 {other_index} 条「{other_name}」的名称或别名重复；名称和别名须全库唯一"
                )
                duplicate = True
        for key in keys:
            owners.setdefault(normalise(key), (index, name))
        if entry is not None and not duplicate:
            entries.append((index, replace(entry, origin=origin)))
    return entries, problems


def _read(path: Path, label: str) -> tuple[str | None, list[str]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [f"{label}：文件不存在"]
    except IsADirectoryError:
        return None, [f"{label}：是目录，不是文件"]
    except UnicodeDecodeError:
        return None, [f"{label}：不是 UTF-8 编码的文本文件"]
    except OSError as exc:
        return None, [f"{label}：无法读取（{exc.strerror or exc}）"]


def _parse_file(path: Path, check_units: bool) -> tuple[Numbered, list[str]]:
    label = str(path)
    text, problems = _read(path, label)
    if text is None:
        return [], problems
    return _parse_text(text, label, label, check_units)


@cache
def _builtin_entries() -> tuple[Entry, ...]:
    text = (resources.files("indicator_catalog") / "data" / "catalog.toml").read_text(encoding="utf-8")
    entries, problems = _parse_text(text, BUILTIN_LABEL, BUILTIN_ORIGIN, check_units=False)
    if problems:
        raise CatalogError(problems)
    return tuple(e for _, e in entries)


# ---------------------------------------------------------------------------- merging
class _Merger:
    """Accumulates entries file by file; a user entry with an existing name overrides it."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.by_name: dict[str, Entry] = {}
        self.owner: dict[str, str] = {}  # normalised key -> normalised name of its entry
        self.overrides: list[Override] = []
        for e in entries:
            self._add(e)

    def _add(self, entry: Entry) -> None:
        n = normalise(entry.name)
        self.by_name[n] = entry
        for key in entry.keys:
            self.owner[normalise(key)] = n

    def merge(self, path: Path, entries: Numbered) -> list[str]:
        label = str(path)
        problems: list[str] = []
        for index, entry in entries:
            n = normalise(entry.name)
            where = _where(label, index, entry.name)
            replaced = self.by_name.get(n)
            entry_problems = []
            if replaced is None and n in self.owner:
                holder = self.by_name[self.owner[n]]
                entry_problems.append(
                    f"{where}name「{entry.name}」已是{_origin_text(holder)}条目「{holder.name}」的别名；"
                    f"要覆盖该条目请把 name 写成「{holder.name}」，否则请换一个名称"
                )
            for alias in entry.aliases:
                k = normalise(alias)
                holder_name = self.owner.get(k)
                if holder_name is not None and holder_name != n:
                    holder = self.by_name[holder_name]
                    entry_problems.append(
                        f"{where}aliases 中的「{alias}」已是{_origin_text(holder)}条目「{holder.name}」的名称或别名；"
                        "别名须全库唯一"
                    )
            if entry_problems:
                problems.extend(entry_problems)
                continue
            if replaced is not None:
                for key in replaced.keys:
                    self.owner.pop(normalise(key), None)
                self.overrides.append(Override(entry.name, path))
            self._add(entry)
        return problems

    def catalog(self, files: Sequence[str]) -> Catalog:
        return Catalog(self.by_name.values(), overrides=self.overrides, files=files)


def _origin_text(entry: Entry) -> str:
    return "内置" if entry.origin == BUILTIN_ORIGIN else f" {entry.origin} 中的"


# ---------------------------------------------------------------------------- public API
def load_catalog(extra: Sequence[str | PathLike[str]] = ()) -> Catalog:
    """The built-in catalog plus the given extension files, in order.

    A user entry whose name equals an existing one replaces it (recorded in
    ``catalog.overrides``). Raises ``CatalogError`` on bad data.
    """
    merger = _Merger(_builtin_entries())
    files = [BUILTIN_LABEL]
    for item in extra:
        path = Path(item)
        entries, problems = _parse_file(path, check_units=True)
        if problems:
            raise CatalogError(problems)
        problems = merger.merge(path, entries)
        if problems:
            raise CatalogError(problems)
        files.append(str(path))
    return merger.catalog(files)


@cache
def default_catalog() -> Catalog:
    """The built-in catalog, loaded once per process (for the engine's default)."""
    return load_catalog()


def check_file(path: str | PathLike[str]) -> list[str]:
    """Every problem of a catalog file (empty when it is valid), for ``jixiao catalog check``.

    Besides the file's own problems this reports names and aliases that clash with
    the built-in catalog. Overriding a built-in entry by name is not a problem.
    """
    p = Path(path)
    entries, problems = _parse_file(p, check_units=True)
    if problems and not entries:
        return problems
    if _same_file(p, builtin_path()):
        return problems
    merger = _Merger(_builtin_entries())
    return problems + merger.merge(p, entries)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


__all__ = [
    "BUILTIN_LABEL",
    "CatalogError",
    "FIELDS",
    "builtin_path",
    "check_file",
    "default_catalog",
    "load_catalog",
]
