"""The composition root: the store and the catalog that the CLI and the TUI both run on.

Built here once per command, passed down (the engine, the store and the app are given what they
use; none of them reaches for a default). A catalog that cannot be read is reported, not
swallowed: scoring then goes on without it, and the user is told so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indicator_catalog import Catalog
    from jixiao.storage.store import FormStore


def catalog(report: Callable[[str], None]) -> Catalog | None:
    """The built-in indicator catalog; None, after saying why, when its data cannot be read."""
    from indicator_catalog import CatalogError, load_catalog

    try:
        return load_catalog()
    except CatalogError as exc:
        report(f"指标库无法读取，计分时不使用指标库（方向改由比较符、指标名称和二级指标判断）：{exc}")
        return None


def open_store(
    db: str | None,
    announce: Callable[[str], None],
    report: Callable[[str], None],
    progress: Callable[[int, int], None] | None = None,
) -> FormStore:
    """The form store on ``db`` (or the default database), as the user the connection runs as.
    ``progress``: how the rescore of the default database's stale verdicts on opening goes."""
    from jixiao.scoring import NO_CATALOG
    from jixiao.storage import FormStore, open_database
    from jixiao.storage.users import Directory

    engine, _ = open_database(db, announce=announce, progress=progress)
    me = Directory(engine).whoami()
    cat = catalog(report)
    return FormStore(engine, actor=me.name if me else None, catalog=cat if cat is not None else NO_CATALOG)


def catalog_of(store: FormStore) -> Catalog | None:
    """The catalog a store opened here scores with (loaded once), or None when it could not be read."""
    from indicator_catalog import Catalog

    return store.catalog if isinstance(store.catalog, Catalog) else None
