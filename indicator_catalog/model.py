"""The catalog's data model: entries, search matches and the in-memory catalog.

This module imports only the standard library. Pinyin (pypinyin) is loaded
only when ``Catalog.search`` is first used, so the engine, which only calls
``Catalog.lookup``, never pays for it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from scorer.model import DIRECTION_LABELS, Direction

if TYPE_CHECKING:  # pragma: no cover
    from indicator_catalog.search import SearchIndex

CATALOG_VERSION = "1"
BUILTIN_ORIGIN = "built-in"

DIRECTIONS: tuple[Direction, ...] = tuple(Direction)  # the scorer's vocabulary, in its order
KINDS = ("rate", "count", "amount", "duration", "rank", "date", "text")
COMPARATORS = (">=", ">", "=", "<=", "<")
# "local" is for a unit's own extension files; the built-in catalog uses the first three.
SOURCES = ("national", "seed", "practice", "local")
BUILTIN_SOURCES = ("national", "seed", "practice")

PROJECT_LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")
DEPARTMENT_LEVEL1 = ("投入", "过程", "产出", "效果")
LEVEL1 = PROJECT_LEVEL1 + DEPARTMENT_LEVEL1

# 二级 allowed under each 一级. The project side follows the national project-expenditure
# framework (成本指标 under 产出指标 is kept for older forms); the 投入/过程/产出/效果 side
# follows the national common frameworks for 部门整体支出 and 项目支出, plus 经费保障.
LEVEL2: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
    "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    "投入": ("目标设定", "预算配置", "经费保障", "项目立项", "资金落实"),
    "过程": ("预算执行", "预算管理", "资产管理", "业务管理", "财务管理"),
    "产出": ("职责履行", "项目产出"),
    "效果": ("履职效益", "项目效益"),
}

# Chinese labels, shared by the CLI and the views (directions: the enum's own labels).
KIND_LABELS = {
    "rate": "比率",
    "count": "数量",
    "amount": "金额",
    "duration": "时长",
    "rank": "名次",
    "date": "日期",
    "text": "文本",
}
SOURCE_LABELS = {"national": "国家框架", "seed": "样表", "practice": "常用实践", "local": "本单位"}
RANK_KIND_LABELS = {
    "exact": "完全匹配",
    "prefix": "前缀",
    "initials": "拼音首字母",
    "pinyin": "拼音全拼",
    "substring": "包含",
}
RANK_KINDS = tuple(RANK_KIND_LABELS)


def normalise(text: str) -> str:
    """The lookup key of a name: NFKC, with every whitespace character removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, slots=True)
class Entry:
    """One 三级 indicator of the catalog."""

    name: str
    aliases: tuple[str, ...]
    level1: str
    level2: str
    direction: str  # positive / reverse / equal / qualitative
    kind: str  # rate / count / amount / duration / rank / date / text
    unit: str  # default unit symbol, "" when none
    comparator: str  # >= > = <= <, "" for qualitative
    definition: str
    source: str  # national / seed / practice (/ local in extension files)
    origin: str = BUILTIN_ORIGIN  # the file it came from

    @property
    def keys(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)

    @property
    def builtin(self) -> bool:
        return self.origin == BUILTIN_ORIGIN

    @property
    def direction_label(self) -> str:
        d = Direction.of(self.direction)
        return d.label if d is not None else self.direction

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["aliases"] = list(self.aliases)
        return d


@dataclass(frozen=True, slots=True)
class Match:
    """One search hit: the entry, how it matched, and which of its names matched."""

    entry: Entry
    rank_kind: str  # exact / prefix / initials / pinyin / substring
    matched: str  # the name or alias that matched

    @property
    def rank_label(self) -> str:
        return RANK_KIND_LABELS.get(self.rank_kind, self.rank_kind)

    @property
    def via_alias(self) -> bool:
        return self.matched != self.entry.name


class Override(NamedTuple):
    """A user entry that replaced an entry of the same name; compares equal to ``(name, file)``."""

    name: str
    file: Path


class Catalog:
    """The loaded catalog. Build it with ``load_catalog``; treat it as read-only."""

    __slots__ = ("entries", "overrides", "files", "version", "_keys", "_index")

    def __init__(
        self,
        entries: Iterable[Entry],
        *,
        overrides: Iterable[Override] = (),
        files: Iterable[str] = (),
        version: str = CATALOG_VERSION,
    ) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.overrides: list[Override] = list(overrides)
        self.files: tuple[str, ...] = tuple(files)
        self.version = version
        keys: dict[str, Entry] = {}
        for entry in self.entries:
            for key in entry.keys:
                k = normalise(key)
                other = keys.get(k)
                if other is not None and other is not entry:
                    raise ValueError(f"「{key}」同时属于「{other.name}」和「{entry.name}」")
                keys[k] = entry
        self._keys = keys
        self._index: SearchIndex | None = None

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str) -> Entry | None:
        """The entry whose name or alias equals ``name`` after normalising (whitespace, NFKC)."""
        entry = self._keys.get(name)
        if entry is None:
            entry = self._keys.get(normalise(name))
        return entry

    def __getitem__(self, name: str) -> Entry:
        entry = self.lookup(name)
        if entry is None:
            raise KeyError(name)
        return entry

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.lookup(name) is not None

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<Catalog v{self.version}: {len(self.entries)} entries, {len(self.overrides)} overrides>"

    # ------------------------------------------------------------------ search
    def search_index(self) -> SearchIndex:
        """The pinyin search index, built once on first use (this imports pypinyin)."""
        if self._index is None:
            from indicator_catalog.search import SearchIndex

            self._index = SearchIndex(self.entries)
        return self._index

    def search(self, query: str, limit: int | None = 20) -> list[Match]:
        """Ranked matches: exact, prefix, initials, pinyin, substring (see ``indicator_catalog.search``)."""
        return self.search_index().search(query, limit)


__all__ = [
    "BUILTIN_ORIGIN",
    "BUILTIN_SOURCES",
    "CATALOG_VERSION",
    "COMPARATORS",
    "Catalog",
    "DEPARTMENT_LEVEL1",
    "DIRECTIONS",
    "DIRECTION_LABELS",
    "Entry",
    "KINDS",
    "KIND_LABELS",
    "LEVEL1",
    "LEVEL2",
    "Match",
    "Override",
    "PROJECT_LEVEL1",
    "RANK_KINDS",
    "RANK_KIND_LABELS",
    "SOURCES",
    "SOURCE_LABELS",
    "normalise",
]
