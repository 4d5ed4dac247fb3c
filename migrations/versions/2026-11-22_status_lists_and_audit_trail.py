"""Bitstring status lists, credential status entries and public tokens, the audit trail, opt-in suspension.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:50:21.495796
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "status_lists",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("allocated", sa.LargeBinary(), nullable=False),
        sa.Column("allocated_count", sa.Integer(), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_status_lists_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_lists_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_audit_events_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_audit_events_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_credential_id"), ["credential_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_issuer_id"), ["issuer_id"], unique=False)

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=16), server_default="active", nullable=False))
        batch_op.add_column(sa.Column("revocation_list_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("revocation_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suspension_list_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("suspension_index", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_credentials_suspension_list_id_status_lists"),
            "status_lists",
            ["suspension_list_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_credentials_revocation_list_id_status_lists"),
            "status_lists",
            ["revocation_list_id"],
            ["id"],
        )

    # Credentials issued before this migration get their public verification token now.
    connection = op.get_bind()
    credentials = sa.table("credentials", sa.column("id", sa.String), sa.column("public_token", sa.String))
    for (credential_id,) in connection.execute(sa.select(credentials.c.id)).all():
        connection.execute(
            credentials.update().where(credentials.c.id == credential_id).values(public_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.alter_column("public_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_credentials_public_token"), ["public_token"])

    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_suspension", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("allow_suspension")

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_credentials_revocation_list_id_status_lists"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_credentials_suspension_list_id_status_lists"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_credentials_public_token"), type_="unique")
        batch_op.drop_column("suspension_index")
        batch_op.drop_column("suspension_list_id")
        batch_op.drop_column("revocation_index")
        batch_op.drop_column("revocation_list_id")
        batch_op.drop_column("status")
        batch_op.drop_column("public_token")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_credential_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_lists_issuer_id"))

    op.drop_table("status_lists")
