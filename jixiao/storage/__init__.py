"""Storage adapter: forms in SQLite (default) or PostgreSQL, via SQLAlchemy 2 and Alembic."""

from jixiao.storage.database import DatabaseError, open_database, redact, resolve_url
from jixiao.storage.store import ConflictError, FormStore, NotFound, StoredForm, StoreError

__all__ = [
    "ConflictError",
    "DatabaseError",
    "FormStore",
    "NotFound",
    "StoreError",
    "StoredForm",
    "open_database",
    "redact",
    "resolve_url",
]
