"""Where the database is, how to open it, and how it is created and migrated.

The default is an SQLite file in the user's data directory (XDG). ``--db URL``
or ``JIXIAO_DB`` selects another, e.g. ``postgresql+psycopg://…``. A new
default database is migrated and seeded with the sample forms on first use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url

from jixiao.storage.types import stored_json
from scorer.errors import JixiaoError

ENV_DB = "JIXIAO_DB"
MIGRATION_LOCK = int.from_bytes(b"jixiao-m", "big")  # the advisory lock key of `jixiao db upgrade`


class DatabaseError(JixiaoError, RuntimeError):
    """The database cannot be opened or migrated; the message says why."""


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("jixiao", appauthor=False) / "jixiao.db"


def resolve_url(url: str | None = None) -> tuple[str, bool]:
    """The database URL and whether it is the embedded default."""
    url = url or os.environ.get(ENV_DB) or ""
    if url:
        if "://" not in url:  # a plain path means an SQLite file
            return f"sqlite:///{Path(url).expanduser().resolve()}", False
        return url, False
    return f"sqlite:///{default_path()}", True


_QUERY_SECRET = re.compile(r"((?:^|[?&\s])(?:password|sslpassword|passfile)=)[^&\s]*", re.IGNORECASE)
_CONNINFO = re.compile(r"^\s*(host|hostaddr|dbname|user|port|password|service|sslmode)\s*=", re.IGNORECASE)


def redact(url: str) -> str:
    """A URL safe to print: the password (also ``?password=`` and conninfo ``password=``) is ***."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:
        shown = re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
    return _QUERY_SECRET.sub(r"\1***", shown)


def check_command_line_url(url: str) -> None:
    """Refuse what must not be on a command line (every user sees it in the process list) or is misread.

    A password belongs in PGPASSWORD, ~/.pgpass or a PGSERVICE file; a libpq conninfo string
    would otherwise be taken as an SQLite file name.
    """
    if "://" not in url and _CONNINFO.match(url):
        raise DatabaseError(
            "--db 看起来是 libpq 连接串；请写成 postgresql+psycopg://用户@主机:端口/库（密码放在 ~/.pgpass 或 PGPASSWORD）"
        )
    if "://" not in url:
        return
    try:
        u = make_url(url)
    except Exception:
        raise DatabaseError(f"数据库地址无效：{redact(url)}") from None
    if u.password or any(k.lower() in ("password", "sslpassword") for k in u.query):
        raise DatabaseError(
            f"--db 中不能写密码（命令行对本机所有用户可见）：{redact(url)}；"
            "请用环境变量 PGPASSWORD、~/.pgpass 或 PGSERVICE 提供密码"
        )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys=ON")


def on_read_only_filesystem(path: Path) -> bool:
    """An existing file on a read-only mount (an archive, a CD, a share mounted ro). The file's own
    mount, not its directory's: a link on a read-only mount may point at a file that is written."""
    try:
        return path.is_file() and bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def unmerged_writes(path: Path) -> Path | None:
    """A file beside ``path`` holding writes the database file itself lacks: a -wal with frames (committed
    transactions not yet checkpointed) or a hot -journal (a write cut off half-way, to be rolled back).
    SQLite puts them beside the file a link points at."""
    real = path.resolve()
    wal, journal = real.with_name(f"{real.name}-wal"), real.with_name(f"{real.name}-journal")
    try:
        if wal.stat().st_size > 32:  # more than the WAL header: frames
            return wal
    except OSError:
        pass
    try:
        with journal.open("rb") as f:
            if f.read(1) not in (b"", b"\0"):  # an empty or zeroed journal is not hot
                return journal
    except OSError:
        pass
    return None


def _read_only_engine(path: Path) -> Engine:
    """Read a file on a read-only mount. SQLite cannot make the WAL's shared-memory file there, so a
    file alone is opened as immutable, which is true of it while the mount is read-only. Immutable
    ignores a -wal and a -journal: beside one (committed transactions, or a half-done write) the file
    is opened read-only as SQLite reads it anywhere, or refused when SQLite cannot. Any write is
    refused by SQLite (「数据库文件只读」)."""
    from urllib.parse import quote

    side = unmerged_writes(path)
    uri = f"file:{quote(str(path))}?mode=ro" + ("" if side else "&immutable=1")
    if side:
        _probe(uri, path, side)
    engine = create_engine("sqlite://", creator=lambda: _sqlite3_connect(uri), json_deserializer=stored_json)
    event.listen(engine, "connect", _sqlite_read_only_pragmas)
    return engine


def _probe(uri: str, path: Path, side: Path) -> None:
    import sqlite3

    try:
        conn = _sqlite3_connect(uri)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        what = (
            "有已提交、尚未并入数据库文件的修改"
            if side.name.endswith("-wal")
            else "记着一次中断的写入，数据库文件可能只写了一半"
        )
        raise DatabaseError(
            f"只读挂载上的数据库 {path} 旁的 {side.name} {what}，在只读挂载上无法读入；"
            f"请在可写的位置用 jixiao 打开一次，或把数据库连同 {side.name} 复制到可写目录后再读"
        ) from None


def _sqlite3_connect(uri: str) -> Any:
    import sqlite3

    return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)


def make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except Exception:
        raise DatabaseError(f"数据库地址无效：{redact(url)}") from None
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            if on_read_only_filesystem(Path(u.database)):
                return _read_only_engine(Path(u.database))
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": 30}, json_deserializer=stored_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if u.get_backend_name() == "postgresql":
        return create_engine(u, pool_pre_ping=True, json_deserializer=stored_json)
    raise DatabaseError(f"不支持的数据库「{u.get_backend_name()}」；支持 SQLite 与 PostgreSQL")


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "jixiao.storage:migrations")
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


# who holds the migrations' advisory lock (pg_locks and the login are readable by every login)
_LOCK_HOLDER = """SELECT a.usename, l.pid, r.rolsuper FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_catalog.pg_roles r ON r.rolname = a.usename
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    AND l.classid::bigint * 4294967296 + l.objid::bigint = :key"""


def take_migration_lock(conn: Any, poll: float = 0.2) -> None:
    """Wait for another upgrade by this login (or a superuser) to finish, never for anyone else.

    Any login may take any advisory lock: a filler holding this one would otherwise make every
    `db upgrade` wait for ever. Such a holder is named, so that the DBA can end its session."""
    import time

    while not conn.execute(sql_text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}).scalar():
        conn.execute(sql_text("SELECT pg_catalog.pg_stat_clear_snapshot()"))  # the sessions as they are now
        holder = conn.execute(sql_text(_LOCK_HOLDER), {"key": MIGRATION_LOCK}).first()
        me = conn.execute(sql_text("SELECT session_user")).scalar()
        if holder is not None and holder.usename != me and not holder.rolsuper:
            raise DatabaseError(
                f"数据库升级锁被登录「{holder.usename}」（服务器进程 {holder.pid}）占用，它不是数据库所有者；"
                f"请 DBA 结束该会话（SELECT pg_terminate_backend({holder.pid})）后重试"
            )
        time.sleep(poll)


# the sessions of other logins that hold a lock on a table of this schema (an idle transaction that
# read a form holds one until it ends, and no login can be kept from disabling its idle timeout)
_TABLE_HOLDERS = """SELECT DISTINCT a.usename, l.pid, r.rolsuper FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_catalog.pg_roles r ON r.rolname = a.usename
  JOIN pg_catalog.pg_class c ON c.oid = l.relation
  WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
    AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
  ORDER BY l.pid"""
_TABLES = """SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_catalog.pg_class c
  WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
    AND c.relkind IN ('r', 'p')"""


def take_table_locks(conn: Any, poll: float = 0.2, task: str = "数据库升级") -> None:
    """Every table of the schema, locked for the migrations; wait for this login or a superuser only.

    A filler who read a form in a transaction and left it open (``SET idle_in_transaction_session_timeout
    = 0``) held a lock that each ``ALTER TABLE`` of a migration waited for, without end. Such a holder is
    named instead, so that the DBA can end its session, as for the upgrade lock."""
    import time

    from sqlalchemy.exc import OperationalError

    tables = conn.execute(sql_text(_TABLES)).scalar()
    if not tables:
        return
    while True:
        try:
            with conn.begin_nested():
                conn.execute(sql_text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE NOWAIT"))
            return
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
        conn.execute(sql_text("SELECT pg_catalog.pg_stat_clear_snapshot()"))  # the sessions as they are now
        me = conn.execute(sql_text("SELECT session_user")).scalar()
        for holder in conn.execute(sql_text(_TABLE_HOLDERS)):
            if holder.usename != me and not holder.rolsuper:
                raise DatabaseError(
                    f"登录「{holder.usename}」（服务器进程 {holder.pid}）的事务占用着 jixiao 的数据表，"
                    f"{task}无法进行；请 DBA 结束该会话（SELECT pg_terminate_backend({holder.pid})）后重试"
                )
        time.sleep(poll)


def _pending(conn: Any, cfg: Any, revision: str) -> bool:
    """Whether an upgrade to ``revision`` has a migration to run."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(conn).get_current_revision()
    try:
        target = ScriptDirectory.from_config(cfg).as_revision_number(revision)
    except Exception:  # a relative or unknown target: alembic says what is wrong with it; lock as for any
        return True
    return current != target


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate, then fill in derived columns that a migration added (see 0002)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Migrations change what the whole server shares (group roles, the database's
            # grants); two at once fail with "tuple concurrently updated". One at a time.
            take_migration_lock(conn)
            if _pending(conn, cfg, revision):
                take_table_locks(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if engine.dialect.name == "postgresql":
            _rule_totals(conn)
    if revision == "head":
        from jixiao.storage.store import FormStore

        FormStore(engine, actor="jixiao").rescore(only_missing=True, jobs=None)


def _rule_totals(conn: Any) -> None:
    """The built-in rule sets' totals, which the database holds a moving form to (migration 0023),
    written again by the owner at each upgrade: a rule set changed since is taken."""
    import importlib

    has = conn.exec_driver_sql(
        "SELECT to_regclass('rule_set_totals') IS NOT NULL AND has_table_privilege('rule_set_totals', 'UPDATE')"
    ).scalar_one()
    if has:
        importlib.import_module("jixiao.storage.migrations.versions.0023_weights_within_the_rule_total").fill(conn)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).has_table("forms")


def open_database(
    url: str | None = None,
    announce: Callable[[str], None] | None = None,
    seed: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Engine, bool]:
    """Open (and on first use create, migrate and seed) the database.

    Returns the engine and whether this is the embedded default. ``progress`` is told how the
    rescore of the default database's stale verdicts goes (``jixiao.storage.rescore``).
    """
    resolved, is_default = resolve_url(url)
    engine = make_engine(resolved)
    try:
        fresh = is_empty(engine)
    except Exception as exc:
        engine = _retry_with_password(resolved, exc)
        fresh = is_empty(engine)
    try:
        rev = None if fresh else current_revision(engine)
        head = head_revision(engine)
    except Exception as exc:
        raise DatabaseError(f"无法连接数据库 {redact(resolved)}：{_reason(exc)}") from None
    if fresh and is_default:
        n = _create_default(engine, seed)
        if announce and seed:
            announce(f"已创建默认数据库 {make_url(resolved).database}，并导入 {n} 份样表。")
    elif fresh and engine.dialect.name == "sqlite":
        upgrade(engine)  # a new SQLite file: create the schema, seed nothing
        if announce:
            announce(f"已创建数据库 {make_url(resolved).database}。")
    elif rev != head:
        if is_default:
            upgrade(engine)
            if announce:
                announce(f"已将默认数据库升级到版本 {head}。")
        elif fresh:
            raise DatabaseError(f"数据库 {redact(resolved)} 尚未初始化；请先运行 jixiao --db URL db upgrade")
        else:
            raise DatabaseError(f"数据库 {redact(resolved)} 的版本为 {rev}，程序需要 {head}；请运行 jixiao db upgrade")
    elif is_default and not fresh:
        _rescore_stale(engine, announce, progress)
    return engine, is_default


def _create_default(engine: Engine, seed: bool) -> int:
    """Migrate the new default database and seed it (the number of sample forms); all or nothing:
    if either fails (a full disk), the new file goes, so the next run creates and seeds it again
    rather than finding a migrated database without its samples."""
    try:
        upgrade(engine)
        if not seed:
            return 0
        from jixiao.storage.seed import seed_samples

        return seed_samples(engine)
    except BaseException:
        engine.dispose()
        path = engine.url.database
        if path:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(path + suffix).unlink(missing_ok=True)
        raise


def _rescore_stale(
    engine: Engine, announce: Callable[[str], None] | None, progress: Callable[[int, int], None] | None
) -> None:
    """The default database is one user's: verdicts another jixiao computed are recomputed on opening
    (a shared database is rescored by ``db rescore``, and the review says what is stale)."""
    from jixiao.storage.verdict_stamp import stale_count

    if stale_count(engine):
        from jixiao.storage.store import FormStore

        done = FormStore(engine, actor="jixiao").rescore(only_missing=True, jobs=None, progress=progress)
        if announce:
            announce(f"本版 jixiao 的评分规则或检查有变，已重新计算默认数据库中 {done} 份表单的评分。")


def _retry_with_password(url: str, exc: BaseException) -> Engine:
    """PostgreSQL asked for a password that neither the URL, PGPASSWORD nor ~/.pgpass gave: prompt once."""
    import sys

    u = make_url(url)
    asks = "password" in str(exc).lower() and u.get_backend_name() == "postgresql" and not u.password
    if not asks or not sys.stdin.isatty():
        raise DatabaseError(f"无法连接数据库 {redact(url)}：{_reason(exc)}") from None
    import getpass

    password = getpass.getpass(f"{u.username}@{u.host} 的数据库密码：")
    engine = make_engine(u.set(password=password).render_as_string(hide_password=False))
    try:
        is_empty(engine)
    except Exception as again:
        raise DatabaseError(f"无法连接数据库 {redact(url)}：{_reason(again)}") from None
    return engine


def _reason(exc: BaseException) -> str:
    from jixiao.storage.driver_messages import environment_problem

    said = environment_problem(exc)
    if said:
        return said
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact(text)
