"""The cluster-wide group roles (PostgreSQL), created once by whichever database migrates first.

Roles belong to the cluster, not the database: two databases on one server running their first
migration at the same moment both see no role and both create it, and the second waited on the
first's row to fail with a duplicate key. The creation therefore also takes "someone else just
created it" as done. Keep this module's behaviour fixed: applied migrations rely on it.
"""

from __future__ import annotations


def create_group_role(name: str) -> str:
    """``CREATE ROLE name NOLOGIN`` unless the role exists or another migration has just made it."""
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
        f"BEGIN CREATE ROLE {name} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END; "
        "END IF; END $$"
    )
