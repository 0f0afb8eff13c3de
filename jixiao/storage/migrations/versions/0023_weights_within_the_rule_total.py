"""a form whose printed 分值 exceed its rule set's total is not submitted, approved or signed (PostgreSQL)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

A hole found by reading the workflow as a hostile insider with psql: jixiao refuses to submit,
approve or sign a form whose weights add up to more than its rule set's total (a rule score above
100 would be possible; ``jixiao.storage.validate.inconsistency``), but the database knew nothing of
rule totals. A filler could raise a row's 分值 on a draft and ``UPDATE forms SET status =
'submitted'``; a reviewer could approve it the same way.

The database cannot run the scorer, so it checks what is certain: a lower bound of the form's weight
total that jixiao's allocation can only raise. It is the budget's printed 分值 (else the smallest a
rule set gives), plus every row's printed 分值, a parent (父项) through its sub-rows (子项): the sum
of their printed 分值 when all print one, else the larger of that sum and the parent's own (the rest
is shared out of the parent's). Families are jixiao's: a row heads the sub-rows below it in its
goal, and the goal's first row heads them even when marked a sub-row itself. Rows without a printed 分值 count 0 (jixiao gives them a share ≥ 0).
The total is the form's named rule set's (table ``rule_set_totals``, written by ``jixiao db
upgrade`` from the built-in rule sets, readable and writable by no application role), else the
largest there. A move to submitted, approved or signed with the bound, rounded to the fen, above it
is refused, for every role. So no legitimate form is refused, and no printed 分值 can be inflated
past the total and moved on.
"""

from __future__ import annotations

from decimal import Decimal

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _function(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_weights_within_total() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {path} AS $$
    DECLARE bound numeric; rule_total numeric; rule_budget numeric;
    BEGIN
      SELECT t.total, t.budget_weight INTO rule_total, rule_budget FROM {s}.rule_set_totals t WHERE t.name = NEW.rules;
      IF rule_total IS NULL THEN
        SELECT max(t.total), min(t.budget_weight) INTO rule_total, rule_budget FROM {s}.rule_set_totals t;
      END IF;
      IF rule_total IS NULL THEN
        RETURN NEW;  -- no rule set known to the database yet: nothing certain to hold the form to
      END IF;
      -- families as scorer.weights.family_parents: a row heads the sub-rows (子项) below it in its goal,
      -- and the goal's first row heads them even when it is marked a sub-row itself
      WITH n AS (
        SELECT i.weight, i.sub, i.goal_id, i.position, i.id,
               row_number() OVER (PARTITION BY i.goal_id ORDER BY i.position, i.id) AS rn
          FROM {s}.indicators i WHERE i.form_id = NEW.id
      ), r AS (
        SELECT weight, goal_id, NOT sub OR rn = 1 AS head,
               count(*) FILTER (WHERE NOT sub OR rn = 1) OVER (PARTITION BY goal_id ORDER BY position, id) AS family
          FROM n
      ), f AS (
        SELECT goal_id, family,
               sum(weight) FILTER (WHERE head) AS parent,
               coalesce(sum(weight) FILTER (WHERE NOT head), 0) AS printed,
               count(*) FILTER (WHERE NOT head) AS children,
               count(*) FILTER (WHERE NOT head AND weight IS NULL) AS unprinted
          FROM r GROUP BY goal_id, family
      )
      SELECT coalesce(NEW.budget_weight, rule_budget)
             + coalesce((SELECT sum(CASE WHEN children = 0 THEN coalesce(parent, 0)
                                         WHEN unprinted = 0 THEN printed
                                         ELSE greatest(coalesce(parent, 0), printed) END) FROM f), 0)
        INTO bound;
      IF round(bound, 2) > round(rule_total, 2) THEN
        RAISE EXCEPTION 'jixiao: the weights of form % add up to at least %, above the rule total %: not %',
          NEW.id, bound, rule_total, NEW.status USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$"""


def rule_rows() -> list[tuple[str, Decimal, Decimal]]:
    """(name, total, budget weight) of every built-in rule set, as ``jixiao db upgrade`` writes them."""
    from scorer.rules import available, load

    return [(name, load(name).total, load(name).budget_weight) for name in available()]


def fill(bind: object) -> None:
    """Write the built-in rule sets' totals (the owner, at every upgrade: a changed rule set is taken)."""
    conn = bind  # a SQLAlchemy connection
    for name, total, budget in rule_rows():
        conn.exec_driver_sql(  # type: ignore[attr-defined]
            "INSERT INTO rule_set_totals (name, total, budget_weight) VALUES (%(n)s, %(t)s, %(b)s) "
            "ON CONFLICT (name) DO UPDATE SET total = EXCLUDED.total, budget_weight = EXCLUDED.budget_weight",
            {"n": name, "t": total, "b": budget},
        )


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(
        f"CREATE TABLE {s}.rule_set_totals (name text PRIMARY KEY, total numeric NOT NULL, "
        "budget_weight numeric NOT NULL, CHECK (total::text NOT IN ('NaN', 'Infinity', '-Infinity') "
        "AND budget_weight::text NOT IN ('NaN', 'Infinity', '-Infinity')))"
    )
    op.execute(f"REVOKE ALL ON {s}.rule_set_totals FROM PUBLIC, jixiao_filler, jixiao_reviewer, jixiao_admin")
    fill(op.get_bind())
    op.execute(_function(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_weights_within_total() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER forms_weights_within_total BEFORE UPDATE OF status ON {s}.forms FOR EACH ROW "
        "WHEN (NEW.status IN ('submitted', 'approved', 'signed') AND NEW.status IS DISTINCT FROM OLD.status) "
        f"EXECUTE FUNCTION {s}.jixiao_weights_within_total()"
    )
    # an admin may insert a form as it stands (a transfer): one inserted past the draft is held alike
    op.execute(
        f"CREATE TRIGGER forms_weights_within_total_new BEFORE INSERT ON {s}.forms FOR EACH ROW "
        "WHEN (NEW.status IN ('submitted', 'approved', 'signed')) "
        f"EXECUTE FUNCTION {s}.jixiao_weights_within_total()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_weights_within_total ON {s}.forms")
    op.execute(f"DROP TRIGGER IF EXISTS forms_weights_within_total_new ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_weights_within_total()")
    op.execute(f"DROP TABLE IF EXISTS {s}.rule_set_totals")
