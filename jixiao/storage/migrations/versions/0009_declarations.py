"""declarations

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

A form begins as a target declaration (绩效目标申报, ``stage = 'declaration'``) and goes through
the same workflow as any form. When a reviewer approves a declaration, the database itself copies
its indicator rows into ``approved_targets``: the targets as approved, append-only for every role.
At year end the unit turns the approved declaration into its self-evaluation (``stage =
'evaluation'``, back to 草稿); from then on the 年初目标值 are locked: every approved row must stay,
with its level, name, target and weight, and no row may be added. A change of target is made in
调整后目标值, with its reason, which the scoring honours. Checked in the same transaction as any
change, on both back ends by the application and on PostgreSQL again by the database:

- only the approval writes ``approved_targets`` (no role holds INSERT, UPDATE or DELETE);
- the stage moves only from an approved declaration to a self-evaluation in 草稿, through
  ``jixiao_begin_evaluation(form)`` (the unit's fillers and admins), never back;
- a deferred check at commit refuses any indicator change of a locked self-evaluation that leaves
  its rows different from the latest approval; a form with approved targets cannot be deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jixiao.storage.types
from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"
LOCKED = "uid, level1, level2, name, target, weight, sub, direction, goal_position, position"
# the same columns of a form's own rows (indicators i joined to their goals g)
_NOW = "i.uid, i.level1, i.level2, i.name, i.target, i.weight, i.sub, i.direction, g.position, i.position"
# 0004's lists, with the stage among the workflow columns: the stage moves with the status
WORKFLOW = ("status", "version", "updated_at", "updated_by", "signed_at", "signed_by", "signature_sha256", "stage")
DERIVED_FORM = (
    "computed_rules",
    "computed_total",
    "computed_grade",
    "computed_rate",
    "computed_pending",
    "computed_problems",
    "agg_total_c",
    "agg_recorded_c",
    "agg_planned_u",
    "agg_executed_u",
    "agg_errors",
    "agg_warnings",
    "agg_infos",
    "agg_indicators",
)


def upgrade() -> None:
    op.add_column("forms", sa.Column("stage", sa.String(length=20), nullable=False, server_default="evaluation"))
    op.create_table(
        "approved_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("approval", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),  # indicator, goal (its weight) or budget
        sa.Column("goal_position", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=True),
        sa.Column("level1", sa.String(length=50), nullable=False),
        sa.Column("level2", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("weight", jixiao.storage.types.ExactDecimal(), nullable=True),
        sa.Column("sub", sa.Boolean(), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("db_user", sa.String(length=63), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_approved_targets_form", "approved_targets", ["form_id", "approval"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in sqlite_statements():
            op.execute(statement)
    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        for statement in postgres_statements(quoted):
            op.execute(statement)


def _copy(s: str, approver: str, at: str, db_user: str) -> str:
    """The INSERT … SELECTs that copy a form's indicator rows, goal weights and budget weight as approved
    (``NEW`` is the form); statements separated by "; "."""
    cols = (
        "form_id, approval, kind, goal_position, position, uid, level1, level2, name, target, weight, sub, direction, "
        "approver, at, db_user"
    )
    stamp = f"{approver}, {at}, {db_user}"
    # the approval's number is counted here, one more than the form's last (never the writable version):
    # the budget row, always written, takes it first and the other rows take the same
    last = f"(SELECT COALESCE(max(a.approval), 0) FROM {s}approved_targets a WHERE a.form_id = NEW.id)"
    return "; ".join(
        [
            f"INSERT INTO {s}approved_targets ({cols}) VALUES (NEW.id, {last} + 1, 'budget', -1, -1, NULL, '', '', '', '', "
            f"NEW.budget_weight, false, '', {stamp})",
            f"INSERT INTO {s}approved_targets ({cols}) SELECT NEW.id, {last}, 'indicator', g.position, i.position, "
            f"i.uid, i.level1, i.level2, i.name, i.target, i.weight, i.sub, i.direction, {stamp} "
            f"FROM {s}indicators i JOIN {s}goals g ON g.id = i.goal_id WHERE i.form_id = NEW.id",
            f"INSERT INTO {s}approved_targets ({cols}) SELECT NEW.id, {last}, 'goal', g.position, -1, NULL, '', '', "
            f"'', '', g.weight, false, '', {stamp} FROM {s}goals g WHERE g.form_id = NEW.id",
        ]
    )


def sqlite_statements() -> list[str]:
    """Append-only, and the approval's copy (roles are advisory on SQLite; the application checks the lock)."""
    return [
        *(
            f"CREATE TRIGGER approved_targets_no_{event.lower()} BEFORE {event} ON approved_targets "
            "BEGIN SELECT RAISE(ABORT, 'approved_targets is append-only'); END"
            for event in ("UPDATE", "DELETE")
        ),
        "CREATE TRIGGER forms_approve_targets AFTER UPDATE OF status ON forms "
        "WHEN NEW.stage = 'declaration' AND NEW.status = 'approved' AND OLD.status <> 'approved' "
        f"BEGIN {_copy('', 'NEW.updated_by', 'NEW.updated_at', 'NULL')}; END",
        "CREATE TRIGGER forms_stage_guard BEFORE UPDATE OF stage ON forms "
        "WHEN NEW.stage IS NOT OLD.stage AND NOT (OLD.stage = 'declaration' AND NEW.stage = 'evaluation' "
        "AND OLD.status = 'approved' AND NEW.status = 'draft') "
        "BEGIN SELECT RAISE(ABORT, 'jixiao: the stage moves only from an approved declaration to a draft'); END",
    ]


def _arr(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join(f"'{n}'" for n in names) + "]"


def _forms_guard(s: str, path: str) -> str:
    """0004's guard of the forms, unchanged but for the stage counted among the workflow columns."""
    return f"""CREATE OR REPLACE FUNCTION {s}.jixiao_forms_guard() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        DECLARE
          trusted boolean := {s}.jixiao_trusted_writer();
          dept text;
          o jsonb; n jsonb; data_changed boolean; derived_changed boolean; workflow_changed boolean;
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.status NOT IN ('draft','returned') THEN
              RAISE EXCEPTION 'jixiao: form % is %, read-only', OLD.id, OLD.status USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
          END IF;
          SELECT u.department INTO dept FROM {s}.units u WHERE u.name = NEW.implementing_unit;
          IF FOUND THEN
            NEW.department := dept;
          ELSIF NOT trusted THEN
            NEW.department := CASE WHEN TG_OP = 'UPDATE' THEN OLD.department ELSE '' END;
          END IF;
          IF TG_OP = 'INSERT' THEN
            IF NOT trusted THEN NEW.scores_trusted := false; END IF;
            RETURN NEW;
          END IF;
          o := to_jsonb(OLD) - 'scores_trusted'; n := to_jsonb(NEW) - 'scores_trusted';
          data_changed := (o - {_arr(WORKFLOW + DERIVED_FORM)}) IS DISTINCT FROM (n - {_arr(WORKFLOW + DERIVED_FORM)});
          derived_changed := (SELECT count(*) FROM unnest({_arr(DERIVED_FORM)}) k WHERE o -> k IS DISTINCT FROM n -> k) > 0;
          workflow_changed := (SELECT count(*) FROM unnest({_arr(WORKFLOW)}) k WHERE o -> k IS DISTINCT FROM n -> k) > 0;
          IF NOT trusted THEN
            NEW.scores_trusted := CASE WHEN data_changed OR derived_changed THEN false
                                       ELSE OLD.scores_trusted AND NEW.scores_trusted END;
          END IF;
          IF OLD.status NOT IN ('draft','returned') AND (data_changed OR (derived_changed AND NOT trusted)
             OR (NEW.status = OLD.status AND workflow_changed)) THEN
            RAISE EXCEPTION 'jixiao: form % is %, read-only', OLD.id, OLD.status USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
             ('draft','submitted'),('returned','submitted'),('submitted','returned'),('submitted','approved'),
             ('approved','signed'),('submitted','draft'),('approved','draft'),('signed','draft'),('returned','draft')) THEN
            RAISE EXCEPTION 'jixiao: illegal transition % -> %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$"""


def postgres_statements(s: str) -> list[str]:
    """Grants, row policies, the approval's copy, the stage guard and the lock; names qualified with ``s``."""
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    me = f"COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user)"
    return [
        f"ALTER TABLE {s}.forms ADD CONSTRAINT ck_forms_stage CHECK (stage IN ('declaration','evaluation'))",
        # a row's goal is a goal of the row's own form (else a row could hang under another form's goal)
        f"ALTER TABLE {s}.goals ADD CONSTRAINT uq_goals_id_form UNIQUE (id, form_id)",
        f"ALTER TABLE {s}.indicators ADD CONSTRAINT fk_indicators_goal_form FOREIGN KEY (goal_id, form_id) "
        f"REFERENCES {s}.goals (id, form_id) ON DELETE CASCADE",
        _forms_guard(s, path),
        f"REVOKE ALL ON {s}.approved_targets FROM PUBLIC",
        f"GRANT SELECT ON {s}.approved_targets TO {APP_ROLES}",
        f"ALTER TABLE {s}.approved_targets ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY visible ON {s}.approved_targets FOR SELECT TO jixiao_filler, jixiao_reviewer "
        f"USING (form_id IN (SELECT f.id FROM {s}.forms f))",
        f"CREATE POLICY admin_read ON {s}.approved_targets FOR SELECT TO jixiao_admin USING (true)",
        # the approval copies the rows it approves: nobody else writes here
        f"""CREATE FUNCTION {s}.jixiao_approve_targets() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF NEW.stage = 'declaration' AND NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved' THEN
            {_copy(s + ".", f"CASE WHEN {s}.jixiao_trusted_writer() THEN NEW.updated_by ELSE {me} END", "now()", "session_user")};
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE TRIGGER forms_approve_targets AFTER UPDATE OF status ON {s}.forms "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_approve_targets()",
        f"""CREATE FUNCTION {s}.jixiao_stage_guard() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND (NEW.year, NEW.implementing_unit, NEW.project_name, NEW.form_kind)
               IS DISTINCT FROM (OLD.year, OLD.implementing_unit, OLD.project_name, OLD.form_kind)
             AND EXISTS (SELECT 1 FROM {s}.approved_targets a WHERE a.form_id = OLD.id) THEN
            RAISE EXCEPTION 'jixiao: form % has approved targets; its year, unit and project stay', OLD.id
              USING ERRCODE = 'check_violation';
          END IF;
          IF TG_OP = 'INSERT' AND NEW.stage = 'declaration' AND NEW.status <> 'draft' AND NOT {s}.jixiao_trusted_writer() THEN
            RAISE EXCEPTION 'jixiao: a declaration begins as a draft' USING ERRCODE = 'check_violation';
          END IF;
          IF TG_OP = 'UPDATE' AND NEW.stage IS DISTINCT FROM OLD.stage AND NOT (OLD.stage = 'declaration'
             AND NEW.stage = 'evaluation' AND OLD.status = 'approved' AND NEW.status = 'draft') THEN
            RAISE EXCEPTION 'jixiao: the stage moves only from an approved declaration to a draft self-evaluation'
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER forms_stage_guard BEFORE INSERT OR UPDATE ON {s}.forms "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_stage_guard()",
        f"""CREATE FUNCTION {s}.jixiao_begin_evaluation(fid integer) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
           {path} AS $$
        DECLARE f record;
        BEGIN
          SELECT * INTO f FROM {s}.forms WHERE id = fid;
          IF NOT FOUND OR NOT ({s}.jixiao_trusted_writer() OR EXISTS (SELECT 1 FROM {s}.app_users u
               WHERE u.login = session_user AND (u.role = 'admin' OR (u.role = 'filler' AND u.unit = f.implementing_unit)))) THEN
            RAISE EXCEPTION 'jixiao: no permission to begin the self-evaluation of form %', fid
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF f.stage <> 'declaration' OR f.status <> 'approved' THEN
            RAISE EXCEPTION 'jixiao: form % is no approved declaration', fid USING ERRCODE = 'check_violation';
          END IF;
          UPDATE {s}.forms SET stage = 'evaluation', status = 'draft', version = version + 1, updated_at = now(),
                 updated_by = {me} WHERE id = fid;
        END $$""",
        # the lock, checked at commit: a save may delete and insert every row before it is whole again
        f"""CREATE FUNCTION {s}.jixiao_targets_lock() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        DECLARE fid integer; latest integer;
        BEGIN
          IF TG_TABLE_NAME = 'forms' THEN fid := NEW.id;
          ELSIF TG_OP = 'DELETE' THEN fid := OLD.form_id;
          ELSE
            fid := NEW.form_id;
            IF TG_OP = 'UPDATE' THEN
              IF OLD.form_id IS DISTINCT FROM NEW.form_id THEN
                RAISE EXCEPTION 'jixiao: a row stays with its form' USING ERRCODE = 'check_violation';
              END IF;
            END IF;
          END IF;
          SELECT max(a.approval) INTO latest FROM {s}.approved_targets a WHERE a.form_id = fid;
          IF latest IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.forms f WHERE f.id = fid AND f.stage = 'evaluation') THEN
            RETURN NULL;
          END IF;
          IF EXISTS ((SELECT {LOCKED} FROM {s}.approved_targets WHERE form_id = fid AND approval = latest AND kind = 'indicator'
                      EXCEPT ALL SELECT {_NOW} FROM {s}.indicators i JOIN {s}.goals g ON g.id = i.goal_id WHERE i.form_id = fid)
                     UNION ALL
                     (SELECT {_NOW} FROM {s}.indicators i JOIN {s}.goals g ON g.id = i.goal_id WHERE i.form_id = fid
                      EXCEPT ALL SELECT {LOCKED} FROM {s}.approved_targets WHERE form_id = fid AND approval = latest AND kind = 'indicator'))
             OR EXISTS ((SELECT goal_position, weight FROM {s}.approved_targets WHERE form_id = fid AND approval = latest AND kind = 'goal'
                         EXCEPT ALL SELECT position, weight FROM {s}.goals WHERE form_id = fid)
                        UNION ALL
                        (SELECT position, weight FROM {s}.goals WHERE form_id = fid
                         EXCEPT ALL SELECT goal_position, weight FROM {s}.approved_targets WHERE form_id = fid AND approval = latest AND kind = 'goal'))
             OR EXISTS (SELECT 1 FROM {s}.approved_targets a JOIN {s}.forms f ON f.id = a.form_id
                        WHERE a.form_id = fid AND a.approval = latest AND a.kind = 'budget' AND a.weight IS DISTINCT FROM f.budget_weight) THEN
            RAISE EXCEPTION 'jixiao: form % has approved targets; its indicator rows and weights are locked', fid
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE CONSTRAINT TRIGGER indicators_targets_lock AFTER INSERT OR UPDATE OR DELETE ON {s}.indicators "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_targets_lock()",
        f"CREATE CONSTRAINT TRIGGER goals_targets_lock AFTER INSERT OR UPDATE OR DELETE ON {s}.goals "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_targets_lock()",
        f"CREATE CONSTRAINT TRIGGER forms_targets_lock AFTER UPDATE OF stage, budget_weight ON {s}.forms "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_targets_lock()",
        f"""CREATE FUNCTION {s}.jixiao_approved_targets_append_only() RETURNS trigger LANGUAGE plpgsql {path} AS $$
           BEGIN RAISE EXCEPTION 'approved_targets is append-only' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"CREATE TRIGGER approved_targets_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.approved_targets "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_approved_targets_append_only()",
        f"REVOKE ALL ON FUNCTION {s}.jixiao_approve_targets(), {s}.jixiao_stage_guard(), "
        f"{s}.jixiao_begin_evaluation(integer), {s}.jixiao_targets_lock(), "
        f"{s}.jixiao_approved_targets_append_only() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {s}.jixiao_begin_evaluation(integer) TO jixiao_filler, jixiao_admin",
    ]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in (
            "approved_targets_no_update",
            "approved_targets_no_delete",
            "forms_approve_targets",
            "forms_stage_guard",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if bind.dialect.name == "postgresql":
        for trigger, table in (
            ("approved_targets_append_only", "approved_targets"),
            ("indicators_targets_lock", "indicators"),
            ("goals_targets_lock", "goals"),
            ("forms_targets_lock", "forms"),
            ("forms_stage_guard", "forms"),
            ("forms_approve_targets", "forms"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute(
            "DROP FUNCTION IF EXISTS jixiao_approved_targets_append_only(), jixiao_targets_lock(), "
            "jixiao_begin_evaluation(integer), jixiao_stage_guard(), jixiao_approve_targets()"
        )
        op.execute("ALTER TABLE forms DROP CONSTRAINT IF EXISTS ck_forms_stage")
        op.execute("ALTER TABLE indicators DROP CONSTRAINT IF EXISTS fk_indicators_goal_form")
        op.execute("ALTER TABLE goals DROP CONSTRAINT IF EXISTS uq_goals_id_form")
    op.drop_index("ix_approved_targets_form", table_name="approved_targets")
    op.drop_table("approved_targets")
    with triggers_kept("forms"), op.batch_alter_table("forms") as batch:
        batch.drop_column("stage")
