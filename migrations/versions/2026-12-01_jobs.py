"""Jobs: long work (cohorts, Europass deliveries) as resources with progress; on PostgreSQL, the job queue's schema.

The queue is procrastinate (pinned in pyproject.toml): its tables, types and functions are created here from the
schema its pinned version ships, so `vetcred migrate` is the one command that prepares a database; a later version
of procrastinate comes with a migration of ours that applies its own migration files. SQLite runs jobs in-process
and needs no queue tables.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
QUEUE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")
QUEUE_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("microcredential_id", sa.String(length=36), nullable=True),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("outcome", JSON_DOCUMENT, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_jobs_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredential_specs.id"],
            name=op.f("fk_jobs_microcredential_id_microcredential_specs"),
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credentials.id"], name=op.f("fk_jobs_credential_id_credentials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_issuer_id"), "jobs", ["issuer_id"])
    op.create_index(op.f("ix_jobs_created_at"), "jobs", ["created_at"])
    op.create_table(
        "job_chunks",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("secrets", sa.LargeBinary(), nullable=True),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("not_awarded", sa.Integer(), nullable=False),
        sa.Column("already_recorded", sa.Integer(), nullable=False),
        sa.Column("larger_issued", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_chunks_job_id_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "number", name=op.f("pk_job_chunks")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # As procrastinate's own apply_schema: the driver takes % as a placeholder, so the script's are doubled.
        op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """DO $$ DECLARE f record; BEGIN
            FOR f IN SELECT oid::regprocedure AS signature FROM pg_proc WHERE proname LIKE 'procrastinate\\_%' LOOP
              EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
            END LOOP; END $$"""
        )
        for table in QUEUE_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        for type_name in QUEUE_TYPES:
            op.execute(f"DROP TYPE IF EXISTS {type_name} CASCADE")
    op.drop_table("job_chunks")
    op.drop_index(op.f("ix_jobs_created_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_issuer_id"), table_name="jobs")
    op.drop_table("jobs")
