"""a 复核 on a row without a printed 分值 is held to the allocated weight only when the owner vouched for it

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-04

A hole found by attacking migration 0018 as a filler with psql: the 复核 range trigger took the
weight jixiao allocated (``agg_weight_u``) for a row without a printed 分值, but a filler writes that
column on a draft (it only clears ``scores_trusted``). ``UPDATE indicators SET agg_weight_u =
5000000`` on a row of an 80-point form, a submit, and a reviewer's 复核 of 400 on that row was
stored. The trigger now takes ``agg_weight_u`` only from a form whose scores are trusted (written
by the owner, ``jixiao_scorer``, or ``jixiao db rescore``); on an unverified form such a row takes no
复核 until the owner rescores. The printed 分值 is the form's own data and is used as before.
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

M0018 = importlib.import_module("jixiao.storage.migrations.versions.0018_recheck_in_range_and_ignorable_names")
SLACK = M0018.ALLOCATED_SLACK


def _function(s: str, path: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {s}.jixiao_recheck_in_range() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {path} AS $$
    DECLARE ceiling numeric; unvouched boolean;
    BEGIN
      IF NEW.score IS NULL OR NEW.score::text IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'jixiao: a recheck score is a finite number, not %', NEW.score USING ERRCODE = 'check_violation';
      END IF;
      SELECT min(COALESCE(i.weight, CASE WHEN f.scores_trusted THEN i.agg_weight_u / 10000.0 + {SLACK} END)),
             bool_or(i.weight IS NULL AND i.agg_weight_u IS NOT NULL AND NOT f.scores_trusted)
        INTO ceiling, unvouched
        FROM {s}.indicators i JOIN {s}.forms f ON f.id = i.form_id
       WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid;
      IF ceiling IS NULL AND unvouched THEN
        RAISE EXCEPTION 'jixiao: the allocated weight of indicator % (form %) is unverified: the owner runs jixiao db rescore',
          NEW.indicator_uid, NEW.form_id USING ERRCODE = 'check_violation';
      END IF;
      IF ceiling IS NULL OR ceiling::text IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'jixiao: indicator % of form % has no finite weight to recheck against', NEW.indicator_uid,
          NEW.form_id USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.score < 0 OR NEW.score > ceiling THEN
        RAISE EXCEPTION 'jixiao: recheck score % of indicator % (form %) is not between 0 and its weight %',
          NEW.score, NEW.indicator_uid, NEW.form_id, ceiling USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$"""


def upgrade() -> None:
    s = M0018.M0017._schema()
    if s is None:
        return
    op.execute(_function(s, f"SET search_path = pg_catalog, {s}, pg_temp"))


def downgrade() -> None:
    s = M0018.M0017._schema()
    if s is None:
        return
    op.execute(
        M0018._pg_recheck_range(s, f"SET search_path = pg_catalog, {s}, pg_temp").replace(
            "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
        )
    )
