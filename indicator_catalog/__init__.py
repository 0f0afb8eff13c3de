"""jixiao's indicator catalog (指标库): standard 三级 indicators with direction, unit and definition.

    >>> from indicator_catalog import load_catalog
    >>> catalog = load_catalog()              # built-in data, plus extension files if given
    >>> catalog.lookup("利润增长量").direction  # exact name or alias, O(1)
    'positive'
    >>> catalog.search("myd")[0].entry.name   # Chinese, full pinyin or pinyin initials
    '服务对象满意度'

Importing this package loads neither the scoring engine nor any UI, database or
PDF library; pypinyin is loaded on the first search, pint only to check the
units of extension files.
"""

from indicator_catalog.loader import (
    BUILTIN_LABEL,
    CatalogError,
    builtin_path,
    check_file,
    default_catalog,
    load_catalog,
)
from indicator_catalog.model import (
    BUILTIN_ORIGIN,
    CATALOG_VERSION,
    COMPARATORS,
    DIRECTION_LABELS,
    DIRECTIONS,
    KIND_LABELS,
    KINDS,
    LEVEL1,
    LEVEL2,
    RANK_KIND_LABELS,
    RANK_KINDS,
    SOURCE_LABELS,
    SOURCES,
    Catalog,
    Entry,
    Match,
    Override,
    normalise,
)

__all__ = [
    "BUILTIN_LABEL",
    "BUILTIN_ORIGIN",
    "CATALOG_VERSION",
    "COMPARATORS",
    "Catalog",
    "CatalogError",
    "DIRECTIONS",
    "DIRECTION_LABELS",
    "Entry",
    "KINDS",
    "KIND_LABELS",
    "LEVEL1",
    "LEVEL2",
    "Match",
    "Override",
    "RANK_KINDS",
    "RANK_KIND_LABELS",
    "SOURCES",
    "SOURCE_LABELS",
    "builtin_path",
    "check_file",
    "default_catalog",
    "load_catalog",
    "normalise",
]
