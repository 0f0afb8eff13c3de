"""Users of a PostgreSQL test schema, one per role, and plain psycopg connections as each.

conftest.py makes ``make_setup`` the ``setup`` fixture of the role and attack tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from jixiao.storage.store import FormStore, StoreError
from jixiao.storage.users import Directory
from tests.storage_backends import make_backend

SHANGYE = "武昌区商业行业离退休人员管理服务中心"
JINGKE = "武昌区经济信息化和科技创新局"
PASSWORD = "Pw-角色测试-1"


class Setup:
    def __init__(self, schema_url: str, store: FormStore, logins: dict[str, str]) -> None:
        self.url = make_url(schema_url)
        self.store = store
        self.logins = logins
        self.schema = dict(self.url.query)["options"].split("=")[-1]

    def connect(self, who: str) -> psycopg.Connection:  # type: ignore[type-arg]
        u = self.url
        return psycopg.connect(
            host=u.host,
            port=u.port,
            dbname=u.database,
            user=self.logins[who],
            password=PASSWORD,
            options=f"-csearch_path={self.schema}",
            autocommit=True,
        )

    def connect_owner(self) -> psycopg.Connection:  # type: ignore[type-arg]
        """The schema's owner, as a restore or psql by the database's administrator connects."""
        u = self.url
        return psycopg.connect(
            host=u.host,
            port=u.port,
            dbname=u.database,
            user=u.username,
            password=u.password,
            options=f"-csearch_path={self.schema}",
            autocommit=True,
        )

    def form_id(self, name: str) -> int:
        return next(s.id for s in self.store.list() if s.project_name == name)


def make_setup(tmp_path: Path) -> Iterator[Setup]:
    gen = make_backend("postgresql", tmp_path, seeded=True)
    url, engine = next(gen)
    store = FormStore(engine, actor="管理员")
    d = Directory(engine)
    tag = uuid.uuid4().hex[:6]
    logins = {
        "shangye": f"jx_shangye_{tag}",
        "jingke": f"jx_jingke_{tag}",
        "reviewer": f"jx_rev_{tag}",
        "admin": f"jx_admin_{tag}",
    }
    d.add_user(logins["shangye"], "商业行办填报人", "filler", unit=SHANGYE, password=PASSWORD)
    d.add_user(logins["jingke"], "经科局填报人", "filler", unit=JINGKE, password=PASSWORD)
    d.add_user(logins["reviewer"], "财政局审核人", "reviewer", department=JINGKE, password=PASSWORD)
    d.add_user(logins["admin"], "管理员", "admin", password=PASSWORD)
    try:
        yield Setup(url, store, logins)
    finally:
        for login in logins.values():
            try:
                d.remove_user(login)
            except StoreError:
                pass
        gen.close()
