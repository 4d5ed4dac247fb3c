"""Micro-credential specifications (Annex I), learners, assessments, e-seals; credentials of either format.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 22:06:05.857534
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("given_name", sa.String(length=255), nullable=False),
        sa.Column("family_name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("national_id", sa.String(length=100), nullable=True),
        sa.Column("identifiers", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_learners_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("issuer_id", "email", name=op.f("uq_learners_issuer_id")),
    )
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learners_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "microcredential_specs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("eqf_level", sa.Integer(), nullable=True),
        sa.Column("fields", sa.String(length=500), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("definition", JSON_DOCUMENT, nullable=False),
        sa.Column("require_all_outcomes", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("pathway_part_ids", sa.JSON(), nullable=True),
        sa.Column("pathway_required", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_microcredential_specs_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microcredential_specs")),
    )
    with op.batch_alter_table("microcredential_specs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_microcredential_specs_eqf_level"), ["eqf_level"], unique=False)
        batch_op.create_index(batch_op.f("ix_microcredential_specs_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "seal_materials",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("self_issued", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_seal_materials_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("issuer_id", name=op.f("pk_seal_materials")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("microcredential_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("facts", JSON_DOCUMENT, nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_assessments_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], name=op.f("fk_assessments_learner_id_learners")),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredential_specs.id"],
            name=op.f("fk_assessments_microcredential_id_microcredential_specs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "microcredential_id", "learner_id", "reference", name=op.f("uq_assessments_microcredential_id")
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_microcredential_id"), ["microcredential_id"], unique=False)

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("microcredential_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("assessment_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("part_ids", sa.JSON(), nullable=True))
        batch_op.alter_column("achievement_id", existing_type=sa.VARCHAR(length=36), nullable=True)
        batch_op.create_index(batch_op.f("ix_credentials_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credentials_microcredential_id"), ["microcredential_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_credentials_assessment_id_assessments"), "assessments", ["assessment_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_credentials_microcredential_id_microcredential_specs"),
            "microcredential_specs",
            ["microcredential_id"],
            ["id"],
        )


def downgrade() -> None:
    # Micro-credentials have no achievement: they cannot survive the return to a NOT NULL achievement_id.
    op.execute("DELETE FROM credentials WHERE achievement_id IS NULL")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_credentials_microcredential_id_microcredential_specs"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_credentials_assessment_id_assessments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_credentials_microcredential_id"))
        batch_op.drop_index(batch_op.f("ix_credentials_assessment_id"))
        batch_op.alter_column("achievement_id", existing_type=sa.VARCHAR(length=36), nullable=False)
        batch_op.drop_column("part_ids")
        batch_op.drop_column("sealed")
        batch_op.drop_column("assessment_id")
        batch_op.drop_column("microcredential_id")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_microcredential_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_learner_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_issuer_id"))

    op.drop_table("assessments")
    op.drop_table("seal_materials")
    with op.batch_alter_table("microcredential_specs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_microcredential_specs_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_microcredential_specs_eqf_level"))

    op.drop_table("microcredential_specs")
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learners_issuer_id"))

    op.drop_table("learners")
