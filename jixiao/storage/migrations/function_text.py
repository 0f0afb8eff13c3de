"""A database function redefined with one piece of its stored text replaced (PostgreSQL).

Migrations from 0028 tighten one condition of a function an earlier migration wrote; replacing that
piece in whatever text the database holds keeps every other migration's version of the function. A
piece that is not found stops the migration (the function would silently stay as it was). Keep this
module's behaviour fixed: applied migrations rely on it.
"""

from __future__ import annotations

from alembic import op

#: (function name, text before, text after)
Rewrite = tuple[str, str, str]


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def rewrite_sql(fn: str, old: str, new: str) -> str:
    """``fn`` of the current schema redefined with ``old`` replaced by ``new``; an error when ``old`` is missing."""
    return f"""DO $$ DECLARE o oid; BEGIN
      SELECT p.oid INTO o FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = current_schema() AND p.proname = {_quote(fn)};
      IF o IS NULL OR position({_quote(old)} IN pg_get_functiondef(o)) = 0 THEN
        RAISE EXCEPTION 'jixiao: function % does not read as expected', {_quote(fn)};
      END IF;
      EXECUTE replace(pg_get_functiondef(o), {_quote(old)}, {_quote(new)});
    END $$"""


def rewrite_functions(rewrites: tuple[Rewrite, ...], undo: bool = False) -> None:
    """Each rewrite on PostgreSQL (SQLite has no functions), or each undone (downgrade), in order."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for fn, old, new in rewrites if not undo else reversed(rewrites):
        op.execute(rewrite_sql(fn, new, old) if undo else rewrite_sql(fn, old, new))
