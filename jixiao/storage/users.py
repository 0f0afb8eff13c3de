"""Users and units: 填报人 (filler), 审核人 (reviewer), 管理员 (admin).

On PostgreSQL each user is a database login role in one of the group roles
jixiao_filler / jixiao_reviewer / jixiao_admin, and row-level security
(migration 0003) enforces what they may see and change — for psql too. On
SQLite, one person's file, the roles are advisory: recorded, shown, not
enforced.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from jixiao.storage.models import UnitRow, UserRow
from jixiao.storage.store import StoreError

ROLES = {"filler": "填报人", "reviewer": "审核人", "admin": "管理员"}
LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class User:
    login: str
    name: str
    role: str
    unit: str = ""
    department: str = ""
    cert_sha256: str = ""  # the registered signing certificate (migration 0024)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    department: str


def _quote_ident(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote_identifier(name)


def _literal(value: str) -> str:
    """A safely quoted SQL string literal (CREATE ROLE cannot take a bound parameter)."""
    from psycopg import sql

    return sql.Literal(value).as_string(None)


def _verifier(s: Session, login: str, password: str) -> str:
    """A SCRAM-SHA-256 verifier computed here by libpq: the clear password never reaches the server (or its log)."""
    pgconn = s.connection().connection.driver_connection.pgconn  # type: ignore[union-attr]
    return bytes(pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")).decode()


# settings for each login: a stuck or hostile session cannot hold others up for long
SESSION_LIMITS = {"lock_timeout": "5s", "statement_timeout": "120s", "idle_in_transaction_session_timeout": "10min"}
# connections each login may hold at once: a filler who opened the server's every connection (100 by default) kept
# every other login, the reviewers' too, from connecting; jixiao itself holds a few (its pool, a TUI beside a command)
CONNECTION_LIMIT = 20


def _pg_error(exc: DBAPIError) -> str:
    text_ = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return text_.replace("ERROR:", "").strip()


class Directory:
    """Manage users and units; on PostgreSQL also their database roles."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    # ---------------------------------------------------------------- units

    def add_unit(self, name: str, department: str = "") -> Unit:
        if not name.strip():
            raise StoreError("单位名称不能为空")
        try:
            with Session(self.engine) as s, s.begin():
                s.add(UnitRow(name=name.strip(), department=department.strip(), created_at=datetime.now(UTC)))
        except IntegrityError:
            raise StoreError(f"单位「{name}」已存在") from None
        except DBAPIError as exc:
            raise StoreError(f"不能添加单位：{_pg_error(exc)}") from None
        return Unit(name.strip(), department.strip())

    def units(self) -> list[Unit]:
        with Session(self.engine) as s:
            return [
                Unit(u.name, u.department)
                for u in s.execute(select(UnitRow).order_by(UnitRow.department, UnitRow.name)).scalars()
            ]

    def remove_unit(self, name: str) -> None:
        with Session(self.engine) as s, s.begin():
            if s.execute(delete(UnitRow).where(UnitRow.name == name)).rowcount == 0:  # type: ignore[attr-defined]
                raise StoreError(f"没有单位「{name}」")

    # ---------------------------------------------------------------- users

    def add_user(
        self, login: str, name: str, role: str, unit: str = "", department: str = "", password: str | None = None
    ) -> User:
        if not LOGIN.match(login):
            raise StoreError(f"登录名「{login}」无效；应为小写字母、数字和下划线，以字母开头，不超过 63 个字符")
        if role not in ROLES:
            raise StoreError(f"角色「{role}」无效；应为 filler（填报人）、reviewer（审核人）或 admin（管理员）")
        if role == "filler" and not unit.strip():
            raise StoreError("填报人必须指定单位（--unit）")
        user = User(login, name.strip() or login, role, unit.strip(), department.strip())
        try:
            with Session(self.engine) as s, s.begin():
                if self.postgres:
                    if not password:
                        raise StoreError("PostgreSQL 用户需要密码：请设置环境变量 JIXIAO_NEW_PASSWORD，或在提示时输入")
                    ident = _quote_ident(self.engine, login)
                    self._refuse_takeover(s, login)
                    verifier = _literal(_verifier(s, login, password))
                    exists = s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
                    verb = "ALTER" if exists else "CREATE"
                    conn = s.connection()  # not text(): a verifier may contain ":" that looks like a parameter
                    conn.exec_driver_sql(
                        f"{verb} ROLE {ident} LOGIN PASSWORD {verifier} CONNECTION LIMIT {CONNECTION_LIMIT}"
                    )
                    for name, value in SESSION_LIMITS.items():
                        conn.exec_driver_sql(f"ALTER ROLE {ident} SET {name} = {_literal(value)}")
                    for r in ROLES:
                        verb = "GRANT" if r == role else "REVOKE"
                        prep = "TO" if verb == "GRANT" else "FROM"
                        s.execute(text(f"{verb} jixiao_{r} {prep} {ident}"))
                s.merge(
                    UserRow(
                        login=login,
                        name=user.name,
                        role=role,
                        unit=user.unit,
                        department=user.department,
                        created_at=datetime.now(UTC),
                    )
                )
        except DBAPIError as exc:
            raise StoreError(f"不能添加用户「{login}」：{_pg_error(exc)}") from None
        return user

    def _refuse_takeover(self, s: Session, login: str) -> None:
        """Only jixiao's own users are changed: never another role, never a group role."""
        if login.startswith("jixiao_") or login.startswith("pg_"):
            raise StoreError(f"登录名「{login}」是保留的角色名（jixiao_*、pg_*），不能用作用户")
        role = s.execute(text("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
        if role is None:
            return
        if s.get(UserRow, login) is None or not role[0] or role[1]:
            raise StoreError(
                f"数据库中已有角色「{login}」，它不是 jixiao 的用户；不会修改它的密码或权限，请换一个登录名"
            )

    def users(self) -> list[User]:
        try:
            with Session(self.engine) as s:
                rows = s.execute(select(UserRow).order_by(UserRow.role, UserRow.login)).scalars()
                return [User(u.login, u.name, u.role, u.unit, u.department, u.cert_sha256 or "") for u in rows]
        except DBAPIError as exc:
            if "permission denied" in str(exc.orig):
                raise StoreError("无权限：只有管理员能列出用户；查看自己的身份请用 jixiao whoami") from None
            raise StoreError(f"不能列出用户：{_pg_error(exc)}") from None

    def register_certificate(self, login: str, sha256: str) -> None:
        """The user's signing certificate, by its SHA-256: a certificate belongs to one user, and on
        PostgreSQL the database refuses a signature of that user with any other (migration 0024)."""
        sha256 = sha256.lower()
        try:
            with Session(self.engine) as s, s.begin():
                holder = s.execute(select(UserRow.login).where(UserRow.cert_sha256 == sha256)).scalar()
                if holder is not None and holder != login:
                    raise StoreError(
                        f"该证书（SHA-256 {sha256[:16]}…）已登记给用户「{holder}」；一张签章证书只属于一个人"
                    )
                if s.execute(update(UserRow).where(UserRow.login == login).values(cert_sha256=sha256)).rowcount == 0:  # type: ignore[attr-defined]
                    raise StoreError(f"没有用户「{login}」")
        except DBAPIError as exc:
            if "permission denied" in str(exc.orig):
                raise StoreError("无权限：只有管理员能登记签章证书") from None
            raise StoreError(f"不能登记用户「{login}」的签章证书：{_pg_error(exc)}") from None

    def remove_user(self, login: str) -> None:
        try:
            with Session(self.engine) as s, s.begin():
                gone = s.execute(delete(UserRow).where(UserRow.login == login)).rowcount  # type: ignore[attr-defined]
                if not gone:
                    raise StoreError(f"没有用户「{login}」")
                if self.postgres and LOGIN.match(login):
                    s.execute(text(f"DROP ROLE IF EXISTS {_quote_ident(self.engine, login)}"))
        except DBAPIError as exc:
            raise StoreError(f"不能删除用户「{login}」：{_pg_error(exc)}") from None

    def whoami(self) -> User | None:
        """The signed-in user: the database role on PostgreSQL, else JIXIAO_USER / the OS login."""
        try:
            with Session(self.engine) as s:
                if self.postgres:
                    row = s.execute(text("SELECT login, name, role, unit, department FROM jixiao_me()")).first()
                    return User(*row) if row and row[0] else None
                login = os.environ.get("JIXIAO_USER", "").strip() or getpass.getuser()
                u = s.get(UserRow, login)
                return User(u.login, u.name, u.role, u.unit, u.department) if u else None
        except Exception:
            return None


def signer_binding(engine: Engine, form_id: int, certificate: str) -> tuple[str, bool, bool] | None:
    """(the login that signed the form, it has a certificate registered, ``certificate`` was registered
    to it) as the database recorded them (migration 0026); None on SQLite or with no signer on record."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT login, registered, own FROM jixiao_signer_binding(:f, :c)"), {"f": form_id, "c": certificate}
        ).first()
    return (str(found[0]), bool(found[1]), bool(found[2])) if found else None


def recorded_signer(engine: Engine) -> str | None:
    """The 签章人 the database writes when this login signs (migration 0028: the user's name), so that
    the PDF names the same person; None where the name jixiao gives stands (SQLite, the owner)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        name = conn.execute(text("SELECT jixiao_signer_name()")).scalar()
    return None if name is None else str(name)
